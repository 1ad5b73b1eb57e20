// FlatIndex is the oracle for every other index, so it is itself checked against the most
// naive search possible: score everything in double precision, sort, take k.
#include "index/flat_index.h"

#include <gtest/gtest.h>

#include "tests/vector_data.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "base/error.h"

namespace credmatch::index {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

using testing_util::random_unit_vectors;

struct Scored {
  double score;
  int64_t id;
};

// All base vectors ranked for one query: score (double precision) descending, then id.
std::vector<Scored> naive_ranking(const std::vector<float>& base, int dim, const float* query) {
  std::vector<Scored> all;
  const int64_t n = static_cast<int64_t>(base.size()) / dim;
  for (int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < dim; ++j) s += double{base[static_cast<size_t>(i * dim + j)]} * query[j];
    all.push_back({s, i});
  }
  std::sort(all.begin(), all.end(), [](const Scored& a, const Scored& b) {
    return a.score > b.score || (a.score == b.score && a.id < b.id);
  });
  return all;
}

// Checks every row of `r` against the naive ranking: same scores (within float rounding), and
// the same ids wherever the naive scores are not within rounding of a neighbour's.
void expect_exact(const SearchResult& r, const std::vector<float>& base, int dim,
                  const std::vector<float>& queries, int k) {
  const int64_t nq = static_cast<int64_t>(queries.size()) / dim;
  const int64_t size = static_cast<int64_t>(base.size()) / dim;
  ASSERT_EQ(r.k, k);
  ASSERT_EQ(r.ids.size(), static_cast<size_t>(nq * k));
  ASSERT_EQ(r.scores.size(), static_cast<size_t>(nq * k));
  constexpr double kTol = 1e-5;
  for (int64_t q = 0; q < nq; ++q) {
    const std::vector<Scored> naive = naive_ranking(base, dim, queries.data() + q * dim);
    for (int64_t j = 0; j < k; ++j) {
      const size_t at = static_cast<size_t>(q * k + j);
      if (j >= size) {
        EXPECT_EQ(r.ids[at], -1) << "query " << q << " rank " << j;
        EXPECT_EQ(r.scores[at], kNegInf) << "query " << q << " rank " << j;
        continue;
      }
      EXPECT_NEAR(r.scores[at], naive[j].score, kTol) << "query " << q << " rank " << j;
      const bool near_prev = j > 0 && naive[j - 1].score - naive[j].score < kTol;
      const bool near_next = j + 1 < size && naive[j].score - naive[j + 1].score < kTol;
      if (!near_prev && !near_next) {
        EXPECT_EQ(r.ids[at], naive[j].id) << "query " << q << " rank " << j;
      }
    }
  }
}

TEST(FlatIndex, ReturnsExactTopKForSingleQueries) {
  constexpr int kDim = 32;
  const std::vector<float> base = random_unit_vectors(2000, kDim, 1);
  const std::vector<float> queries = random_unit_vectors(20, kDim, 2);
  FlatIndex index(kDim);
  index.add(2000, base);
  for (int k : {1, 5, 17}) {
    SCOPED_TRACE("k=" + std::to_string(k));
    SearchResult all;
    all.k = k;
    for (int64_t q = 0; q < 20; ++q) {
      const SearchResult r =
          index.search(1, std::span<const float>(queries).subspan(q * kDim, kDim), k, {});
      all.ids.insert(all.ids.end(), r.ids.begin(), r.ids.end());
      all.scores.insert(all.scores.end(), r.scores.begin(), r.scores.end());
    }
    expect_exact(all, base, kDim, queries, k);
  }
}

TEST(FlatIndex, ReturnsExactTopKForBatchesSpanningSeveralBlocks) {
  // More than one 4096-vector base block and one 256-query block.
  constexpr int kDim = 16;
  const std::vector<float> base = random_unit_vectors(5000, kDim, 3);
  const std::vector<float> queries = random_unit_vectors(300, kDim, 4);
  FlatIndex index(kDim);
  index.add(3000, std::span<const float>(base).first(3000 * kDim));
  index.add(2000, std::span<const float>(base).subspan(3000 * kDim));
  for (int k : {1, 10}) {
    SCOPED_TRACE("k=" + std::to_string(k));
    expect_exact(index.search(300, queries, k, {}), base, kDim, queries, k);
  }
}

TEST(FlatIndex, BatchesOfOddShapeAreExactWithAnyThreadCount) {
  // 4,201 x 515 floats = 8.3 MiB: two shards with every core, one with threads = 1; 9 queries
  // (query groups 4 + 4 + 1); k = 256 as the matcher asks, and k above size().
  constexpr int kDim = 515;
  constexpr int64_t kN = 4201;
  static_assert(kN * kDim * 4 >= int64_t{8} << 20);
  const std::vector<float> base = random_unit_vectors(kN, kDim, 11);
  const std::vector<float> queries = random_unit_vectors(9, kDim, 12);
  FlatIndex index(kDim);
  index.add(kN, base);
  for (int k : {1, 256, static_cast<int>(kN) + 5}) {
    SCOPED_TRACE("k=" + std::to_string(k));
    const SearchResult all_cores = index.search(9, queries, k, {});
    const SearchResult one_thread = index.search(9, queries, k, {.threads = 1});
    expect_exact(one_thread, base, kDim, queries, k);
    EXPECT_EQ(all_cores.ids, one_thread.ids);
    EXPECT_EQ(all_cores.scores, one_thread.scores);
  }
}

TEST(FlatIndex, PadsWithMinusOneWhenKExceedsSize) {
  constexpr int kDim = 8;
  const std::vector<float> base = random_unit_vectors(5, kDim, 5);
  const std::vector<float> queries = random_unit_vectors(3, kDim, 6);
  FlatIndex index(kDim);
  index.add(5, base);
  expect_exact(index.search(1, std::span<const float>(queries).first(kDim), 9, {}), base, kDim,
               std::vector<float>(queries.begin(), queries.begin() + kDim), 9);
  expect_exact(index.search(3, queries, 9, {}), base, kDim, queries, 9);
}

TEST(FlatIndex, EmptyIndexReturnsOnlyPadding) {
  FlatIndex index(4);
  const std::vector<float> query = {1, 0, 0, 0, 0, 1, 0, 0};
  for (int64_t n : {1, 2}) {
    const SearchResult r = index.search(n, std::span<const float>(query).first(n * 4), 3, {});
    EXPECT_EQ(r.ids, std::vector<int64_t>(n * 3, -1));
    EXPECT_EQ(r.scores, std::vector<float>(n * 3, kNegInf));
  }
  EXPECT_TRUE(index.search(0, {}, 3, {}).ids.empty());
}

TEST(FlatIndex, BreaksTiesBySmallerIdFirst) {
  // Components 0.5 make every inner product exact, so ties are real ties in both paths.
  const std::vector<float> a = {0.5f, 0.5f, 0.5f, 0.5f};
  const std::vector<float> b = {0.5f, -0.5f, 0.5f, -0.5f};
  std::vector<float> base;
  for (int i = 0; i < 10; ++i)
    base.insert(base.end(), (i % 3 == 0) ? a.begin() : b.begin(), (i % 3 == 0) ? a.end() : b.end());
  FlatIndex index(4);
  index.add(10, base);
  const SearchResult one = index.search(1, a, 6, {});
  EXPECT_EQ(one.ids, (std::vector<int64_t>{0, 3, 6, 9, 1, 2}));
  EXPECT_EQ(one.scores, (std::vector<float>{1, 1, 1, 1, 0, 0}));
  std::vector<float> two = a;
  two.insert(two.end(), b.begin(), b.end());
  const SearchResult batch = index.search(2, two, 4, {});
  EXPECT_EQ(batch.ids, (std::vector<int64_t>{0, 3, 6, 9, 1, 2, 4, 5}));
}

TEST(FlatIndex, RanksNanScoresBelowNumbers) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  FlatIndex index(2);
  index.add(3, std::vector<float>{nan, 0, 1, 0, -1, 0});
  const SearchResult r = index.search(1, std::vector<float>{1, 0}, 3, {});
  EXPECT_EQ(r.ids[0], 1);
  EXPECT_EQ(r.ids[1], 2);
  EXPECT_EQ(r.ids[2], 0);
}

TEST(FlatIndex, ExposesStoredVectorsForRescoring) {
  const std::vector<float> base = random_unit_vectors(7, 3, 7);
  FlatIndex index(3);
  index.add(7, base);
  EXPECT_EQ(index.size(), 7);
  EXPECT_EQ(index.dim(), 3);
  EXPECT_EQ(index.factory_string(), "Flat");
  EXPECT_TRUE(std::equal(base.begin(), base.end(), index.vectors().begin(), index.vectors().end()));
  EXPECT_EQ(index.vector(4)[2], base[4 * 3 + 2]);
}

TEST(FlatIndex, ThrowsOnCallerMistakes) {
  EXPECT_THROW(FlatIndex(0), Error);
  EXPECT_THROW(FlatIndex(-3), Error);
  FlatIndex index(4);
  const std::vector<float> v(8, 0.5f);
  EXPECT_THROW(index.add(3, v), Error);
  EXPECT_THROW(index.add(-1, v), Error);
  index.add(2, v);
  EXPECT_THROW((void)index.search(1, v, 0, {}), Error);
  EXPECT_THROW((void)index.search(1, v, -2, {}), Error);
  EXPECT_THROW((void)index.search(3, v, 1, {}), Error);
  EXPECT_THROW((void)index.search(1, std::span<const float>(v).first(3), 1, {}), Error);
  EXPECT_THROW((void)index.vector(-1), Error);
  EXPECT_THROW((void)index.vector(2), Error);
  try {
    (void)index.search(1, v, 1, {});
    FAIL() << "expected credmatch::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("queries.size()=8"), std::string::npos) << e.what();
  }
}

TEST(FlatIndex, ConcurrentConstSearchesGiveIdenticalResults) {
  constexpr int kDim = 32;
  const std::vector<float> base = random_unit_vectors(3000, kDim, 8);
  const std::vector<float> queries = random_unit_vectors(16, kDim, 9);
  FlatIndex index(kDim);
  index.add(3000, base);
  const FlatIndex& shared = index;
  const SearchResult batch = shared.search(16, queries, 10, {});
  const SearchResult single = shared.search(1, std::span<const float>(queries).first(kDim), 10, {});
  std::vector<SearchResult> batches(4), singles(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 5; ++rep) {
        batches[t] = shared.search(16, queries, 10, {});
        singles[t] = shared.search(1, std::span<const float>(queries).first(kDim), 10, {});
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (size_t t = 0; t < 4; ++t) {
    EXPECT_EQ(batches[t].ids, batch.ids);
    EXPECT_EQ(batches[t].scores, batch.scores);
    EXPECT_EQ(singles[t].ids, single.ids);
    EXPECT_EQ(singles[t].scores, single.scores);
  }
}

}  // namespace
}  // namespace credmatch::index
