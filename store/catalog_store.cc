#include "store/catalog_store.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "store/connection_pool.h"
#include "store/ingester.h"
#include "store/schema.h"
#include "store/splits.h"
#include "store/sqlite_util.h"
#include "store/title_lookup.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

using sqlite::for_each_row;
using sqlite::prepare_or_throw;
using sqlite::Statement;

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

}  // namespace

Result<std::unique_ptr<CatalogStore>> CatalogStore::open(const std::string& db_path, bool create) {
  auto db = open_catalog_db(db_path, create);
  if (!db) return db.status();
  return std::unique_ptr<CatalogStore>(
      new CatalogStore(std::make_unique<ConnectionPool>(db_path, std::move(*db))));
}

CatalogStore::CatalogStore(std::unique_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

CatalogStore::~CatalogStore() = default;

Status CatalogStore::ingest(const std::vector<InputFile>& inputs, IngestStats* stats) {
  auto conn = pool_->acquire();
  if (!conn) return conn.status();
  return ingest_records(conn->get(), pool_->path(), inputs, stats);
}

CatalogCounts CatalogStore::counts() const {
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
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
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
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
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
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
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
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
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
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
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
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
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
  bool found = false;
  Job job = load_job(db, query, &found);
  if (found) return job;
  const std::string norm = fold_title(query);
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
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
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
  auto conn = pool_->acquire();
  if (!conn) return conn.status();
  sqlite3* db = conn->get();
  auto st = Statement::prepare(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");
  if (!st) return st.status().with_context(pool_->path());
  st->bind(1, key).bind(2, value);
  return sqlite::step_done(db, *st).with_context(pool_->path());
}

std::optional<std::string> CatalogStore::meta(const std::string& key) const {
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
  auto st = prepare_or_throw(db, "SELECT value FROM meta WHERE key = ?1");
  st.bind(1, key);
  std::optional<std::string> value;
  for_each_row(db, st, [&](const Statement& row) { value = row.text(0); });
  return value;
}

std::vector<SkillSummary> CatalogStore::skill_summaries() const {
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
  auto st = prepare_or_throw(db, "SELECT id, label, type FROM skills ORDER BY id");
  std::vector<SkillSummary> out;
  for_each_row(db, st, [&](const Statement& row) {
    out.push_back({row.text(0), row.text(1), row.text(2)});
  });
  return out;
}

std::vector<OccupationSummary> CatalogStore::occupation_summaries() const {
  const auto conn = pool_->acquire_or_throw();
  sqlite3* db = conn.get();
  auto st = prepare_or_throw(
      db,
      "SELECT j.id, j.title, j.code, (SELECT count(*) FROM requirements r WHERE r.job_id = j.id)"
      " FROM jobs j ORDER BY j.title, j.id");
  std::vector<OccupationSummary> out;
  for_each_row(db, st, [&](const Statement& row) {
    out.push_back({row.text(0), row.text(1), row.text(2), row.int64(3)});
  });
  return out;
}

}  // namespace credmatch::engine
