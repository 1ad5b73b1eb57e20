// Writes the fixtures of tests/index/legacy_rerank_test.cc: index files with exact re-ranking
// as the code before RerankIndex wrote them (QuantizedFlatIndex, HnswlibIndex and IvfIndex each
// re-ranking itself; "Flat:int8,rerank" and "hnsw:...,int8,rerank" spelled the old way), the
// vectors they were built from, and what each returned. Not built by CMake: it was compiled
// once against the libraries of the commit named in README.md, and is kept as the record of
// how the files were made.
//
//   g++ -std=c++20 -O2 -fopenmp -I SRC make_fixtures.cc libcredmatch_index.a \
//       libcredmatch_base.a -lfaiss -o make_fixtures && ./make_fixtures DIR
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "index/index_factory.h"
#include "index/kernels/scan_kernels.h"
#include "index/vector_file.h"
#include "tests/vector_data.h"

namespace {

using namespace credmatch::index;

constexpr int kDim = 16;
constexpr int64_t kBase = 300;
constexpr int64_t kQueries = 12;
constexpr int kK = 10;
constexpr char kEncoder[] = "legacy-fixture";

struct Case {
  const char* file;
  const char* factory;
  std::vector<SearchParams> params;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "make_fixtures: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) die("usage: make_fixtures DIR");
  const std::filesystem::path dir = argv[1];
  const std::vector<float> base =
      credmatch::testing_util::clustered_unit_vectors(kBase, kDim, 20, 1, 7);
  const std::vector<float> queries =
      credmatch::testing_util::clustered_unit_vectors(kQueries, kDim, 20, 2, 7);
  const std::string base_path = (dir / "base.vec").string();
  if (!save_vectors(base_path, kDim, base, kEncoder)) die("base.vec");
  if (!save_vectors((dir / "queries.vec").string(), kDim, queries, kEncoder)) die("queries.vec");

  const std::vector<Case> cases = {
      {"flat_int8.index", "Flat:int8", {{}}},
      {"flat_int8_rerank.index", "Flat:int8,rerank", {{}}},
      {"flat_fp16_rerank8.index", "Flat:fp16,rerank8", {{}}},
      {"hnsw_int8_rerank.index", "hnsw:M=8,efc=40,ef=16,int8,rerank",
       {{.ef_search = 0}, {.ef_search = 40}}},
      {"ivf_int8_rerank.index", "ivf:nlist=8,nprobe=3,pca=8,int8,rerank=3",
       {{.nprobe = 0}, {.nprobe = 8}}},
      {"ivf_int8_rerank_ondisk.index", "ivf:nlist=8,nprobe=3,pca=8,int8,rerank=3,ondisk",
       {{.nprobe = 0}, {.nprobe = 8}}},
  };
  std::FILE* out = std::fopen((dir / "expected.txt").string().c_str(), "w");
  if (out == nullptr) die("expected.txt");
  std::fprintf(out, "# file ef_search nprobe query rank id score(hex float); kernel set: %s\n",
               scan::active_kernel_name().c_str());
  for (const Case& c : cases) {
    std::unique_ptr<VectorIndex> built = make_index(c.factory, kDim);
    built->add(kBase, base);
    if (!attach_vectors_file(*built, base_path, kEncoder)) die(c.factory);
    const std::string path = (dir / c.file).string();
    if (!save_index(path, *built, kEncoder)) die(path);
    auto loaded = load_index(path, kDim, kEncoder);
    if (!loaded) die(loaded.status().to_string());
    if (!attach_vectors_file(**loaded, base_path, kEncoder)) die(path);
    for (const SearchParams& p : c.params) {
      const SearchResult a = built->search(kQueries, queries, kK, p);
      const SearchResult b = (*loaded)->search(kQueries, queries, kK, p);
      if (a.ids != b.ids || a.scores != b.scores) die(std::string(c.file) + ": loaded differs");
      for (int64_t q = 0; q < kQueries; ++q) {
        for (int j = 0; j < kK; ++j) {
          const size_t at = static_cast<size_t>(q * kK + j);
          std::fprintf(out, "%s %d %d %lld %d %lld %a\n", c.file, p.ef_search, p.nprobe,
                       static_cast<long long>(q), j, static_cast<long long>(b.ids[at]),
                       static_cast<double>(b.scores[at]));
        }
      }
    }
  }
  std::fclose(out);
  return 0;
}
