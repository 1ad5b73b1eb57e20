#include "service/api.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "base/error.h"
#include "base/clock.h"
#include "base/json_depth.h"
#include "plan/gap_calibration.h"
#include "store/ingest.h"
#include "match/job_text.h"
#include "text/lexical.h"
#include "text/normalize.h"

namespace credmatch::engine::api {

// ---------------------------------------------------------------------------------------------
// Errors

ApiError::ApiError(int status, std::string field, std::string message)
    : std::runtime_error(message), status_(status), field_(std::move(field)),
      message_(std::move(message)) {}

json ApiError::to_json() const {
  return {{"error", {{"status", status_}, {"field", field_}, {"message", message_}}}};
}

int http_status(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    default: return 500;
  }
}

namespace {

[[noreturn]] void bad(const std::string& field, const std::string& reason) {
  throw ApiError(400, field, field.empty() ? reason : field + ": " + reason);
}

// Engine messages read "SOURCE: FIELD: REASON" or "FIELD: REASON"; turns one into an ApiError
// whose field is `prefix` + FIELD ("job.requirements[3].text").
[[noreturn]] void fail_status(const Status& s, const std::string& source, const std::string& prefix,
                              int status = 0) {
  std::string msg = s.message();
  if (!source.empty() && msg.rfind(source + ": ", 0) == 0) msg = msg.substr(source.size() + 2);
  std::string field;
  const size_t colon = msg.find(": ");
  if (colon != std::string::npos && colon > 0 &&
      msg.find_first_of(" \"'", 0) > colon) {  // a field name has no spaces or quotes
    field = msg.substr(0, colon);
  }
  std::string full = field.empty() ? prefix : prefix + (prefix.empty() ? "" : ".") + field;
  if (!field.empty()) msg = msg.substr(colon + 2);
  if (full.empty()) full = source;
  throw ApiError(status ? status : http_status(s.code()), full,
                 (full.empty() ? "" : full + ": ") + msg);
}

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

void check_known(const json& obj, std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      bad(it.key(), "unknown field (known: " + list + ")");
    }
  }
}

// Present and not null.
const json* field(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::optional<double> get_number(const json& obj, const char* name, double lo, double hi) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_number()) bad(name, std::string("must be a number, got ") + type_name(*v));
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    bad(name, "must be a number in " + json(lo).dump() + ".." + json(hi).dump() + ", got " + v->dump());
  }
  return d;
}

std::optional<int> get_int(const json& obj, const char* name, int lo, int hi) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) bad(name, std::string("must be an integer, got ") + v->dump());
  const int64_t i = v->get<int64_t>();
  if (i < lo || i > hi) {
    bad(name, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                  ", got " + std::to_string(i));
  }
  return int(i);
}

std::optional<std::string> get_string(const json& obj, const char* name, size_t max_bytes,
                                      bool allow_empty = false) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) bad(name, std::string("must be a string, got ") + type_name(*v));
  std::string s = v->get<std::string>();
  if (!allow_empty && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    bad(name, "must be a non-empty string");
  }
  if (s.size() > max_bytes) {
    bad(name, "longer than the limit of " + std::to_string(max_bytes) + " bytes (" +
                  std::to_string(s.size()) + ")");
  }
  return s;
}

std::optional<bool> get_bool(const json& obj, const char* name) {
  const json* v = field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) bad(name, std::string("must be true or false, got ") + v->dump());
  return v->get<bool>();
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json credential_summary_json(const Credential& c) {
  return {{"id", c.id},         {"title", c.title},       {"provider", c.provider},
          {"kind", c.kind},     {"language", c.language}, {"hours", optional_number(c.hours)},
          {"cost", optional_number(c.cost)}, {"currency", c.currency}, {"url", c.url}};
}

}  // namespace

void Limits::validate() const {
  auto positive = [](const char* name, double v) {
    if (!(v > 0)) throw Error(std::string("Limits.") + name + " must be > 0, got " + std::to_string(v));
  };
  positive("max_body_bytes", double(max_body_bytes));
  positive("max_ingest_bytes", double(max_ingest_bytes));
  positive("max_requirements", max_requirements);
  positive("max_text_bytes", double(max_text_bytes));
  positive("max_posting_bytes", double(max_posting_bytes));
  positive("max_profile_items", max_profile_items);
  positive("max_top", max_top);
  positive("max_neighbours", max_neighbours);
  positive("max_search_k", max_search_k);
  positive("max_query_bytes", double(max_query_bytes));
  positive("search_threads", search_threads);
}

json parse_body(std::string_view body, size_t max_bytes) {
  if (body.size() > max_bytes) {
    throw ApiError(413, "", "request body of " + std::to_string(body.size()) +
                                " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  if (!is_valid_utf8(body)) throw ApiError(400, "", "request body is not valid UTF-8");
  if (auto deep = json_too_deep_at(body)) {
    throw ApiError(400, "", "request body is not valid JSON: arrays and objects nest deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels (at byte " +
                                std::to_string(*deep + 1) + ")");
  }
  json out = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    // Parse again with exceptions for the position and reason.
    try {
      const json again = json::parse(body);
      (void)again;
    } catch (const json::exception& e) {
      throw ApiError(400, "", std::string("request body is not valid JSON: ") + e.what());
    }
    throw ApiError(400, "", "request body is not valid JSON");
  }
  if (!out.is_object()) {
    throw ApiError(400, "", std::string("request body must be a JSON object, got ") + type_name(out));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Builders

json match_to_json(const LoadedCatalog& cat, const Job& job, const MatchConfig& config,
                   const MatchResult& r, double ms) {
  json reqs = json::array();
  for (size_t i = 0; i < job.requirements.size(); ++i) {
    const auto& q = job.requirements[i];
    const auto& s = r.requirements[i];
    json best = nullptr;
    if (s.best_competency >= 0) {
      const auto& comp = cat.competencies()[size_t(s.best_competency)];
      best = {{"competency_id", comp.id}, {"credential_id", comp.credential_id},
              {"text", comp.text}, {"score", s.best_score}};
    }
    reqs.push_back({{"text", q.text}, {"importance", to_string(q.importance)},
                    {"skill_id", q.skill_id}, {"covered_by_catalog", s.covered_by_catalog},
                    {"best_in_catalog", std::move(best)}});
  }
  // Arrays go into the initializer lists by std::move: nlohmann::json copies an lvalue there.
  json results = json::array();
  int rank = 0;
  for (const auto& m : r.credentials) {
    const auto& c = cat.credentials()[size_t(m.credential)];
    json evidence = json::array();
    for (const auto& e : m.evidence) {
      const auto& q = job.requirements[size_t(e.requirement)];
      evidence.push_back({{"requirement", e.requirement}, {"text", q.text},
                          {"importance", to_string(q.importance)}, {"covered", e.covered},
                          {"score", e.score}, {"competency_id", e.competency_id},
                          {"competency_text", e.competency_text},
                          {"shared_terms", e.shared_terms}, {"why", e.why}});
    }
    results.push_back({{"rank", ++rank},
                       {"credential", credential_summary_json(c)},
                       {"score", m.score},
                       {"essential_covered", m.essential_covered},
                       {"essential_total", m.essential_total},
                       {"optional_covered", m.optional_covered},
                       {"optional_total", m.optional_total},
                       {"evidence", std::move(evidence)}});
  }
  return {{"job", {{"id", job.id}, {"title", job.title}, {"requirements", std::move(reqs)}}},
          {"config", {{"threshold", config.threshold}, {"essential_weight", config.essential_weight},
                      {"optional_weight", config.optional_weight}, {"neighbours", config.neighbours},
                      {"top", config.top}}},
          {"encoder", cat.encoder().id()},
          {"results", std::move(results)},
          {"candidates_rescored", r.candidates_rescored},
          {"milliseconds", ms}};
}

json gap_report_to_json(const LoadedCatalog& cat, const Job& job, const GapReport& r) {
  json reqs = json::array();
  for (const auto& g : r.requirements) {
    const auto& q = job.requirements[size_t(g.requirement)];
    json best = nullptr;
    if (g.catalog_competency >= 0) {
      const auto& comp = cat.competencies()[size_t(g.catalog_competency)];
      best = {{"competency_id", comp.id}, {"credential_id", comp.credential_id},
              {"text", comp.text}, {"score", g.catalog_best}};
    }
    reqs.push_back({{"text", q.text}, {"importance", to_string(q.importance)},
                    {"status", to_string(g.status)}, {"similarity", g.similarity},
                    {"credit", g.credit}, {"weight", g.weight},
                    {"evidence", g.held_text.empty()
                                     ? json(nullptr)
                                     : json{{"text", g.held_text}, {"source", g.held_source}}},
                    {"covered_by_catalog", g.catalog_covers}, {"best_in_catalog", std::move(best)}});
  }
  return {{"coverage", r.coverage}, {"essential_coverage", r.essential_coverage},
          {"covered", r.covered}, {"partial", r.partial}, {"missing", r.missing},
          {"uncoverable", r.uncoverable}, {"requirements", std::move(reqs)}};
}

json gap_to_json(const LoadedCatalog& cat, const Job& job, const GapConfig& config,
                 const GapReport& report, const std::vector<std::string>& with_ids,
                 const GapReport* with_report) {
  json out = {{"job", {{"id", job.id}, {"title", job.title}}},
              {"thresholds", {{"covered", config.covered_threshold},
                              {"partial", config.partial_threshold},
                              {"provisional", true}}},
              {"gap", gap_report_to_json(cat, job, report)}};
  if (with_report) {
    out["with"] = {{"credentials", with_ids}, {"gap", gap_report_to_json(cat, job, *with_report)}};
  }
  return out;
}

namespace {

std::vector<PathExplanation> explain_plan(const PathProblem& pp, const Plan& plan) {
  std::vector<int> set;
  for (const auto& s : plan.steps) set.push_back(s.candidate);
  const double full = plan_coverage(pp.requirements, pp.candidates, set);
  std::vector<PathExplanation> out;
  for (int c : set) {
    std::vector<int> rest;
    for (int o : set) {
      if (o != c) rest.push_back(o);
    }
    out.push_back({c, true, full - plan_coverage(pp.requirements, pp.candidates, rest), false});
  }
  std::vector<PathExplanation> rejected;
  for (int c = 0; c < int(pp.candidates.size()); ++c) {
    if (std::find(set.begin(), set.end(), c) != set.end()) continue;
    std::vector<int> more = set;
    more.push_back(c);
    const bool excl =
        std::find(plan.excluded.begin(), plan.excluded.end(), c) != plan.excluded.end();
    rejected.push_back(
        {c, false, plan_coverage(pp.requirements, pp.candidates, more) - full, excl});
  }
  std::stable_sort(rejected.begin(), rejected.end(),
                   [](const auto& a, const auto& b) { return a.delta > b.delta; });
  if (rejected.size() > 3) rejected.resize(3);
  out.insert(out.end(), rejected.begin(), rejected.end());
  return out;
}

}  // namespace

PathOutcome compute_path(const LoadedCatalog& cat, const Job& job, const WorkerProfile& profile,
                         const GapReport& report, const GapConfig& gap_config,
                         const PathOptions& o) {
  const auto objective = parse_plan_objective(o.objective);
  if (!objective) {
    throw Error("objective must be hours, cost or count, got \"" + o.objective + "\"");
  }
  PlanConfig config;
  config.objective = *objective;
  config.limits = profile.constraints;  // explicit options override the profile's constraints
  if (o.max_hours) config.limits.max_hours = o.max_hours;
  if (o.max_cost) config.limits.max_cost = o.max_cost;
  if (o.max_credentials) config.limits.max_credentials = o.max_credentials;
  if (!o.language.empty()) config.limits.language = o.language;
  config.target_coverage = o.target;
  PathOutcome out;
  out.problem = build_path_problem(cat, job, profile, report, gap_config, o.neighbours);
  out.plan = plan_path(out.problem.requirements, out.problem.candidates, config);
  for (const auto& r : out.problem.requirements) out.final_credit.push_back(r.current);
  for (const auto& s : out.plan.steps) {
    for (size_t r = 0; r < out.final_credit.size(); ++r) {
      out.final_credit[r] =
          std::max(out.final_credit[r], out.problem.candidates[size_t(s.candidate)].credit[r]);
    }
  }
  if (o.explain) out.explanations = explain_plan(out.problem, out.plan);
  return out;
}

json path_to_json(const LoadedCatalog& cat, const Job& job, const GapReport& report,
                  const PathOptions& o, const PathOutcome& outcome) {
  const auto& pp = outcome.problem;
  const auto& plan = outcome.plan;
  auto cred_of = [&](int c) -> const Credential& {
    return cat.credentials()[size_t(pp.credential[size_t(c)])];
  };
  json steps = json::array();
  for (const auto& s : plan.steps) {
    const auto& c = cred_of(s.candidate);
    json improved = json::array();
    for (int r : s.improved) improved.push_back(job.requirements[size_t(r)].text);
    steps.push_back({{"credential_id", c.id}, {"title", c.title},
                     {"hours", optional_number(c.hours)}, {"cost", optional_number(c.cost)},
                     {"currency", c.currency}, {"prerequisite_only", s.prerequisite_only},
                     {"coverage_after", s.coverage_after}, {"improves", improved}});
  }
  json remaining = json::array();
  for (size_t r = 0; r < outcome.final_credit.size(); ++r) {
    if (outcome.final_credit[r] < 1.0) {
      remaining.push_back({{"text", job.requirements[r].text},
                           {"credit", outcome.final_credit[r]},
                           {"covered_by_catalog", report.requirements[r].catalog_covers}});
    }
  }
  json out = {{"job", {{"id", job.id}, {"title", job.title}}},
              {"status", to_string(plan.status)}, {"message", plan.message},
              {"algorithm", plan.algorithm},
              {"objective", to_string(plan.objective)},
              {"objective_requested", o.objective}, {"objective_note", plan.objective_note},
              {"objective_value", plan.objective_value}, {"lower_bound", plan.lower_bound},
              {"greedy_bound", plan.greedy_bound}, {"total_hours", plan.total_hours},
              {"total_cost", plan.total_cost}, {"coverage_before", plan.coverage_before},
              {"coverage_after", plan.coverage_after}, {"target", plan.target},
              {"reachable", plan.reachable}, {"candidates", pp.candidates.size()},
              {"steps", std::move(steps)}, {"remaining", std::move(remaining)}};
  // The planner's goal (plan/planner.h): requirements to close, left open, not improvable.
  auto texts = [&](const std::vector<int>& rs) {
    json a = json::array();
    for (int r : rs) a.push_back(job.requirements[size_t(r)].text);
    return a;
  };
  out["goal"] = to_string(plan.goal);
  out["to_close"] = texts(plan.to_close);
  out["left_open"] = texts(plan.left_open);
  out["not_improvable"] = texts(plan.not_improvable);
  if (o.explain) {
    json ex = json::array();
    for (const auto& e : outcome.explanations) {
      ex.push_back({{"credential_id", cred_of(e.candidate).id}, {"chosen", e.chosen},
                    {"coverage_change", e.delta}, {"excluded_by_limits", e.excluded}});
    }
    out["explain"] = ex;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Service

namespace {

// A read-only SQLite connection of our own, for the listings the store has no method for.
class ReadOnlyDb {
 public:
  explicit ReadOnlyDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
      const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error(path + ": " + msg);
    }
    // As the store's connections: a reload opens this while an old snapshot's last connection
    // may be closing (checkpointing the WAL), and without a timeout the read failed with
    // "database is locked" (ApiTest.ReloadSwapsTheCatalogWhileRequestsRun, ~1 run in 300).
    sqlite3_busy_timeout(db_, 10000);
  }
  ~ReadOnlyDb() { sqlite3_close(db_); }
  // Runs `sql`, calling row(stmt) per row.
  template <typename F>
  void each(const char* sql, F row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string column_text(sqlite3_stmt* st, int i) {
  const unsigned char* p = sqlite3_column_text(st, i);
  return p ? reinterpret_cast<const char*>(p) : "";
}


}  // namespace

struct Service::Snapshot {
  std::unique_ptr<LoadedCatalog> catalog;
  // The store's single SQLite connection: every use (find_job, credential, the gap analyzer's
  // taxonomy lookups) holds this.
  mutable std::mutex store_mu;
  struct Skill {
    std::string id, label, type;
  };
  struct Occupation {
    std::string id, title, code;
    int64_t requirements = 0;
  };
  std::vector<Skill> skills;
  std::vector<Occupation> occupations;  // by title
  std::unique_ptr<CharTfidfRanker> skill_ranker, occupation_ranker;
  CatalogCounts counts;
  GapThresholds gap_thresholds;  // calibrated or default gap thresholds (as the CLI uses)
  std::string built_at, index_factory, loaded_at;
  int64_t generation = 1;
};

Service::Service(Limits limits) : limits_(limits) {}
Service::~Service() = default;

namespace {

Result<std::shared_ptr<Service::Snapshot>> open_snapshot(const std::string& dir) {
  auto cat = LoadedCatalog::open(dir);
  if (!cat) return cat.status();
  auto snap = std::make_shared<Service::Snapshot>();
  snap->catalog = std::move(*cat);
  auto thresholds = load_gap_thresholds(dir, snap->catalog->encoder().id());
  if (!thresholds) return thresholds.status();
  snap->gap_thresholds = std::move(*thresholds);
  try {
    snap->counts = snap->catalog->store().counts();
    snap->built_at = snap->catalog->store().meta("built_at").value_or("");
    snap->index_factory = snap->catalog->index().factory_string();
    ReadOnlyDb db((std::filesystem::path(dir) / kCatalogDbFile).string());
    db.each("SELECT id, label, type FROM skills ORDER BY id", [&](sqlite3_stmt* st) {
      snap->skills.push_back({column_text(st, 0), column_text(st, 1), column_text(st, 2)});
    });
    db.each(
        "SELECT j.id, j.title, j.code, (SELECT count(*) FROM requirements r WHERE r.job_id = j.id)"
        " FROM jobs j ORDER BY j.title, j.id",
        [&](sqlite3_stmt* st) {
          snap->occupations.push_back({column_text(st, 0), column_text(st, 1), column_text(st, 2),
                                       sqlite3_column_int64(st, 3)});
        });
  } catch (const std::exception& e) {
    return Status::io_error(dir + ": " + e.what());
  }
  std::vector<std::string> labels, titles;
  for (const auto& s : snap->skills) labels.push_back(s.label);
  for (const auto& o : snap->occupations) titles.push_back(o.title);
  snap->skill_ranker = std::make_unique<CharTfidfRanker>(labels);
  snap->occupation_ranker = std::make_unique<CharTfidfRanker>(titles);
  snap->loaded_at = utc_timestamp();
  return snap;
}

}  // namespace

Result<std::unique_ptr<Service>> Service::open(const std::string& dir, Limits limits,
                                               BuildOptions build) {
  limits.validate();
  auto snap = open_snapshot(dir);
  if (!snap) return snap.status();
  std::unique_ptr<Service> s(new Service(limits));
  s->build_ = std::move(build);
  s->build_.progress = nullptr;
  s->dir_ = dir;
  s->snapshot_ = std::move(*snap);
  return s;
}

std::shared_ptr<const Service::Snapshot> Service::snapshot() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

int64_t Service::generation() const { return snapshot()->generation; }

Status Service::reload() {
  std::lock_guard ingest(ingest_mu_);
  auto snap = open_snapshot(dir_);
  if (!snap) return snap.status();
  std::lock_guard lock(snapshot_mu_);
  (*snap)->generation = snapshot_->generation + 1;
  snapshot_ = std::move(*snap);
  return Status::ok();
}

namespace {

// The job of a request: exactly one of "job", "text", "occupation".
Job request_job(const json& req, const Service::Snapshot& snap, const Limits& limits) {
  const json* job = field(req, "job");
  const json* text = field(req, "text");
  const json* occ = field(req, "occupation");
  if (int(job != nullptr) + int(text != nullptr) + int(occ != nullptr) != 1) {
    bad("job", "give exactly one of \"job\" (object), \"text\" (job posting) or \"occupation\"");
  }
  Job out;
  if (job) {
    if (!job->is_object()) bad("job", std::string("must be an object, got ") + type_name(*job));
    if (auto it = job->find("requirements");
        it != job->end() && it->is_array() && int(it->size()) > limits.max_requirements) {
      bad("job.requirements", "more than the limit of " + std::to_string(limits.max_requirements) +
                                  " requirements (" + std::to_string(it->size()) + ")");
    }
    auto parsed = parse_job_json(job->dump(), "job", /*require_id=*/false);
    if (!parsed) fail_status(parsed.status(), "job", "job", 400);
    out = std::move(*parsed);
    for (size_t i = 0; i < out.requirements.size(); ++i) {
      if (out.requirements[i].text.size() > limits.max_text_bytes) {
        bad("job.requirements[" + std::to_string(i) + "].text",
            "longer than the limit of " + std::to_string(limits.max_text_bytes) + " bytes");
      }
    }
    if (out.requirements.empty()) bad("job.requirements", "must not be empty");
  } else if (text) {
    const std::string t = *get_string(req, "text", limits.max_posting_bytes);
    out.title = "job posting (free text)";
    out.description = t;
    out.requirements = split_requirements(t);
    if (out.requirements.empty()) bad("text", "no requirement statement found in the text");
    if (int(out.requirements.size()) > limits.max_requirements) {
      bad("text", "more than the limit of " + std::to_string(limits.max_requirements) +
                      " requirements (" + std::to_string(out.requirements.size()) + ")");
    }
    for (size_t i = 0; i < out.requirements.size(); ++i) {
      if (out.requirements[i].text.size() > limits.max_text_bytes) {
        bad("text", "requirement " + std::to_string(i + 1) + " is longer than the limit of " +
                        std::to_string(limits.max_text_bytes) + " bytes");
      }
    }
  } else {
    const std::string q = *get_string(req, "occupation", limits.max_query_bytes);
    Result<Job> found = [&] {
      std::lock_guard lock(snap.store_mu);
      return snap.catalog->store().find_job(q);
    }();
    if (!found) {
      throw ApiError(http_status(found.status().code()), "occupation",
                     "occupation: " + found.status().message());
    }
    out = std::move(*found);
    if (out.requirements.empty()) {
      bad("occupation", "occupation \"" + out.title + "\" has no requirements in the catalog");
    }
    if (int(out.requirements.size()) > limits.max_requirements) {
      bad("occupation", "more than the limit of " + std::to_string(limits.max_requirements) +
                            " requirements");
    }
  }
  return out;
}

struct RequestProfile {
  WorkerProfile profile;
  std::string prefix;  // "profile" or "skills"
};

// The worker of a request: exactly one of "profile" (object) or "skills" (string or array).
RequestProfile request_profile(const json& req, const Limits& limits) {
  const json* profile = field(req, "profile");
  const json* skills = field(req, "skills");
  if (int(profile != nullptr) + int(skills != nullptr) != 1) {
    bad("profile", "give exactly one of \"profile\" (object) or \"skills\" (string or array)");
  }
  RequestProfile out;
  if (profile) {
    if (!profile->is_object()) {
      bad("profile", std::string("must be an object, got ") + type_name(*profile));
    }
    for (const char* list : {"skills", "skill_ids", "completed"}) {
      if (auto it = profile->find(list); it != profile->end() && it->is_array() &&
                                          int(it->size()) > limits.max_profile_items) {
        bad(std::string("profile.") + list,
            "more than the limit of " + std::to_string(limits.max_profile_items) + " items");
      }
    }
    auto parsed = parse_profile_json(profile->dump(), "profile");
    if (!parsed) fail_status(parsed.status(), "profile", "profile", 400);
    out.profile = std::move(*parsed);
    out.prefix = "profile";
    for (size_t i = 0; i < out.profile.skills.size(); ++i) {
      if (out.profile.skills[i].size() > limits.max_text_bytes) {
        bad("profile.skills[" + std::to_string(i) + "]",
            "longer than the limit of " + std::to_string(limits.max_text_bytes) + " bytes");
      }
    }
  } else if (skills->is_string()) {
    const std::string s = *get_string(req, "skills", limits.max_posting_bytes, /*allow_empty=*/true);
    out.profile = profile_from_skills_text(s);
    out.prefix = "skills";
  } else if (skills->is_array()) {
    if (int(skills->size()) > limits.max_profile_items) {
      bad("skills", "more than the limit of " + std::to_string(limits.max_profile_items) + " items");
    }
    for (size_t i = 0; i < skills->size(); ++i) {
      const json& s = (*skills)[i];
      const std::string f = "skills[" + std::to_string(i) + "]";
      if (!s.is_string() || s.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
        bad(f, "must be a non-empty string");
      }
      if (s.get<std::string>().size() > limits.max_text_bytes) {
        bad(f, "longer than the limit of " + std::to_string(limits.max_text_bytes) + " bytes");
      }
      out.profile.skills.push_back(s.get<std::string>());
    }
    out.prefix = "skills";
  } else {
    bad("skills", std::string("must be a string or an array of strings, got ") + type_name(*skills));
  }
  if (int(out.profile.skills.size() + out.profile.skill_ids.size() + out.profile.completed.size()) >
      limits.max_profile_items) {
    bad(out.prefix, "more than the limit of " + std::to_string(limits.max_profile_items) + " items");
  }
  return out;
}

// The catalog's thresholds (plan/gap_calibration.h), overridden by the request's.
GapConfig request_gap_config(const json& req, const Service::Snapshot& snap, GapThresholds* source) {
  GapConfig config;
  *source = snap.gap_thresholds;
  config.covered_threshold = source->covered;
  config.partial_threshold = source->partial;
  const auto covered = get_number(req, "covered_threshold", 0.0, 1.0);
  const auto partial = get_number(req, "partial_threshold", -1.0, 1.0);
  if (covered) config.covered_threshold = float(*covered);
  if (partial) config.partial_threshold = float(*partial);
  if (covered || partial) {
    source->calibrated = false;
    source->note = "set in the request (otherwise: " + source->note + ")";
  }
  if (config.partial_threshold > config.covered_threshold) {
    bad("partial_threshold", "must not exceed covered_threshold (" +
                                 json(config.covered_threshold).dump() + ")");
  }
  return config;
}

// Runs the gap analysis under the store's lock (it reads taxonomy skills); maps a failure to
// the request field it names.
GapReport analyze(const Service::Snapshot& snap, const GapConfig& config, const Job& job,
                  const RequestProfile& p, size_t with_from = SIZE_MAX) {
  GapAnalyzer analyzer(*snap.catalog, config);
  Result<GapReport> r = [&] {
    std::lock_guard lock(snap.store_mu);
    return analyzer.analyze(job, p.profile);
  }();
  if (r) return std::move(*r);
  const std::string& msg = r.status().message();
  // "completed[i]: ..." past the worker's own list came from "with".
  if (with_from != SIZE_MAX && msg.rfind("completed[", 0) == 0) {
    const size_t i = std::stoul(msg.substr(10));
    if (i >= with_from) {
      const std::string f = "with[" + std::to_string(i - with_from) + "]";
      throw ApiError(400, f, f + msg.substr(msg.find(']') + 1));
    }
  }
  const bool about_profile = msg.rfind("completed[", 0) == 0 || msg.rfind("skill_ids[", 0) == 0 ||
                             msg.rfind("skills[", 0) == 0;
  fail_status(r.status(), "", about_profile ? p.prefix : "job", 400);
}

}  // namespace

json Service::match(const json& req) const {
  const auto snap = snapshot();
  check_known(req, {"job", "text", "occupation", "top", "threshold", "neighbours"});
  const Job job = request_job(req, *snap, limits_);
  MatchConfig config;
  if (auto v = get_int(req, "top", 1, limits_.max_top)) config.top = *v;
  if (auto v = get_number(req, "threshold", -1.0, 1.0)) config.threshold = float(*v);
  if (auto v = get_int(req, "neighbours", 1, limits_.max_neighbours)) config.neighbours = *v;
  config.search.threads = limits_.search_threads;
  Matcher matcher(*snap->catalog, config);
  const auto t0 = std::chrono::steady_clock::now();
  auto result = matcher.match(job);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!result) fail_status(result.status(), "", "job", 400);
  return match_to_json(*snap->catalog, job, config, *result, ms);
}

json Service::gap(const json& req) const {
  const auto snap = snapshot();
  check_known(req, {"profile", "skills", "job", "text", "occupation", "with",
                    "covered_threshold", "partial_threshold"});
  const RequestProfile p = request_profile(req, limits_);
  const Job job = request_job(req, *snap, limits_);
  GapThresholds source;
  GapConfig config = request_gap_config(req, *snap, &source);
  config.search_threads = limits_.search_threads;
  std::vector<std::string> with;
  if (const json* w = field(req, "with")) {
    if (!w->is_array()) bad("with", std::string("must be an array of credential ids, got ") + type_name(*w));
    if (int(w->size()) > limits_.max_profile_items) {
      bad("with", "more than the limit of " + std::to_string(limits_.max_profile_items) + " items");
    }
    for (size_t i = 0; i < w->size(); ++i) {
      const json& id = (*w)[i];
      if (!id.is_string() || id.get<std::string>().empty()) {
        bad("with[" + std::to_string(i) + "]", "must be a non-empty string");
      }
      with.push_back(id.get<std::string>());
    }
  }
  const GapReport report = analyze(*snap, config, job, p);
  std::optional<GapReport> with_report;
  if (!with.empty()) {
    RequestProfile more = p;
    const size_t from = more.profile.completed.size();
    for (const auto& id : with) more.profile.completed.push_back(id);
    with_report = analyze(*snap, config, job, more, from);
  }
  json out = gap_to_json(*snap->catalog, job, config, report, with,
                         with_report ? &*with_report : nullptr);
  out["thresholds"]["provisional"] = !source.calibrated;
  out["thresholds"]["calibrated"] = source.calibrated;
  out["thresholds"]["source"] = source.note;
  return out;
}

json Service::path(const json& req) const {
  const auto snap = snapshot();
  check_known(req, {"profile", "skills", "job", "text", "occupation", "objective", "max_hours",
                    "max_cost", "max_credentials", "language", "target", "neighbours",
                    "explain"});
  const RequestProfile p = request_profile(req, limits_);
  const Job job = request_job(req, *snap, limits_);
  PathOptions o;
  if (auto v = get_string(req, "objective", 16)) {
    if (!parse_plan_objective(*v)) bad("objective", "must be \"hours\", \"cost\" or \"count\", got \"" + *v + "\"");
    o.objective = *v;
  }
  o.max_hours = get_number(req, "max_hours", 0.0, 1e9);
  o.max_cost = get_number(req, "max_cost", 0.0, 1e12);
  o.max_credentials = get_int(req, "max_credentials", 0, 1000000);
  o.language = get_string(req, "language", 16).value_or("");
  o.target = get_number(req, "target", 0.0, 1.0);
  if (auto v = get_int(req, "neighbours", 1, limits_.max_neighbours)) o.neighbours = *v;
  o.explain = get_bool(req, "explain").value_or(false);
  GapConfig gap_config;
  gap_config.covered_threshold = snap->gap_thresholds.covered;
  gap_config.partial_threshold = snap->gap_thresholds.partial;
  gap_config.search_threads = limits_.search_threads;
  const GapReport report = analyze(*snap, gap_config, job, p);
  const PathOutcome outcome = compute_path(*snap->catalog, job, p.profile, report, gap_config, o);
  return path_to_json(*snap->catalog, job, report, o, outcome);
}

json Service::credential(std::string_view id) const {
  const auto snap = snapshot();
  if (id.empty() || id.size() > limits_.max_query_bytes) {
    bad("id", "must be a credential id of 1.." + std::to_string(limits_.max_query_bytes) + " bytes");
  }
  Result<Credential> c = [&] {
    std::lock_guard lock(snap->store_mu);
    return snap->catalog->store().credential(std::string(id));
  }();
  if (!c) {
    if (c.status().code() == StatusCode::kNotFound) {
      throw ApiError(404, "id", "id: no credential \"" + std::string(id) + "\" in the catalog");
    }
    throw ApiError(500, "", c.status().message());
  }
  json out = credential_summary_json(*c);
  out["description"] = c->description;
  out["source"] = c->source;
  out["prerequisites"] = c->prerequisites;
  json comps = json::array();
  for (const auto& m : c->competencies) {
    comps.push_back({{"id", m.id}, {"text", m.text}, {"kind", to_string(m.kind)},
                     {"skill_id", m.skill_id}});
  }
  out["competencies"] = comps;
  return out;
}

json Service::search(std::string_view q, int k, const std::vector<std::string>& kinds) const {
  const auto snap = snapshot();
  if (q.find_first_not_of(" \t\r\n") == std::string_view::npos) bad("q", "must be a non-empty string");
  if (q.size() > limits_.max_query_bytes) {
    bad("q", "longer than the limit of " + std::to_string(limits_.max_query_bytes) + " bytes");
  }
  if (!is_valid_utf8(q)) bad("q", "is not valid UTF-8");
  if (k < 1 || k > limits_.max_search_k) {
    bad("k", "must be an integer in 1.." + std::to_string(limits_.max_search_k) + ", got " +
                 std::to_string(k));
  }
  auto wanted = [&](const char* kind) {
    return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
  };
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] != "competencies" && kinds[i] != "skills" && kinds[i] != "occupations") {
      bad("kinds", "unknown kind \"" + kinds[i] + "\" (known: competencies, skills, occupations)");
    }
  }
  json out = {{"query", std::string(q)}, {"k", k}};
  const LoadedCatalog& cat = *snap->catalog;
  if (wanted("competencies")) {
    json comps = json::array();
    if (!cat.competencies().empty()) {
      std::vector<float> v(size_t(cat.encoder().dim()));
      const std::string text(q);
      cat.encoder().encode(std::span<const std::string>(&text, 1), v);
      const int kk = int(std::min<int64_t>(k, cat.index().size()));
      const auto r = cat.index().search(1, v, kk, {.threads = limits_.search_threads});
      for (int i = 0; i < kk; ++i) {
        if (r.ids[size_t(i)] < 0) continue;
        const auto& comp = cat.competencies()[size_t(r.ids[size_t(i)])];
        const auto& cred = cat.credentials()[size_t(cat.credential_of(r.ids[size_t(i)]))];
        comps.push_back({{"id", comp.id}, {"text", comp.text}, {"kind", to_string(comp.kind)},
                         {"credential_id", comp.credential_id}, {"credential_title", cred.title},
                         {"score", r.scores[size_t(i)]}});
      }
    }
    out["competencies"] = comps;
  }
  if (wanted("skills")) {
    json skills = json::array();
    if (!snap->skills.empty()) {
      const auto r = snap->skill_ranker->search(q, k);
      for (size_t i = 0; i < r.ids.size(); ++i) {
        if (r.scores[i] <= 0) break;
        const auto& s = snap->skills[size_t(r.ids[i])];
        skills.push_back({{"id", s.id}, {"label", s.label}, {"type", s.type}, {"score", r.scores[i]}});
      }
    }
    out["skills"] = skills;
  }
  if (wanted("occupations")) out["occupations"] = occupations(q, k)["occupations"];
  return out;
}

json Service::occupations(std::string_view q, int k) const {
  const auto snap = snapshot();
  if (q.size() > limits_.max_query_bytes) {
    bad("q", "longer than the limit of " + std::to_string(limits_.max_query_bytes) + " bytes");
  }
  if (!is_valid_utf8(q)) bad("q", "is not valid UTF-8");
  if (k < 1 || k > limits_.max_search_k) {
    bad("k", "must be an integer in 1.." + std::to_string(limits_.max_search_k) + ", got " +
                 std::to_string(k));
  }
  json list = json::array();
  auto add = [&](const Snapshot::Occupation& o, float score) {
    list.push_back({{"id", o.id}, {"title", o.title}, {"code", o.code},
                    {"requirements", o.requirements}, {"score", score}});
  };
  if (q.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    for (size_t i = 0; i < snap->occupations.size() && int(i) < k; ++i) add(snap->occupations[i], 0);
  } else if (!snap->occupations.empty()) {
    const auto r = snap->occupation_ranker->search(q, k);
    for (size_t i = 0; i < r.ids.size(); ++i) {
      if (r.scores[i] <= 0) break;
      add(snap->occupations[size_t(r.ids[i])], r.scores[i]);
    }
  }
  return {{"query", std::string(q)}, {"occupations", list}};
}

json Service::health() const {
  const auto snap = snapshot();
  const auto& c = snap->counts;
  return {{"status", "ok"},
          {"catalog", dir_},
          {"generation", snap->generation},
          {"loaded_at", snap->loaded_at},
          {"built_at", snap->built_at},
          {"encoder", snap->catalog->encoder().id()},
          {"index", snap->index_factory},
          {"counts", {{"credentials", c.credentials}, {"competencies", c.competencies},
                      {"matchable_competencies", c.matchable_competencies},
                      {"skills", c.skills}, {"occupations", c.jobs},
                      {"requirements", c.requirements}}}};
}

json Service::ingest_credentials(std::string_view jsonl) {
  if (jsonl.size() > limits_.max_ingest_bytes) {
    throw ApiError(413, "", "request body of " + std::to_string(jsonl.size()) +
                                " bytes exceeds the ingest limit of " +
                                std::to_string(limits_.max_ingest_bytes));
  }
  if (jsonl.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw ApiError(400, "", "request body is empty: expected credentials as JSON lines");
  }
  std::lock_guard ingest(ingest_mu_);
  namespace fs = std::filesystem;
  std::random_device rd;
  const fs::path tmp =
      fs::temp_directory_path() / ("credmatch-ingest-" + std::to_string(getpid()) + "-" +
                                   std::to_string(rd()));
  fs::create_directories(tmp);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{tmp};
  const std::string file = (tmp / "credentials.jsonl").string();
  {
    std::ofstream out(file, std::ios::binary);
    out.write(jsonl.data(), std::streamsize(jsonl.size()));
    if (!out) throw ApiError(500, "", "cannot write the request body to " + file);
  }
  BuildOptions options = build_;
  options.index_factory = snapshot()->index_factory;
  if (auto recorded = [&] {
        const auto snap = snapshot();
        std::lock_guard lock(snap->store_mu);
        return snap->catalog->store().meta("index_factory");
      }()) {
    options.index_factory = *recorded;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto report = build_catalog(dir_, {InputFile{RecordKind::kCredentials, file}}, options);
  if (!report) {
    std::string msg = report.status().message();
    for (size_t at; (at = msg.find(file)) != std::string::npos;) msg.replace(at, file.size(), "body");
    const std::string where = msg.substr(0, msg.find(": "));
    throw ApiError(http_status(report.status().code()) == 404 ? 400 : http_status(report.status().code()),
                   where.rfind("body", 0) == 0 ? where : "", msg);
  }
  auto snap = open_snapshot(dir_);
  if (!snap) throw ApiError(500, "", "catalog rebuilt but reloading failed: " + snap.status().message());
  int64_t generation;
  {
    std::lock_guard lock(snapshot_mu_);
    generation = (*snap)->generation = snapshot_->generation + 1;
    snapshot_ = std::move(*snap);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {{"ingested", {{"credentials", report->ingested.credentials},
                        {"competencies", report->ingested.competencies}}},
          {"counts", {{"credentials", report->counts.credentials},
                      {"matchable_competencies", report->counts.matchable_competencies}}},
          {"generation", generation},
          {"seconds", seconds}};
}

}  // namespace credmatch::engine::api
