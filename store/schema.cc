#include "store/schema.h"

#include <filesystem>

namespace credmatch::engine {
namespace {

using sqlite::Statement;

constexpr int64_t kSchemaVersion = 1;

// Version 1. Child rows carry `seq` (1-based order within their parent) so that reads return
// records in file order. `ON DELETE CASCADE` makes "replace a record" one DELETE + INSERT.
constexpr const char* kSchema = R"sql(
CREATE TABLE credentials(
  id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL, provider TEXT NOT NULL,
  kind TEXT NOT NULL, description TEXT NOT NULL, language TEXT NOT NULL,
  hours REAL, cost REAL, currency TEXT NOT NULL, url TEXT NOT NULL, source TEXT NOT NULL);
CREATE TABLE credential_prerequisites(
  credential_id TEXT NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
  requires_id TEXT NOT NULL,  -- checked at the end of each ingest, no FK: may come later
  seq INTEGER NOT NULL,
  PRIMARY KEY(credential_id, seq)) WITHOUT ROWID;
CREATE INDEX credential_prerequisites_by_requires ON credential_prerequisites(requires_id);
CREATE TABLE competencies(
  rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  credential_id TEXT NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL, text TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('teaches', 'assesses', 'requires')),
  skill_id TEXT NOT NULL);
CREATE UNIQUE INDEX competencies_by_credential ON competencies(credential_id, seq);
CREATE TABLE skills(
  id TEXT PRIMARY KEY NOT NULL, label TEXT NOT NULL, description TEXT NOT NULL,
  type TEXT NOT NULL, language TEXT NOT NULL, label_fr TEXT NOT NULL);
-- kind 'alt': alt_labels (lang = the skill's language); 'alt_fr': labels_fr.alt_labels.
CREATE TABLE skill_labels(
  skill_id TEXT NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL, label TEXT NOT NULL, lang TEXT NOT NULL, kind TEXT NOT NULL,
  PRIMARY KEY(skill_id, seq)) WITHOUT ROWID;
CREATE TABLE jobs(
  id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
  code TEXT NOT NULL, source TEXT NOT NULL, title_fr TEXT NOT NULL);
-- Every title of a job, preferred and alternative, English ('en': title, alt_titles) and
-- French ('fr': title_fr, alt_titles_fr), plus 'variant': each form of a French
-- "masculine/feminine" title. norm_title is the find_job() lookup key.
CREATE TABLE job_titles(
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL, title TEXT NOT NULL, lang TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('preferred', 'alt', 'variant')), norm_title TEXT NOT NULL,
  PRIMARY KEY(job_id, seq)) WITHOUT ROWID;
CREATE INDEX job_titles_by_norm_title ON job_titles(norm_title);
CREATE TABLE requirements(
  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL, text TEXT NOT NULL,
  importance TEXT NOT NULL CHECK(importance IN ('essential', 'optional')),
  skill_id TEXT NOT NULL,
  PRIMARY KEY(job_id, seq)) WITHOUT ROWID;
CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
)sql";

Status open_error(const std::string& path, std::string_view what, sqlite3* db, int rc) {
  return sqlite::error(db, path + ": " + std::string(what), rc);
}

}  // namespace

Result<sqlite::Db> open_catalog_db(const std::string& db_path, bool create) {
  if (!create && !std::filesystem::exists(db_path)) {
    return Status::not_found(db_path + ": no catalog database (build one with `credmatch build`)");
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, flags, nullptr);
  sqlite::Db db(raw);
  if (rc != SQLITE_OK) return open_error(db_path, "cannot open", db.get(), rc);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), 10000);

  // A file that is not SQLite fails on the first read, here.
  auto version_of = [&](int64_t* version) -> Status {
    auto st = Statement::prepare(db.get(), "PRAGMA user_version");
    if (!st) return st.status().with_context(db_path);
    const int step = st->step();
    if (step != SQLITE_ROW) return open_error(db_path, "cannot read the schema version", db.get(), step);
    *version = st->int64(0);
    return Status::ok();
  };
  int64_t version = 0;
  CREDMATCH_RETURN_IF_ERROR(version_of(&version));
  if (version == 0 && !create) {
    // Only a build writes a schema, and before any PRAGMA that writes (journal_mode = WAL
    // writes a header): opening an empty or foreign file to read it leaves it as it is
    // (`credmatch info` on an empty file used to turn it into an empty catalog).
    return Status::mismatch(db_path + ": not a credmatch catalog (no catalog schema; an empty "
                            "file or another SQLite database): build one with `credmatch build`");
  }
  if (version > kSchemaVersion) {
    return Status::mismatch(db_path + ": catalog schema version " + std::to_string(version) +
                            " is newer than this build of credmatch supports (" +
                            std::to_string(kSchemaVersion) +
                            "); upgrade credmatch or rebuild the catalog");
  }
  CREDMATCH_RETURN_IF_ERROR(sqlite::exec(db.get(), "PRAGMA foreign_keys = ON").with_context(db_path));
  // WAL lets readers in other processes keep the old catalog while an ingest writes. It cannot
  // be switched on for a read-only file; that is fine for reading, so the result is ignored.
  (void)sqlite::exec(db.get(), "PRAGMA journal_mode = WAL");
  CREDMATCH_RETURN_IF_ERROR(sqlite::exec(db.get(), "PRAGMA synchronous = NORMAL").with_context(db_path));
  // A large ingest (~150k rows) outgrows SQLite's default 2 MB page cache and then spills
  // pages to the WAL mid-transaction; 64 MiB is a cap, allocated only as pages are used.
  CREDMATCH_RETURN_IF_ERROR(sqlite::exec(db.get(), "PRAGMA cache_size = -65536").with_context(db_path));

  if (version == 0) {
    sqlite::Transaction txn(db.get());
    CREDMATCH_RETURN_IF_ERROR(txn.begin().with_context(db_path));
    CREDMATCH_RETURN_IF_ERROR(version_of(&version));  // another process may have won the race
    if (version == 0) {
      auto tables = Statement::prepare(db.get(), "SELECT count(*) FROM sqlite_schema");
      if (!tables) return tables.status().with_context(db_path);
      if (tables->step() != SQLITE_ROW || tables->int64(0) != 0) {
        return Status::mismatch(db_path + ": not a credmatch catalog (an SQLite database with "
                                "other tables and no catalog schema version)");
      }
      tables = Statement();
      CREDMATCH_RETURN_IF_ERROR(sqlite::exec(db.get(), kSchema).with_context(db_path));
      CREDMATCH_RETURN_IF_ERROR(
          sqlite::exec(db.get(), ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str())
              .with_context(db_path));
    }
    CREDMATCH_RETURN_IF_ERROR(txn.commit().with_context(db_path));
  }
  return db;
}


}  // namespace credmatch::engine
