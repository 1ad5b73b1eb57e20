// WorkerProfile: what a worker already holds (skill statements, taxonomy skills, completed
// credentials) and the limits on a learning path. Read from the JSON form of docs/paths.md
// (CLI --profile FILE) or from inline text (CLI --skills "stock control; cash handling").
//
//   {"skills": ["stock control", "customer service"],   // free-text statements
//    "skill_ids": ["http://data.europa.eu/esco/skill/..."],  // taxonomy ids (catalog skills)
//    "completed": ["carpentries:swcarpentry/git-novice"],    // credential ids already held
//    "language": "en",
//    "constraints": {"max_hours": 40, "max_cost": 500, "max_credentials": 3, "language": "en"}}
//
// Every field is optional; an empty profile is valid (it holds nothing: 0 % coverage).
// Errors name the field: `profile.json: skills[2]: must be a non-empty string`.
//
// Thread safety: plain functions without shared state; safe from several threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/catalog_store.h"

namespace credmatch::engine {

/// Limits on a learning path (plan/planner.h). Absent = no limit.
struct ProfileConstraints {
  std::optional<double> max_hours;     // >= 0
  std::optional<double> max_cost;      // >= 0, in the catalog's currency
  std::optional<int> max_credentials;  // >= 0
  std::string language;                // only credentials in this language; empty = any
};

struct WorkerProfile {
  std::vector<std::string> skills;     // free-text skill statements
  std::vector<std::string> skill_ids;  // taxonomy ids, resolved with resolve_skill_statements()
  std::vector<std::string> completed;  // credential ids the worker holds
  std::string language;                // the worker's language; empty = unknown
  ProfileConstraints constraints;

  bool empty() const { return skills.empty() && skill_ids.empty() && completed.empty(); }
};

/// Parses the JSON form above; `source` names the text in messages. Unknown fields, wrong
/// types, empty strings and negative limits fail with kInvalidArgument naming the field.
Result<WorkerProfile> parse_profile_json(std::string_view text, std::string_view source);

/// Splits inline text into skill statements on ';' and line breaks, trimming whitespace and
/// dropping empty pieces: "stock control; customer service\ncash handling" → 3 statements.
WorkerProfile profile_from_skills_text(std::string_view text);

/// One statement the worker holds, with where it came from.
struct HeldStatement {
  std::string text;
  std::string source;  // "skills[0]", "skill_ids[1] (ID)"
};

/// The worker's free-text skills followed by the labels of their taxonomy skills (looked up
/// with CatalogStore::skill). An unknown taxonomy id fails with kNotFound:
/// `skill_ids[1]: unknown taxonomy skill "s:nope"`. Completed credentials are not included
/// (their competencies are matched from the index; see plan/gap.h).
Result<std::vector<HeldStatement>> resolve_skill_statements(const WorkerProfile& profile,
                                                            const CatalogStore& store);

}  // namespace credmatch::engine

namespace credmatch::engine {
/// Reads and parses a profile file (kNotFound when it cannot be opened).
Result<WorkerProfile> load_profile_file(const std::string& path);
}  // namespace credmatch::engine
