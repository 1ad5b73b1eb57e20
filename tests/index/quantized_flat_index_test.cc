// QuantizedFlatIndex (Flat:fp16, Flat:int8), with and without re-ranking by a RerankIndex:
// recall floors against the FlatIndex oracle, single queries = the batch, save -> load ->
// identical results for every format, bad specs and inconsistent payloads refused, concurrent
// searches = serial ones.
#include "index/quantized_flat_index.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "index/flat_index.h"
#include "index/index_factory.h"
#include "tests/test_util.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

std::vector<float> clustered(int64_t n, int dim, uint32_t seed, int clusters = 200) {
  return testing_util::clustered_unit_vectors(n, dim, clusters, seed, /*centre_seed=*/11);
}

TEST(QuantizedFlatIndex, MeetsRecallFloorsAgainstFlatIndexOnClusteredData) {
  constexpr int kDim = 128;
  constexpr int64_t kN = 20'000;
  constexpr int64_t kQueries = 50;
  const std::vector<float> base = clustered(kN, kDim, 1);
  const std::vector<float> queries = clustered(kQueries, kDim, 2);
  FlatIndex flat(kDim);
  flat.add(kN, base);
  const SearchResult exact = flat.search(kQueries, queries, 10, {});
  const struct {
    const char* factory;
    double floor;
  } cases[] = {{"Flat:int8", 0.95},
               {"Flat:fp16", 0.99},
               {"Flat:int8,rerank=4", 0.99},
               {"Flat:fp16,rerank=4", 0.99}};
  for (const auto& c : cases) {
    std::unique_ptr<VectorIndex> index = make_index(c.factory, kDim);
    index->add(kN, base);
    const SearchResult r = index->search(kQueries, queries, 10, {});
    const double got = testing_util::recall_at_k(r.ids, exact.ids, kQueries, 10);
    std::printf("recall@10 %s = %.4f\n", c.factory, got);
    EXPECT_GE(got, c.floor) << c.factory;
    // Single-query calls agree with the batch (same candidates, same ranking).
    const SearchResult one = index->search(1, std::span<const float>(queries).first(kDim), 10, {});
    EXPECT_EQ(std::vector<int64_t>(one.ids.begin(), one.ids.end()),
              std::vector<int64_t>(r.ids.begin(), r.ids.begin() + 10));
    if (std::string(c.factory).find("rerank") != std::string::npos) {
      // Re-ranked scores are exact fp32 scores of the returned ids.
      for (size_t j = 0; j < 10; ++j) {
        const float* v = flat.vector(r.ids[j]);
        double s = 0;
        for (int d = 0; d < kDim; ++d) s += double{v[d]} * queries[static_cast<size_t>(d)];
        EXPECT_NEAR(r.scores[j], s, 1e-5);
      }
    }
  }
}

TEST(QuantizedFlatIndex, RoundTripsThroughSaveAndLoadToIdenticalResults) {
  constexpr int kDim = 24;
  const std::vector<float> base = clustered(700, kDim, 3, 20);
  const std::vector<float> queries = clustered(6, kDim, 4, 20);
  const std::string path = testing_util::unique_temp_path("quantized.index").string();
  for (const char* factory :
       {"Flat:fp16", "Flat:int8", "Flat:fp16,rerank=4", "Flat:int8,rerank=8"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = make_index(factory, kDim);
    EXPECT_EQ(index->factory_string(), factory);
    index->add(700, base);
    ASSERT_TRUE(save_index(path, *index, "enc"));
    Result<std::unique_ptr<VectorIndex>> loaded = load_index(path, kDim, "enc");
    ASSERT_TRUE(loaded) << loaded.status().message();
    EXPECT_EQ((*loaded)->factory_string(), factory);
    EXPECT_EQ((*loaded)->size(), 700);
    const SearchResult a = index->search(6, queries, 7, {});
    const SearchResult b = (*loaded)->search(6, queries, 7, {});
    EXPECT_EQ(a.ids, b.ids);
    EXPECT_EQ(a.scores, b.scores);
    // Empty indexes round-trip too.
    ASSERT_TRUE(save_index(path, *make_index(factory, kDim), "enc"));
    Result<std::unique_ptr<VectorIndex>> empty = load_index(path, kDim, "enc");
    ASSERT_TRUE(empty) << empty.status().message();
    EXPECT_EQ((*empty)->size(), 0);
  }
  std::filesystem::remove(path);
}

TEST(QuantizedFlatIndex, RejectsBadSpecsAndInconsistentPayloads) {
  // Re-ranking is make_index()'s (RerankIndex), not an option of the index itself.
  for (const char* spec : {"", "fp32", "int8,", "int8,fp16", "int8,rerank", "int8,rerank=4",
                           "int8,rerank0", "int8,rerankx", "fp16,foo", "int8=1"}) {
    EXPECT_THROW(QuantizedFlatIndex(8, spec), Error) << spec;
  }
  EXPECT_THROW(QuantizedFlatIndex(0, "int8"), Error);
  EXPECT_THROW((void)make_index("Flat:int4", 8), Error);
  QuantizedFlatIndex index(8, "int8");
  index.add(3, testing_util::random_unit_vectors(3, 8, 5));
  EXPECT_EQ(index.memory_bytes(), 3 * (8 + 4));
  const std::string bytes = index.serialize();
  EXPECT_TRUE(QuantizedFlatIndex::deserialize("int8", bytes));
  EXPECT_EQ(
      QuantizedFlatIndex::deserialize("int8", bytes + std::string(3 * 8 * 4, '\0')).status().code(),
      StatusCode::kCorruption);  // fp32 rows after the codes: a re-ranking index's payload
  EXPECT_EQ(QuantizedFlatIndex::deserialize("fp16", bytes).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(
      QuantizedFlatIndex::deserialize("int8", bytes.substr(0, bytes.size() - 1)).status().code(),
      StatusCode::kCorruption);
  EXPECT_EQ(QuantizedFlatIndex::deserialize("int8", bytes.substr(0, 10)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(QuantizedFlatIndex::deserialize("int4", bytes).status().code(), StatusCode::kMismatch);
  EXPECT_THROW((void)index.search(1, testing_util::random_unit_vectors(1, 8, 6), 0, {}), Error);
  EXPECT_THROW((void)index.search(1, testing_util::random_unit_vectors(1, 7, 6), 1, {}), Error);
  const SearchResult padded = index.search(1, testing_util::random_unit_vectors(1, 8, 6), 5, {});
  EXPECT_EQ(padded.ids[3], -1);
  EXPECT_EQ(padded.ids[4], -1);
}

TEST(QuantizedFlatIndex, ConcurrentConstSearchesGiveIdenticalResults) {
  constexpr int kDim = 32;
  for (const char* factory : {"Flat:int8", "Flat:int8,rerank=4"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = make_index(factory, kDim);
    index->add(3000, testing_util::random_unit_vectors(3000, kDim, 8));
    const std::vector<float> queries = testing_util::random_unit_vectors(6, kDim, 9);
    const SearchResult want = index->search(6, queries, 10, {});
    std::vector<SearchResult> got(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int rep = 0; rep < 5; ++rep) got[t] = index->search(6, queries, 10, {});
      });
    }
    for (std::thread& th : threads) th.join();
    for (const SearchResult& r : got) {
      EXPECT_EQ(r.ids, want.ids);
      EXPECT_EQ(r.scores, want.scores);
    }
  }
}

}  // namespace
}  // namespace credmatch::index
