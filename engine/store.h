// CatalogStore: the catalog's records in an embedded SQLite database (catalog.db):
// credentials, competencies, taxonomy skills, jobs/occupations and requirements, plus a small
// key/value meta table (encoder id, data versions, build time).
//
// Thread safety: one CatalogStore per thread (SQLite connection is not shared). Readers in
// other processes see either the old or the new catalog, never a half-written one: every
// ingest is one transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/catalog.h"

namespace credmatch::engine {

/// Which kind of records an input file holds (docs/formats.md).
enum class RecordKind { kCredentials, kCompetencies, kSkills, kJobs, kRequirements };

struct InputFile {
  RecordKind kind;
  std::string path;  // .jsonl, .csv, optionally .gz
};

/// Resolves "KIND=PATH" or a bare PATH whose base name starts with the kind
/// ("credentials", "competencies", "skills", "jobs", "occupations", "requirements").
Result<InputFile> classify_input(const std::string& arg);

struct IngestStats {
  int64_t credentials = 0;
  int64_t competencies = 0;
  int64_t skills = 0;
  int64_t jobs = 0;
  int64_t requirements = 0;
};

struct CatalogCounts {
  int64_t credentials = 0;
  int64_t competencies = 0;          // all kinds
  int64_t matchable_competencies = 0;  // teaches + assesses
  int64_t skills = 0;
  int64_t jobs = 0;
  int64_t requirements = 0;
};

/// One competency a matcher can retrieve, in index order (position i = vector id i).
struct IndexedCompetency {
  std::string id;
  std::string credential_id;
  std::string text;
  CompetencyKind kind = CompetencyKind::kTeaches;
};

class CatalogStore {
 public:
  /// Opens (and with `create`, creates) the database at `db_path`; applies the schema.
  static Result<std::unique_ptr<CatalogStore>> open(const std::string& db_path, bool create);
  ~CatalogStore();
  CatalogStore(const CatalogStore&) = delete;
  CatalogStore& operator=(const CatalogStore&) = delete;

  /// Parses and stores every input in one transaction. The first malformed record fails the
  /// whole ingest with "FILE:LINE: FIELD: REASON" and leaves the catalog unchanged. Records
  /// whose id exists are replaced (with their competencies / requirements).
  Status ingest(const std::vector<InputFile>& inputs, IngestStats* stats);

  CatalogCounts counts() const;

  /// teaches + assesses competencies in a stable order (credential id, then competency order):
  /// the order in which their vectors are indexed.
  std::vector<IndexedCompetency> matchable_competencies() const;
  /// Every text the encoder should be fitted on: competency statements, credential titles,
  /// skill labels and descriptions, job titles and requirement texts.
  std::vector<std::string> corpus_texts() const;

  Result<Credential> credential(const std::string& id) const;
  /// All credentials without competencies (for listing and aggregation), ordered by id.
  std::vector<Credential> credentials_summary() const;

  /// Finds a job by id (e.g. an ESCO URI), then by exact title or alternative title in English
  /// or French, case- and accent-insensitive. kNotFound carries up to 5 close titles as
  /// suggestions ("did you mean: ...").
  Result<Job> find_job(const std::string& query) const;
  Result<Skill> skill(const std::string& id) const;

  Status set_meta(const std::string& key, const std::string& value);
  std::optional<std::string> meta(const std::string& key) const;

 private:
  explicit CatalogStore(void* db);
  void* db_;  // sqlite3*
};

}  // namespace credmatch::engine
