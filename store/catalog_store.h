// CatalogStore: the catalog's records in an embedded SQLite database (catalog.db):
// credentials, competencies, taxonomy skills, jobs/occupations and requirements, plus a small
// key/value meta table (encoder id, data versions, build time).
//
// Schema: versioned with SQLite's user_version (currently 1); a newer version is refused with
// kMismatch. Journal mode WAL, foreign keys on.
//
// Errors: open() and ingest() return a Status. The read methods return plain values; should
// SQLite fail underneath them (I/O error, corruption found mid-read) they throw
// std::runtime_error.
//
// Files: store/schema.h (tables, connection settings), store/ingester.h (writing records),
// store/title_lookup.h (suggestions), store/connection_pool.h; this is the only layer with SQL.
//
// Thread safety: every method may be called from several threads at once: each call leases
// its own SQLite connection (store/connection_pool.h), so readers run concurrently. Readers,
// in this process or another, see either the old or the new catalog, never a half-written
// one: every ingest is one transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "store/ingest.h"

namespace credmatch::engine {

// RecordKind, InputFile and classify_input() live in store/ingest.h (included above).

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

class ConnectionPool;  // store/connection_pool.h

/// A taxonomy skill as listed by skill_summaries().
struct SkillSummary {
  std::string id, label, type;
};
/// A job or occupation as listed by occupation_summaries().
struct OccupationSummary {
  std::string id, title, code;
  int64_t requirements = 0;
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
  /// Inputs load by kind (credentials, skills, jobs, then competencies and requirements files,
  /// which add to their credential / job), in the given order within a kind. Checked here on
  /// top of parse_input(): a competencies / requirements row naming an unknown credential / job,
  /// a prerequisite naming an unknown credential (after all inputs), a competency id owned by
  /// another credential. `stats` (may be null) counts the records loaded.
  Status ingest(const std::vector<InputFile>& inputs, IngestStats* stats);

  CatalogCounts counts() const;

  /// teaches + assesses competencies in a stable order (credential id, then competency order):
  /// the order in which their vectors are indexed.
  std::vector<IndexedCompetency> matchable_competencies() const;
  /// Every text the encoder should be fitted on: competency statements, credential titles,
  /// skill preferred labels (English and French) and descriptions, job titles (all, en and fr),
  /// requirement texts, and, for skills and jobs of the training split only (store/splits.h),
  /// alternative skill labels and job descriptions (the others are evaluation and calibration
  /// queries). Distinct, non-empty, in byte order.
  std::vector<std::string> corpus_texts() const;
  /// Encoder training pairs from the taxonomy records of the training split only
  /// (store/splits.h), so evaluation and calibration items stay unseen: alternative label →
  /// preferred label (English, and French), French label → English label, description → label,
  /// occupation title + description → each essential requirement, alternative and French
  /// titles → occupation title. In a fixed order.
  std::vector<TrainingPair> training_pairs() const;

  Result<Credential> credential(const std::string& id) const;
  /// All credentials without competencies (for listing and aggregation), ordered by id.
  std::vector<Credential> credentials_summary() const;

  /// Finds a job by id (e.g. an ESCO URI), then by exact title or alternative title in English
  /// or French, case- and accent-insensitive (Unicode case folding, marks stripped, runs of
  /// whitespace collapsed); a preferred title wins over an alternative one. kNotFound carries up
  /// to 5 close titles as suggestions: `no occupation matches "data analist"; did you mean:
  /// data analyst, data scientist`.
  Result<Job> find_job(const std::string& query) const;
  Result<Skill> skill(const std::string& id) const;

  /// Every taxonomy skill (id, preferred label, type), ordered by id.
  std::vector<SkillSummary> skill_summaries() const;
  /// Every job (id, title, code, number of requirements), ordered by title, then id.
  std::vector<OccupationSummary> occupation_summaries() const;

  Status set_meta(const std::string& key, const std::string& value);
  std::optional<std::string> meta(const std::string& key) const;

 private:
  explicit CatalogStore(std::unique_ptr<ConnectionPool> pool);
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace credmatch::engine
