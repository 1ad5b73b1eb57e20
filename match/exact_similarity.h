// Exact similarities of one credential: for each requirement, its best competency and their
// cosine in fp32 from the stored vectors (snapped, match/similarity.h). One implementation per
// candidate route, giving the same best competencies and scores to the bit:
//
//   AllPairsSimilarity     (index route) every requirement against every competency of the
//                          credential as a small matrix product (requirements in groups of
//                          index::scan::kMaxQueryGroup against each run of consecutive
//                          competency rows, so a row is read once per group, not once per
//                          requirement: pair by pair this was as slow as the 20 searches
//                          themselves at 1M); the best pair again with the pair kernel.
//   BoundedPairSimilarity  (full scan route) only the pairs the full scan's bounds leave open,
//                          with the pair kernel: a competency whose upper bound is below
//                          another's lower bound is not the best, and, for the score, one whose
//                          upper bound is below CoverageScore::no_credit_below() earns nothing.
//
// Internal to match/. Thread safety: best_of() and complete() are const and safe from several
// threads at once (the rescoring threads share one instance).
#pragma once

#include <cstdint>

#include "catalog/loaded_catalog.h"
#include "index/kernels/scan_kernels.h"
#include "match/candidates.h"
#include "match/coverage_score.h"
#include "match/similarity.h"

namespace credmatch::engine {

class ExactSimilarity {
 public:
  virtual ~ExactSimilarity() = default;
  /// Credential c's best competency per requirement, enough for CoverageScore::score():
  /// requirements whose best cannot earn credit may be left at kNoSimilarity / -1.
  virtual BestCompetencies best_of(int32_t c) const = 0;
  /// Fills in what best_of(c) left out, so every requirement names c's best competency (the
  /// evidence shows it covered or not). Changes no entry that earns credit.
  virtual void complete(int32_t c, BestCompetencies& best) const = 0;
};

class AllPairsSimilarity final : public ExactSimilarity {
 public:
  /// catalog and queries must outlive this object.
  AllPairsSimilarity(const LoadedCatalog& catalog, const RequirementVectors& queries);
  BestCompetencies best_of(int32_t c) const override;
  /// best_of() computes every pair: nothing to add.
  void complete(int32_t, BestCompetencies&) const override {}

 private:
  const LoadedCatalog& catalog_;
  const RequirementVectors& queries_;
  const index::scan::Kernels& kernels_;  // active_kernels(), looked up once
};

class BoundedPairSimilarity final : public ExactSimilarity {
 public:
  /// catalog, queries, bounds and score must outlive this object.
  BoundedPairSimilarity(const LoadedCatalog& catalog, const RequirementVectors& queries,
                        const FullScanCandidates& bounds, const CoverageScore& score)
      : catalog_(catalog), queries_(queries), bounds_(bounds), score_(score) {}
  BestCompetencies best_of(int32_t c) const override { return compute(c, false); }
  /// Recomputes c without skipping the pairs that earn no credit.
  void complete(int32_t c, BestCompetencies& best) const override { best = compute(c, true); }

 private:
  BestCompetencies compute(int32_t c, bool for_evidence) const;

  const LoadedCatalog& catalog_;
  const RequirementVectors& queries_;
  const FullScanCandidates& bounds_;
  const CoverageScore& score_;
};

}  // namespace credmatch::engine
