// Calibration of the gap thresholds (plan/gap.h) on labelled pairs built from the ESCO
// taxonomy, using only the calibration split (store/splits.h), which no encoder trains on and
// no evaluation scores. Method, split and results: docs/paths.md, "Calibrated thresholds".
//
// A pair is (requirement text, worker statement, label):
//   covered  (alternative label of skill S, preferred label of S), S in the calibration split:
//            the worker says the requirement in other words;
//   partial  (preferred label of S, preferred label of T), S and T two essential skills of the
//            same calibration-split occupation: related work, not the same skill (the shipped
//            data has no broader/narrower hierarchy);
//   missing  (preferred label of S, preferred label of U), S and U calibration-split skills that
//            share no occupation (essential or optional) at all.
// Each label is sampled (fixed seed) to the same size n, the smallest of the three.
//
// With s = cos(requirement, statement) under the catalog's encoder:
//   covered_threshold = the threshold of best F1 for "covered" against partial + missing;
//   partial_threshold = the threshold of best Youden J (recall - false positive rate) for
//                       covered + partial against missing, capped just below covered_threshold.
//                       (F1 would favour accepting everything here: with 2n positives against n
//                       negatives, "all related" already scores F1 = 0.8.)
// Ties go to the higher threshold. Candidate thresholds are the midpoints between adjacent
// distinct scores, so a perfectly separable set gets a threshold strictly between the classes.
//
// Thread safety: plain functions without shared state; the encoder must be safe to call
// (Encoder::encode is const and thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "encode/encoder.h"
#include "plan/gap.h"

namespace credmatch::engine {


enum class PairLabel { kCovered, kPartial, kMissing };
std::string_view to_string(PairLabel label);

struct CalibrationPair {
  std::string requirement;  // what the job asks
  std::string held;         // what the worker says
  PairLabel label = PairLabel::kMissing;
};

/// Skills and occupations (with their skill-linked requirements) to draw pairs from.
struct CalibrationData {
  std::vector<Skill> skills;
  std::vector<Job> occupations;
};

/// Reads a skills file and an occupations (jobs) file in the ingest formats (docs/formats.md,
/// e.g. data/skills_esco.jsonl.gz, data/occupations_esco.jsonl.gz). Errors are parse_input()'s:
/// "FILE:LINE: FIELD: REASON".
Result<CalibrationData> load_calibration_data(const std::string& skills_path,
                                              const std::string& occupations_path);

struct GapCalibrationConfig {
  uint64_t seed = 42;  // pair sampling
  /// Items of the calibration split only (the default, and the documented method). Off only for
  /// tiny test fixtures whose handful of items would leave the split empty.
  bool calibration_split_only = true;
  /// At least this many pairs per label, else calibration fails (too little data to fit).
  int min_pairs_per_label = 20;
  void validate() const;  // throws credmatch::Error naming the field
};

/// The labelled pairs (balanced, deterministic for a seed and data, independent of file order).
std::vector<CalibrationPair> build_calibration_pairs(const CalibrationData& data,
                                                     const GapCalibrationConfig& config);

/// Precision / recall / F1 of "score >= threshold" as positive.
struct ThresholdPoint {
  float threshold = 0.0f;
  int64_t tp = 0, fp = 0, fn = 0, tn = 0;
  double precision = 0.0;  // tp / (tp + fp); 0 when nothing is predicted positive
  double recall = 0.0;     // tp / (tp + fn)
  double f1 = 0.0;
  double youden = 0.0;  // Youden's J: recall - fp / (fp + tn)
};

ThresholdPoint evaluate_threshold(std::span<const float> positives,
                                  std::span<const float> negatives, float threshold);

/// The threshold of best F1 (ties: the higher threshold) among the midpoints between adjacent
/// distinct scores of both lists (and just above the highest). Throws credmatch::Error when
/// either list is empty.
ThresholdPoint best_f1_threshold(std::span<const float> positives,
                                 std::span<const float> negatives);

/// As best_f1_threshold, maximising Youden's J (recall - false positive rate) instead.
ThresholdPoint best_youden_threshold(std::span<const float> positives,
                                     std::span<const float> negatives);

struct GapCalibration {
  float covered_threshold = 0.0f;
  float partial_threshold = 0.0f;
  std::string encoder_id;
  uint64_t seed = 0;
  std::string split;  // "calibration" or "all" (tests)
  int64_t pairs_per_label = 0;
  ThresholdPoint covered;       // covered vs partial + missing, at covered_threshold
  ThresholdPoint related;       // covered + partial vs missing, at partial_threshold (max J)
  bool partial_capped = false;  // best F1 threshold was >= covered_threshold
  /// Rows at the chosen values and neighbours (-0.10, -0.05, -0.02, +0.02, +0.05, +0.10).
  std::vector<ThresholdPoint> covered_table, related_table;
  /// confusion[label][status]: pairs of each label classified covered / partial / missing.
  int64_t confusion[3][3] = {};
  /// Mean similarity per label.
  double mean_similarity[3] = {};
  double seconds = 0.0;
};

/// Builds the pairs, encodes them with `encoder` and fits both thresholds. Fails with
/// kInvalidArgument when a label has fewer than config.min_pairs_per_label pairs.
Result<GapCalibration> calibrate_gap(const Encoder& encoder, const CalibrationData& data,
                                     const GapCalibrationConfig& config);

/// Writes DIR/gap_thresholds.json (the thresholds, encoder id, method and P/R/F1).
Status save_gap_calibration(const std::string& dir, const GapCalibration& calibration);

/// The whole calibration of a catalog directory: loads its encoder, reads
/// DATA_DIR/skills_esco.jsonl.gz and DATA_DIR/occupations_esco.jsonl.gz, calibrates and, unless
/// `dry_run`, saves CATALOG_DIR/gap_thresholds.json. Used by `credmatch build` (shipped data)
/// and `credmatch calibrate-gap`.
Result<GapCalibration> calibrate_catalog_dir(const std::string& catalog_dir,
                                             const std::string& data_dir,
                                             const GapCalibrationConfig& config, bool dry_run);

/// The thresholds gap and path use for a catalog, and where they came from.
struct GapThresholds {
  float covered = GapConfig{}.covered_threshold;
  float partial = GapConfig{}.partial_threshold;
  bool calibrated = false;
  std::string note;  // "calibrated on 1,323 pairs per label ..." or why the defaults are used
};

/// Reads DIR/gap_thresholds.json. Absent: the documented defaults with a note saying so. Written
/// for another encoder than `encoder_id`: the defaults, with a note to recalibrate. Malformed:
/// kInvalidArgument naming the file and field.
Result<GapThresholds> load_gap_thresholds(const std::string& dir, const std::string& encoder_id);

}  // namespace credmatch::engine
