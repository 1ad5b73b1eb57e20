#include "store/ingester.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "text/normalize.h"

namespace credmatch::engine {
namespace {

using sqlite::Statement;

// One Ingester per ingest, inside its transaction.
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
          .bind(5, kind).bind(6, fold_title(title));
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
        if (!fold_title(form).empty()) CREDMATCH_RETURN_IF_ERROR(add_title(form, "fr", "variant"));
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

}  // namespace

Status ingest_records(sqlite3* db, const std::string& db_path, const std::vector<InputFile>& inputs,
                      IngestStats* stats) {
  Ingester ingester(db);
  CREDMATCH_RETURN_IF_ERROR(ingester.prepare().with_context(db_path));
  std::vector<InputFile> ordered = inputs;
  std::stable_sort(ordered.begin(), ordered.end(), [](const InputFile& a, const InputFile& b) {
    return load_rank(a.kind) < load_rank(b.kind);
  });
  sqlite::Transaction txn(db);  // rolls back on every early return below
  CREDMATCH_RETURN_IF_ERROR(txn.begin().with_context(db_path));
  for (const InputFile& input : ordered) CREDMATCH_RETURN_IF_ERROR(parse_input(input, ingester));
  CREDMATCH_RETURN_IF_ERROR(ingester.check_prerequisites());
  CREDMATCH_RETURN_IF_ERROR(txn.commit().with_context(db_path));
  if (stats != nullptr) *stats = ingester.stats();
  return Status::ok();
}

}  // namespace credmatch::engine
