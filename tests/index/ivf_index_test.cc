// IvfIndex: exact when every list is probed without PCA or quantization, recall floors with
// PCA and int8 against the FlatIndex oracle, re-ranking (a RerankIndex) from memory and disk,
// nprobe per call, batched = one by one = any thread count, save -> load (codes used in
// place) -> identical results and further adds, damaged payloads refused, factory-string and
// training errors.
#include "index/ivf_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/error.h"
#include "index/flat_index.h"
#include "index/index_factory.h"
#include "index/rerank_index.h"
#include "index/vector_file.h"
#include "tests/test_util.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

constexpr int kDim = 48;
constexpr int kK = 10;
constexpr int64_t kBase = 4000;
constexpr int64_t kQueries = 100;

// Clustered unit vectors whose energy is mostly in 24 of the 48 dims (a decaying spectrum, as
// in real embeddings; on isotropic data no projection keeps the neighbours).
std::vector<float> low_rank_vectors(int64_t n, uint32_t seed) {
  constexpr int kCore = 24;
  const std::vector<float> core = testing_util::clustered_unit_vectors(n, kCore, 100, seed, 7);
  std::mt19937 rng(seed + 100);
  std::normal_distribution<float> noise(0.0f, 0.03f);
  std::vector<float> v(static_cast<size_t>(n * kDim));
  for (int64_t i = 0; i < n; ++i) {
    double norm = 0;
    for (int j = 0; j < kDim; ++j) {
      float& x = v[i * kDim + j];
      x = (j % 2 == 0 ? core[i * kCore + j / 2] : 0.0f) + noise(rng);
      norm += double{x} * x;
    }
    for (int j = 0; j < kDim; ++j) v[i * kDim + j] = static_cast<float>(v[i * kDim + j] / std::sqrt(norm));
  }
  return v;
}

struct Data {
  std::vector<float> base = low_rank_vectors(kBase, 1);
  std::vector<float> queries = low_rank_vectors(kQueries, 2);
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

template <typename Index = IvfIndex>
std::unique_ptr<Index> add_data(std::unique_ptr<Index> index, int64_t first_add) {
  index->add(first_add, std::span(data().base).first(first_add * kDim));
  if (first_add < kBase) {
    index->add(kBase - first_add, std::span(data().base).subspan(first_add * kDim));
  }
  return index;
}

std::unique_ptr<IvfIndex> built(const std::string& spec, int64_t first_add = kBase) {
  return add_data(std::make_unique<IvfIndex>(kDim, spec), first_add);
}

// make_index("ivf:" + spec): with rerank=N a RerankIndex over the IvfIndex.
std::unique_ptr<VectorIndex> made(const std::string& spec) {
  return add_data(make_index("ivf:" + spec, kDim), kBase);
}

int64_t memory_bytes(const VectorIndex& index) {
  return dynamic_cast<const ReportsMemory&>(index).memory_bytes();
}

TEST(IvfIndex, EveryListProbedInFp32IsExact) {
  // Trained on the first 1,000 vectors, the rest added later.
  auto index = built("nlist=16,fp32", 1000);
  EXPECT_EQ(index->size(), kBase);
  const SearchResult r = index->search(kQueries, data().queries, kK, {.nprobe = 16});
  EXPECT_EQ(r.ids, data().truth.ids);
  for (size_t i = 0; i < r.scores.size(); ++i) {
    EXPECT_NEAR(r.scores[i], data().truth.scores[i], 2e-5) << i;
  }
}

TEST(IvfIndex, MeetsRecallFloorsWithPcaAndInt8) {
  struct Case {
    const char* spec;
    int nprobe;
    double floor;
  };
  for (const Case& c : {Case{"nlist=32,int8", 32, 0.97}, Case{"nlist=32,pca=32,fp32", 32, 0.9},
                        Case{"nlist=32,pca=32,int8", 32, 0.9}, Case{"nlist=32,pca=32,int8", 8, 0.8}}) {
    SCOPED_TRACE(std::string(c.spec) + " nprobe " + std::to_string(c.nprobe));
    auto index = built(c.spec);
    const SearchResult r = index->search(kQueries, data().queries, kK, {.nprobe = c.nprobe});
    EXPECT_GE(recall(r), c.floor);
    // Scores approximate the inner products of the returned ids.
    for (int64_t q = 0; q < kQueries; ++q) {
      const int64_t id = r.ids[q * kK];
      double exact = 0;
      for (int j = 0; j < kDim; ++j) exact += double{data().queries[q * kDim + j]} * data().base[id * kDim + j];
      EXPECT_NEAR(r.scores[q * kK], exact, 0.08) << "query " << q;
    }
  }
}

TEST(IvfIndex, RerankGivesExactScoresAndHigherRecall) {
  auto plain = made("nlist=32,pca=12,int8,nprobe=32");
  auto reranked = made("nlist=32,pca=12,int8,nprobe=32,rerank=5");
  const SearchResult a = plain->search(kQueries, data().queries, kK, {});
  const SearchResult b = reranked->search(kQueries, data().queries, kK, {});
  EXPECT_GT(recall(b), recall(a));
  EXPECT_GE(recall(b), recall(a) + 0.1) << recall(a);
  for (int64_t q = 0; q < kQueries; ++q) {
    for (int j = 0; j < kK; ++j) {
      const int64_t id = b.ids[q * kK + j];
      double exact = 0;
      for (int c = 0; c < kDim; ++c) exact += double{data().queries[q * kDim + c]} * data().base[id * kDim + c];
      EXPECT_NEAR(b.scores[q * kK + j], exact, 1e-5);
      if (j > 0) {
        EXPECT_GE(b.scores[q * kK + j - 1], b.scores[q * kK + j]);
      }
    }
  }
  EXPECT_EQ(memory_bytes(*reranked), memory_bytes(*plain) + kBase * kDim * 4);
}

TEST(IvfIndex, RerankFromDiskEqualsRerankFromMemory) {
  const std::filesystem::path vec = testing_util::unique_temp_path("ivf_rows.vec");
  const std::filesystem::path idx = testing_util::unique_temp_path("ivf_ondisk.index");
  ASSERT_TRUE(save_vectors(vec.string(), kDim, data().base, "enc"));
  auto memory = made("nlist=32,pca=12,int8,nprobe=8,rerank=5");
  auto disk = made("nlist=32,pca=12,int8,nprobe=8,rerank=5,ondisk");
  EXPECT_EQ(memory_bytes(*disk), memory_bytes(*memory) - kBase * kDim * 4);
  try {
    (void)disk->search(1, std::span(data().queries).first(kDim), kK, {});
    FAIL() << "searched without its vectors file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("attach_vectors"), std::string::npos) << e.what();
  }
  ASSERT_TRUE(attach_vectors_file(*disk, vec.string(), "enc"));
  const SearchResult a = memory->search(kQueries, data().queries, kK, {});
  const SearchResult b = disk->search(kQueries, data().queries, kK, {});
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.scores, b.scores);
  // Saved and loaded, it needs the file again; with it, the same answers.
  ASSERT_TRUE(save_index(idx.string(), *disk, "enc"));
  Result<std::unique_ptr<VectorIndex>> loaded = load_index(idx.string(), kDim, "enc");
  ASSERT_TRUE(loaded) << loaded.status().to_string();
  auto* reader = dynamic_cast<ReadsVectorsFile*>(loaded->get());
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->reads_vectors_file());
  EXPECT_THROW((void)(*loaded)->search(1, std::span(data().queries).first(kDim), kK, {}), Error);
  auto rows = VectorRows::open(vec.string(), kDim, "enc");
  ASSERT_TRUE(
      save_vectors(vec.string() + "2", kDim, std::span(data().base).first(10 * kDim), "enc"));
  EXPECT_THROW(
      reader->attach_vectors(std::move(VectorRows::open(vec.string() + "2", kDim, "").value())),
      Error);
  EXPECT_EQ(attach_vectors_file(**loaded, vec.string() + "2", "enc").code(), StatusCode::kMismatch);
  reader->attach_vectors(std::move(rows).value());
  EXPECT_EQ((*loaded)->search(kQueries, data().queries, kK, {}).ids, a.ids);
  EXPECT_THROW(IvfIndex(kDim, "nlist=4,ondisk"), Error);  // re-ranking is make_index()'s
  EXPECT_THROW(IvfIndex(kDim, "nlist=4,rerank=2"), Error);
  EXPECT_THROW((void)make_index("ivf:nlist=4,ondisk", kDim), Error);  // ondisk without rerank
  EXPECT_THROW((void)make_index("ivf:nlist=4,rerank=0,ondisk", kDim), Error);
  std::filesystem::remove(vec);
  std::filesystem::remove(vec.string() + "2");
  std::filesystem::remove(idx);
}

TEST(IvfIndex, MoreProbesRaiseRecall) {
  auto index = built("nlist=64,pca=24,int8,nprobe=2");
  const double low = recall(index->search(kQueries, data().queries, kK, {}));
  const double high = recall(index->search(kQueries, data().queries, kK, {.nprobe = 64}));
  EXPECT_LT(low, high);
  EXPECT_GE(high, 0.85);
  // nprobe above nlist is clamped.
  EXPECT_EQ(index->search(kQueries, data().queries, kK, {.nprobe = 1000}).ids,
            index->search(kQueries, data().queries, kK, {.nprobe = 64}).ids);
}

TEST(IvfIndex, BatchedOneByOneAndThreadCountsAgree) {
  auto index = built("nlist=32,pca=32,int8,nprobe=6");
  const SearchResult batch = index->search(kQueries, data().queries, kK, {.threads = 2});
  const SearchResult serial = index->search(kQueries, data().queries, kK, {.threads = 1});
  EXPECT_EQ(batch.ids, serial.ids);
  EXPECT_EQ(batch.scores, serial.scores);
  for (int64_t q = 0; q < kQueries; q += 7) {
    for (int threads : {1, 2, 3}) {
      const SearchResult one = index->search(
          1, std::span(data().queries).subspan(q * kDim, kDim), kK, {.threads = threads});
      for (int j = 0; j < kK; ++j) {
        EXPECT_EQ(one.ids[j], batch.ids[q * kK + j]) << q << " " << threads;
        EXPECT_EQ(one.scores[j], batch.scores[q * kK + j]);
      }
    }
  }
}

TEST(IvfIndex, SaveLoadGivesIdenticalResultsAndTakesMoreVectors) {
  const std::filesystem::path path = testing_util::unique_temp_path("ivf.index");
  for (const char* factory :
       {"ivf:nlist=16,pca=24,int8", "ivf:nlist=16,nprobe=4,fp32", "ivf:nlist=16,pca=8,int8,rerank=3"}) {
    SCOPED_TRACE(factory);
    std::unique_ptr<VectorIndex> index = make_index(factory, kDim);
    index->add(kBase - 10, std::span(data().base).first((kBase - 10) * kDim));
    ASSERT_TRUE(save_index(path.string(), *index, "enc"));
    Result<std::unique_ptr<VectorIndex>> loaded = load_index(path.string(), kDim, "enc");
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    EXPECT_EQ((*loaded)->factory_string(), index->factory_string());
    EXPECT_EQ((*loaded)->size(), kBase - 10);
    for (int nprobe : {0, 3, 16}) {
      const SearchResult a = index->search(kQueries, data().queries, kK, {.nprobe = nprobe});
      const SearchResult b = (*loaded)->search(kQueries, data().queries, kK, {.nprobe = nprobe});
      EXPECT_EQ(a.ids, b.ids);
      EXPECT_EQ(a.scores, b.scores);
    }
    // More vectors after loading: the lists leave the file's bytes and grow.
    (*loaded)->add(10, std::span(data().base).subspan((kBase - 10) * kDim));
    index->add(10, std::span(data().base).subspan((kBase - 10) * kDim));
    EXPECT_EQ((*loaded)->size(), kBase);
    EXPECT_EQ((*loaded)->search(kQueries, data().queries, kK, {}).ids,
              index->search(kQueries, data().queries, kK, {}).ids);
  }
  std::filesystem::remove(path);
}

TEST(IvfIndex, EmptyAndSmallIndexes) {
  IvfIndex empty(kDim, "nlist=4");
  EXPECT_FALSE(empty.trained());
  EXPECT_EQ(empty.search(1, std::span(data().queries).first(kDim), 3, {}).ids,
            std::vector<int64_t>(3, -1));
  std::string bytes = empty.serialize();
  Result<std::unique_ptr<IvfIndex>> back = IvfIndex::deserialize(empty.config().spec(), std::move(bytes), 0);
  ASSERT_TRUE(back) << back.status().to_string();
  EXPECT_EQ((*back)->size(), 0);

  IvfIndex small(kDim, "nlist=4,nprobe=4");
  small.add(6, std::span(data().base).first(6 * kDim));
  const SearchResult r = small.search(1, std::span(data().base).first(kDim), 8, {});
  EXPECT_EQ(r.ids[0], 0);
  EXPECT_EQ(r.ids[6], -1);
  EXPECT_TRUE(std::isinf(r.scores[7]));
}

TEST(IvfIndex, BadSpecsAndTrainingErrorsAreClear) {
  EXPECT_THROW(IvfIndex(kDim, "nlist=0"), Error);
  EXPECT_THROW(IvfIndex(kDim, "nlist=x"), Error);
  EXPECT_THROW(IvfIndex(kDim, "pq=8"), Error);
  EXPECT_THROW(IvfIndex(kDim, "nlist=8,train=4"), Error);
  try {
    IvfIndex(kDim, "pca=64");
    FAIL() << "pca above dim accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pca=64"), std::string::npos) << e.what();
  }
  IvfIndex index(kDim, "nlist=64");
  try {
    index.add(10, std::span(data().base).first(10 * kDim));
    FAIL() << "trained with fewer vectors than lists";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fewer than nlist=64"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(index.trained());
  EXPECT_EQ(index.size(), 0);
  IvfIndex wide(kDim, "nlist=2,pca=40");
  try {
    wide.add(20, std::span(data().base).first(20 * kDim));
    FAIL() << "a 40-dim PCA fitted on 20 vectors";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pca=40 needs at least 40"), std::string::npos) << e.what();
  }
  EXPECT_EQ(IvfConfig::parse("int8,pca=8,nlist=9").spec(), "nlist=9,nprobe=16,pca=8,int8");
}

TEST(IvfIndex, DamagedPayloadsAreCorruptionNotCrashes) {
  auto index = built("nlist=8,pca=16,int8");
  const std::string good = index->serialize();
  const std::string spec = index->config().spec();
  auto load = [&](std::string bytes, const std::string& s) {
    return IvfIndex::deserialize(s, std::move(bytes), 0);
  };
  ASSERT_TRUE(load(good, spec));
  for (size_t keep : {size_t{0}, size_t{10}, size_t{40}, good.size() / 2, good.size() - 1}) {
    Result<std::unique_ptr<IvfIndex>> r = load(good.substr(0, keep), spec);
    ASSERT_FALSE(r) << "kept " << keep;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().to_string();
  }
  EXPECT_FALSE(load(good + "x", spec));
  Result<std::unique_ptr<IvfIndex>> other = load(good, "nlist=9,pca=16,int8");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.status().code(), StatusCode::kCorruption);
  // The last id of the last list made a duplicate of the one before it.
  std::string dup = good;
  std::memcpy(dup.data() + dup.size() - 8, dup.data() + dup.size() - 16, 8);
  Result<std::unique_ptr<IvfIndex>> r = load(dup, spec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("held twice"), std::string::npos) << r.status().to_string();
}

}  // namespace
}  // namespace credmatch::index
