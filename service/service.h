// Service: the JSON API over one catalog directory, with input limits and validation
// (service/request.h) and the same JSON as the CLI (service/json.h). The bodies of POST
// /v1/match, /v1/gap and /v1/path are a job and a profile in the JSON of the CLI's --job and
// --profile files (docs/formats.md, docs/paths.md). A bad request throws ApiError carrying an
// HTTP status, the offending field as a JSON path and a message.
//
// Thread safety: every method may be called from several threads at once, and reload() swaps
// the catalog atomically while requests run (each request keeps the catalog it started with).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/build.h"
#include "catalog/loaded_catalog.h"
#include "service/request.h"

namespace credmatch::engine::api {

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
  /// taxonomy skills and occupations for q (character n-gram TF-IDF over their labels and
  /// titles, text/lexical.h CharTfidfRanker).
  /// `kinds` filters: any of "competencies", "skills", "occupations"; empty = all.
  json search(std::string_view q, int k, const std::vector<std::string>& kinds = {}) const;
  /// GET /v1/occupations?q=&k=: occupations whose titles match q (character n-gram TF-IDF), with their
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
