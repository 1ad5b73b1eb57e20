#include "match/exact_similarity.h"

#include <algorithm>
#include <vector>

namespace credmatch::engine {

AllPairsSimilarity::AllPairsSimilarity(const LoadedCatalog& catalog,
                                       const RequirementVectors& queries)
    : catalog_(catalog), queries_(queries), kernels_(index::scan::active_kernels()) {}

BestCompetencies AllPairsSimilarity::best_of(int32_t c) const {
  const std::span<const int64_t> comps = catalog_.competencies_of(c);
  const int64_t n_req = queries_.n;
  const int d = queries_.dim;
  const size_t m = comps.size();
  // scores[r * m + j]: requirement r against the credential's j-th competency.
  thread_local std::vector<float> scores, group;
  scores.resize(size_t(n_req) * m);
  for (size_t j0 = 0; j0 < m;) {
    size_t j1 = j0 + 1;
    while (j1 < m && comps[j1] == comps[j1 - 1] + 1) ++j1;
    const int64_t rows = int64_t(j1 - j0);
    const float* base = catalog_.competency_vector(comps[j0]);
    group.resize(size_t(index::scan::kMaxQueryGroup * rows));
    for (int64_t q0 = 0; q0 < n_req; q0 += index::scan::kMaxQueryGroup) {
      const int nq = int(std::min<int64_t>(index::scan::kMaxQueryGroup, n_req - q0));
      kernels_.fp32(queries_.row(q0), nq, base, rows, d, group.data());
      for (int a = 0; a < nq; ++a) {
        std::copy_n(group.data() + a * rows, rows, scores.data() + size_t(q0 + a) * m + j0);
      }
    }
    j0 = j1;
  }
  BestCompetencies e{size_t(n_req)};
  for (size_t r = 0; r < size_t(n_req); ++r) {
    for (size_t j = 0; j < m; ++j) {
      const float s = snap(scores[r * m + j]);
      if (s > e.best[r]) {
        e.best[r] = s;
        e.argbest[r] = comps[j];
      }
    }
    // The best pair again with the pair kernel, which the full scan route uses: the blocked
    // kernel sums in another order, and the two routes give the same scores to the bit.
    if (e.argbest[r] >= 0) {
      e.best[r] = snap(index::scan::dot(queries_.row(int64_t(r)),
                                        catalog_.competency_vector(e.argbest[r]), d));
    }
  }
  return e;
}

BestCompetencies BoundedPairSimilarity::compute(int32_t c, bool for_evidence) const {
  const std::span<const int64_t> comps = catalog_.competencies_of(c);
  const index::BoundedInt8Scan& scan = bounds_.scan();
  BestCompetencies e{size_t(queries_.n)};
  for (int64_t r = 0; r < queries_.n; ++r) {
    const float* q = queries_.row(r);
    // Competencies whose upper bound is below `skip_below` are not computed.
    const float* lo = bounds_.lower(r);
    const float* up = bounds_.upper(r);
    float skip_below = for_evidence ? kNoSimilarity : score_.no_credit_below();
    for (int64_t p : comps) skip_below = std::max(skip_below, lo[scan.distinct_of(p)]);
    for (int64_t p : comps) {
      if (up[scan.distinct_of(p)] < skip_below) continue;
      const float s = snap(index::scan::dot(q, catalog_.competency_vector(p), queries_.dim));
      if (s > e.best[size_t(r)]) {
        e.best[size_t(r)] = s;
        e.argbest[size_t(r)] = p;
      }
    }
  }
  return e;
}

}  // namespace credmatch::engine
