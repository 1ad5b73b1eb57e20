#include "eval/tasks.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/splits.h"
#include "text/line_reader.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

// Calls f(record) for every line of a JSON Lines file (gzip or plain).
template <typename F>
Status for_each_json(const std::string& path, F&& f) {
  auto reader = LineReader::open(path);
  if (!reader) return reader.status();
  std::string line;
  while ((*reader)->next(&line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::invalid_argument(path + ":" + std::to_string((*reader)->line_number()) +
                                      ": not a JSON object");
    }
    f(j);
  }
  return (*reader)->status();
}

struct Esco {
  std::vector<std::string> skill_labels;
  std::unordered_map<std::string, int64_t> skill_pos;  // URI -> position
  std::vector<std::vector<std::string>> skill_alts;
  std::vector<std::string> skill_ids;
  std::vector<nlohmann::json> occupations;
};

Result<Esco> load_esco(const std::string& data) {
  Esco e;
  CREDMATCH_RETURN_IF_ERROR(for_each_json(data + "/skills_esco.jsonl.gz", [&](const auto& j) {
    e.skill_pos.emplace(j.value("id", ""), static_cast<int64_t>(e.skill_labels.size()));
    e.skill_ids.push_back(j.value("id", ""));
    e.skill_labels.push_back(j.value("label", ""));
    e.skill_alts.push_back(j.value("alt_labels", std::vector<std::string>{}));
  }));
  CREDMATCH_RETURN_IF_ERROR(for_each_json(data + "/occupations_esco.jsonl.gz",
                                          [&](const auto& j) { e.occupations.push_back(j); }));
  return e;
}

// Keeps at most `max` queries, evenly spread over the list (deterministic).
void subsample(RankingTask& t, int64_t max) {
  const auto n = static_cast<int64_t>(t.queries.size());
  if (max <= 0 || n <= max) return;
  RankingTask kept;
  for (int64_t i = 0; i < max; ++i) {
    const auto at = static_cast<size_t>(i * n / max);
    kept.queries.push_back(std::move(t.queries[at]));
    kept.relevant.push_back(std::move(t.relevant[at]));
  }
  t.queries = std::move(kept.queries);
  t.relevant = std::move(kept.relevant);
}

}  // namespace

Result<std::vector<RankingTask>> load_ranking_tasks(const std::string& data,
                                                   const std::vector<std::string>& wanted,
                                                   int64_t max_queries) {
  static const std::vector<std::string> kKnown = {
      "all",           "skill_norm",      "job_essential",
      "tech_test",     "tech_validation", "house_validation",
      "jobbert_dev",   "jobbert_test"};
  for (const auto& w : wanted) {
    if (std::find(kKnown.begin(), kKnown.end(), w) == kKnown.end()) {
      return Status::invalid_argument("--tasks: unknown task '" + w + "'");
    }
  }
  auto esco = load_esco(data);
  if (!esco) return esco.status();
  auto want = [&](const std::string& name) {
    return std::find(wanted.begin(), wanted.end(), "all") != wanted.end() ||
           std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  };
  std::vector<RankingTask> tasks;
  if (want("skill_norm")) {
    RankingTask t{"skill_norm", "ESCO alternative label -> its skill", esco->skill_labels, {}, {}};
    for (size_t s = 0; s < esco->skill_alts.size(); ++s) {
      // Only the evaluation split: the domain encoder trains on the others' labels.
      if (split_of(esco->skill_ids[s]) != Split::kEval) continue;
      for (const auto& alt : esco->skill_alts[s]) {
        t.queries.push_back(alt);
        t.relevant.push_back({static_cast<int64_t>(s)});
      }
    }
    tasks.push_back(std::move(t));
  }
  if (want("job_essential")) {
    RankingTask t{"job_essential",
           "ESCO occupation title + description -> its essential skills",
           esco->skill_labels,
           {},
           {}};
    for (const auto& o : esco->occupations) {
      if (split_of(o.value("id", "")) != Split::kEval) continue;
      std::vector<int64_t> rel;
      for (const auto& r : o.value("requirements", nlohmann::json::array())) {
        if (r.value("importance", "") != "essential") continue;
        auto it = esco->skill_pos.find(r.value("skill_id", ""));
        if (it != esco->skill_pos.end() &&
            std::find(rel.begin(), rel.end(), it->second) == rel.end()) {
          rel.push_back(it->second);
        }
      }
      if (rel.empty()) continue;
      t.queries.push_back(o.value("title", "") + ". " + o.value("description", ""));
      t.relevant.push_back(std::move(rel));
    }
    tasks.push_back(std::move(t));
  }
  for (const char* name : {"tech_test", "tech_validation", "house_validation"}) {
    if (!want(name)) continue;
    RankingTask t{name,
           "job-ad sentence -> its ESCO skills (Decorte et al. 2022)",
           esco->skill_labels,
           {},
           {}};
    const std::string path = data + "/eval/" + name + ".jsonl.gz";
    Status unknown;
    CREDMATCH_RETURN_IF_ERROR(for_each_json(path, [&](const auto& j) {
      std::vector<int64_t> rel;
      for (const auto& uri : j.value("relevant", std::vector<std::string>{})) {
        auto it = esco->skill_pos.find(uri);
        if (it == esco->skill_pos.end()) {
          unknown = Status::not_found(path + ": unknown skill " + uri);
        } else {
          rel.push_back(it->second);
        }
      }
      if (rel.empty()) return;
      t.queries.push_back(j.value("text", ""));
      t.relevant.push_back(std::move(rel));
    }));
    CREDMATCH_RETURN_IF_ERROR(unknown);
    tasks.push_back(std::move(t));
  }
  // JobBERT titles split by title: the evaluation split is the test set, the rest is for
  // development (the upstream test split is held back).
  for (const bool test : {false, true}) {
    const char* name = test ? "jobbert_test" : "jobbert_dev";
    if (!want(name)) continue;
    RankingTask t{name, "vacancy title -> its ESCO occupation (Decorte et al. 2021)", {}, {}, {}};
    std::unordered_map<std::string, int64_t> occ_pos;
    for (const auto& o : esco->occupations) {
      occ_pos.emplace(o.value("id", ""), static_cast<int64_t>(t.targets.size()));
      t.targets.push_back(o.value("title", ""));
    }
    CREDMATCH_RETURN_IF_ERROR(
        for_each_json(data + "/eval/jobbert_titles.jsonl.gz", [&](const auto& j) {
          const std::string text = j.value("text", "");
          if ((split_of(normalize(text)) == Split::kEval) != test) return;
          std::vector<int64_t> rel;
          for (const auto& uri : j.value("relevant", std::vector<std::string>{})) {
            if (auto it = occ_pos.find(uri); it != occ_pos.end()) rel.push_back(it->second);
          }
          if (rel.empty()) return;
          t.queries.push_back(text);
          t.relevant.push_back(std::move(rel));
        }));
    tasks.push_back(std::move(t));
  }
  for (RankingTask& t : tasks) subsample(t, max_queries);
  return tasks;
}

}  // namespace credmatch::engine
