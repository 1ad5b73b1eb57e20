// GapAnalyzer: how far a worker (plan/profile.h) is from a job. Every requirement of the job
// is classified covered / partial / missing by the similarity of the best statement the worker
// holds, and the catalog is asked whether any credential could cover it at all.
//
//   held(w)      = w's skill statements, labels of w's taxonomy skills, and the matchable
//                  competencies of every credential w completed
//   s(r)         = max over h in held(w) of cos(r, h)          (encoder of the catalog)
//   status(r)    = covered if s >= covered_threshold, partial if s >= partial_threshold,
//                  else missing
//   credit(r)    = 1 (covered); partial: 0.5 · (s − partial) / (covered − partial), from 0 at
//                  the partial threshold to half at the covered one; 0 (missing)
//   coverage     = sum_r w_r credit(r) / sum_r w_r,   w = essential_weight or optional_weight
//
// The front ends use the thresholds calibrated for the catalog's encoder at build time
// (plan/gap_calibration.h, `credmatch calibrate-gap`, docs/paths.md); the defaults below apply
// when a catalog has no calibration.
//
// Thread safety: analyze() is const and safe to call from several threads on one analyzer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "catalog/loaded_catalog.h"
#include "plan/profile.h"

namespace credmatch::engine {

struct GapConfig {
  float covered_threshold = 0.6f;  // uncalibrated default; s >= this: the worker meets it
  float partial_threshold = 0.35f;  // uncalibrated default (MatchConfig::threshold)
  float essential_weight = 1.0f;
  float optional_weight = 0.5f;
  /// Most threads one index search may use (SearchParams::threads; 0 = every core): a server
  /// worker passes 1, so one request never takes another's core.
  int search_threads = 0;

  /// Throws credmatch::Error naming the first invalid field (thresholds in [-1, 1] and
  /// partial <= covered, essential_weight > 0, optional_weight >= 0).
  void validate() const;
};

enum class GapStatus { kCovered, kPartial, kMissing };
std::string_view to_string(GapStatus status);

/// The most a partial match earns (the formula above).
inline constexpr double kPartialCreditCap = 0.5;

/// Credit 0..1 for similarity `s` under `config` (the formula above).
double gap_credit(float s, const GapConfig& config);

struct RequirementGap {
  int requirement = 0;  // index into Job::requirements
  GapStatus status = GapStatus::kMissing;
  float similarity = 0.0f;     // s(r); 0 when the worker holds nothing
  double credit = 0.0;         // 0..1
  double weight = 0.0;
  std::string held_text;       // the worker's best statement; empty when none
  std::string held_source;     // "skills[0]", "skill_ids[1] (ID)", "completed CRED (COMP_ID)"
  // The catalog's best competency for r (from the index).
  float catalog_best = 0.0f;
  int64_t catalog_competency = -1;
  bool catalog_covers = false;   // some credential reaches covered_threshold
  bool catalog_partial = false;  // some credential reaches partial_threshold
};

struct GapReport {
  std::vector<RequirementGap> requirements;  // in the job's order
  double coverage = 0.0;            // weighted, 0..1
  double essential_coverage = 0.0;  // over essential requirements only (1 when there are none)
  int covered = 0, partial = 0, missing = 0;
  int uncoverable = 0;  // not covered by the worker and no catalog credential covers it
};

class GapAnalyzer {
 public:
  /// `catalog` must outlive the analyzer. Throws credmatch::Error if config is invalid.
  GapAnalyzer(const LoadedCatalog& catalog, GapConfig config);

  /// Fails with kInvalidArgument when the job has no requirement or an empty one, and with
  /// kNotFound for an unknown completed credential or taxonomy skill (naming the field).
  Result<GapReport> analyze(const Job& job, const WorkerProfile& profile) const;

  const GapConfig& config() const { return config_; }

 private:
  const LoadedCatalog& catalog_;
  GapConfig config_;
};

}  // namespace credmatch::engine
