// Fitting the relevance model (relevance/relevance_model.h) on labelled jobs, with the
// out-of-fold scores that measure it and calibrate it (docs/quality.md, "Employer task").
//
// Labelled jobs come from a JSON Lines file such as data/eval/employer_dev.jsonl.gz: one
// object per line, {"id", "soc", "title", "requirements": [texts], "relevant": [credential
// ids]}; every requirement is essential. The labels only ever fit weights and measure them:
// no feature reads them.
//
// Fit (fit_relevance_weights):
//  1. standardise every feature: mean and sd over all (job, credential) pairs of the
//     training jobs;
//  2. per training job, a list: its relevant credentials, then the best non-relevant ones by
//     an unsupervised first stage (Σ over the model's features of the per-job z-score) up to
//     `candidates` items (0: every credential);
//  3. learn the weights with the listwise set loss and L2 (relevance/listwise.h), and move
//     them to the raw scale (a_k = w_k / sd_k, b = −Σ a_k mean_k).
// Cross-validation (fit_cross_validated): folds by group (fold_of_group: the SOC code), one
// model per held-out fold, scored on that fold only (out-of-fold scores); the returned model
// is fitted on every job, and its calibration (Platt on each job's top-20 pairs, the top-1
// model on s1 and s1 − s2) is fitted on the out-of-fold scores, which look like the scores
// of jobs the model has not seen.
//
// Thread safety: pure functions of their arguments; deterministic (same input, same JSON).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "relevance/features.h"
#include "relevance/listwise.h"
#include "relevance/relevance_model.h"
#include "store/records.h"

namespace credmatch::engine {

struct LabelledJobRecord {
  Job job;                                // id, title, essential requirements
  std::string group;                      // the fold key ("soc")
  std::vector<std::string> relevant_ids;  // credential ids
};

/// Reads a labelled jobs file (gzip or plain). kNotFound if it cannot be opened,
/// kInvalidArgument "PATH:LINE: field: reason" for a malformed record (no title, no
/// requirement, no relevant id).
Result<std::vector<LabelledJobRecord>> load_labelled_jobs(const std::string& path);

/// The features `names` of every job against every credential of `profiles`, one table per
/// job, computed on the thread pool (relevance/features.h).
std::vector<PairFeatures> job_feature_tables(const CredentialProfiles& profiles,
                                             const Encoder& encoder, std::span<const Job> jobs,
                                             std::span<const std::string> names);

/// fnv1a64("fold:" + group) % folds (store/splits.h): the prototype's SOC folds.
int fold_of_group(std::string_view group, int folds);

struct RelevanceFitConfig {
  std::vector<std::string> features{kDefaultFeatures.begin(), kDefaultFeatures.end()};
  double l2 = 0.01;             // L2 on the standardised weights (of the mean loss)
  int candidates = 300;         // training list length per job (see file comment); 0 = all
  int folds = 5;                // cross-validation folds
  int calibration_depth = 20;   // Platt scaling is fitted on each job's top pairs
  int max_iterations = 1000;    // L-BFGS
  double gradient_tolerance = 1e-8;

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

/// Weights (and standardisation) fitted on the jobs `rows`; tables[j] must hold the config's
/// features, relevant[j] the credential indices relevant to job j. Calibration is left at
/// its defaults. Throws credmatch::Error on mismatched sizes or unknown features.
RelevanceModel fit_relevance_weights(std::span<const PairFeatures> tables,
                                     std::span<const std::vector<int32_t>> relevant,
                                     std::span<const int64_t> rows,
                                     const RelevanceFitConfig& config);

/// Credentials best first by score (ties: smaller index first), the first `k` (all if k <= 0).
std::vector<int32_t> rank_by_score(std::span<const float> scores, int k = 0);

/// Platt scaling P = σ(a s + b) fitted on the top `depth` pairs of each job in `rows`: {a, b}.
std::pair<double, double> fit_pair_calibration(std::span<const std::vector<float>> scores,
                                               std::span<const std::vector<int32_t>> relevant,
                                               std::span<const int64_t> rows, int depth);
/// P(top-1 relevant) = σ(c1 s1 + c2 (s1 − s2) + c0) fitted on the jobs in `rows`: {c1, c2, c0}.
std::array<double, 3> fit_top1_calibration(std::span<const std::vector<float>> scores,
                                           std::span<const std::vector<int32_t>> relevant,
                                           std::span<const int64_t> rows);

struct CrossValidatedFit {
  RelevanceModel model;                       // every job; calibrated on out-of-fold scores
  std::vector<RelevanceModel> fold_models;    // [f]: fitted without fold f
  std::vector<std::vector<float>> oof_scores;      // per job: its fold model's scores
  std::vector<std::vector<float>> in_fold_scores;  // per job: `model`'s scores
};

/// See file comment. folds[j] in [0, config.folds). Throws credmatch::Error on mismatched
/// sizes or a fold without jobs.
CrossValidatedFit fit_cross_validated(std::span<const PairFeatures> tables,
                                      std::span<const std::vector<int32_t>> relevant,
                                      std::span<const int> folds, const RelevanceFitConfig& config);

}  // namespace credmatch::engine
