// Request validation for the JSON API (service/service.h): errors carrying an HTTP status and
// the offending field, input limits, body parsing, typed field getters, and turning a request's
// job, worker and thresholds into engine inputs. Every check names the field as a JSON path
// ("job.requirements[3].text").
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/status.h"
#include "plan/gap.h"
#include "plan/gap_calibration.h"
#include "plan/profile.h"
#include "store/catalog_store.h"
#include "store/records.h"

namespace credmatch::engine::api {

using nlohmann::json;

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
// Fields (each throws ApiError 400 naming the field)

/// Throws ApiError 400 with message "FIELD: REASON" (or REASON when field is empty).
[[noreturn]] void bad(const std::string& field, const std::string& reason);
/// Turns an engine message "SOURCE: FIELD: REASON" or "FIELD: REASON" into an ApiError whose
/// field is `prefix` + FIELD ("job.requirements[3].text"); status 0 = http_status(s.code()).
[[noreturn]] void fail_status(const Status& s, const std::string& source, const std::string& prefix,
                              int status = 0);
/// "null", "an object", "an array", "a string", "a boolean" or "a number".
const char* type_name(const json& v);
/// Rejects a field of `obj` not in `known`.
void check_known(const json& obj, std::initializer_list<const char*> known);
/// The field, or nullptr when absent or null.
const json* field(const json& obj, const char* name);
std::optional<double> get_number(const json& obj, const char* name, double lo, double hi);
std::optional<int> get_int(const json& obj, const char* name, int lo, int hi);
std::optional<std::string> get_string(const json& obj, const char* name, size_t max_bytes,
                                      bool allow_empty = false);
std::optional<bool> get_bool(const json& obj, const char* name);

// ---------------------------------------------------------------------------------------------
// Engine inputs

/// The job of a request: exactly one of "job" (object), "text" (posting) or "occupation"
/// (looked up in `store`), within `limits`.
Job request_job(const json& req, const CatalogStore& store, const Limits& limits);

/// The worker of a request and the field it came from ("profile" or "skills").
struct RequestProfile {
  WorkerProfile profile;
  std::string prefix;
};
/// Exactly one of "profile" (object) or "skills" (string "a; b" or array), within `limits`.
RequestProfile request_profile(const json& req, const Limits& limits);

/// The catalog's gap thresholds overridden by the request's "covered_threshold" /
/// "partial_threshold"; `source` receives where they came from.
GapConfig request_gap_config(const json& req, const GapThresholds& catalog_thresholds,
                             GapThresholds* source);

}  // namespace credmatch::engine::api
