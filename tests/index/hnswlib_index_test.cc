// HnswlibIndex: recall floors against the exact FlatIndex oracle (fp32 and int8 graphs, with
// and without re-ranking by a RerankIndex), ef_search per call, save -> load -> identical
// results, damaged payloads refused, factory-string parsing, concurrent searches agreeing with
// serial ones, the prefetching search against hnswlib's own, and the int8 pair kernel against
// a scalar loop.
#include "index/hnswlib_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/flat_index.h"
#include "index/index_factory.h"
#include "index/kernels/scan_kernels.h"
#include "index/rerank_index.h"
#include "tests/test_util.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

constexpr int kDim = 48;
constexpr int kK = 10;
constexpr int64_t kBase = 3000;
constexpr int64_t kQueries = 100;

struct Data {
  std::vector<float> base = testing_util::clustered_unit_vectors(kBase, kDim, 100, 1, 7);
  std::vector<float> queries = testing_util::clustered_unit_vectors(kQueries, kDim, 100, 2, 7);
  SearchResult truth;
  Data() {
    FlatIndex flat(kDim);
    flat.add(kBase, base);
    truth = flat.search(kQueries, queries, kK, {});
  }
};

const Data& data() {
  static const Data d;
  return d;
}

double recall(const SearchResult& got) {
  return testing_util::recall_at_k(got.ids, data().truth.ids, kQueries, kK);
}

std::unique_ptr<VectorIndex> built(const std::string& factory) {
  std::unique_ptr<VectorIndex> index = make_index(factory, kDim);
  // Two add() calls: the graph grows across calls.
  index->add(kBase / 3, std::span(data().base).first(kBase / 3 * kDim));
  index->add(kBase - kBase / 3, std::span(data().base).subspan(kBase / 3 * kDim));
  return index;
}

TEST(HnswlibIndex, MeetsRecallFloorsAgainstTheExactOracle) {
  struct Case {
    const char* factory;
    int ef;
    double floor;
  };
  for (const Case& c :
       {Case{"hnsw:M=16,efc=100", 64, 0.95}, Case{"hnsw:M=16,efc=100", 10, 0.6},
        Case{"hnsw:M=16,efc=100,int8", 64, 0.9},
        Case{"hnsw:M=16,efc=100,int8,rerank=4", 64, 0.95}}) {
    SCOPED_TRACE(std::string(c.factory) + " ef=" + std::to_string(c.ef));
    std::unique_ptr<VectorIndex> index = built(c.factory);
    ASSERT_EQ(index->size(), kBase);
    const SearchResult r = index->search(kQueries, data().queries, kK, {.ef_search = c.ef});
    EXPECT_GE(recall(r), c.floor);
    // Best first, and scores are the inner products of the ids found (exact for fp32 and
    // re-ranked graphs, int8 rounding otherwise).
    const bool exact = std::string(c.factory).find("int8") == std::string::npos ||
                       std::string(c.factory).find("rerank") != std::string::npos;
    for (int64_t q = 0; q < kQueries; ++q) {
      for (int j = 0; j < kK; ++j) {
        const size_t at = static_cast<size_t>(q * kK + j);
        ASSERT_GE(r.ids[at], 0);
        if (j > 0) {
          ASSERT_GE(r.scores[at - 1], r.scores[at]);
        }
        double ip = 0;
        for (int d = 0; d < kDim; ++d) {
          ip += double{data().queries[static_cast<size_t>(q * kDim + d)]} *
                data().base[static_cast<size_t>(r.ids[at] * kDim + d)];
        }
        EXPECT_NEAR(r.scores[at], ip, exact ? 1e-5 : 2e-2);
      }
    }
  }
}

TEST(HnswlibIndex, LargerEfNeverLowersRecallMuchAndReachesNearExact) {
  std::unique_ptr<VectorIndex> index = built("hnsw:M=16,efc=100");
  const double low = recall(index->search(kQueries, data().queries, kK, {.ef_search = 10}));
  const double high = recall(index->search(kQueries, data().queries, kK, {.ef_search = 400}));
  EXPECT_GE(high, low);
  EXPECT_GE(high, 0.99);
  // The default ef (64) applies when the call does not set one.
  const SearchResult by_default = index->search(kQueries, data().queries, kK, {});
  const SearchResult ef64 = index->search(kQueries, data().queries, kK, {.ef_search = 64});
  EXPECT_EQ(by_default.ids, ef64.ids);
}

// search() runs its own prefetching copy of hnswlib's searchKnn: same ids and scores in the same
// order, for fp32 and int8 graphs, with and without re-ranking (a RerankIndex over the graph),
// ef from 1 to above the base's neighbourhoods, k below and above ef, and duplicated vectors
// (equal distances, where only identical heap operations keep the same order).
TEST(HnswlibIndex, PrefetchingSearchEqualsHnswlibsSearchKnn) {
  std::vector<float> base = data().base;
  base.insert(base.end(), data().base.begin(), data().base.begin() + 200 * kDim);
  const int64_t n = kBase + 200;
  const struct {
    const char* spec;
    int rerank;
  } cases[] = {{"M=8,efc=50", 0}, {"M=16,efc=60,int8", 0}, {"M=12,efc=60,int8", 2}};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.spec) + " rerank=" + std::to_string(c.rerank));
    auto graph = std::make_unique<HnswlibIndex>(kDim, c.spec);
    HnswlibIndex* hnsw = graph.get();
    std::unique_ptr<VectorIndex> index = std::move(graph);
    if (c.rerank > 0) {
      index = std::make_unique<RerankIndex>(std::move(index), RerankOptions{.factor = c.rerank});
    }
    index->add(n, base);
    for (int ef : {1, 10, 64, 300}) {
      for (int k : {1, 10, 50}) {
        SCOPED_TRACE("ef=" + std::to_string(ef) + " k=" + std::to_string(k));
        hnsw->use_reference_search(false);
        const SearchResult ours = index->search(kQueries, data().queries, k, {.ef_search = ef});
        hnsw->use_reference_search(true);
        const SearchResult theirs = index->search(kQueries, data().queries, k, {.ef_search = ef});
        EXPECT_EQ(ours.ids, theirs.ids);
        EXPECT_EQ(ours.scores, theirs.scores);
      }
    }
  }
}

TEST(HnswlibIndex, SaveLoadGivesIdenticalResults) {
  const std::filesystem::path path = testing_util::unique_temp_path("hnsw.index");
  for (const char* factory : {"hnsw:M=8,efc=50", "hnsw:M=12,efc=60,ef=32,int8,rerank=2"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = built(factory);
    ASSERT_TRUE(save_index(path.string(), *index, "enc"));
    Result<std::unique_ptr<VectorIndex>> loaded = load_index(path.string(), kDim, "enc");
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    EXPECT_EQ((*loaded)->factory_string(), index->factory_string());
    EXPECT_EQ((*loaded)->size(), kBase);
    for (int ef : {0, 16, 100}) {
      const SearchResult a = index->search(kQueries, data().queries, kK, {.ef_search = ef});
      const SearchResult b = (*loaded)->search(kQueries, data().queries, kK, {.ef_search = ef});
      EXPECT_EQ(a.ids, b.ids);
      EXPECT_EQ(a.scores, b.scores);
    }
    // A loaded graph still takes more vectors.
    (*loaded)->add(10, std::span(data().queries).first(10 * kDim));
    EXPECT_EQ((*loaded)->size(), kBase + 10);
    const SearchResult self =
        (*loaded)->search(1, std::span(data().queries).first(kDim), 1, {.ef_search = 64});
    EXPECT_EQ(self.ids[0], kBase);
  }
  std::filesystem::remove(path);
}

TEST(HnswlibIndex, EmptyIndexSearchesPaddedAndRoundTrips) {
  HnswlibIndex index(kDim, "");
  const SearchResult r = index.search(1, std::span(data().queries).first(kDim), 3, {});
  EXPECT_EQ(r.ids, std::vector<int64_t>(3, -1));
  Result<std::unique_ptr<HnswlibIndex>> back =
      HnswlibIndex::deserialize("M=16,efc=200,ef=64", index.serialize());
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ((*back)->size(), 0);
}

TEST(HnswlibIndex, FewerVectorsThanKArePadded) {
  HnswlibIndex index(kDim, "M=8");
  index.add(3, std::span(data().base).first(3 * kDim));
  const SearchResult r = index.search(1, std::span(data().base).first(kDim), 5, {});
  EXPECT_EQ(r.ids[0], 0);
  EXPECT_EQ(r.ids[3], -1);
  EXPECT_EQ(r.ids[4], -1);
  EXPECT_TRUE(std::isinf(r.scores[4]));
}

TEST(HnswlibIndex, DamagedPayloadsAreCorruptionNotCrashes) {
  HnswlibIndex index(kDim, "M=8,efc=40");
  index.add(200, std::span(data().base).first(200 * kDim));
  const std::string good = index.serialize();
  const std::string spec = index.config().spec();
  ASSERT_TRUE(HnswlibIndex::deserialize(spec, good));
  // Truncated anywhere.
  for (size_t keep : {size_t{0}, size_t{10}, size_t{50}, good.size() / 2, good.size() - 1}) {
    Result<std::unique_ptr<HnswlibIndex>> r = HnswlibIndex::deserialize(spec, good.substr(0, keep));
    ASSERT_FALSE(r) << "kept " << keep;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
  }
  // The header is 48 bytes; node 0's level-0 list (u32 count, then links) follows it.
  const size_t header = 4 + 8 + 5 * 4 + 8 + 4 + 4;
  std::string bad_link = good;
  const uint32_t huge = 1u << 30;
  std::memcpy(bad_link.data() + header + 4, &huge, sizeof huge);
  Result<std::unique_ptr<HnswlibIndex>> r = HnswlibIndex::deserialize(spec, bad_link);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("bad links"), std::string::npos) << r.status().to_string();
  std::string bad_count = good;
  const uint32_t too_many = 1000;  // more links than 2M
  std::memcpy(bad_count.data() + header, &too_many, sizeof too_many);
  EXPECT_FALSE(HnswlibIndex::deserialize(spec, bad_count));
  // Options that disagree with the factory string.
  r = HnswlibIndex::deserialize("M=9,efc=40,ef=64", good);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(HnswlibIndex::deserialize(spec, good + "x"));
}

TEST(HnswlibIndex, FlippedByteInTheFileIsRefused) {
  const std::filesystem::path path = testing_util::unique_temp_path("hnsw_flip.index");
  HnswlibIndex index(kDim, "M=8,efc=40");
  index.add(100, std::span(data().base).first(100 * kDim));
  ASSERT_TRUE(save_index(path.string(), index, "enc"));
  std::string bytes = testing_util::slurp(path);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x04);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  Result<std::unique_ptr<VectorIndex>> r = load_index(path.string(), kDim, "enc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  std::filesystem::remove(path);
}

TEST(HnswlibIndex, ParsesAndNormalisesFactoryStrings) {
  EXPECT_EQ(make_index("hnsw:", kDim)->factory_string(), "hnsw:M=16,efc=200,ef=64");
  EXPECT_EQ(make_index("hnsw:efc=100,M=32", kDim)->factory_string(), "hnsw:M=32,efc=100,ef=64");
  EXPECT_EQ(make_index("hnsw:M=32,int8,rerank=4", kDim)->factory_string(),
            "hnsw:M=32,efc=200,ef=64,int8,rerank=4");
  EXPECT_EQ(make_index("hnsw:rerank=8,int8", kDim)->factory_string(),
            "hnsw:M=16,efc=200,ef=64,int8,rerank=8");
  // The former spellings, still read (tests/index/index_options_test.cc: their warnings).
  EXPECT_EQ(make_index("hnsw:M=32,int8,rerank", kDim)->factory_string(),
            "hnsw:M=32,efc=200,ef=64,int8,rerank=4");
  EXPECT_EQ(make_index("hnsw:int8,rerank8", kDim)->factory_string(),
            "hnsw:M=16,efc=200,ef=64,int8,rerank=8");
  for (const char* bad :
       {"hnsw:M=1", "hnsw:M=abc", "hnsw:M", "hnsw:efc=0", "hnsw:ef=-3", "hnsw:rerank",
        "hnsw:rerank=4", "hnsw:int8,rerankx", "hnsw:int8,rerank0", "hnsw:int8,rerank=-1",
        "hnsw:int8,rerank=1025", "hnsw:int8,ondisk", "hnsw:foo", "hnsw:M=16,,efc=3"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(make_index(bad, kDim), Error);
  }
  try {
    make_index("hnsw:colour=red", kDim);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("colour=red"), std::string::npos) << e.what();
  }
}

TEST(HnswlibIndex, ConcurrentSearchesMatchSerialOnes) {
  std::unique_ptr<VectorIndex> index = built("hnsw:M=16,efc=100,int8,rerank=4");
  const SearchResult serial = index->search(kQueries, data().queries, kK, {.ef_search = 40});
  std::vector<SearchResult> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back(
        [&, t] { got[t] = index->search(kQueries, data().queries, kK, {.ef_search = 40}); });
  }
  for (std::thread& th : threads) th.join();
  for (const SearchResult& r : got) EXPECT_EQ(r.ids, serial.ids);
}

TEST(HnswlibIndex, ThrowsOnCallerMistakes) {
  HnswlibIndex index(kDim, "M=8");
  EXPECT_THROW(index.add(2, std::span(data().base).first(kDim)), Error);
  EXPECT_THROW(index.search(1, std::span(data().base).first(kDim), 0, {}), Error);
  EXPECT_THROW(HnswlibIndex(0, ""), Error);
  // Re-ranking is make_index()'s (RerankIndex), not an option of the graph itself.
  EXPECT_THROW(HnswlibIndex(kDim, "int8,rerank=4"), Error);
}

TEST(ScanKernels, PairDotProductsMatchScalarLoops) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> code(-127, 127);
  std::normal_distribution<float> normal;
  std::vector<const scan::Kernels*> sets = {&scan::generic_kernels()};
  if (scan::avx2_kernels() != nullptr) sets.push_back(scan::avx2_kernels());
  if (scan::avx512_kernels() != nullptr) sets.push_back(scan::avx512_kernels());
  if (scan::avx512_vnni_kernels() != nullptr) sets.push_back(scan::avx512_vnni_kernels());
  for (int dim : {1, 7, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 384, 512, 1000, 1280}) {
    std::vector<int8_t> a(static_cast<size_t>(dim)), b(static_cast<size_t>(dim));
    std::vector<float> x(static_cast<size_t>(dim)), y(static_cast<size_t>(dim));
    int32_t want_i = 0;
    double want_f = 0;
    for (int d = 0; d < dim; ++d) {
      a[static_cast<size_t>(d)] = static_cast<int8_t>(code(rng));
      b[static_cast<size_t>(d)] = static_cast<int8_t>(d % 5 == 0 ? 127 : code(rng));
      if (d % 7 == 0) a[static_cast<size_t>(d)] = -127;  // extremes: no saturation
      want_i += int32_t{a[static_cast<size_t>(d)]} * b[static_cast<size_t>(d)];
      x[static_cast<size_t>(d)] = normal(rng);
      y[static_cast<size_t>(d)] = normal(rng);
      want_f += double{x[static_cast<size_t>(d)]} * y[static_cast<size_t>(d)];
    }
    for (const scan::Kernels* k : sets) {
      SCOPED_TRACE(std::string(k->name) + " dim " + std::to_string(dim));
      EXPECT_EQ(k->dot_int8(a.data(), b.data(), dim), want_i);
      EXPECT_NEAR(k->dot_fp32(x.data(), y.data(), dim), want_f, 1e-4 * std::sqrt(dim));
    }
  }
}

}  // namespace
}  // namespace credmatch::index
