// StreamingExactTopK equals one FlatIndex scan over the whole base, whatever the chunking
// (ties included); truth files round-trip and damaged ones are refused.
#include "index/ground_truth.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "base/error.h"
#include "index/flat_index.h"
#include "tests/test_util.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

constexpr int kDim = 24;
constexpr int kK = 7;

TEST(StreamingExactTopK, EqualsOneFlatScanForAnyChunking) {
  const int64_t n = 1500, nq = 30;
  std::vector<float> base = testing_util::clustered_unit_vectors(n, kDim, 20, 1, 5);
  // Exact duplicates across chunk borders: ties must go to the smaller id, as in FlatIndex.
  for (int64_t i : {10, 499, 500, 900}) {
    std::copy_n(base.begin(), kDim, base.begin() + i * kDim);
  }
  const std::vector<float> queries = testing_util::clustered_unit_vectors(nq, kDim, 20, 2, 5);
  FlatIndex flat(kDim);
  flat.add(n, base);
  const SearchResult want = flat.search(nq, std::vector<float>(base.begin(), base.begin() + nq * kDim), kK, {});
  const SearchResult want_q = flat.search(nq, queries, kK, {});
  for (int64_t chunk : {int64_t{1}, int64_t{5}, int64_t{500}, int64_t{777}, n}) {
    SCOPED_TRACE(chunk);
    StreamingExactTopK self(std::span<const float>(base).first(nq * kDim), nq, kDim, kK);
    StreamingExactTopK other(queries, nq, kDim, kK);
    for (int64_t start = 0; start < n; start += chunk) {
      const int64_t len = std::min(chunk, n - start);
      const auto block = std::span<const float>(base).subspan(start * kDim, len * kDim);
      self.add(len, block);
      other.add(len, block);
    }
    EXPECT_EQ(self.size(), n);
    EXPECT_EQ(self.result().ids, want.ids);
    EXPECT_EQ(other.result().ids, want_q.ids);
    for (size_t i = 0; i < want_q.scores.size(); ++i) {
      EXPECT_NEAR(other.result().scores[i], want_q.scores[i], 1e-6);
    }
  }
  // Fewer vectors than k: padded.
  StreamingExactTopK few(queries, nq, kDim, kK);
  few.add(3, std::span<const float>(base).first(3 * kDim));
  EXPECT_EQ(few.result().ids[3], -1);
}

TEST(GroundTruthFile, RoundTripsAndRefusesDamage) {
  const std::filesystem::path path = testing_util::unique_temp_path("truth.knn");
  SearchResult truth = SearchResult::padded(3, 2);
  truth.ids = {1, 2, 3, 4, 5, -1};
  truth.scores = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, -1.0f};
  ASSERT_TRUE(save_ground_truth(path.string(), truth, "enc"));
  Result<SearchResult> back = load_ground_truth(path.string(), "enc");
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ(back->k, 2);
  EXPECT_EQ(back->ids, truth.ids);
  EXPECT_EQ(back->scores, truth.scores);
  Result<SearchResult> other = load_ground_truth(path.string(), "other-encoder");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.status().code(), StatusCode::kMismatch);
  std::string bytes = testing_util::slurp(path);
  bytes[bytes.size() - 10] = static_cast<char>(bytes[bytes.size() - 10] ^ 1);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  Result<SearchResult> damaged = load_ground_truth(path.string(), "enc");
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.status().code(), StatusCode::kCorruption);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace credmatch::index
