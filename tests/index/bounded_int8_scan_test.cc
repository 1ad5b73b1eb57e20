// BoundedInt8Scan: the radius must contain the exact inner product for every pair (the matcher's
// exactness rests on it), be small enough to prune, and identical rows must be scored once.
#include "index/bounded_int8_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/error.h"
#include "index/kernels/scan_kernels.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

double exact_dot(const float* a, const float* b, int dim) {
  double s = 0.0;
  for (int j = 0; j < dim; ++j) s += double(a[j]) * b[j];
  return s;
}

TEST(BoundedInt8Scan, RadiusContainsTheExactScoreOfEveryPair) {
  for (int dim : {1, 7, 64, 300, 1280}) {
    SCOPED_TRACE("dim " + std::to_string(dim));
    const int64_t n = 200;
    std::vector<float> rows = testing_util::clustered_unit_vectors(n, dim, 5, 1, 2);
    // Not unit, a zero row, one large component (a coarse scale for the rest of its row).
    for (int j = 0; j < dim; ++j) rows[size_t(j)] *= 3.0f;
    std::fill(rows.begin() + dim, rows.begin() + 2 * dim, 0.0f);
    rows[size_t(2 * dim)] = 50.0f;
    const int64_t nq = 17;  // more than one panel group of queries
    std::vector<float> queries = testing_util::clustered_unit_vectors(nq, dim, 5, 3, 2);
    std::copy(rows.begin() + 5 * dim, rows.begin() + 6 * dim, queries.begin());  // a row itself
    std::fill(queries.begin() + dim, queries.begin() + 2 * dim, 0.0f);           // a zero query

    const BoundedInt8Scan scan(rows.data(), n, dim);
    ASSERT_EQ(scan.size(), n);
    std::vector<float> lower(size_t(nq * scan.distinct())), upper(lower.size());
    scan.score(queries.data(), nq, lower.data(), upper.data(), 1);
    const auto& kernels = scan::active_kernels();
    double worst_error = 0.0, widest = 0.0;
    for (int64_t q = 0; q < nq; ++q) {
      for (int64_t i = 0; i < n; ++i) {
        const size_t at = size_t(q * scan.distinct() + scan.distinct_of(i));
        const float* qv = queries.data() + q * dim;
        const float* row = rows.data() + i * dim;
        const double exact = exact_dot(qv, row, dim);
        ASSERT_LE(lower[at], exact) << "query " << q << " row " << i;
        ASSERT_GE(upper[at], exact) << "query " << q << " row " << i;
        // Also any fp32 computation of the same pair (the matcher's rescoring).
        const float fp32 = kernels.dot_fp32(qv, row, dim);
        ASSERT_LE(lower[at], fp32) << "query " << q << " row " << i;
        ASSERT_GE(upper[at], fp32) << "query " << q << " row " << i;
        if (i >= 3) {  // the unit rows
          const double mid = 0.5 * (double(lower[at]) + upper[at]);
          worst_error = std::max(worst_error, std::abs(exact - mid));
          if (q >= 2) widest = std::max(widest, 0.5 * (double(upper[at]) - lower[at]));
        }
      }
    }
    // Tight enough to prune: unit vectors get a radius of a few hundredths at most.
    EXPECT_LT(widest, dim == 1 ? 1e-5 : 0.06);
    EXPECT_LE(worst_error, widest);
  }
}

TEST(BoundedInt8Scan, ScoresIdenticalRowsOnce) {
  const int dim = 33;
  std::vector<float> rows = testing_util::random_unit_vectors(6, dim, 4);
  // Rows 3 and 5 repeat row 1; row 4 repeats row 0.
  std::copy(rows.begin() + dim, rows.begin() + 2 * dim, rows.begin() + 3 * dim);
  std::copy(rows.begin() + dim, rows.begin() + 2 * dim, rows.begin() + 5 * dim);
  std::copy(rows.begin(), rows.begin() + dim, rows.begin() + 4 * dim);
  const BoundedInt8Scan scan(rows.data(), 6, dim);
  EXPECT_EQ(scan.size(), 6);
  EXPECT_EQ(scan.distinct(), 3);
  EXPECT_EQ(scan.distinct_of(3), scan.distinct_of(1));
  EXPECT_EQ(scan.distinct_of(5), scan.distinct_of(1));
  EXPECT_EQ(scan.distinct_of(4), scan.distinct_of(0));
  EXPECT_NE(scan.distinct_of(2), scan.distinct_of(0));
  EXPECT_EQ(scan.first_row(scan.distinct_of(5)), 1);
  EXPECT_EQ(scan.first_row(scan.distinct_of(4)), 0);
}

TEST(BoundedInt8Scan, ShardedScoresEqualSingleThreadedOnes) {
  // Big enough for several shards (scan::kMinShardBytes of panels each).
  const int dim = 512;
  const int64_t n = 3 * scan::kMinShardBytes / dim + 77;
  const std::vector<float> rows = testing_util::random_unit_vectors(n, dim, 8);
  const std::vector<float> queries = testing_util::random_unit_vectors(5, dim, 9);
  const BoundedInt8Scan scan(rows.data(), n, dim);
  std::vector<float> l1(size_t(5 * scan.distinct())), u1(l1.size()), l4(l1.size()), u4(l1.size());
  scan.score(queries.data(), 5, l1.data(), u1.data(), 1);
  scan.score(queries.data(), 5, l4.data(), u4.data(), 4);
  EXPECT_EQ(l1, l4);
  EXPECT_EQ(u1, u4);
}

TEST(BoundedInt8Scan, RejectsABadShape) {
  const float row[2] = {1.0f, 0.0f};
  EXPECT_THROW(BoundedInt8Scan(row, 1, 0), Error);
  EXPECT_THROW(BoundedInt8Scan(row, -1, 2), Error);
}

}  // namespace
}  // namespace credmatch::index
