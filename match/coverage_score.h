// CoverageScore: the one place the matcher's scoring formula lives (docs/matching.md, step 4).
// A credential's score is a function of its best similarity per requirement only:
//
//   credit(r) = s_r  if s_r >= threshold, else 0   (s_r: best cosine over its competencies)
//   score     = sum_r w_r * credit(r) / sum_r w_r,   w_r = essential_weight or optional_weight
//
// The other stages see the formula only through this class: the candidate routes rank
// credentials by upper_bound() of per-requirement similarity bounds and ask earns_credit()
// before searching a requirement deeper; exact rescoring computes score() of the exact
// similarities and skips pairs below no_credit_below(). A different scorer (the planned learned
// relevance model over whole credentials) plugs in here: it must give the same four answers,
// with upper_bound(u) >= score(s) for every s <= u elementwise, or the threshold algorithm's
// top list is no longer exact.
//
// Note: with a negative threshold, credit is not monotone (a similarity in [threshold, 0)
// earns less than one below the threshold), so upper_bound() is not always a bound there.
//
// Thread safety: immutable after construction; every method is const and safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "match/matcher.h"

namespace credmatch::engine {

class CoverageScore {
 public:
  /// Weights from each requirement's importance (config's essential/optional weight).
  CoverageScore(const Job& job, const MatchConfig& config);

  int64_t requirements() const { return static_cast<int64_t>(weight_.size()); }
  /// Similarity below which a requirement is not covered.
  float threshold() const { return threshold_; }
  /// What a best similarity s adds to the weighted sum.
  double credit(float s) const { return s >= threshold_ ? static_cast<double>(s) : 0.0; }
  /// Whether a best similarity of s adds something positive to the score.
  bool earns_credit(float s) const { return credit(s) > 0.0; }
  /// A best similarity below this earns nothing, as if the requirement had no competency:
  /// pairs whose similarity is bounded below it need not be computed for the score.
  float no_credit_below() const { return threshold_; }

  /// The score, 0..1, of a credential whose best similarity for requirement r is
  /// best[r * stride] (requirements() entries; kNoSimilarity where it has none).
  double score(const float* best, size_t stride = 1) const {
    double sum = 0.0;
    for (size_t r = 0; r < weight_.size(); ++r) sum += weight_[r] * credit(best[r * stride]);
    return sum / total_weight_;
  }
  double score(std::span<const float> best) const { return score(best.data()); }
  /// An upper bound on score(s) over every s with s[r] <= best_upper[r * stride]: the
  /// threshold algorithm's bound (see the note above on negative thresholds).
  double upper_bound(const float* best_upper, size_t stride = 1) const {
    return score(best_upper, stride);
  }
  double upper_bound(std::span<const float> best_upper) const {
    return score(best_upper.data());
  }

 private:
  float threshold_;
  std::vector<double> weight_;  // per requirement
  double total_weight_ = 0.0;   // sum of weight_, or 1 when that is 0
};

}  // namespace credmatch::engine
