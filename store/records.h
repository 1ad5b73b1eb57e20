// Plain value types of the catalog: credentials and their competencies, taxonomy skills, jobs
// and their requirements. Formats on disk: docs/formats.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credmatch::engine {

/// What a credential says about a competency. Only kTeaches and kAssesses are matched
/// against job requirements; kRequires describes what a learner must bring.
enum class CompetencyKind { kTeaches, kAssesses, kRequires };
enum class Importance { kEssential, kOptional };

std::string_view to_string(CompetencyKind kind);
std::string_view to_string(Importance importance);
/// Parse "teaches" / "assesses" / "requires"; nullopt for anything else.
std::optional<CompetencyKind> parse_competency_kind(std::string_view s);
/// Parse "essential" / "optional"; nullopt for anything else.
std::optional<Importance> parse_importance(std::string_view s);

struct Competency {
  std::string id;             // unique; default CREDENTIAL_ID#N
  std::string credential_id;  // owner
  std::string text;           // the competency statement
  CompetencyKind kind = CompetencyKind::kTeaches;
  std::string skill_id;       // optional taxonomy alignment
};

struct Credential {
  std::string id;
  std::string title;
  std::string provider;
  std::string kind;  // "short course", "program", "microcredential", ...
  std::string description;
  std::string language = "en";
  std::optional<double> hours;  // unknown when absent
  std::optional<double> cost;   // unknown when absent
  std::string currency = "CAD";
  std::string url;
  std::vector<std::string> prerequisites;  // credential ids
  std::string source;
  std::vector<Competency> competencies;
};

struct Skill {
  std::string id;  // e.g. an ESCO URI
  std::string label;
  std::vector<std::string> alt_labels;
  std::string description;
  std::string type;  // ESCO: "skill/competence" or "knowledge"
  std::string language = "en";
  std::string label_fr;  // empty when unknown
  std::vector<std::string> alt_labels_fr;
};

struct Requirement {
  std::string text;
  Importance importance = Importance::kEssential;
  std::string skill_id;  // optional taxonomy alignment
};

/// A job posting or an occupation: a title and the requirements to meet.
struct Job {
  std::string id;
  std::string title;
  std::vector<std::string> alt_titles;
  std::string title_fr;
  std::vector<std::string> alt_titles_fr;
  std::string code;  // e.g. ESCO occupation code
  std::string description;
  std::string source;
  std::vector<Requirement> requirements;
};

/// Two statements that belong together, for training an encoder (encode/domain_training.h).
struct TrainingPair {
  std::string query;
  std::string target;
  int64_t query_group = -1;   // pairs with the same non-negative group are never negatives
  int64_t target_group = -1;  // of each other (same occupation, same skill)
};

}  // namespace credmatch::engine
