// RelevanceModel: a linear score over a few text features of (job, credential) pairs
// (relevance/features.h) with its calibration, fitted on labelled jobs (relevance/training.h)
// and saved as JSON (docs/quality.md, "Employer task"):
//
//   score(j, c)   = Σ_k a_k f_k(j, c) + b           (raw feature scale; higher is better)
//   P(relevant)   = σ(pair_a · score + pair_b)        (Platt scaling, Platt 1999)
//   P(top-1 good) = σ(top1_s1 · s1 + top1_gap · (s1 − s2) + top1_bias)
//                   s1, s2: the job's best and second-best scores; below a threshold (0.3 in
//                   docs/quality.md) a front end can answer "no good match".
//
// The weights a_k are learned on standardised features (mean 0, sd 1 over the training pairs)
// and stored on the raw scale together with the standardisation (mean, sd, standardised
// weight), so score() needs no standardisation; b = −Σ_k a_k mean_k puts an average pair at 0.
//
// RelevanceScorer scores every credential of a CredentialProfiles for one job in one pass: the
// dense features collapse into ONE inner product of the job's [E(T), Jm, E(Wj)] (3 · dim) with
// a per-credential 3 · dim vector precomputed from the profiles and the weights; the others
// (lexical ones from their inverted indexes, best-requirement and per-job standardised ones)
// are computed for the job and added.
//
// Thread safety: both classes are immutable after construction; their const methods are safe
// from several threads.
//
// Usage:
//   Result<RelevanceModel> m = RelevanceModel::load("relevance_model.json");
//   RelevanceScorer scorer(profiles, *m);                 // profiles: CredentialProfiles
//   std::vector<float> s = scorer.score_all(make_job_profile(job, encoder));
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "relevance/credential_profiles.h"
#include "relevance/features.h"

namespace credmatch::engine {

inline constexpr char kRelevanceModelFormat[] = "credmatch-relevance-model";
inline constexpr int kRelevanceModelVersion = 1;

struct RelevanceFeatureWeight {
  std::string name;                  // relevance/features.h
  double weight = 0.0;               // a_k, raw scale
  double mean = 0.0, sd = 1.0;       // standardisation of the training pairs
  double standardised_weight = 0.0;  // a_k · sd_k
};

/// How the model was fitted (provenance, saved with it).
struct RelevanceTrainingInfo {
  std::string data;          // e.g. "data/eval/employer_dev.jsonl.gz"
  int64_t jobs = 0;          // labelled jobs fitted on
  int64_t credentials = 0;   // credentials of the catalog
  std::string loss = "set";  // relevance/listwise.h
  double l2 = 0.01;
  int candidates = 0;        // training list length per job (0: every credential)
  int iterations = 0;        // L-BFGS iterations
  double final_loss = 0.0;
  int folds = 0;             // folds of the out-of-fold scores the calibration was fitted on
};

class RelevanceModel {
 public:
  std::vector<RelevanceFeatureWeight> features;
  double bias = 0.0;
  double pair_a = 1.0, pair_b = 0.0;                     // P(relevant) of a pair
  double top1_s1 = 1.0, top1_gap = 0.0, top1_bias = 0.0;  // P(top-1 relevant)
  std::string encoder_id;  // the encoder the features were computed with
  RelevanceTrainingInfo training;

  std::vector<std::string> feature_names() const;
  /// Σ a_k f_k + b for one pair; values[k] is feature k's value (features order). Throws
  /// credmatch::Error on a size mismatch.
  double score(std::span<const double> values) const;
  /// Scores of every credential of a PairFeatures holding (at least) the model's features.
  std::vector<float> score_table(const PairFeatures& table) const;
  double probability(double score) const;
  double top1_probability(double s1, double s2) const;

  /// 16 hex digits: FNV-1a 64 of the JSON without its "fingerprint" field. Two fits with the
  /// same data and settings have the same fingerprint.
  std::string fingerprint() const;
  /// Pretty JSON (2-space indent; doubles round-trip exactly), with the fingerprint.
  std::string to_json() const;
  /// kInvalidArgument naming the field for anything malformed, kMismatch for another format
  /// or version, an unknown feature, or a fingerprint that does not match the content.
  static Result<RelevanceModel> from_json(std::string_view text, const std::string& source);
  Status save(const std::string& path) const;
  static Result<RelevanceModel> load(const std::string& path);
};

class RelevanceScorer {
 public:
  /// `profiles` must outlive the scorer. Throws credmatch::Error if the model was fitted with
  /// another encoder than the profiles' (unless the model's encoder_id is empty) or names an
  /// unknown feature.
  RelevanceScorer(const CredentialProfiles& profiles, const RelevanceModel& model);

  /// Raw scores (RelevanceModel::score) of every credential, N values in profile order, on at
  /// most `threads` threads (0: the pool's workers and the caller).
  std::vector<float> score_all(const JobProfile& job, int threads = 0) const;
  const RelevanceModel& model() const { return model_; }
  /// model().fingerprint(), computed once (every match response names it).
  const std::string& fingerprint() const { return fingerprint_; }
  /// The job profile parts the model's features read (make_job_profile's `parts`).
  const JobProfileParts& job_parts() const { return job_parts_; }

 private:
  const CredentialProfiles& profiles_;
  RelevanceModel model_;
  std::string fingerprint_;
  std::vector<float> combined_;  // N × 3·dim: [a·(t-side) | a·(m-side) | a·(w-side)], while built
  std::vector<uint16_t> combined16_;  // the same in fp16 (index/kernels/scan_kernels.h)
  std::vector<std::string> lexical_names_;  // the features not folded into combined_
  std::vector<double> lexical_weights_;
  JobProfileParts job_parts_;
};

}  // namespace credmatch::engine
