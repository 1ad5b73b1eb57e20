// Candidate routes: an upper bound on every credential's score before any exact scoring, the
// order exact rescoring takes the credentials in, and the catalog's best competency for each
// requirement (docs/matching.md, step 3). Two routes, behind CandidateBounds:
//
//   FullScanCandidates  the catalog's index is an exact flat scan (LoadedCatalog::full_scan()):
//                       every requirement against every distinct competency vector in int8,
//                       each score with a guaranteed radius (index/bounded_int8_scan.h); every
//                       credential is bounded, so nothing is unseen. Its per-pair bounds also
//                       let exact rescoring skip pairs (BoundedPairSimilarity).
//   IndexCandidates     any other index, or CandidateSource::kIndex: the `neighbours` nearest
//                       competencies of each requirement; a credential's bound uses its
//                       retrieved similarities and, where it was not retrieved, the
//                       requirement's k-th retrieved similarity. deepen() searches deeper only
//                       the requirements whose k-th similarity still earns credit.
//
// Bounds come from CoverageScore::upper_bound(), so the routes know nothing of the formula.
// Internal to match/. Thread safety: one instance serves one match() call; its const methods
// are safe from several threads (the rescoring threads read the full scan's bounds), deepen()
// is not.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "catalog/loaded_catalog.h"
#include "index/bounded_int8_scan.h"
#include "match/coverage_score.h"
#include "match/matcher.h"
#include "match/similarity.h"

namespace credmatch::engine {

/// (upper bound on the score, credential index into LoadedCatalog::credentials()).
using BoundOrder = std::vector<std::pair<double, int32_t>>;

/// What the threshold algorithm (match/rescoring.h) needs from a candidate route.
class CandidateBounds {
 public:
  virtual ~CandidateBounds() = default;

  /// The candidates, bound descending, then credential ascending.
  const BoundOrder& order() const { return order_; }
  /// An upper bound on the score of every credential not in order() (0 when every credential
  /// is in it, or none outside it can earn credit).
  double unseen_bound() const { return unseen_bound_; }
  /// About the score the top list will end on, from the bounds alone; 0 when unknown.
  double likely_last() const { return likely_last_; }
  /// Tightens the bounds so that fewer credentials are unseen (a deeper index search) and
  /// re-sorts order(). False, changing nothing, when nothing can be tightened: credentials
  /// never rescored must then be rescored without bounds.
  virtual bool deepen() = 0;

  /// The catalog's best competency per requirement (as far as this route looked).
  const std::vector<RequirementSummary>& requirements() const { return requirements_; }
  /// Index searches made (MatchResult::index_searches); 0 for the full scan.
  int index_searches() const { return index_searches_; }

 protected:
  explicit CandidateBounds(int64_t requirements) : requirements_(size_t(requirements)) {}
  /// Sorts order_ bound descending, then credential ascending.
  void sort_order();

  BoundOrder order_;
  double unseen_bound_ = 0.0;
  double likely_last_ = 0.0;
  std::vector<RequirementSummary> requirements_;
  int index_searches_ = 0;
};

/// The full scan's buffers (about 2 MB for 20 requirements over the default catalog), reused
/// across calls: allocated per call they were mmap'ed and unmapped every time, page faults
/// included. A pool, not thread_local: the server runs requests on one I/O thread per
/// connection, so per-thread buffers would grow with the connections, not with the requests in
/// flight. Taking from and returning to the pool is thread-safe.
class PooledScanBuffers {
 public:
  struct Buffers {
    std::vector<float> lower, upper, credential_upper;
  };
  PooledScanBuffers();   // takes a free set from the pool, or a new one
  ~PooledScanBuffers();  // gives it back (the pool keeps at most 8)
  PooledScanBuffers(const PooledScanBuffers&) = delete;
  PooledScanBuffers& operator=(const PooledScanBuffers&) = delete;
  Buffers& get() const { return *buffers_; }

 private:
  std::unique_ptr<Buffers> buffers_;
};

class FullScanCandidates final : public CandidateBounds {
 public:
  /// Scans every requirement against every distinct vector of `scan` (threads: as
  /// SearchParams::threads) and bounds every credential. catalog, scan, queries and score must
  /// outlive this object. With `requirements_only`, only requirements() is filled in (the
  /// relevance ranking needs no credential bounds) and the object serves nothing else.
  FullScanCandidates(const LoadedCatalog& catalog, const index::BoundedInt8Scan& scan,
                     const RequirementVectors& queries, const CoverageScore& score, int threads,
                     bool requirements_only = false);

  /// Every credential is bounded (unseen_bound() is 0): nothing to tighten.
  bool deepen() override { return false; }

  const index::BoundedInt8Scan& scan() const { return scan_; }
  /// lower(r)[u] <= cos(requirement r, m) <= upper(r)[u] for every competency m with
  /// scan().distinct_of(m) == u (scan().distinct() entries each).
  const float* lower(int64_t r) const { return buffers_.get().lower.data() + r * distinct_; }
  const float* upper(int64_t r) const { return buffers_.get().upper.data() + r * distinct_; }

 private:
  void bound_credentials_for(int64_t r);  // one row of credential_upper
  void find_catalog_best(int64_t r, float threshold);  // requirements_[r], exactly
  void order_credentials(const CoverageScore& score);

  const LoadedCatalog& catalog_;
  const index::BoundedInt8Scan& scan_;
  const RequirementVectors& queries_;
  const int64_t distinct_;
  PooledScanBuffers buffers_;
};

class IndexCandidates final : public CandidateBounds {
 public:
  /// Searches every requirement for its config.neighbours nearest competencies (at most every
  /// competency) in the catalog's index and bounds the credentials retrieved. catalog,
  /// queries and score must outlive this object.
  IndexCandidates(const LoadedCatalog& catalog, const RequirementVectors& queries,
                  const CoverageScore& score, const MatchConfig& config);

  /// Searches 4x deeper the requirements whose k-th retrieved similarity still earns credit
  /// and that were not yet searched for every competency.
  bool deepen() override;

 private:
  void search(const std::vector<int64_t>& which, int k);
  void bound_retrieved();

  const LoadedCatalog& catalog_;
  const RequirementVectors& queries_;
  const CoverageScore& score_;
  const MatchConfig& config_;
  const int64_t n_comp_;
  // Requirement r's last search: its hits (competency, similarity), its depth (k), and
  // unseen_bound_of_[r], the most any competency it did not retrieve can score (exact index):
  // the last retrieved similarity, or nothing at all once every competency was retrieved.
  std::vector<std::vector<std::pair<int64_t, float>>> hits_of_;
  std::vector<int64_t> depth_;
  std::vector<float> unseen_bound_of_;
};

}  // namespace credmatch::engine
