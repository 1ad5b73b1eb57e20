// Labelled evaluation sets -> data/eval/*.jsonl.gz, one query per line:
//   {"id": "tech_test/12", "text": "...", "labels": ["PostgreSQL"], "relevant":
//   ["http://...esco/skill/..."]}
//
//  - skill-extraction-benchmark/{tech_test,tech_validation,house_validation}_annotations.csv
//    (Decorte et al. 2022): one row per (sentence, span, label). Rows are grouped by sentence
//    (first appearance order); the labels `LABEL NOT PRESENT` and `UNDERSPECIFIED` are dropped,
//    and so is a sentence left without a label. Labels are ESCO preferred labels, resolved to
//    skill URIs through esco-v1.1.1/en/skills_en.csv; an unknown label stops the run.
//  - jobbert-titles/titles.csv (Decorte et al. 2021, the validation split): one query per
//    vacancy title, relevant = its ESCO occupation URI; rows whose URI is not an occupation of
//    esco-v1.1.1/en/occupations_en.csv are skipped (counted in the summary).
//  - employer_dev.jsonl.gz: jobs -> the programs that prepare for them, for the `employer`
//    task. One record per SOC 2018 code of cip-soc-crosswalk-dev (the development half of the
//    NCES CIP 2020 <-> SOC 2018 crosswalk; the other half is held back) whose O*NET 29.3
//    occupation SOC.00 has Core tasks: {"id": "onet:29-2061.00", "soc": "29-2061", "title":
//    O*NET title, "requirements": its Core task statements, "relevant": ["cip2020:51.3901",
//    ...]}. CIP 99.9999 ("no program") links are dropped. Labels for evaluation and for
//    fitting the relevance model's weights only: nothing looks them up when matching.
#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "tools/convert/convert.h"
#include "tools/convert/text.h"

namespace credmatch::convert {
namespace {

namespace fs = std::filesystem;
using Format = TableReader::Format;

std::string path_in(const std::string& dir, const std::string& rel) {
  return (fs::path(dir) / rel).string();
}

// preferredLabel -> conceptUri of an ESCO concept file.
Result<std::unordered_map<std::string, std::string>> read_labels(const std::string& path) {
  auto t = TableReader::open(path, Format::kCsv, {"conceptUri", "preferredLabel"});
  if (!t) return t.status();
  std::unordered_map<std::string, std::string> out;
  while ((*t)->next()) {
    out.emplace(collapse_spaces((**t)["preferredLabel"]), trim_with_nbsp((**t)["conceptUri"]));
  }
  if (!(*t)->status().is_ok()) return (*t)->status();
  return out;
}

Status write_all(const std::string& path, const std::vector<Json>& records, Summary* summary) {
  auto w = JsonlGzWriter::open(path);
  if (!w) return w.status();
  for (const Json& r : records) CREDMATCH_RETURN_IF_ERROR((*w)->write(r));
  CREDMATCH_RETURN_IF_ERROR((*w)->close());
  std::error_code ec;
  const auto bytes = fs::file_size(path, ec);
  summary->add_output(path, static_cast<int64_t>(records.size()),
                      ec ? -1 : static_cast<int64_t>(bytes));
  return Status::ok();
}

Status convert_sentences(const std::string& csv, const std::string& name,
                         const std::unordered_map<std::string, std::string>& skills,
                         const std::string& out, Summary* summary) {
  auto t = TableReader::open(csv, Format::kCsv, {"sentence", "label"});
  if (!t) return t.status();
  struct Sentence {
    std::vector<std::string> labels;
    std::vector<std::string> uris;
  };
  std::vector<std::string> order;
  std::map<std::string, Sentence> by_text;
  while ((*t)->next()) {
    const TableReader& row = **t;
    const std::string sentence = collapse_spaces(row["sentence"]);
    const std::string label = collapse_spaces(row["label"]);
    if (sentence.empty()) return row.error("sentence", "empty");
    auto [it, inserted] = by_text.try_emplace(sentence);
    if (inserted) order.push_back(sentence);
    if (label == "LABEL NOT PRESENT" || label == "UNDERSPECIFIED") {
      summary->skip(name + ": label " + label, row.where());
      continue;
    }
    auto uri = skills.find(label);
    if (uri == skills.end()) return row.error("label", "not an ESCO v1.1.1 skill: '" + label + "'");
    if (std::find(it->second.uris.begin(), it->second.uris.end(), uri->second) !=
        it->second.uris.end()) {
      continue;  // the same skill for another span of the sentence
    }
    it->second.labels.push_back(label);
    it->second.uris.push_back(uri->second);
  }
  if (!(*t)->status().is_ok()) return (*t)->status();
  std::vector<Json> records;
  for (const std::string& sentence : order) {
    const Sentence& s = by_text.at(sentence);
    if (s.uris.empty()) {
      summary->skip(name + ": sentence without a real label", base_name(csv));
      continue;
    }
    Json r;
    r["id"] = name + "/" + std::to_string(records.size());
    r["text"] = sentence;
    r["labels"] = s.labels;
    r["relevant"] = s.uris;
    records.push_back(std::move(r));
  }
  return write_all(path_in(out, name + ".jsonl.gz"), records, summary);
}

Status convert_titles(const std::string& csv,
                      const std::unordered_map<std::string, std::string>& occupations,
                      const std::string& out, Summary* summary) {
  std::unordered_map<std::string, std::string> label_of;  // URI -> preferred label
  for (const auto& [label, uri] : occupations) label_of.emplace(uri, label);
  auto t = TableReader::open(csv, Format::kCsv, {"vacancyTitle", "conceptUri"});
  if (!t) return t.status();
  std::vector<Json> records;
  while ((*t)->next()) {
    const TableReader& row = **t;
    const std::string title = collapse_spaces(row["vacancyTitle"]);
    const std::string uri = trim_with_nbsp(row["conceptUri"]);
    if (title.empty()) {
      summary->skip("jobbert_titles: empty title", row.where());
      continue;
    }
    auto label = label_of.find(uri);
    if (label == label_of.end()) {
      summary->skip("jobbert_titles: occupation not in ESCO v1.1.1", row.where());
      continue;
    }
    Json r;
    r["id"] = "jobbert_titles/" + std::to_string(records.size());
    r["text"] = title;
    r["labels"] = Json::array({label->second});
    r["relevant"] = Json::array({uri});
    records.push_back(std::move(r));
  }
  if (!(*t)->status().is_ok()) return (*t)->status();
  return write_all(path_in(out, "jobbert_titles.jsonl.gz"), records, summary);
}

Status convert_employer(const std::string& shared, const std::string& out, Summary* summary) {
  // SOC -> CIP ids, in crosswalk order.
  std::map<std::string, std::vector<std::string>> programs;
  {
    auto t = TableReader::open(path_in(shared, "cip-soc-crosswalk-dev/CIP2020_SOC2018_Crosswalk.dev.csv"),
                               Format::kCsv, {"CIP2020Code", "SOC2018Code"});
    if (!t) return t.status();
    while ((*t)->next()) {
      const std::string cip = trim_with_nbsp((**t)["CIP2020Code"]);
      const std::string soc = trim_with_nbsp((**t)["SOC2018Code"]);
      if (cip.empty() || soc.empty()) return (*t)->error(cip.empty() ? "CIP2020Code" : "SOC2018Code", "empty");
      if (cip == "99.9999") {
        summary->skip("employer: CIP 99.9999 (no program)", (*t)->where());
        continue;
      }
      auto& list = programs[soc];
      const std::string id = "cip2020:" + cip;
      if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
    }
    if (!(*t)->status().is_ok()) return (*t)->status();
  }
  const std::string onet = path_in(shared, "onet-29.3");
  std::unordered_map<std::string, std::string> titles;  // O*NET-SOC code -> title
  {
    auto t = TableReader::open(path_in(onet, "Occupation Data.txt"), Format::kTsv,
                               {"O*NET-SOC Code", "Title"});
    if (!t) return t.status();
    while ((*t)->next()) titles.emplace((**t)["O*NET-SOC Code"], collapse_spaces((**t)["Title"]));
    if (!(*t)->status().is_ok()) return (*t)->status();
  }
  std::unordered_map<std::string, std::vector<std::string>> tasks;  // code -> Core tasks
  {
    auto t = TableReader::open(path_in(onet, "Task Statements.txt"), Format::kTsv,
                               {"O*NET-SOC Code", "Task", "Task Type"});
    if (!t) return t.status();
    while ((*t)->next()) {
      if ((**t)["Task Type"] != "Core") continue;
      tasks[(**t)["O*NET-SOC Code"]].push_back(collapse_spaces((**t)["Task"]));
    }
    if (!(*t)->status().is_ok()) return (*t)->status();
  }
  std::vector<Json> records;
  for (const auto& [soc, relevant] : programs) {
    const std::string code = soc + ".00";
    auto title = titles.find(code);
    if (title == titles.end()) {
      summary->skip("employer: no O*NET occupation " + code, soc);
      continue;
    }
    auto core = tasks.find(code);
    if (core == tasks.end() || core->second.empty()) {
      summary->skip("employer: no Core task for " + code, soc);
      continue;
    }
    Json r;
    r["id"] = "onet:" + code;
    r["soc"] = soc;
    r["title"] = title->second;
    r["requirements"] = core->second;
    r["relevant"] = relevant;
    records.push_back(std::move(r));
  }
  return write_all(path_in(out, "employer_dev.jsonl.gz"), records, summary);
}

}  // namespace

Status convert_eval_data(const std::string& shared, const std::string& out, Summary* summary) {
  auto skills = read_labels(path_in(shared, "esco-v1.1.1/en/skills_en.csv"));
  if (!skills) return skills.status();
  auto occupations = read_labels(path_in(shared, "esco-v1.1.1/en/occupations_en.csv"));
  if (!occupations) return occupations.status();
  const std::string bench = path_in(shared, "skill-extraction-benchmark");
  for (const char* name : {"tech_test", "tech_validation", "house_validation"}) {
    CREDMATCH_RETURN_IF_ERROR(convert_sentences(
        path_in(bench, std::string(name) + "_annotations.csv"), name, *skills, out, summary));
  }
  CREDMATCH_RETURN_IF_ERROR(
      convert_titles(path_in(shared, "jobbert-titles/titles.csv"), *occupations, out, summary));
  return convert_employer(shared, out, summary);
}

}  // namespace credmatch::convert
