// The JSON request/response layer shared by every front end: the CLI's --json output, the HTTP
// server (`credmatch serve`, docs/api.md) and the Python module all produce their JSON here, so
// the three cannot drift apart.
//
// Two levels:
//  - Builders (match_to_json, gap_to_json, path_to_json) turn engine results into the JSON the
//    CLI prints with --json. compute_path() runs the path planner the way `credmatch path` does.
//  - Service answers JSON requests (the bodies of POST /v1/match, /v1/gap, /v1/path: a job and a
//    profile in the same JSON as the CLI's --job and --profile files, docs/formats.md and
//    docs/paths.md) against a catalog directory it keeps open, with input limits and
//    validation. A bad request throws ApiError carrying an HTTP status, the offending field as
//    a JSON path ("job.requirements[3].text") and a message.
//
// Thread safety: the builders and compute_path() are pure (the catalog is only read). Service
// is thread-safe: every method may be called from several threads at once, and reload() swaps
// the catalog atomically while requests run (each request keeps the catalog it started with).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "catalog/catalog_dir.h"
#include "plan/gap.h"
#include "match/matcher.h"
#include "plan/path_candidates.h"
#include "plan/planner.h"
#include "plan/profile.h"

namespace credmatch::engine::api {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Errors

/// A request that cannot be answered: `status` is the HTTP status to send (400 bad field,
/// 401/403 auth, 404 unknown id, 413 too large, 500 internal), `field` the JSON path of the
/// offending field ("" when none), `message` a readable reason naming the field.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string field, std::string message);
  int status() const { return status_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }
  /// {"error": {"status": 400, "field": "top", "message": "top: must be an integer in 1..1000"}}
  json to_json() const;

 private:
  int status_;
  std::string field_;
  std::string message_;
};

/// The HTTP status for a failed Status: kInvalidArgument 400, kNotFound 404, others 500.
int http_status(StatusCode code);

// ---------------------------------------------------------------------------------------------
// Limits

/// Bounds on what one request may ask for. Defaults suit an internet-facing service.
struct Limits {
  size_t max_body_bytes = 1 << 20;         // request body (JSON or JSONL), bytes
  size_t max_ingest_bytes = 64 << 20;      // POST /v1/credentials body, bytes
  int max_requirements = 200;              // per job
  size_t max_text_bytes = 4000;            // one requirement or skill statement, bytes
  size_t max_posting_bytes = 100000;       // free-text job posting ("text"), bytes
  int max_profile_items = 1000;            // skills + skill_ids + completed
  int max_top = 1000;                      // "top" of /v1/match
  int max_neighbours = 10000;              // "neighbours"
  int max_search_k = 100;                  // "k" of /v1/search
  size_t max_query_bytes = 1000;           // "q" of /v1/search
  int search_threads = 1;                  // threads one match or search may scan with
                                           // (SearchParams::threads): 1 leaves the other
                                           // cores to the requests running beside it

  /// Throws credmatch::Error naming the first non-positive field.
  void validate() const;
};

/// Parses a request body as one JSON object. Throws ApiError: 413 when it exceeds
/// `max_bytes`, 400 when it is not valid UTF-8 JSON or not an object.
json parse_body(std::string_view body, size_t max_bytes);

// ---------------------------------------------------------------------------------------------
// Builders: engine results → the CLI's --json shapes

/// `credmatch match --json`: job with per-requirement catalog summary, config, encoder id,
/// ranked results with evidence, candidates_rescored, milliseconds.
json match_to_json(const LoadedCatalog& catalog, const Job& job, const MatchConfig& config,
                   const MatchResult& result, double milliseconds);

/// The "gap" object of `credmatch gap --json`: coverage figures and one entry per requirement.
json gap_report_to_json(const LoadedCatalog& catalog, const Job& job, const GapReport& report);

/// `credmatch gap --json`: job, thresholds, gap, and "with" when `with_report` is given.
json gap_to_json(const LoadedCatalog& catalog, const Job& job, const GapConfig& config,
                 const GapReport& report, const std::vector<std::string>& with_ids,
                 const GapReport* with_report);

/// Knobs of `credmatch path` (flags) and POST /v1/path (body fields of the same names).
struct PathOptions {
  std::string objective = "hours";  // "hours", "cost" or "count"
  std::optional<double> max_hours, max_cost, target;  // override the profile's constraints
  std::optional<int> max_credentials;
  std::string language;             // only credentials in this language; empty = profile's
  bool explain = false;             // coverage change of chosen and best rejected credentials
  int neighbours = 64;              // competencies retrieved per open requirement
};

/// Coverage change of a chosen credential (coverage lost without it) or of one of the three
/// best rejected ones (coverage gained by adding it).
struct PathExplanation {
  int candidate = -1;  // index into PathOutcome::problem.candidates
  bool chosen = false;
  double delta = 0.0;
  bool excluded = false;  // rejected because of the limits (language, unknown values)
};

struct PathOutcome {
  PathProblem problem;
  Plan plan;
  std::vector<double> final_credit;          // per requirement, after all steps
  std::vector<PathExplanation> explanations; // empty unless options.explain
};

/// Plans the path the way `credmatch path` does. `report` must come from
/// GapAnalyzer(catalog, gap_config).analyze(job, profile). Throws credmatch::Error for an
/// invalid objective or limits.
PathOutcome compute_path(const LoadedCatalog& catalog, const Job& job,
                         const WorkerProfile& profile, const GapReport& report,
                         const GapConfig& gap_config, const PathOptions& options);

/// `credmatch path --json`: status, objective, totals, coverage before/after, ordered steps
/// with hours, cost and coverage after each, remaining requirements, "explain" if asked.
json path_to_json(const LoadedCatalog& catalog, const Job& job, const GapReport& report,
                  const PathOptions& options, const PathOutcome& outcome);

// ---------------------------------------------------------------------------------------------
// Service

/// Request fields (all optional unless said):
///   match: exactly one of "job" (object, docs/formats.md), "text" (posting, split into
///          requirements), "occupation" (id or title); "top", "threshold", "neighbours".
///   gap:   the worker: "profile" (object, docs/paths.md) or "skills" (string "a; b" or array
///          of strings); the job: "job", "text" or "occupation"; "with" (array of credential
///          ids), "covered_threshold", "partial_threshold".
///   path:  worker and job as for gap; "objective", "max_hours", "max_cost",
///          "max_credentials", "language", "target", "neighbours", "explain".
/// Unknown top-level fields are rejected (400, naming the field).
class Service {
 public:
  /// Opens the catalog at `dir`. kNotFound / kCorruption / kMismatch as LoadedCatalog::open.
  /// `build` is used by ingest_credentials() to rebuild the catalog (its index_factory is
  /// replaced by the one the catalog was built with).
  static Result<std::unique_ptr<Service>> open(const std::string& dir, Limits limits = {},
                                               BuildOptions build = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// POST /v1/match. The response is match_to_json's.
  json match(const json& request) const;
  /// POST /v1/gap. The response is gap_to_json's.
  json gap(const json& request) const;
  /// POST /v1/path. The response is path_to_json's ("status" "infeasible" is a 200 answer).
  json path(const json& request) const;
  /// GET /v1/credentials/{id}: the credential with its competencies and prerequisites.
  /// 404 naming the id when unknown.
  json credential(std::string_view id) const;
  /// GET /v1/search?q=&k=: the k competencies nearest to q (encoder + index) and the k best
  /// taxonomy skills and occupations for q (BM25 over their labels and titles).
  /// `kinds` filters: any of "competencies", "skills", "occupations"; empty = all.
  json search(std::string_view q, int k, const std::vector<std::string>& kinds = {}) const;
  /// GET /v1/occupations?q=&k=: occupations whose titles match q (BM25), with their
  /// requirement counts; an empty q lists the first k by title.
  json occupations(std::string_view q, int k) const;
  /// GET /v1/health: status, catalog dir, counts, encoder id, index, built_at, generation.
  json health() const;

  /// Re-opens the catalog directory and swaps it in; requests already running finish on the
  /// old one. On failure the current catalog stays and the error is returned.
  Status reload();
  /// POST /v1/credentials: ingests credentials (JSONL, docs/formats.md) into the catalog
  /// directory with build_catalog (records with existing ids are replaced, the encoder is
  /// refitted, the directory replaced atomically), then reloads. One ingest at a time.
  /// Throws ApiError 400 naming "body:LINE: FIELD" for a malformed record.
  json ingest_credentials(std::string_view jsonl);

  const Limits& limits() const { return limits_; }
  /// Incremented by every successful reload or ingest; starts at 1.
  int64_t generation() const;

  struct Snapshot;  // one loaded catalog with its search tables (opaque; api.cc)

 private:
  explicit Service(Limits limits);
  std::shared_ptr<const Snapshot> snapshot() const;

  Limits limits_;
  BuildOptions build_;
  std::string dir_;
  mutable std::mutex snapshot_mu_;  // guards snapshot_ (the pointer, not the catalog)
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex ingest_mu_;  // one ingest / reload at a time
};

}  // namespace credmatch::engine::api
