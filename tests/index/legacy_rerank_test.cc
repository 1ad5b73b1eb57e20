// Index files with re-ranking written before RerankIndex (tests/data/legacy_rerank/README.md:
// "Flat:int8,rerank", "Flat:fp16,rerank8", "hnsw:...,int8,rerank", ivf with rerank=3 in memory
// and on disk) load, are named in today's spelling, and return what the code that wrote them
// returned; saved again, they load to the same results; and Flat:fp16/int8 indexes built now
// from the same vectors return it too.
//
// Scores are compared bit for bit where the kernel set is the one that wrote expected.txt and
// the score was computed the same way: the re-ranked scores of Flat:fp16/int8 came from that
// index's own "#pragma omp simd" dot product, and RerankIndex re-scores with scan::dot (the one
// pair dot product of the project, which hnsw and ivf used already), so those may differ in the
// last bits (checked: to 1e-6, and equal to scan::dot's; on the avx512-vnni machine that wrote
// expected.txt 40 of the 120 scores of each of those two files differ, none of the ids).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "index/index_factory.h"
#include "index/kernels/scan_kernels.h"
#include "index/vector_file.h"
#include "tests/test_util.h"
#include "tests/vector_data.h"

namespace credmatch::index {
namespace {

namespace fs = std::filesystem;

constexpr char kEncoder[] = "legacy-fixture";
constexpr int kDim = 16;
constexpr int kK = 10;

fs::path fixture(const std::string& name) {
  return fs::path(CREDMATCH_TEST_DATA_DIR) / "legacy_rerank" / name;
}

// One search of expected.txt: the results of all queries with these params.
struct Expected {
  SearchParams params;
  std::vector<int64_t> ids;
  std::vector<float> scores;
};

struct Fixtures {
  std::string kernel;                                    // the set that computed the scores
  std::map<std::string, std::vector<Expected>> by_file;  // in the file's order
  VectorMatrix base, queries;
};

const Fixtures& fixtures() {
  static const Fixtures read = [] {
    Fixtures f;
    std::ifstream in(fixture("expected.txt"));
    std::string line;
    std::getline(in, line);
    f.kernel = line.substr(line.rfind(' ') + 1);
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string file, score;
      int ef = 0, nprobe = 0, q = 0, rank = 0;
      long long id = 0;
      fields >> file >> ef >> nprobe >> q >> rank >> id >> score;
      std::vector<Expected>& searches = f.by_file[file];
      if (q == 0 && rank == 0) {
        searches.push_back({.params = {.ef_search = ef, .nprobe = nprobe}, .ids = {}, .scores = {}});
      }
      searches.back().ids.push_back(id);
      searches.back().scores.push_back(std::strtof(score.c_str(), nullptr));
    }
    f.base = load_vectors(fixture("base.vec").string(), kDim, kEncoder).value();
    f.queries = load_vectors(fixture("queries.vec").string(), kDim, kEncoder).value();
    return f;
  }();
  return read;
}

// The factory string each old file holds, and how it is written today.
struct Spelling {
  std::string old, today;
};
const std::map<std::string, Spelling> kFiles = {
    {"flat_int8.index", {"Flat:int8", "Flat:int8"}},
    {"flat_int8_rerank.index", {"Flat:int8,rerank", "Flat:int8,rerank=4"}},
    {"flat_fp16_rerank8.index", {"Flat:fp16,rerank8", "Flat:fp16,rerank=8"}},
    {"hnsw_int8_rerank.index",
     {"hnsw:M=8,efc=40,ef=16,int8,rerank", "hnsw:M=8,efc=40,ef=16,int8,rerank=4"}},
    {"ivf_int8_rerank.index",
     {"ivf:nlist=8,nprobe=3,pca=8,int8,rerank=3", "ivf:nlist=8,nprobe=3,pca=8,int8,rerank=3"}},
    {"ivf_int8_rerank_ondisk.index",
     {"ivf:nlist=8,nprobe=3,pca=8,int8,rerank=3,ondisk",
      "ivf:nlist=8,nprobe=3,pca=8,int8,rerank=3,ondisk"}},
};

// `got` against what the old code returned for `file`: the same ids; the same score bits
// where they were computed the same way, else within 1e-6 and exactly scan::dot's.
void expect_old_results(const std::string& file, const VectorIndex& index) {
  const Fixtures& f = fixtures();
  const bool same_kernels = scan::active_kernel_name() == f.kernel;
  const bool own_dot = file.starts_with("flat_") && file.find("rerank") != std::string::npos;
  ASSERT_FALSE(f.by_file.at(file).empty());
  for (const Expected& want : f.by_file.at(file)) {
    SCOPED_TRACE("ef_search " + std::to_string(want.params.ef_search) + ", nprobe " +
                 std::to_string(want.params.nprobe));
    const int64_t nq = f.queries.n;
    const SearchResult got = index.search(nq, f.queries.data, kK, want.params);
    if (!same_kernels) {
      // Another kernel set sums in another order: near-ties may swap, scores differ in bits.
      EXPECT_GE(testing_util::recall_at_k(got.ids, want.ids, nq, kK), 0.95);
      continue;
    }
    EXPECT_EQ(got.ids, want.ids);
    for (size_t i = 0; i < got.scores.size(); ++i) {
      if (!own_dot) {
        EXPECT_EQ(got.scores[i], want.scores[i]) << i;
        continue;
      }
      EXPECT_NEAR(got.scores[i], want.scores[i], 1e-6) << i;
      const float* query = f.queries.data.data() + (i / kK) * kDim;
      EXPECT_EQ(got.scores[i], scan::dot(query, f.base.data.data() + got.ids[i] * kDim, kDim));
    }
  }
}

TEST(LegacyRerankFiles, LoadAndReturnWhatTheOldCodeReturned) {
  ASSERT_EQ(fixtures().by_file.size(), kFiles.size());
  for (const auto& [file, spelling] : kFiles) {
    SCOPED_TRACE(file);
    Result<std::unique_ptr<VectorIndex>> loaded =
        load_index(fixture(file).string(), kDim, kEncoder);
    ASSERT_TRUE(loaded) << loaded.status().to_string();
    ASSERT_TRUE(attach_vectors_file(**loaded, fixture("base.vec").string(), kEncoder));
    EXPECT_EQ((*loaded)->factory_string(), spelling.today);
    EXPECT_EQ((*loaded)->size(), fixtures().base.n);
    expect_old_results(file, **loaded);
  }
}

TEST(LegacyRerankFiles, SavedAgainTheyLoadToTheSameResults) {
  const fs::path path = testing_util::unique_temp_path("legacy_resaved.index");
  for (const auto& [file, spelling] : kFiles) {
    SCOPED_TRACE(file);
    Result<std::unique_ptr<VectorIndex>> old = load_index(fixture(file).string(), kDim, kEncoder);
    ASSERT_TRUE(old) << old.status().to_string();
    ASSERT_TRUE(save_index(path.string(), **old, kEncoder));
    // The same layout: only the factory string's spelling (and the former re-rank factor
    // field of Flat: and hnsw: payloads, now 0) differ.
    EXPECT_EQ(fs::file_size(path) - spelling.today.size(),
              fs::file_size(fixture(file)) - spelling.old.size());
    Result<std::unique_ptr<VectorIndex>> again = load_index(path.string(), kDim, kEncoder);
    ASSERT_TRUE(again) << again.status().to_string();
    ASSERT_TRUE(attach_vectors_file(**again, fixture("base.vec").string(), kEncoder));
    EXPECT_EQ((*again)->factory_string(), spelling.today);
    expect_old_results(file, **again);
  }
  fs::remove(path);
}

TEST(LegacyRerankFiles, FlatIndexesBuiltNowReturnWhatTheOldCodeReturned) {
  for (const char* file :
       {"flat_int8.index", "flat_int8_rerank.index", "flat_fp16_rerank8.index"}) {
    SCOPED_TRACE(file);
    std::unique_ptr<VectorIndex> index = make_index(kFiles.at(file).today, kDim);
    index->add(fixtures().base.n, fixtures().base.data);
    expect_old_results(file, *index);
  }
}

}  // namespace
}  // namespace credmatch::index
