#include "store/catalog_store.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "store/splits.h"
#include "store/sqlite_util.h"

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

sqlite3* handle(void* db) { return static_cast<sqlite3*>(db); }

// Read paths have no Status to return: a failure underneath (I/O error, corruption found
// mid-read) is exceptional there.
[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view what, int rc) {
  throw std::runtime_error(sqlite::error(db, what, rc).to_string());
}

Statement prepare_or_throw(sqlite3* db, std::string_view sql) {
  auto st = Statement::prepare(db, sql);
  if (!st) throw std::runtime_error(st.status().to_string());
  return std::move(*st);
}

// Calls fn(statement) for every row; throws on a failed step.
template <typename Fn>
void for_each_row(sqlite3* db, Statement& st, Fn&& fn) {
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) fn(st);
  if (rc != SQLITE_DONE) throw_sqlite(db, "read", rc);
}

Status step_done(sqlite3* db, Statement& st) {
  const int rc = st.step();
  return rc == SQLITE_DONE ? Status::ok() : sqlite::error(db, sqlite3_sql(st.get()), rc);
}

// find_job() lookup key: NFKC, case-folded, accents stripped, typographic quotes and dashes
// lumped to ASCII, runs of whitespace collapsed to one space, trimmed.
std::string normalize_title(std::string_view s) {
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_LUMP |
                                     UTF8PROC_IGNORE));
  std::string folded;
  if (n >= 0) {
    folded.assign(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  } else {  // invalid UTF-8 (only possible in a query): fold ASCII only
    folded.assign(s);
    for (char& c : folded) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  std::free(mapped);
  std::string out;
  out.reserve(folded.size());
  for (char c : folded) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing: one Ingester per ingest(), inside its transaction.

class Ingester : public RecordVisitor {
 public:
  explicit Ingester(sqlite3* db) : db_(db) {}

  Status prepare() {
    const std::pair<Statement*, const char*> statements[] = {
        {&delete_credential_, "DELETE FROM credentials WHERE id = ?1"},
        {&insert_credential_,
         "INSERT INTO credentials(id, title, provider, kind, description, language, hours, cost,"
         " currency, url, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
        {&insert_prerequisite_,
         "INSERT INTO credential_prerequisites(credential_id, requires_id, seq) VALUES (?1, ?2, ?3)"},
        {&credential_exists_, "SELECT 1 FROM credentials WHERE id = ?1"},
        {&competency_owner_, "SELECT credential_id FROM competencies WHERE id = ?1"},
        {&next_competency_seq_,
         "SELECT COALESCE(MAX(seq), 0) + 1 FROM competencies WHERE credential_id = ?1"},
        {&insert_competency_,
         "INSERT INTO competencies(id, credential_id, seq, text, kind, skill_id)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&update_competency_,
         "UPDATE competencies SET text = ?2, kind = ?3, skill_id = ?4 WHERE id = ?1"},
        {&delete_skill_, "DELETE FROM skills WHERE id = ?1"},
        {&insert_skill_,
         "INSERT INTO skills(id, label, description, type, language, label_fr)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&insert_skill_label_,
         "INSERT INTO skill_labels(skill_id, seq, label, lang, kind) VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&delete_job_, "DELETE FROM jobs WHERE id = ?1"},
        {&insert_job_,
         "INSERT INTO jobs(id, title, description, code, source, title_fr)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&insert_job_title_,
         "INSERT INTO job_titles(job_id, seq, title, lang, kind, norm_title)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&job_exists_, "SELECT 1 FROM jobs WHERE id = ?1"},
        {&next_requirement_seq_,
         "SELECT COALESCE(MAX(seq), 0) + 1 FROM requirements WHERE job_id = ?1"},
        {&insert_requirement_,
         "INSERT INTO requirements(job_id, seq, text, importance, skill_id)"
         " VALUES (?1, ?2, ?3, ?4, ?5)"},
    };
    for (const auto& [st, sql] : statements) {
      auto prepared = Statement::prepare(db_, sql);
      if (!prepared) return prepared.status();
      *st = std::move(*prepared);
    }
    return Status::ok();
  }

  Status on_credential(const Credential& c, const SourceLocation& where) override {
    CREDMATCH_RETURN_IF_ERROR(run(where, delete_credential_.reset().bind(1, c.id)));
    insert_credential_.reset()
        .bind(1, c.id).bind(2, c.title).bind(3, c.provider).bind(4, c.kind)
        .bind(5, c.description).bind(6, c.language).bind(7, c.hours).bind(8, c.cost)
        .bind(9, c.currency).bind(10, c.url).bind(11, c.source);
    CREDMATCH_RETURN_IF_ERROR(run(where, insert_credential_));
    for (size_t i = 0; i < c.prerequisites.size(); ++i) {
      insert_prerequisite_.reset().bind(1, c.id).bind(2, c.prerequisites[i]).bind(3, seq(i));
      CREDMATCH_RETURN_IF_ERROR(run(where, insert_prerequisite_));
    }
    if (!c.prerequisites.empty()) {
      prerequisite_origins_[c.id] = {std::string(where.file), where.line, ++origin_count_};
    }
    for (size_t i = 0; i < c.competencies.size(); ++i) {
      const Competency& comp = c.competencies[i];
      Status inserted = insert_competency(comp, seq(i), where);
      if (inserted.is_ok()) continue;
      // The credential's own competencies went with the DELETE above, so a taken id belongs
      // to another credential. (Asking first would cost a lookup per competency.)
      auto owner = competency_owner(comp.id, where);
      if (!owner) return owner.status();
      if (owner->empty()) return inserted;
      return Status::invalid_argument(located_message(
          where, "competencies[" + std::to_string(i) + "].id",
          "competency id \"" + comp.id + "\" already belongs to credential \"" + *owner + "\""));
    }
    ++stats_.credentials;
    stats_.competencies += static_cast<int64_t>(c.competencies.size());
    return Status::ok();
  }

  // A competencies-file row adds to its credential, or replaces the competency with its id.
  Status on_competency(const Competency& c, const SourceLocation& where) override {
    auto exists = row_exists(credential_exists_, c.credential_id, where);
    if (!exists) return exists.status();
    if (!*exists) {
      return Status::invalid_argument(
          located_message(where, "credential_id", "unknown credential \"" + c.credential_id + "\""));
    }
    auto next = next_seq(next_competency_seq_, c.credential_id, where);
    if (!next) return next.status();
    Competency comp = c;
    if (comp.id.empty()) comp.id = comp.credential_id + "#" + std::to_string(*next);
    auto owner = competency_owner(comp.id, where);
    if (!owner) return owner.status();
    if (owner->empty()) {
      CREDMATCH_RETURN_IF_ERROR(insert_competency(comp, *next, where));
    } else if (*owner == comp.credential_id && !c.id.empty()) {
      update_competency_.reset().bind(1, comp.id).bind(2, comp.text).bind(3, to_string(comp.kind))
          .bind(4, comp.skill_id);
      CREDMATCH_RETURN_IF_ERROR(run(where, update_competency_));
    } else {
      return Status::invalid_argument(located_message(
          where, "id",
          std::string(c.id.empty() ? "default " : "") + "competency id \"" + comp.id +
              "\" already belongs to credential \"" + *owner + "\"" +
              (c.id.empty() ? "; give the row an explicit id" : "")));
    }
    ++stats_.competencies;
    return Status::ok();
  }

  Status on_skill(const Skill& s, const SourceLocation& where) override {
    CREDMATCH_RETURN_IF_ERROR(run(where, delete_skill_.reset().bind(1, s.id)));
    insert_skill_.reset().bind(1, s.id).bind(2, s.label).bind(3, s.description).bind(4, s.type)
        .bind(5, s.language).bind(6, s.label_fr);
    CREDMATCH_RETURN_IF_ERROR(run(where, insert_skill_));
    int64_t n = 0;
    for (const auto& [labels, lang, kind] :
         {std::tuple(&s.alt_labels, std::string_view(s.language), "alt"),
          std::tuple(&s.alt_labels_fr, std::string_view("fr"), "alt_fr")}) {
      for (const std::string& label : *labels) {
        insert_skill_label_.reset().bind(1, s.id).bind(2, ++n).bind(3, label).bind(4, lang)
            .bind(5, kind);
        CREDMATCH_RETURN_IF_ERROR(run(where, insert_skill_label_));
      }
    }
    ++stats_.skills;
    return Status::ok();
  }

  Status on_job(const Job& j, const SourceLocation& where) override {
    CREDMATCH_RETURN_IF_ERROR(run(where, delete_job_.reset().bind(1, j.id)));
    insert_job_.reset().bind(1, j.id).bind(2, j.title).bind(3, j.description).bind(4, j.code)
        .bind(5, j.source).bind(6, j.title_fr);
    CREDMATCH_RETURN_IF_ERROR(run(where, insert_job_));
    int64_t n = 0;
    auto add_title = [&](const std::string& title, std::string_view lang, std::string_view kind) {
      insert_job_title_.reset().bind(1, j.id).bind(2, ++n).bind(3, title).bind(4, lang)
          .bind(5, kind).bind(6, normalize_title(title));
      return run(where, insert_job_title_);
    };
    // ESCO writes most French titles as "masculine/feminine" ("régisseur/régisseuse"): each
    // form is also a lookup key, as a 'variant' that reading the job back leaves out.
    auto add_french = [&](const std::string& title, std::string_view kind) {
      CREDMATCH_RETURN_IF_ERROR(add_title(title, "fr", kind));
      if (title.find('/') == std::string::npos) return Status::ok();
      for (size_t start = 0; start <= title.size();) {
        const size_t end = std::min(title.find('/', start), title.size());
        const std::string form = title.substr(start, end - start);
        if (!normalize_title(form).empty()) CREDMATCH_RETURN_IF_ERROR(add_title(form, "fr", "variant"));
        start = end + 1;
      }
      return Status::ok();
    };
    CREDMATCH_RETURN_IF_ERROR(add_title(j.title, "en", "preferred"));
    for (const auto& t : j.alt_titles) CREDMATCH_RETURN_IF_ERROR(add_title(t, "en", "alt"));
    if (!j.title_fr.empty()) CREDMATCH_RETURN_IF_ERROR(add_french(j.title_fr, "preferred"));
    for (const auto& t : j.alt_titles_fr) CREDMATCH_RETURN_IF_ERROR(add_french(t, "alt"));
    for (size_t i = 0; i < j.requirements.size(); ++i) {
      CREDMATCH_RETURN_IF_ERROR(insert_requirement(j.id, j.requirements[i], seq(i), where));
    }
    ++stats_.jobs;
    stats_.requirements += static_cast<int64_t>(j.requirements.size());
    return Status::ok();
  }

  // A requirements-file row adds to its job.
  Status on_requirement(const RequirementRecord& r, const SourceLocation& where) override {
    auto exists = row_exists(job_exists_, r.job_id, where);
    if (!exists) return exists.status();
    if (!*exists) {
      return Status::invalid_argument(
          located_message(where, "job_id", "unknown job \"" + r.job_id + "\""));
    }
    auto next = next_seq(next_requirement_seq_, r.job_id, where);
    if (!next) return next.status();
    CREDMATCH_RETURN_IF_ERROR(insert_requirement(r.job_id, r.requirement, *next, where));
    ++stats_.requirements;
    return Status::ok();
  }

  // Prerequisites may name credentials loaded later, so they are checked once all are in.
  Status check_prerequisites() {
    auto st = Statement::prepare(
        db_,
        "SELECT p.credential_id, p.requires_id FROM credential_prerequisites p"
        " WHERE NOT EXISTS (SELECT 1 FROM credentials c WHERE c.id = p.requires_id)"
        " ORDER BY p.credential_id, p.seq");
    if (!st) return st.status();
    // Report the dangling reference loaded first.
    const Origin* first = nullptr;
    std::string first_owner, first_requires;
    int rc = 0;
    while ((rc = st->step()) == SQLITE_ROW) {
      auto it = prerequisite_origins_.find(st->text(0));
      const Origin* origin = it == prerequisite_origins_.end() ? nullptr : &it->second;
      if (first_owner.empty() || (origin != nullptr && (first == nullptr || origin->order < first->order))) {
        first = origin;
        first_owner = st->text(0);
        first_requires = st->text(1);
      }
    }
    if (rc != SQLITE_DONE) return sqlite::error(db_, "check prerequisites", rc);
    if (first_owner.empty()) return Status::ok();
    const std::string reason = "unknown credential \"" + first_requires + "\"";
    if (first == nullptr) {  // cannot happen: every ingest leaves none behind
      return Status::invalid_argument("credential \"" + first_owner + "\": prerequisites: " + reason);
    }
    return Status::invalid_argument(
        located_message({first->file, first->line}, "prerequisites", reason));
  }

  const IngestStats& stats() const { return stats_; }

 private:
  struct Origin {
    std::string file;
    int64_t line = 0;
    int64_t order = 0;  // load order
  };

  static int64_t seq(size_t i) { return static_cast<int64_t>(i) + 1; }

  Status run(const SourceLocation& where, Statement& st) {
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Status::ok();
    return sqlite::error(db_, located_message(where, "", "cannot store record"), rc);
  }

  Result<bool> row_exists(Statement& st, const std::string& id, const SourceLocation& where) {
    st.reset().bind(1, id);
    const int rc = st.step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite::error(db_, located_message(where, "", "cannot look up record"), rc);
  }

  Result<int64_t> next_seq(Statement& st, const std::string& parent_id,
                           const SourceLocation& where) {
    st.reset().bind(1, parent_id);
    const int rc = st.step();
    if (rc != SQLITE_ROW) return sqlite::error(db_, located_message(where, "", "cannot look up record"), rc);
    return st.int64(0);
  }

  // The credential owning competency `id`, or "" when there is none.
  Result<std::string> competency_owner(const std::string& id, const SourceLocation& where) {
    competency_owner_.reset().bind(1, id);
    const int rc = competency_owner_.step();
    if (rc == SQLITE_ROW) return competency_owner_.text(0);
    if (rc == SQLITE_DONE) return std::string();
    return sqlite::error(db_, located_message(where, "", "cannot look up competency"), rc);
  }

  Status insert_competency(const Competency& c, int64_t seq, const SourceLocation& where) {
    insert_competency_.reset().bind(1, c.id).bind(2, c.credential_id).bind(3, seq)
        .bind(4, c.text).bind(5, to_string(c.kind)).bind(6, c.skill_id);
    return run(where, insert_competency_);
  }

  Status insert_requirement(const std::string& job_id, const Requirement& r, int64_t seq,
                            const SourceLocation& where) {
    insert_requirement_.reset().bind(1, job_id).bind(2, seq).bind(3, r.text)
        .bind(4, to_string(r.importance)).bind(5, r.skill_id);
    return run(where, insert_requirement_);
  }

  sqlite3* db_;
  Statement delete_credential_, insert_credential_, insert_prerequisite_, credential_exists_;
  Statement competency_owner_, next_competency_seq_, insert_competency_, update_competency_;
  Statement delete_skill_, insert_skill_, insert_skill_label_;
  Statement delete_job_, insert_job_, insert_job_title_, job_exists_, next_requirement_seq_;
  Statement insert_requirement_;
  std::unordered_map<std::string, Origin> prerequisite_origins_;  // credential id -> last load
  int64_t origin_count_ = 0;
  IngestStats stats_;
};

// Parents before children: competencies and requirements files add to credentials and jobs
// loaded in the same ingest, whatever the order on the command line.
int load_rank(RecordKind kind) {
  switch (kind) {
    case RecordKind::kCredentials: return 0;
    case RecordKind::kSkills: return 1;
    case RecordKind::kJobs: return 2;
    case RecordKind::kCompetencies: return 3;
    case RecordKind::kRequirements: return 4;
  }
  return 5;
}

// ---------------------------------------------------------------------------------------------
// Reading

Credential read_credential_row(const Statement& st) {
  Credential c;
  c.id = st.text(0);
  c.title = st.text(1);
  c.provider = st.text(2);
  c.kind = st.text(3);
  c.description = st.text(4);
  c.language = st.text(5);
  c.hours = st.real(6);
  c.cost = st.real(7);
  c.currency = st.text(8);
  c.url = st.text(9);
  c.source = st.text(10);
  return c;
}
constexpr const char* kCredentialColumns =
    "id, title, provider, kind, description, language, hours, cost, currency, url, source";

CompetencyKind competency_kind_or_default(const std::string& s) {
  return parse_competency_kind(s).value_or(CompetencyKind::kTeaches);
}

Job load_job(sqlite3* db, const std::string& id, bool* found) {
  Job job;
  auto st = prepare_or_throw(
      db, "SELECT id, title, description, code, source, title_fr FROM jobs WHERE id = ?1");
  st.bind(1, id);
  *found = false;
  for_each_row(db, st, [&](const Statement& row) {
    *found = true;
    job.id = row.text(0);
    job.title = row.text(1);
    job.description = row.text(2);
    job.code = row.text(3);
    job.source = row.text(4);
    job.title_fr = row.text(5);
  });
  if (!*found) return job;
  auto titles = prepare_or_throw(
      db, "SELECT title, lang FROM job_titles WHERE job_id = ?1 AND kind = 'alt' ORDER BY seq");
  titles.bind(1, id);
  for_each_row(db, titles, [&](const Statement& row) {
    (row.text(1) == "fr" ? job.alt_titles_fr : job.alt_titles).push_back(row.text(0));
  });
  auto reqs = prepare_or_throw(
      db, "SELECT text, importance, skill_id FROM requirements WHERE job_id = ?1 ORDER BY seq");
  reqs.bind(1, id);
  for_each_row(db, reqs, [&](const Statement& row) {
    job.requirements.push_back(
        {row.text(0), parse_importance(row.text(1)).value_or(Importance::kEssential), row.text(2)});
  });
  return job;
}

// --- find_job() suggestions: word overlap first, then containment, then trigram similarity.

bool is_stop_word(std::string_view w) {
  static constexpr std::string_view kStopWords[] = {
      "a",  "an", "and", "at", "for", "in", "of",  "on", "or",  "the", "to", "with",
      "au", "aux", "d",  "de", "des", "du", "en", "et", "l",  "la",  "le", "les", "ou", "pour"};
  return std::find(std::begin(kStopWords), std::end(kStopWords), w) != std::end(kStopWords);
}

std::vector<std::string> content_words(std::string_view norm) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && !is_stop_word(word)) words.push_back(word);
    word.clear();
  };
  for (char c : norm) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

std::vector<uint32_t> trigrams(std::string_view norm) {
  const std::string padded = "  " + std::string(norm) + " ";
  std::vector<uint32_t> out;
  for (size_t i = 0; i + 3 <= padded.size(); ++i) {
    out.push_back(static_cast<uint32_t>(static_cast<unsigned char>(padded[i])) << 16 |
                  static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 1])) << 8 |
                  static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 2])));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Dice coefficient of two sorted trigram sets.
double similarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t shared = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      ++shared, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return 2.0 * static_cast<double>(shared) / static_cast<double>(a.size() + b.size());
}

std::vector<std::string> suggest_titles(sqlite3* db, const std::string& norm_query, size_t max) {
  struct Candidate {
    size_t shared_words;
    bool contains;
    double similarity;
    std::string title;
  };
  const std::vector<std::string> query_words = content_words(norm_query);
  const std::vector<uint32_t> query_grams = trigrams(norm_query);
  std::map<std::string, Candidate> best;  // by display title
  // A French "masculine/feminine" title is offered as its two forms (its variants).
  auto st = prepare_or_throw(db,
                             "SELECT title, norm_title FROM job_titles WHERE NOT (lang = 'fr'"
                             " AND kind <> 'variant' AND instr(title, '/') > 0)");
  for_each_row(db, st, [&](const Statement& row) {
    const std::string norm = row.text(1);
    const std::vector<std::string> words = content_words(norm);
    size_t shared = 0;
    for (const auto& w : query_words) shared += std::binary_search(words.begin(), words.end(), w);
    const bool contains = norm_query.size() >= 3 && norm.find(norm_query) != std::string::npos;
    const double sim = similarity(query_grams, trigrams(norm));
    if (shared == 0 && !contains && sim < 0.5) return;
    Candidate c{shared, contains, sim, row.text(0)};
    auto [it, inserted] = best.try_emplace(c.title, c);
    if (!inserted && sim > it->second.similarity) it->second = c;
  });
  std::vector<Candidate> ranked;
  for (auto& [title, c] : best) ranked.push_back(std::move(c));
  std::sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
    if (a.shared_words != b.shared_words) return a.shared_words > b.shared_words;
    if (a.contains != b.contains) return a.contains;
    if (a.similarity != b.similarity) return a.similarity > b.similarity;
    return a.title < b.title;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < ranked.size() && out.size() < max; ++i) out.push_back(ranked[i].title);
  return out;
}

Status open_error(const std::string& path, std::string_view what, sqlite3* db, int rc) {
  return sqlite::error(db, path + ": " + std::string(what), rc);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<CatalogStore>> CatalogStore::open(const std::string& db_path, bool create) {
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
  return std::unique_ptr<CatalogStore>(new CatalogStore(db.release(), db_path));
}

CatalogStore::CatalogStore(void* db, std::string path) : db_(db), path_(std::move(path)) {}

CatalogStore::~CatalogStore() { sqlite3_close_v2(handle(db_)); }

Status CatalogStore::ingest(const std::vector<InputFile>& inputs, IngestStats* stats) {
  sqlite3* db = handle(db_);
  Ingester ingester(db);
  CREDMATCH_RETURN_IF_ERROR(ingester.prepare().with_context(path_));
  std::vector<InputFile> ordered = inputs;
  std::stable_sort(ordered.begin(), ordered.end(), [](const InputFile& a, const InputFile& b) {
    return load_rank(a.kind) < load_rank(b.kind);
  });
  sqlite::Transaction txn(db);  // rolls back on every early return below
  CREDMATCH_RETURN_IF_ERROR(txn.begin().with_context(path_));
  for (const InputFile& input : ordered) CREDMATCH_RETURN_IF_ERROR(parse_input(input, ingester));
  CREDMATCH_RETURN_IF_ERROR(ingester.check_prerequisites());
  CREDMATCH_RETURN_IF_ERROR(txn.commit().with_context(path_));
  if (stats != nullptr) *stats = ingester.stats();
  return Status::ok();
}

CatalogCounts CatalogStore::counts() const {
  sqlite3* db = handle(db_);
  auto st = prepare_or_throw(
      db,
      "SELECT (SELECT count(*) FROM credentials), (SELECT count(*) FROM competencies),"
      " (SELECT count(*) FROM competencies WHERE kind IN ('teaches', 'assesses')),"
      " (SELECT count(*) FROM skills), (SELECT count(*) FROM jobs),"
      " (SELECT count(*) FROM requirements)");
  CatalogCounts c;
  for_each_row(db, st, [&](const Statement& row) {
    c = {row.int64(0), row.int64(1), row.int64(2), row.int64(3), row.int64(4), row.int64(5)};
  });
  return c;
}

std::vector<IndexedCompetency> CatalogStore::matchable_competencies() const {
  sqlite3* db = handle(db_);
  auto st = prepare_or_throw(db,
                             "SELECT id, credential_id, text, kind FROM competencies"
                             " WHERE kind IN ('teaches', 'assesses') ORDER BY credential_id, seq");
  std::vector<IndexedCompetency> out;
  for_each_row(db, st, [&](const Statement& row) {
    out.push_back({row.text(0), row.text(1), row.text(2), competency_kind_or_default(row.text(3))});
  });
  return out;
}

std::vector<std::string> CatalogStore::corpus_texts() const {
  sqlite3* db = handle(db_);
  auto st = prepare_or_throw(db,
                             "SELECT text FROM competencies"
                             " UNION SELECT title FROM credentials"
                             " UNION SELECT label FROM skills"
                             " UNION SELECT label_fr FROM skills"
                             " UNION SELECT description FROM skills"
                             " UNION SELECT title FROM job_titles WHERE kind <> 'variant'"
                             " UNION SELECT text FROM requirements");
  std::vector<std::string> out;
  for_each_row(db, st, [&](const Statement& row) { out.push_back(row.text(0)); });
  // Texts that are evaluation or calibration queries stay out of the fitted statistics too
  // (idf, LSA), not only out of the training pairs: alternative labels of skills and
  // descriptions of occupations outside the training split (store/splits.h).
  auto alt = prepare_or_throw(db, "SELECT skill_id, label FROM skill_labels");
  for_each_row(db, alt, [&](const Statement& row) {
    if (split_of(row.text(0)) == Split::kTrain) out.push_back(row.text(1));
  });
  auto jobs = prepare_or_throw(db, "SELECT id, description FROM jobs");
  for_each_row(db, jobs, [&](const Statement& row) {
    if (split_of(row.text(0)) == Split::kTrain) out.push_back(row.text(1));
  });
  std::erase(out, std::string());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<TrainingPair> CatalogStore::training_pairs() const {
  sqlite3* db = handle(db_);
  std::vector<TrainingPair> out;
  std::unordered_map<std::string, int64_t> group_of;
  auto group = [&](const std::string& key) {
    return group_of.try_emplace(key, static_cast<int64_t>(group_of.size())).first->second;
  };
  auto add = [&](const std::string& q, const std::string& t, int64_t qg, int64_t tg) {
    if (!q.empty() && !t.empty() && q != t) out.push_back({q, t, qg, tg});
  };
  struct Labels {
    std::string label, label_fr;
  };
  std::unordered_map<std::string, Labels> skill_labels;
  auto skills = prepare_or_throw(db, "SELECT id, label, label_fr, description FROM skills ORDER BY id");
  for_each_row(db, skills, [&](const Statement& row) {
    const std::string id = row.text(0);
    if (split_of(id) != Split::kTrain) return;
    const std::string label = row.text(1), label_fr = row.text(2);
    skill_labels[id] = {label, label_fr};
    const int64_t g = group("s" + id);
    add(label_fr, label, -1, g);
    add(row.text(3), label, -1, g);
  });
  auto alts = prepare_or_throw(
      db, "SELECT skill_id, label, kind FROM skill_labels ORDER BY skill_id, seq");
  for_each_row(db, alts, [&](const Statement& row) {
    auto it = skill_labels.find(row.text(0));
    if (it == skill_labels.end()) return;  // not in the training split
    const int64_t g = group("s" + it->first);
    add(row.text(1), row.text(2) == "alt_fr" ? it->second.label_fr : it->second.label, -1, g);
  });
  std::unordered_map<std::string, std::string> job_title;
  auto jobs = prepare_or_throw(db, "SELECT id, title, description, title_fr FROM jobs ORDER BY id");
  std::unordered_map<std::string, std::string> job_text;
  for_each_row(db, jobs, [&](const Statement& row) {
    const std::string id = row.text(0);
    if (split_of(id) != Split::kTrain) return;
    job_title[id] = row.text(1);
    job_text[id] = row.text(1) + ". " + row.text(2);
    add(row.text(3), row.text(1), -1, group("j" + id));
  });
  auto titles = prepare_or_throw(
      db, "SELECT job_id, title FROM job_titles WHERE kind = 'alt' ORDER BY job_id, seq");
  for_each_row(db, titles, [&](const Statement& row) {
    auto it = job_title.find(row.text(0));
    if (it != job_title.end()) add(row.text(1), it->second, -1, group("j" + it->first));
  });
  auto reqs = prepare_or_throw(db,
                               "SELECT job_id, text, skill_id FROM requirements"
                               " WHERE importance = 'essential' ORDER BY job_id, seq");
  for_each_row(db, reqs, [&](const Statement& row) {
    auto it = job_text.find(row.text(0));
    if (it == job_text.end()) return;
    const std::string skill = row.text(2);
    add(it->second, row.text(1), group("j" + it->first),
        skill.empty() ? -1 : group("s" + skill));
  });
  return out;
}

Result<Credential> CatalogStore::credential(const std::string& id) const {
  sqlite3* db = handle(db_);
  auto st = prepare_or_throw(
      db, std::string("SELECT ") + kCredentialColumns + " FROM credentials WHERE id = ?1");
  st.bind(1, id);
  std::optional<Credential> found;
  for_each_row(db, st, [&](const Statement& row) { found = read_credential_row(row); });
  if (!found) return Status::not_found("no credential with id \"" + id + "\"");
  auto prereqs = prepare_or_throw(
      db, "SELECT requires_id FROM credential_prerequisites WHERE credential_id = ?1 ORDER BY seq");
  prereqs.bind(1, id);
  for_each_row(db, prereqs, [&](const Statement& row) { found->prerequisites.push_back(row.text(0)); });
  auto comps = prepare_or_throw(
      db, "SELECT id, text, kind, skill_id FROM competencies WHERE credential_id = ?1 ORDER BY seq");
  comps.bind(1, id);
  for_each_row(db, comps, [&](const Statement& row) {
    found->competencies.push_back(
        {row.text(0), id, row.text(1), competency_kind_or_default(row.text(2)), row.text(3)});
  });
  return std::move(*found);
}

std::vector<Credential> CatalogStore::credentials_summary() const {
  sqlite3* db = handle(db_);
  auto st = prepare_or_throw(
      db, std::string("SELECT ") + kCredentialColumns + " FROM credentials ORDER BY id");
  std::vector<Credential> out;
  for_each_row(db, st, [&](const Statement& row) { out.push_back(read_credential_row(row)); });
  auto prereqs = prepare_or_throw(db,
                                  "SELECT credential_id, requires_id FROM credential_prerequisites"
                                  " ORDER BY credential_id, seq");
  size_t i = 0;  // both lists are in id order: merge
  for_each_row(db, prereqs, [&](const Statement& row) {
    const std::string owner = row.text(0);
    while (i < out.size() && out[i].id < owner) ++i;
    if (i < out.size() && out[i].id == owner) out[i].prerequisites.push_back(row.text(1));
  });
  return out;
}

Result<Job> CatalogStore::find_job(const std::string& query) const {
  sqlite3* db = handle(db_);
  bool found = false;
  Job job = load_job(db, query, &found);
  if (found) return job;
  const std::string norm = normalize_title(query);
  if (norm.empty()) return Status::not_found("no occupation matches an empty query");
  auto st = prepare_or_throw(db,
                             "SELECT job_id FROM job_titles WHERE norm_title = ?1"
                             " ORDER BY kind = 'preferred' DESC, kind = 'alt' DESC,"
                             " lang = 'en' DESC, job_id LIMIT 1");
  st.bind(1, norm);
  std::string job_id;
  for_each_row(db, st, [&](const Statement& row) { job_id = row.text(0); });
  if (!job_id.empty()) {
    job = load_job(db, job_id, &found);
    if (found) return job;
  }
  std::string msg = "no occupation matches \"" + query + "\"";
  const std::vector<std::string> suggestions = suggest_titles(db, norm, 5);
  for (size_t i = 0; i < suggestions.size(); ++i) {
    msg += (i == 0 ? "; did you mean: " : ", ") + suggestions[i];
  }
  return Status::not_found(msg);
}

Result<Skill> CatalogStore::skill(const std::string& id) const {
  sqlite3* db = handle(db_);
  auto st = prepare_or_throw(
      db, "SELECT id, label, description, type, language, label_fr FROM skills WHERE id = ?1");
  st.bind(1, id);
  std::optional<Skill> found;
  for_each_row(db, st, [&](const Statement& row) {
    Skill s;
    s.id = row.text(0);
    s.label = row.text(1);
    s.description = row.text(2);
    s.type = row.text(3);
    s.language = row.text(4);
    s.label_fr = row.text(5);
    found = std::move(s);
  });
  if (!found) return Status::not_found("no skill with id \"" + id + "\"");
  auto labels = prepare_or_throw(
      db, "SELECT label, kind FROM skill_labels WHERE skill_id = ?1 ORDER BY seq");
  labels.bind(1, id);
  for_each_row(db, labels, [&](const Statement& row) {
    (row.text(1) == "alt_fr" ? found->alt_labels_fr : found->alt_labels).push_back(row.text(0));
  });
  return std::move(*found);
}

Status CatalogStore::set_meta(const std::string& key, const std::string& value) {
  sqlite3* db = handle(db_);
  auto st = Statement::prepare(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
  if (!st) return st.status().with_context(path_);
  st->bind(1, key).bind(2, value);
  return step_done(db, *st).with_context(path_);
}

std::optional<std::string> CatalogStore::meta(const std::string& key) const {
  sqlite3* db = handle(db_);
  auto st = prepare_or_throw(db, "SELECT value FROM meta WHERE key = ?1");
  st.bind(1, key);
  std::optional<std::string> value;
  for_each_row(db, st, [&](const Statement& row) { value = row.text(0); });
  return value;
}

}  // namespace credmatch::engine
