// Exact rescoring with the threshold algorithm (Fagin et al. 2001; docs/matching.md, step 5):
// candidates are scored exactly in bound order until the last credential of the top list
// scores strictly above the next bound, and above the bound on credentials the route has not
// seen (else the route deepens its bounds and rescoring goes on). The top list equals scoring
// every credential, whatever the route. Internal to match/.
#pragma once

#include <cstdint>
#include <vector>

#include "match/candidates.h"
#include "match/coverage_score.h"
#include "match/exact_similarity.h"
#include "match/similarity.h"
#include "store/records.h"

namespace credmatch::engine {

/// A credential scored exactly.
struct ScoredCredential {
  int32_t credential = -1;  // index into LoadedCatalog::credentials()
  double score = 0.0;       // CoverageScore::score(best.best)
  BestCompetencies best;
};

/// The best `top` credentials kept so far, best first: score descending, then the shorter
/// credential (known hours before unknown), then the smaller index. Not thread-safe.
class TopList {
 public:
  /// credentials: LoadedCatalog::credentials(), for the hours; must outlive the list.
  TopList(const std::vector<Credential>& credentials, int top)
      : credentials_(credentials), top_(size_t(top)) {}

  /// Keeps s if it scores above 0 and ranks among the best `top`.
  void keep(ScoredCredential s);
  /// Whether a credential scoring at most next_bound can no longer enter: the list is full and
  /// its last scores strictly above next_bound (one equal to it may tie and win on the
  /// tie-break, so it still has to be rescored).
  bool settled(double next_bound) const;
  const std::vector<ScoredCredential>& entries() const { return kept_; }
  std::vector<ScoredCredential>& entries() { return kept_; }

 private:
  bool better(const ScoredCredential& a, const ScoredCredential& b) const;

  const std::vector<Credential>& credentials_;
  size_t top_;
  std::vector<ScoredCredential> kept_;  // sorted best first, at most top_
};

struct Rescored {
  std::vector<ScoredCredential> top;  // best first (TopList order)
  /// Credentials scored exactly. With several threads it may vary from run to run: a
  /// credential taken just before the list settled is still rescored.
  int64_t candidates_rescored = 0;
};

/// Rescores `candidates` in bound order with `exact` and `score` until the top list is
/// settled, calling candidates.deepen() while credentials it has not seen could still enter
/// (or before rescoring, when its unseen bound is above likely_last(): rescoring then could not
/// settle the list). threads > 1: that many tasks on the thread pool (base/thread_pool.h) take
/// the next candidate as they finish one; the list is the serial one.
Rescored rescore_until_settled(CandidateBounds& candidates, const ExactSimilarity& exact,
                               const CoverageScore& score,
                               const std::vector<Credential>& credentials, int top,
                               int64_t threads);

}  // namespace credmatch::engine
