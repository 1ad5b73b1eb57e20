#include "service/service.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "base/clock.h"
#include "base/error.h"
#include "match/job_input.h"
#include "plan/gap_calibration.h"
#include "plan/path.h"
#include "service/json.h"
#include "store/ingest.h"
#include "text/lexical.h"
#include "text/normalize.h"

namespace credmatch::engine::api {

struct Service::Snapshot {
  std::unique_ptr<LoadedCatalog> catalog;
  std::vector<SkillSummary> skills;            // by id
  std::vector<OccupationSummary> occupations;  // by title
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
    snap->skills = snap->catalog->store().skill_summaries();
    snap->occupations = snap->catalog->store().occupation_summaries();
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

// Runs the gap analysis under the store's lock (it reads taxonomy skills); maps a failure to
// the request field it names.
GapReport analyze(const Service::Snapshot& snap, const GapConfig& config, const Job& job,
                  const RequestProfile& p, size_t with_from = SIZE_MAX) {
  GapAnalyzer analyzer(*snap.catalog, config);
  Result<GapReport> r = analyzer.analyze(job, p.profile);
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
  const Job job = request_job(req, snap->catalog->store(), limits_);
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
  const Job job = request_job(req, snap->catalog->store(), limits_);
  GapThresholds source;
  GapConfig config = request_gap_config(req, snap->gap_thresholds, &source);
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
  return gap_to_json(*snap->catalog, job, config, source, report, with,
                     with_report ? &*with_report : nullptr);
}

json Service::path(const json& req) const {
  const auto snap = snapshot();
  check_known(req, {"profile", "skills", "job", "text", "occupation", "objective", "max_hours",
                    "max_cost", "max_credentials", "language", "target", "neighbours",
                    "explain", "candidates"});
  const RequestProfile p = request_profile(req, limits_);
  const Job job = request_job(req, snap->catalog->store(), limits_);
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
  if (auto v = get_int(req, "neighbours", 1, limits_.max_neighbours)) o.candidates.neighbours = *v;
  if (auto v = get_string(req, "candidates", 16)) {
    const auto source = parse_path_candidate_source(*v);
    if (!source) bad("candidates", "must be \"auto\", \"relevance\" or \"index\", got \"" + *v + "\"");
    if (*source == PathCandidateSource::kRelevance && snap->catalog->relevance() == nullptr) {
      bad("candidates", "\"relevance\": this catalog has no relevance model; use \"index\" or \"auto\"");
    }
    o.candidates.source = *source;
  }
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
  Result<Credential> c = snap->catalog->store().credential(std::string(id));
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

namespace {

// "q" and "k" of GET /v1/search and /v1/occupations.
void check_query(std::string_view q, int k, const Limits& limits, bool allow_empty) {
  if (!allow_empty && q.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    bad("q", "must be a non-empty string");
  }
  if (q.size() > limits.max_query_bytes) {
    bad("q", "longer than the limit of " + std::to_string(limits.max_query_bytes) + " bytes");
  }
  if (!is_valid_utf8(q)) bad("q", "is not valid UTF-8");
  if (k < 1 || k > limits.max_search_k) {
    bad("k", "must be an integer in 1.." + std::to_string(limits.max_search_k) + ", got " +
                 std::to_string(k));
  }
}

}  // namespace

json Service::search(std::string_view q, int k, const std::vector<std::string>& kinds) const {
  const auto snap = snapshot();
  check_query(q, k, limits_, /*allow_empty=*/false);
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
  check_query(q, k, limits_, /*allow_empty=*/true);
  json list = json::array();
  auto add = [&](const OccupationSummary& o, float score) {
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
  if (auto recorded = snapshot()->catalog->store().meta("index_factory")) {
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
