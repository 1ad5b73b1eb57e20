#include "eval/worker_task.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/error.h"
#include "base/json_depth.h"
#include "base/thread_pool.h"
#include "catalog/catalog_relevance.h"
#include "relevance/features.h"
#include "relevance/training.h"
#include "text/lexical.h"

namespace credmatch::engine {
namespace {

using json = nlohmann::json;

std::string scheme_of(const std::string& id) {
  const size_t colon = id.find(':');
  return colon == std::string::npos ? std::string() : id.substr(0, colon + 1);
}

// One plan's credentials (catalog indices, plan order) counted into `row`.
void count_plan(const std::vector<int32_t>& plan, const LoadedCatalog& catalog,
                const std::vector<int32_t>& relevant, const std::set<std::string>& schemes,
                WorkerRow& row) {
  ++row.plans;
  bool hit = false;
  for (int32_t c : plan) {
    const Credential& cred = catalog.credentials()[size_t(c)];
    ++row.steps;
    if (cred.hours) {
      row.known_hours += *cred.hours;
    } else {
      ++row.steps_unknown_hours;
    }
    if (!schemes.count(scheme_of(cred.id))) continue;
    ++row.judged;
    if (std::binary_search(relevant.begin(), relevant.end(), c)) {
      ++row.relevant;
      hit = true;
    }
  }
  if (hit) ++row.plans_with_relevant;
}

void add_into(WorkerRow& into, const WorkerRow& r) {
  into.plans += r.plans;
  into.steps += r.steps;
  into.judged += r.judged;
  into.relevant += r.relevant;
  into.plans_with_relevant += r.plans_with_relevant;
  into.steps_unknown_hours += r.steps_unknown_hours;
  into.known_hours += r.known_hours;
  into.coverage_before += r.coverage_before;
  into.coverage_after += r.coverage_after;
}

}  // namespace

Result<std::vector<NamedProfile>> load_worker_profiles(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (json_too_deep_at(text)) return Status::invalid_argument(path + ": invalid JSON: nested too deep");
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::invalid_argument(path + ": invalid JSON at byte " + std::to_string(e.byte));
  }
  if (!doc.is_object() || !doc.contains("profiles") || !doc["profiles"].is_array() ||
      doc["profiles"].empty()) {
    return Status::invalid_argument(path + ": profiles: must be a non-empty array");
  }
  std::vector<NamedProfile> out;
  for (size_t i = 0; i < doc["profiles"].size(); ++i) {
    const std::string where = path + ": profiles[" + std::to_string(i) + "]";
    json p = doc["profiles"][i];
    if (!p.is_object() || !p.contains("name") || !p["name"].is_string() ||
        p["name"].get<std::string>().empty()) {
      return Status::invalid_argument(where + ": name: must be a non-empty string");
    }
    NamedProfile np;
    np.name = p["name"].get<std::string>();
    p.erase("name");
    auto profile = parse_profile_json(p.dump(), where);
    if (!profile) return profile.status();
    np.profile = std::move(*profile);
    out.push_back(std::move(np));
  }
  return out;
}

Result<WorkerReport> run_worker_task(const LoadedCatalog& catalog, const WorkerTaskConfig& config) {
  const auto t_start = std::chrono::steady_clock::now();
  auto profiles = load_worker_profiles(config.profiles_path);
  if (!profiles) return profiles.status();

  // Out-of-fold relevance models: the employer task fits and calibrates them.
  EmployerTaskConfig ec = config.employer;
  ec.jobs_path = config.jobs_path;
  ec.with_matcher = false;
  ec.variants.clear();
  auto employer = run_employer_task(catalog, ec);
  if (!employer) return employer.status();
  auto records = load_labelled_jobs(config.jobs_path);
  if (!records) return records.status();
  std::set<std::string> schemes;
  for (const LabelledJobRecord& r : *records) {
    for (const std::string& id : r.relevant_ids) schemes.insert(scheme_of(id));
  }
  LabelledJobs set = resolve_labelled_jobs(std::move(*records), catalog, ec.fit.folds);

  const CredentialProfiles profiles_of_catalog = CredentialProfiles::build(
      credential_texts(catalog), catalog.encoder(), credential_competency_vectors(catalog));
  std::vector<std::unique_ptr<RelevanceScorer>> scorers;
  for (const RelevanceModel& m : employer->fold_models) {
    scorers.push_back(std::make_unique<RelevanceScorer>(profiles_of_catalog, m));
  }

  // Rows: the two candidate routes, then the peer.
  const std::vector<PathCandidateSource> routes = {PathCandidateSource::kIndex,
                                                   PathCandidateSource::kRelevance};
  const size_t nj = set.jobs.size(), np = profiles->size();
  // cells[j][route][p]
  std::vector<std::vector<std::vector<WorkerRow>>> cells(
      nj, std::vector<std::vector<WorkerRow>>(routes.size() + 1, std::vector<WorkerRow>(np)));
  std::vector<std::string> example_lines(nj);
  GapConfig gap = config.gap;
  gap.search_threads = 1;  // one job per pool task
  const GapAnalyzer analyzer(catalog, gap);
  run_parallel(int64_t(nj), [&](int64_t j) {
    const Job& job = set.jobs[size_t(j)];
    const auto& relevant = set.relevant[size_t(j)];
    for (size_t p = 0; p < np; ++p) {
      const auto report = analyzer.analyze(job, (*profiles)[p].profile);
      CREDMATCH_CHECK(report.is_ok(), report.status().message());
      for (size_t r = 0; r < routes.size(); ++r) {
        PathOptions o = config.path;
        o.candidates.source = routes[r];
        o.candidates.relevance = scorers[size_t(set.folds[size_t(j)])].get();
        const PathOutcome out = compute_path(catalog, job, (*profiles)[p].profile, *report, gap, o);
        std::vector<int32_t> plan;
        for (const PlanStep& s : out.plan.steps) {
          plan.push_back(out.problem.credential[size_t(s.candidate)]);
        }
        WorkerRow& row = cells[size_t(j)][r][p];
        count_plan(plan, catalog, relevant, schemes, row);
        row.coverage_before += out.plan.coverage_before;
        row.coverage_after += std::max(out.plan.coverage_after, out.plan.coverage_before);
        if (p == 0 && r + 1 == routes.size() && j % 25 == 0) {
          std::string line = (*profiles)[p].name + " -> " + job.title + ":";
          for (int32_t c : plan) {
            const bool rel = std::binary_search(relevant.begin(), relevant.end(), c);
            line += " " + catalog.credentials()[size_t(c)].title + (rel ? " [relevant];" : ";");
          }
          if (plan.empty()) line += " (no plan)";
          example_lines[size_t(j)] = line;
        }
      }
    }
  });

  // Peer: the top 3 credentials of char TF-IDF, whole job text vs whole credential text.
  const CharTfidfRanker peer(profiles_of_catalog.whole_texts());
  for (size_t j = 0; j < nj; ++j) {
    const RankedList top = peer.search(job_whole_text(set.jobs[j]), 3);
    std::vector<int32_t> plan(top.ids.begin(), top.ids.end());
    WorkerRow row;
    count_plan(plan, catalog, set.relevant[j], schemes, row);
    for (size_t p = 0; p < np; ++p) add_into(cells[j][routes.size()][p], row);  // same for all
  }

  WorkerReport rep;
  rep.jobs = int64_t(nj);
  rep.profiles = int64_t(np);
  const std::vector<std::string> names = {"path, index candidates (before)",
                                          "path, relevance candidates (out-of-fold models)",
                                          "peer: top 3 of tfidf-char (whole vs whole)"};
  for (size_t r = 0; r <= routes.size(); ++r) {
    WorkerRow total;
    total.name = names[r];
    total.has_coverage = r < routes.size();
    for (size_t j = 0; j < nj; ++j) {
      for (size_t p = 0; p < np; ++p) add_into(total, cells[j][r][p]);
    }
    rep.rows.push_back(total);
  }
  for (size_t p = 0; p < np; ++p) {
    WorkerRow row;
    row.name = (*profiles)[p].name;
    for (size_t j = 0; j < nj; ++j) add_into(row, cells[j][routes.size() - 1][p]);
    rep.per_profile.push_back(row);
  }
  for (const std::string& l : example_lines) {
    if (!l.empty()) rep.examples.push_back(l);
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return rep;
}

std::string format_worker_report(const WorkerReport& r) {
  std::ostringstream out;
  char buf[512];
  out << "\n## worker (" << r.jobs << " O*NET occupations x " << r.profiles
      << " worker profiles; relevant = CIP programs the crosswalk links to the occupation)\n\n";
  auto table = [&](const std::vector<WorkerRow>& rows, const char* first) {
    out << "| " << first
        << " | plan precision | hit rate | mean length | coverage before | coverage after | "
           "known hours / plan | steps of unknown hours | steps not judged |\n"
        << "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (const WorkerRow& w : rows) {
      const double n = double(std::max<int64_t>(w.plans, 1));
      const double steps = double(std::max<int64_t>(w.steps, 1));
      if (w.has_coverage) {
        std::snprintf(buf, sizeof buf,
                      "| %s | %.1f %% | %.1f %% | %.2f | %.1f %% | %.1f %% | %.1f | %.0f %% | %.0f %% |\n",
                      w.name.c_str(), 100 * w.precision(), 100 * w.hit_rate(), w.mean_length(),
                      100 * w.coverage_before / n, 100 * w.coverage_after / n, w.known_hours / n,
                      100 * double(w.steps_unknown_hours) / steps,
                      100 * double(w.steps - w.judged) / steps);
      } else {
        std::snprintf(buf, sizeof buf,
                      "| %s | %.1f %% | %.1f %% | %.2f | - | - | %.1f | %.0f %% | %.0f %% |\n",
                      w.name.c_str(), 100 * w.precision(), 100 * w.hit_rate(), w.mean_length(),
                      w.known_hours / n, 100 * double(w.steps_unknown_hours) / steps,
                      100 * double(w.steps - w.judged) / steps);
      }
      out << buf;
    }
  };
  table(r.rows, "plans");
  out << "\nRelevance route, per worker profile:\n\n";
  table(r.per_profile, "profile");
  out << "\nSome plans (relevance route, first profile; [relevant] = linked by the crosswalk):\n\n";
  for (const std::string& l : r.examples) out << "- " << l << "\n";
  std::snprintf(buf, sizeof buf, "\ntime: %.1f s\n", r.seconds);
  out << buf;
  return out.str();
}

}  // namespace credmatch::engine
