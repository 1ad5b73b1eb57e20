// ESCO v1.1.1 (CSV download package) -> skills_esco.jsonl.gz and occupations_esco.jsonl.gz.
//
// Reads en/skills_en.csv, en/occupations_en.csv, relations/occupationSkillRelations.csv,
// fr/occupations_fr.csv and every fr/*SkillsCollection_fr.csv (French labels exist only for
// the ~2,000 skills in those collections; other skills get no labels_fr). Records are
// written sorted by URI.
#include <algorithm>
#include <filesystem>
#include <map>

#include "tools/convert/convert.h"
#include "tools/convert/text.h"

namespace credmatch::convert {
namespace {

namespace fs = std::filesystem;
using Format = TableReader::Format;

constexpr char kEscoSource[] = "ESCO v1.1.1";

struct Labels {
  std::string label;
  std::vector<std::string> alt_labels;
};

struct EscoSkill {
  std::string label;
  std::vector<std::string> alt_labels;
  std::string description;
  std::string type;
  std::optional<Labels> fr;
};

struct RequirementRef {
  std::string skill_id;
  bool essential;
};

struct EscoOccupation {
  std::string title;
  std::vector<std::string> alt_titles;
  std::string code;
  std::string description;
  std::optional<Labels> fr;
  std::vector<RequirementRef> essential;  // file order
  std::vector<RequirementRef> optional;   // file order
};

std::string path_in(const std::string& dir, const std::string& rel) {
  return (fs::path(dir) / rel).string();
}

// Reads the columns every ESCO concept file shares. Fails on an empty URI or label.
Status read_concept(const TableReader& t, std::string* uri, std::string* label) {
  *uri = trim_with_nbsp(t["conceptUri"]);
  if (uri->empty()) return t.error("conceptUri", "empty");
  *label = collapse_spaces(t["preferredLabel"]);  // also inner no-break spaces -> ' '
  if (label->empty()) return t.error("preferredLabel", "empty");
  return Status::ok();
}

Status read_skills(const std::string& path, std::map<std::string, EscoSkill>* skills,
                   Summary* summary) {
  auto t = TableReader::open(
      path, Format::kCsv,
      {"conceptUri", "preferredLabel", "altLabels", "description", "skillType", "status"});
  if (!t) return t.status();
  int64_t no_type = 0;
  int64_t not_released = 0;
  while ((*t)->next()) {
    const TableReader& row = **t;
    std::string uri, label;
    CREDMATCH_RETURN_IF_ERROR(read_concept(row, &uri, &label));
    if (row["status"] != "released") {
      ++not_released;
      summary->skip(base_name(path) + ": status '" + row["status"] + "' (not released)",
                    row.where());
      continue;
    }
    EscoSkill s;
    s.alt_labels = split_labels(row["altLabels"], label);
    s.label = std::move(label);
    s.description = trim_with_nbsp(row["description"]);
    s.type = trim_with_nbsp(row["skillType"]);
    if (s.type.empty()) ++no_type;
    if (!skills->emplace(uri, std::move(s)).second) {
      return row.error("conceptUri", "duplicate " + uri);
    }
  }
  CREDMATCH_RETURN_IF_ERROR((*t)->status());
  summary->note(base_name(path) + ": status released " + std::to_string(skills->size()) +
                ", other " + std::to_string(not_released) + "; " + std::to_string(no_type) +
                " skills without skillType (type omitted)");
  return Status::ok();
}

// French labels from the thematic skill collections. A URI in several collections must carry
// the same labels; the first file (in name order) wins and a disagreement is counted.
Status read_french_skill_labels(const std::string& fr_dir, std::map<std::string, EscoSkill>* skills,
                                Summary* summary) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fr_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with("SkillsCollection_fr.csv")) files.push_back(entry.path().string());
  }
  if (ec) return Status::io_error(fr_dir + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  int64_t labelled = 0;
  for (const std::string& path : files) {
    auto t = TableReader::open(path, Format::kCsv, {"conceptUri", "preferredLabel", "altLabels"});
    if (!t) return t.status();
    while ((*t)->next()) {
      const TableReader& row = **t;
      std::string uri, label;
      CREDMATCH_RETURN_IF_ERROR(read_concept(row, &uri, &label));
      auto it = skills->find(uri);
      if (it == skills->end()) {
        summary->skip("fr skill collections: skill URI not among the English skills", row.where());
        continue;
      }
      Labels fr{label, split_labels(row["altLabels"], label)};
      if (it->second.fr) {
        if (it->second.fr->label != fr.label || it->second.fr->alt_labels != fr.alt_labels) {
          summary->skip(
              "fr skill collections: labels differ from an earlier collection "
              "(first kept)",
              row.where());
        }
        continue;
      }
      it->second.fr = std::move(fr);
      ++labelled;
    }
    CREDMATCH_RETURN_IF_ERROR((*t)->status());
  }
  summary->note("French skill labels for " + std::to_string(labelled) + " skills from " +
                std::to_string(files.size()) + " fr/*SkillsCollection_fr.csv files");
  return Status::ok();
}

Status read_occupations(const std::string& path, std::map<std::string, EscoOccupation>* occupations,
                        Summary* summary) {
  auto t = TableReader::open(
      path, Format::kCsv,
      {"conceptUri", "preferredLabel", "altLabels", "description", "code", "status"});
  if (!t) return t.status();
  while ((*t)->next()) {
    const TableReader& row = **t;
    std::string uri, title;
    CREDMATCH_RETURN_IF_ERROR(read_concept(row, &uri, &title));
    if (row["status"] != "released") {
      summary->skip(base_name(path) + ": status '" + row["status"] + "' (not released)",
                    row.where());
      continue;
    }
    EscoOccupation o;
    o.alt_titles = split_labels(row["altLabels"], title);
    o.title = std::move(title);
    o.code = trim_with_nbsp(row["code"]);
    o.description = trim_with_nbsp(row["description"]);
    if (!occupations->emplace(uri, std::move(o)).second) {
      return row.error("conceptUri", "duplicate " + uri);
    }
  }
  return (*t)->status();
}

Status read_french_occupations(const std::string& path,
                               std::map<std::string, EscoOccupation>* occupations,
                               Summary* summary) {
  auto t = TableReader::open(path, Format::kCsv, {"conceptUri", "preferredLabel", "altLabels"});
  if (!t) return t.status();
  int64_t labelled = 0;
  while ((*t)->next()) {
    const TableReader& row = **t;
    std::string uri, title;
    CREDMATCH_RETURN_IF_ERROR(read_concept(row, &uri, &title));
    auto it = occupations->find(uri);
    if (it == occupations->end()) {
      summary->skip(base_name(path) + ": occupation URI not among the English occupations",
                    row.where());
      continue;
    }
    if (it->second.fr) return row.error("conceptUri", "duplicate " + uri);
    it->second.fr = Labels{title, split_labels(row["altLabels"], title)};
    ++labelled;
  }
  CREDMATCH_RETURN_IF_ERROR((*t)->status());
  summary->note("French titles for " + std::to_string(labelled) + " occupations");
  return Status::ok();
}

Status read_relations(const std::string& path, const std::map<std::string, EscoSkill>& skills,
                      std::map<std::string, EscoOccupation>* occupations, Summary* summary) {
  auto t = TableReader::open(path, Format::kCsv, {"occupationUri", "relationType", "skillUri"});
  if (!t) return t.status();
  int64_t kept = 0;
  while ((*t)->next()) {
    const TableReader& row = **t;
    const std::string& type = row["relationType"];
    if (type != "essential" && type != "optional") {
      return row.error("relationType", "expected essential or optional, found '" + type + "'");
    }
    auto occ = occupations->find(row["occupationUri"]);
    if (occ == occupations->end()) {
      summary->skip(
          base_name(path) + ": occupation " + row["occupationUri"] + " not in occupations_en.csv",
          row.where());
      continue;
    }
    if (skills.find(row["skillUri"]) == skills.end()) {
      summary->skip(base_name(path) + ": skill URI not among the released skills", row.where());
      continue;
    }
    const bool essential = type == "essential";
    (essential ? occ->second.essential : occ->second.optional)
        .push_back({row["skillUri"], essential});
    ++kept;
  }
  CREDMATCH_RETURN_IF_ERROR((*t)->status());
  summary->note(base_name(path) + ": " + std::to_string(kept) + " relations kept");
  return Status::ok();
}

Json labels_json(const Labels& l) {
  Json j;
  j["label"] = l.label;
  j["alt_labels"] = l.alt_labels;
  return j;
}

Status write_skills(const std::string& path, const std::map<std::string, EscoSkill>& skills,
                    Summary* summary) {
  auto w = JsonlGzWriter::open(path);
  if (!w) return w.status();
  for (const auto& [id, s] : skills) {
    Json j;
    j["id"] = id;
    j["label"] = s.label;
    j["alt_labels"] = s.alt_labels;
    j["description"] = s.description;
    if (!s.type.empty()) j["type"] = s.type;
    j["language"] = "en";
    if (s.fr) j["labels_fr"] = labels_json(*s.fr);
    CREDMATCH_RETURN_IF_ERROR((*w)->write(j));
  }
  CREDMATCH_RETURN_IF_ERROR((*w)->close());
  summary->add_output(path, (*w)->records(), static_cast<int64_t>(fs::file_size(path)));
  return Status::ok();
}

Status write_occupations(const std::string& path,
                         const std::map<std::string, EscoOccupation>& occupations,
                         const std::map<std::string, EscoSkill>& skills, Summary* summary) {
  auto w = JsonlGzWriter::open(path);
  if (!w) return w.status();
  int64_t without_requirements = 0;
  for (const auto& [id, o] : occupations) {
    Json j;
    j["id"] = id;
    j["title"] = o.title;
    j["alt_titles"] = o.alt_titles;
    if (o.fr) {
      j["title_fr"] = o.fr->label;
      j["alt_titles_fr"] = o.fr->alt_labels;
    }
    if (!o.code.empty()) j["code"] = o.code;
    j["description"] = o.description;
    j["source"] = kEscoSource;
    Json requirements = Json::array();
    for (const auto* list : {&o.essential, &o.optional}) {
      for (const RequirementRef& r : *list) {
        Json req;
        req["text"] = skills.at(r.skill_id).label;
        req["importance"] = r.essential ? "essential" : "optional";
        req["skill_id"] = r.skill_id;
        requirements.push_back(std::move(req));
      }
    }
    if (requirements.empty()) ++without_requirements;
    j["requirements"] = std::move(requirements);
    CREDMATCH_RETURN_IF_ERROR((*w)->write(j));
  }
  CREDMATCH_RETURN_IF_ERROR((*w)->close());
  summary->add_output(path, (*w)->records(), static_cast<int64_t>(fs::file_size(path)));
  if (without_requirements > 0) {
    summary->note(std::to_string(without_requirements) +
                  " occupations have no requirements (written anyway)");
  }
  return Status::ok();
}

}  // namespace

Status convert_esco(const std::string& src, const std::string& out, Summary* summary) {
  std::map<std::string, EscoSkill> skills;  // sorted by URI: the output order
  std::map<std::string, EscoOccupation> occupations;
  CREDMATCH_RETURN_IF_ERROR(read_skills(path_in(src, "en/skills_en.csv"), &skills, summary));
  CREDMATCH_RETURN_IF_ERROR(read_french_skill_labels(path_in(src, "fr"), &skills, summary));
  CREDMATCH_RETURN_IF_ERROR(
      read_occupations(path_in(src, "en/occupations_en.csv"), &occupations, summary));
  CREDMATCH_RETURN_IF_ERROR(
      read_french_occupations(path_in(src, "fr/occupations_fr.csv"), &occupations, summary));
  CREDMATCH_RETURN_IF_ERROR(read_relations(path_in(src, "relations/occupationSkillRelations.csv"),
                                           skills, &occupations, summary));
  CREDMATCH_RETURN_IF_ERROR(write_skills(path_in(out, "skills_esco.jsonl.gz"), skills, summary));
  return write_occupations(path_in(out, "occupations_esco.jsonl.gz"), occupations, skills, summary);
}

}  // namespace credmatch::convert
