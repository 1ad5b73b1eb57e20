// RerankIndex over every index that takes it (Flat:fp16, Flat:int8, an int8 hnsw graph, ivf
// with its vectors in memory and on disk) against the exact FlatIndex oracle; save -> load ->
// identical results; rows from disk = rows from memory; batch = one by one = any thread
// count; concurrent searches; padding; damaged payloads; caller mistakes.
#include "index/rerank_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/flat_index.h"
#include "index/index_factory.h"
#include "index/kernels/scan_kernels.h"
#include "index/quantized_flat_index.h"
#include "index/vector_file.h"
#include "tests/test_util.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

constexpr int kDim = 32;
constexpr int kK = 10;
constexpr int64_t kBase = 2000;
constexpr int64_t kQueries = 40;

struct Data {
  std::vector<float> base = testing_util::clustered_unit_vectors(kBase, kDim, 60, 1, 7);
  std::vector<float> queries = testing_util::clustered_unit_vectors(kQueries, kDim, 60, 2, 7);
  SearchResult truth;
  std::string vectors_path = testing_util::unique_temp_path("rerank_rows.vec").string();
  Data() {
    FlatIndex flat(kDim);
    flat.add(kBase, base);
    truth = flat.search(kQueries, queries, kK, {});
    if (!save_vectors(vectors_path, kDim, base, "enc")) throw Error("cannot write " + vectors_path);
  }
  ~Data() { std::filesystem::remove(vectors_path); }
};

const Data& data() {
  static const Data d;
  return d;
}

// Every base that takes re-ranking, and the recall@10 floor its candidates reach.
struct Case {
  const char* factory;
  SearchParams params;
  double floor;
};
const Case kCases[] = {
    {"Flat:int8,rerank=4", {}, 0.99},
    {"Flat:fp16,rerank=4", {}, 0.99},
    {"hnsw:M=16,efc=100,int8,rerank=4", {.ef_search = 32}, 0.95},
    {"ivf:nlist=16,nprobe=6,pca=16,int8,rerank=8", {}, 0.85},
    {"ivf:nlist=16,nprobe=6,pca=16,int8,rerank=8,ondisk", {}, 0.85},
};

std::unique_ptr<VectorIndex> built(const std::string& factory) {
  std::unique_ptr<VectorIndex> index = make_index(factory, kDim);
  index->add(kBase / 2, std::span(data().base).first(kBase / 2 * kDim));
  index->add(kBase - kBase / 2, std::span(data().base).subspan(kBase / 2 * kDim));
  EXPECT_TRUE(attach_vectors_file(*index, data().vectors_path, "enc"));
  return index;
}

double recall(const SearchResult& got) {
  return testing_util::recall_at_k(got.ids, data().truth.ids, kQueries, kK);
}

TEST(RerankIndex, MatchesTheExactOracleOverEveryBase) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.factory);
    std::unique_ptr<VectorIndex> index = built(c.factory);
    EXPECT_EQ(index->factory_string().find(",rerank="), index->factory_string().rfind(",rerank="));
    const SearchResult r = index->search(kQueries, data().queries, kK, c.params);
    EXPECT_GE(recall(r), c.floor);
    for (int64_t q = 0; q < kQueries; ++q) {
      const float* query = data().queries.data() + q * kDim;
      for (int j = 0; j < kK; ++j) {
        const size_t at = static_cast<size_t>(q * kK + j);
        ASSERT_GE(r.ids[at], 0);
        // The exact inner product, computed as every exact re-scoring computes it.
        EXPECT_EQ(r.scores[at], scan::dot(query, data().base.data() + r.ids[at] * kDim, kDim));
        if (j > 0) {
          ASSERT_TRUE(r.scores[at - 1] > r.scores[at] ||
                      (r.scores[at - 1] == r.scores[at] && r.ids[at - 1] < r.ids[at]));
        }
      }
      // Where the oracle found the same id, it found the same score up to float rounding.
      for (int j = 0; j < kK; ++j) {
        for (int i = 0; i < kK; ++i) {
          const size_t got = static_cast<size_t>(q * kK + j);
          const size_t want = static_cast<size_t>(q * kK + i);
          if (data().truth.ids[want] == r.ids[got]) {
            EXPECT_NEAR(r.scores[got], data().truth.scores[want], 1e-5);
          }
        }
      }
    }
  }
}

// With a factor that makes every vector a candidate, an exhaustive base re-ranks to the
// oracle's answer.
TEST(RerankIndex, EveryVectorACandidateGivesTheOraclesIds) {
  for (const char* factory : {"Flat:int8,rerank=200", "Flat:fp16,rerank=1024"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = built(factory);
    const SearchResult r = index->search(kQueries, data().queries, kK, {});
    EXPECT_EQ(recall(r), 1.0);
  }
}

TEST(RerankIndex, SaveLoadGivesIdenticalResults) {
  const std::filesystem::path path = testing_util::unique_temp_path("rerank.index");
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.factory);
    std::unique_ptr<VectorIndex> index = built(c.factory);
    ASSERT_TRUE(save_index(path.string(), *index, "enc"));
    Result<std::unique_ptr<VectorIndex>> loaded = load_index(path.string(), kDim, "enc");
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    ASSERT_TRUE(attach_vectors_file(**loaded, data().vectors_path, "enc"));
    EXPECT_EQ((*loaded)->factory_string(), index->factory_string());
    EXPECT_EQ((*loaded)->size(), kBase);
    EXPECT_EQ((*loaded)->serialize(), index->serialize());
    for (const SearchParams& params : {c.params, SearchParams{.ef_search = 80, .nprobe = 12}}) {
      const SearchResult a = index->search(kQueries, data().queries, kK, params);
      const SearchResult b = (*loaded)->search(kQueries, data().queries, kK, params);
      EXPECT_EQ(a.ids, b.ids);
      EXPECT_EQ(a.scores, b.scores);
    }
    // Empty ones round-trip too.
    ASSERT_TRUE(save_index(path.string(), *make_index(c.factory, kDim), "enc"));
    Result<std::unique_ptr<VectorIndex>> empty = load_index(path.string(), kDim, "enc");
    ASSERT_TRUE(empty) << empty.status().to_string();
    EXPECT_EQ((*empty)->size(), 0);
    EXPECT_EQ((*empty)->factory_string(), index->factory_string());
  }
  std::filesystem::remove(path);
}

TEST(RerankIndex, RowsFromDiskEqualRowsFromMemory) {
  for (const char* factory : {"Flat:int8,rerank=3", "ivf:nlist=16,nprobe=6,pca=16,int8,rerank=8"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> memory = built(factory);
    std::unique_ptr<VectorIndex> disk = built(std::string(factory) + ",ondisk");
    const auto& m = dynamic_cast<const ReportsMemory&>(*memory);
    const auto& d = dynamic_cast<const ReportsMemory&>(*disk);
    EXPECT_EQ(m.memory_bytes(), d.memory_bytes() + kBase * kDim * 4);
    for (int threads : {0, 1}) {
      const SearchResult a = memory->search(kQueries, data().queries, kK, {.threads = threads});
      const SearchResult b = disk->search(kQueries, data().queries, kK, {.threads = threads});
      EXPECT_EQ(a.ids, b.ids);
      EXPECT_EQ(a.scores, b.scores);
    }
  }
}

// Flat:fp16,rerank=200 re-scores 40 x 2,000 x 32 multiply-adds per batch: enough to go to the
// thread pool from memory (the others re-score small batches on the calling thread, except
// from disk).
TEST(RerankIndex, BatchedOneByOneAndThreadCountsAgree) {
  for (const char* factory :
       {"Flat:int8,rerank=4", "Flat:fp16,rerank=200", "hnsw:M=16,efc=100,int8,rerank=4",
        "ivf:nlist=16,nprobe=6,pca=16,int8,rerank=8,ondisk"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = built(factory);
    const SearchResult batch = index->search(kQueries, data().queries, kK, {});
    for (int threads : {1, 2, 3}) {
      const SearchResult r = index->search(kQueries, data().queries, kK, {.threads = threads});
      EXPECT_EQ(r.ids, batch.ids) << threads;
      EXPECT_EQ(r.scores, batch.scores) << threads;
    }
    for (int64_t q = 0; q < kQueries; q += 7) {
      const SearchResult one =
          index->search(1, std::span(data().queries).subspan(q * kDim, kDim), kK, {});
      for (int j = 0; j < kK; ++j) {
        EXPECT_EQ(one.ids[j], batch.ids[static_cast<size_t>(q * kK + j)]) << q;
        EXPECT_EQ(one.scores[j], batch.scores[static_cast<size_t>(q * kK + j)]) << q;
      }
    }
  }
}

TEST(RerankIndex, ConcurrentSearchesMatchSerialOnes) {
  std::unique_ptr<VectorIndex> index = built("ivf:nlist=16,nprobe=6,pca=16,int8,rerank=8,ondisk");
  const SearchResult serial = index->search(kQueries, data().queries, kK, {.threads = 1});
  std::vector<SearchResult> got(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] { got[t] = index->search(kQueries, data().queries, kK, {}); });
  }
  for (std::thread& th : threads) th.join();
  for (const SearchResult& r : got) {
    EXPECT_EQ(r.ids, serial.ids);
    EXPECT_EQ(r.scores, serial.scores);
  }
}

TEST(RerankIndex, FewerVectorsThanKArePadded) {
  std::unique_ptr<VectorIndex> index = make_index("Flat:int8,rerank=4", kDim);
  const SearchResult empty = index->search(2, std::span(data().queries).first(2 * kDim), 3, {});
  EXPECT_EQ(empty.ids, std::vector<int64_t>(6, -1));
  index->add(5, std::span(data().base).first(5 * kDim));
  const SearchResult r = index->search(2, std::span(data().queries).first(2 * kDim), 8, {});
  for (int64_t q = 0; q < 2; ++q) {
    for (int j = 0; j < 8; ++j) {
      const size_t at = static_cast<size_t>(q * 8 + j);
      EXPECT_EQ(r.ids[at] >= 0, j < 5) << q << " " << j;
      if (j >= 5) {
        EXPECT_EQ(r.scores[at], -std::numeric_limits<float>::infinity());
      }
    }
  }
  EXPECT_EQ(index->search(0, {}, 3, {}).ids.size(), 0u);
}

TEST(RerankIndex, ReportsItsCapabilities) {
  std::unique_ptr<VectorIndex> memory = built("Flat:fp16,rerank=2");
  std::unique_ptr<VectorIndex> disk = built("Flat:fp16,rerank=2,ondisk");
  const auto& wrapper = dynamic_cast<const RerankIndex&>(*memory);
  EXPECT_EQ(wrapper.base().factory_string(), "Flat:fp16");
  EXPECT_EQ(wrapper.options().factor, 2);
  EXPECT_EQ(dynamic_cast<const ReportsMemory&>(*memory).memory_bytes(),
            kBase * kDim * 2 + kBase * kDim * 4);
  EXPECT_EQ(dynamic_cast<const ReportsMemory&>(*disk).memory_bytes(), kBase * kDim * 2);
  EXPECT_FALSE(dynamic_cast<const ReadsVectorsFile&>(*memory).reads_vectors_file());
  EXPECT_TRUE(dynamic_cast<const ReadsVectorsFile&>(*disk).reads_vectors_file());
  // Indexes without re-ranking read no file: attaching one does nothing.
  std::unique_ptr<VectorIndex> plain = make_index("Flat:fp16", kDim);
  EXPECT_EQ(dynamic_cast<const ReadsVectorsFile*>(plain.get()), nullptr);
  EXPECT_TRUE(attach_vectors_file(*plain, "/nonexistent/file.vec", ""));
}

TEST(RerankIndex, DamagedPayloadsAreCorruption) {
  const std::filesystem::path path = testing_util::unique_temp_path("rerank_damaged.index");
  std::unique_ptr<VectorIndex> index = make_index("Flat:int8,rerank=4", 8);
  index->add(3, std::span(data().base).first(3 * 8));
  const std::string good = index->serialize();
  auto load = [&](const std::string& bytes) {
    ByteWriter w;
    w.str(index->factory_string());
    w.buffer().append(bytes);
    EXPECT_TRUE(write_binary_file(path.string(), {kIndexFileKind, kIndexFormatVersion, 8, "", 3},
                                  w.buffer()));
    return load_index(path.string(), 8, "");
  };
  ASSERT_TRUE(load(good));
  for (const std::string& bad :
       {good.substr(0, good.size() - 4), good + "xxxx", good.substr(0, 30), std::string()}) {
    Result<std::unique_ptr<VectorIndex>> r = load(bad);
    ASSERT_FALSE(r) << bad.size() << " bytes";
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
  }
  std::filesystem::remove(path);
}

TEST(RerankIndex, ThrowsOnCallerMistakes) {
  EXPECT_THROW(RerankIndex(nullptr, {.factor = 4}), Error);
  EXPECT_THROW(RerankIndex(std::make_unique<QuantizedFlatIndex>(kDim, "int8"), {.factor = 0}),
               Error);
  EXPECT_THROW(RerankIndex(std::make_unique<QuantizedFlatIndex>(kDim, "int8"), {.factor = 1025}),
               Error);
  auto filled = std::make_unique<QuantizedFlatIndex>(kDim, "int8");
  filled->add(1, std::span(data().base).first(kDim));
  EXPECT_THROW(RerankIndex(std::move(filled), {.factor = 4}), Error);  // no fp32 copies of it

  RerankIndex index(std::make_unique<QuantizedFlatIndex>(kDim, "int8"), {.factor = 4});
  EXPECT_THROW(index.add(2, std::span(data().base).first(kDim)), Error);
  index.add(4, std::span(data().base).first(4 * kDim));
  EXPECT_THROW((void)index.search(1, std::span(data().queries).first(kDim), 0, {}), Error);
  EXPECT_THROW((void)index.search(1, std::span(data().queries).first(kDim - 1), 1, {}), Error);

  RerankIndex disk(std::make_unique<QuantizedFlatIndex>(kDim, "int8"),
                   {.factor = 4, .ondisk = true});
  disk.add(kBase, data().base);
  try {
    (void)disk.search(1, std::span(data().queries).first(kDim), kK, {});
    FAIL() << "searched without its vectors file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("attach_vectors"), std::string::npos) << e.what();
  }
  auto rows = VectorRows::open(data().vectors_path, kDim, "enc");
  ASSERT_TRUE(rows);
  EXPECT_THROW(index.attach_vectors(std::move(rows).value()), Error);  // 2000 rows, not 4
  EXPECT_THROW(disk.attach_vectors(nullptr), Error);
}

}  // namespace
}  // namespace credmatch::index
