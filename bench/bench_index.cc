// Micro-benchmarks for the index layer: one query (or a batch of 20) against n base vectors of
// 256 dims. Data are clustered unit vectors (like sentence embeddings), built once per size.
// Every benchmark checks its answers against the exact oracle before timing and aborts with a
// message if they are wrong.
//
//   bytes/s: base-vector bytes scanned (n * dim * 4 per call) -- exhaustive searches only.
//   items/s: queries answered.
//
// The Faiss single-query loops run with one OpenMP thread: one query is not split across
// threads anyway, and a thread team per call only adds fork/join cost (milliseconds on a busy
// machine), which would hide the search itself. FlatIndex splits a base of 8 MiB or more
// (scan::kMinShardBytes; both sizes below) across hardware_concurrency() threads per call, so
// its benchmarks report wall-clock ("real") time.
//
// BM_Scan_*: the exact scan kernels of index/kernels/scan_kernels.h (active set: "kernel" in the
// context output) on n clustered 384-d unit vectors, one query, with 1 and 2 threads; bytes/s
// counts the stored bytes read (fp32 4, fp16 2, int8 1 byte per component, + 4 per int8 row).
// BM_MemoryBandwidth streams a large buffer with 1 and 2 threads: the ceiling those bytes/s are
// read against. The 1M-vector sizes (1.5 GB of fp32) and the 1 GiB bandwidth buffer are
// registered only with CREDMATCH_BENCH_LARGE=1 (otherwise 100k vectors and 256 MiB).
//
// BM_Hnswlib_SearchSingle: HnswlibIndex (hnswlib graph, M 16, efc 100) over the 10k fixture,
// fp32 and int8 + re-rank, recall@10 against FlatIndex checked (and reported) before timing;
// BM_Hnswlib_SearchBatch: the int8 + re-rank graph, 20 queries per call. BM_QuantizedFlat_Search
// (Flat:fp16 / Flat:int8, with and without re-ranking) and BM_Ivf_Search (ivf with PCA and int8
// codes, without re-ranking, re-ranking from memory and from a vectors file on disk): the same
// 10k fixture, one query or 20 per call, each made by make_index() and checked the same way.
// BM_Dot_Pair: the pair dot products graph indexes use (fp32, int8 codes), 384-d, against a
// scalar loop first.
//
// BM_FlatIndex_SearchBatchCatalog: the matcher's search on the default catalog's shape: 20
// queries against 13,587 clustered 512-d unit vectors, k = 256, in one call. Arg 0: the
// kernel set (0 active, 1 AVX2, 2 AVX-512; a set the CPU lacks is skipped), arg 1: threads
// (1 = a server worker). Checked before timing: every kernel set's batch against a
// double-precision scan of each query (scores within 1e-4, ids where scores are apart).
// Reports GFLOP/s (2 * 20 * 13,587 * 512 flops per call) and thread CPU time per call.
//
// BM_BoundedInt8Scan_Catalog: the matcher's int8 full scan with error radii on the same shape
// at 1,280 dims (the default encoder); bounds checked against exact scores before timing.
//
// Smoke run: ./bench_index --benchmark_min_time=0.01
//
// Longer than our usual file: every index benchmark shares the data sets and the exact oracle
// defined here, and Google Benchmark registers them per binary.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "index/bounded_int8_scan.h"
#include "index/faiss_index.h"
#include "index/flat_index.h"
#include "index/index_factory.h"
#include "index/kernels/scan_kernels.h"
#include "index/vector_file.h"

namespace {

using credmatch::index::FaissIndex;
using credmatch::index::FlatIndex;
using credmatch::index::SearchParams;
using credmatch::index::SearchResult;
using credmatch::index::VectorIndex;
namespace scan = credmatch::index::scan;

constexpr int kDim = 256;
constexpr int kK = 10;
constexpr int64_t kQueryPool = 64;
constexpr int kBatch = 20;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_index: wrong result: %s\n", what.c_str());
  std::abort();
}

// n unit vectors around 1000 random centres; noise of norm ~1.2 times a centre's.
std::vector<float> clustered_unit_vectors(int64_t n, uint32_t seed) {
  constexpr int kClusters = 1000;
  std::mt19937 centre_rng(7);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  const float scale = 1.0f / std::sqrt(static_cast<float>(kDim));
  std::vector<float> centres(static_cast<size_t>(kClusters) * kDim);
  for (float& c : centres) c = normal(centre_rng) * scale;
  std::uniform_int_distribution<int> pick(0, kClusters - 1);
  std::vector<float> v(static_cast<size_t>(n) * kDim);
  for (int64_t i = 0; i < n; ++i) {
    const float* centre = centres.data() + static_cast<size_t>(pick(rng)) * kDim;
    float* row = v.data() + i * kDim;
    double norm = 0;
    for (int j = 0; j < kDim; ++j) {
      row[j] = centre[j] + 1.2f * scale * normal(rng);
      norm += double{row[j]} * row[j];
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (int j = 0; j < kDim; ++j) row[j] *= inv;
  }
  return v;
}

// Base vectors, queries and the exact FlatIndex for one size, made on first use.
struct Fixture {
  std::vector<float> base;
  std::vector<float> queries;
  FlatIndex flat{kDim};
  SearchResult exact;  // top-kK of every query in the pool

  std::span<const float> query(int64_t i) const {
    return std::span<const float>(queries).subspan(static_cast<size_t>(i % kQueryPool) * kDim,
                                                   kDim);
  }
};

const Fixture& fixture(int64_t n) {
  static std::map<int64_t, std::unique_ptr<Fixture>> cache;
  std::unique_ptr<Fixture>& f = cache[n];
  if (!f) {
    f = std::make_unique<Fixture>();
    f->base = clustered_unit_vectors(n, 1);
    f->queries = clustered_unit_vectors(kQueryPool, 2);
    f->flat.add(n, f->base);
    f->exact = f->flat.search(kQueryPool, f->queries, kK, {});
  }
  return *f;
}

// Fraction of the exact top-k ids found by `got` for queries [first, first + rows).
double recall(const SearchResult& got, const SearchResult& exact, int64_t first, int64_t rows) {
  int64_t found = 0;
  for (int64_t q = 0; q < rows; ++q) {
    const auto* want = exact.ids.data() + (first + q) * kK;
    const std::unordered_set<int64_t> want_set(want, want + kK);
    for (int j = 0; j < kK; ++j) found += want_set.count(got.ids[static_cast<size_t>(q * kK + j)]);
  }
  return static_cast<double>(found) / static_cast<double>(rows * kK);
}

// The FlatIndex oracle itself is checked against a double-precision scan of a few queries.
void check_flat_against_naive(const Fixture& f, int64_t n) {
  static std::set<int64_t> checked;
  if (!checked.insert(n).second) return;
  for (int64_t q = 0; q < 3; ++q) {
    const std::span<const float> query = f.query(q);
    std::vector<std::pair<double, int64_t>> all;
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (int j = 0; j < kDim; ++j)
        s += double{f.base[static_cast<size_t>(i * kDim + j)]} * query[j];
      all.emplace_back(-s, i);
    }
    std::partial_sort(all.begin(), all.begin() + kK, all.end());
    const SearchResult r = f.flat.search(1, query, kK, {});
    for (int j = 0; j < kK; ++j) {
      if (std::abs(r.scores[j] + all[j].first) > 1e-4) {
        fail("FlatIndex score " + std::to_string(r.scores[j]) + " != naive " +
             std::to_string(-all[j].first) + " at rank " + std::to_string(j));
      }
    }
  }
}

// Sets the OpenMP thread count for a scope (the timing loop), then restores it.
class OmpThreads {
 public:
  explicit OmpThreads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~OmpThreads() { omp_set_num_threads(saved_); }
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int saved_;
};

void set_counters(benchmark::State& state, int64_t n, int64_t queries_per_call, bool scan) {
  state.SetItemsProcessed(state.iterations() * queries_per_call);
  if (scan) state.SetBytesProcessed(state.iterations() * n * kDim * int64_t{sizeof(float)});
}

void BM_FlatIndex_SearchSingle(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Fixture& f = fixture(n);
  check_flat_against_naive(f, n);
  int64_t i = 0;
  for (auto _ : state) {
    SearchResult r = f.flat.search(1, f.query(i++), kK, {});
    benchmark::DoNotOptimize(r.ids.data());
  }
  set_counters(state, n, 1, true);
}
BENCHMARK(BM_FlatIndex_SearchSingle)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_FlatIndex_SearchBatch(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Fixture& f = fixture(n);
  const std::span<const float> batch = std::span<const float>(f.queries).first(kBatch * kDim);
  const SearchResult check = f.flat.search(kBatch, batch, kK, {});
  for (size_t j = 0; j < check.scores.size(); ++j) {
    if (std::abs(check.scores[j] - f.exact.scores[j]) > 1e-4) fail("FlatIndex batch scores");
  }
  for (auto _ : state) {
    SearchResult r = f.flat.search(kBatch, batch, kK, {});
    benchmark::DoNotOptimize(r.ids.data());
  }
  set_counters(state, n, kBatch, true);
}
BENCHMARK(BM_FlatIndex_SearchBatch)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The default catalog's shape (see the header comment).
constexpr int64_t kCatalogN = 13'587;
constexpr int kCatalogDim = 512;
constexpr int kCatalogK = 256;

struct CatalogFixture {
  std::vector<float> base, queries;
  FlatIndex flat{kCatalogDim};
  std::vector<std::vector<std::pair<double, int64_t>>> exact;  // per query, best first
};

// Unit vectors around `clusters` random centres (noise ~1.2x a centre's norm), dim components.
std::vector<float> clustered(int64_t n, int dim, int clusters, uint32_t seed) {
  std::mt19937 centre_rng(7);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  const float scale = 1.0f / std::sqrt(static_cast<float>(dim));
  std::vector<float> centres(static_cast<size_t>(clusters) * dim);
  for (float& c : centres) c = normal(centre_rng) * scale;
  std::uniform_int_distribution<int> pick(0, clusters - 1);
  std::vector<float> v(static_cast<size_t>(n) * dim);
  for (int64_t i = 0; i < n; ++i) {
    const float* centre = centres.data() + static_cast<size_t>(pick(rng)) * dim;
    float* row = v.data() + i * dim;
    double norm = 0;
    for (int j = 0; j < dim; ++j) {
      row[j] = centre[j] + 1.2f * scale * normal(rng);
      norm += double{row[j]} * row[j];
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (int j = 0; j < dim; ++j) row[j] *= inv;
  }
  return v;
}

const CatalogFixture& catalog_fixture() {
  static const CatalogFixture* f = [] {
    auto* c = new CatalogFixture;
    c->base = clustered(kCatalogN, kCatalogDim, 2213, 1);
    c->queries = clustered(kBatch, kCatalogDim, 2213, 2);
    c->flat.add(kCatalogN, c->base);
    for (int q = 0; q < kBatch; ++q) {
      std::vector<std::pair<double, int64_t>> all;
      const float* query = c->queries.data() + q * kCatalogDim;
      for (int64_t i = 0; i < kCatalogN; ++i) {
        double s = 0;
        for (int j = 0; j < kCatalogDim; ++j) {
          s += double{c->base[static_cast<size_t>(i * kCatalogDim + j)]} * query[j];
        }
        all.emplace_back(s, i);
      }
      std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
      });
      all.resize(kCatalogK);
      c->exact.push_back(std::move(all));
    }
    return c;
  }();
  return *f;
}

// Thread CPU time in seconds (the benchmark's own thread: with threads = 1 the whole search).
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

void BM_FlatIndex_SearchBatchCatalog(benchmark::State& state) {
  const scan::Kernels* kernels = state.range(0) == 0   ? &scan::active_kernels()
                                 : state.range(0) == 1 ? scan::avx2_kernels()
                                                       : scan::avx512_kernels();
  if (kernels == nullptr) {
    state.SkipWithError("kernel set not available on this CPU");
    return;
  }
  const int threads = static_cast<int>(state.range(1));
  const CatalogFixture& f = catalog_fixture();
  const scan::ScanBase base{
      .storage = scan::Storage::kFp32, .data = f.base.data(), .n = kCatalogN, .dim = kCatalogDim};
  std::vector<int64_t> ids(static_cast<size_t>(kBatch * kCatalogK));
  std::vector<float> scores(ids.size());
  auto search = [&] {
    if (state.range(0) == 0) {  // through FlatIndex, as the matcher calls it
      SearchResult r = f.flat.search(kBatch, f.queries, kCatalogK, {.threads = threads});
      std::copy(r.ids.begin(), r.ids.end(), ids.begin());
      std::copy(r.scores.begin(), r.scores.end(), scores.begin());
    } else {
      scan::scan_top_k(base, f.queries.data(), kBatch, kCatalogK, kCatalogK, ids.data(),
                       scores.data(), {.max_threads = threads, .kernels = kernels});
    }
  };
  search();
  for (int q = 0; q < kBatch; ++q) {
    const auto& want = f.exact[static_cast<size_t>(q)];
    for (int j = 0; j < kCatalogK; ++j) {
      const size_t at = static_cast<size_t>(q * kCatalogK + j);
      if (std::abs(scores[at] - want[static_cast<size_t>(j)].first) > 1e-4) {
        fail("catalog batch score at query " + std::to_string(q) + " rank " + std::to_string(j));
      }
      const bool apart = (j == 0 || want[j - 1].first - want[j].first > 1e-5) &&
                         (j + 1 == kCatalogK || want[j].first - want[j + 1].first > 1e-5);
      if (apart && ids[at] != want[static_cast<size_t>(j)].second) {
        fail("catalog batch id at query " + std::to_string(q) + " rank " + std::to_string(j));
      }
    }
  }
  const double cpu0 = thread_cpu_seconds();
  for (auto _ : state) {
    search();
    benchmark::DoNotOptimize(ids.data());
  }
  const double cpu = thread_cpu_seconds() - cpu0;
  const double flops = 2.0 * kBatch * kCatalogN * kCatalogDim;
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * static_cast<double>(state.iterations()) * 1e-9, benchmark::Counter::kIsRate);
  state.counters["thread_cpu_ms"] = 1e3 * cpu / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(kernels->name);
}
BENCHMARK(BM_FlatIndex_SearchBatchCatalog)
    ->ArgNames({"kernel", "threads"})
    ->Args({0, 1})
    ->Args({0, 2})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The matcher's full scan (index/bounded_int8_scan.h) on the default catalog's shape: 20
// queries against 13,587 clustered 1,280-d unit vectors, every pair with its error radius.
// Checked before timing: every pair's exact (double) score lies within its radius. Reports
// GMAC/s (20 * 13,587 * 1,280 multiply-adds per call), against the fp32 batch above.
// Arg: threads (1 = a server worker).
void BM_BoundedInt8Scan_Catalog(benchmark::State& state) {
  constexpr int kFullScanDim = 1280;
  static const std::vector<float> base = clustered(kCatalogN, kFullScanDim, 2213, 1);
  static const std::vector<float> queries = clustered(kBatch, kFullScanDim, 2213, 2);
  static const credmatch::index::BoundedInt8Scan scan(base.data(), kCatalogN, kFullScanDim);
  std::vector<float> lower(size_t(kBatch * scan.distinct())), upper(lower.size());
  const int threads = static_cast<int>(state.range(0));
  scan.score(queries.data(), kBatch, lower.data(), upper.data(), threads);
  for (int q = 0; q < kBatch; ++q) {
    for (int64_t i = 0; i < kCatalogN; i += 7) {
      double exact = 0;
      for (int j = 0; j < kFullScanDim; ++j) {
        exact += double{queries[size_t(q * kFullScanDim + j)]} * base[size_t(i * kFullScanDim + j)];
      }
      const size_t at = size_t(q * scan.distinct() + scan.distinct_of(i));
      if (exact < lower[at] || exact > upper[at]) {
        fail("bounded scan: query " + std::to_string(q) + " row " + std::to_string(i));
      }
    }
  }
  const double cpu0 = thread_cpu_seconds();
  for (auto _ : state) {
    scan.score(queries.data(), kBatch, lower.data(), upper.data(), threads);
    benchmark::DoNotOptimize(lower.data());
  }
  const double cpu = thread_cpu_seconds() - cpu0;
  const double macs = double(kBatch) * double(scan.distinct()) * kFullScanDim;
  state.counters["GMAC/s"] = benchmark::Counter(
      macs * static_cast<double>(state.iterations()) * 1e-9, benchmark::Counter::kIsRate);
  state.counters["thread_cpu_ms"] = 1e3 * cpu / static_cast<double>(state.iterations());
  float radius_max = 0.0f;
  for (size_t i = 0; i < lower.size(); ++i) radius_max = std::max(radius_max, upper[i] - lower[i]);
  state.counters["radius_max"] = 0.5f * radius_max;
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(scan::active_kernel_name());
}
BENCHMARK(BM_BoundedInt8Scan_Catalog)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Builds (once per spec and size) a Faiss index over the fixture and checks its recall@10.
const FaissIndex& faiss_index(const std::string& spec, int64_t n, const SearchParams& params,
                              double min_recall, benchmark::State& state) {
  static std::map<std::pair<std::string, int64_t>, std::unique_ptr<FaissIndex>> cache;
  std::unique_ptr<FaissIndex>& index = cache[{spec, n}];
  const Fixture& f = fixture(n);
  if (!index) {
    index = std::make_unique<FaissIndex>(kDim, spec);
    index->add(n, f.base);
  }
  // Google Benchmark calls a benchmark several times; check each setting once.
  static std::map<std::tuple<std::string, int64_t, int, int>, double> checked;
  const auto key = std::make_tuple(spec, n, params.ef_search, params.nprobe);
  if (!checked.contains(key)) {
    checked[key] = recall(index->search(kQueryPool, f.queries, kK, params), f.exact, 0, kQueryPool);
  }
  const double r = checked[key];
  if (r < min_recall) {
    fail("faiss:" + spec + " recall@10 " + std::to_string(r) + " < " + std::to_string(min_recall));
  }
  state.counters["recall@10"] = r;
  return *index;
}

void BM_FaissFlatIP_SearchSingle(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Fixture& f = fixture(n);
  const FaissIndex& index = faiss_index("Flat", n, {}, 0.999, state);
  const OmpThreads one(1);
  int64_t i = 0;
  for (auto _ : state) {
    SearchResult r = index.search(1, f.query(i++), kK, {});
    benchmark::DoNotOptimize(r.ids.data());
  }
  set_counters(state, n, 1, true);
}
BENCHMARK(BM_FaissFlatIP_SearchSingle)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

// Args: n, efSearch.
void BM_FaissHNSW_SearchSingle(benchmark::State& state) {
  const int64_t n = state.range(0);
  const SearchParams params{.ef_search = static_cast<int>(state.range(1))};
  const Fixture& f = fixture(n);
  const FaissIndex& index = faiss_index("HNSW32", n, params, 0.8, state);
  const OmpThreads one(1);
  int64_t i = 0;
  for (auto _ : state) {
    SearchResult r = index.search(1, f.query(i++), kK, params);
    benchmark::DoNotOptimize(r.ids.data());
  }
  set_counters(state, n, 1, false);
}
BENCHMARK(BM_FaissHNSW_SearchSingle)
    ->Args({10'000, 16})
    ->Args({10'000, 64})
    ->Unit(benchmark::kMicrosecond);

// ---- Indexes made by make_index(): hnswlib graphs, quantized scans, inverted lists ----

// The fixture's vectors in a vectors file (for indexes that re-rank from disk), written once
// per size to the temp directory and removed at exit.
const std::string& fixture_vectors_file(int64_t n) {
  struct Files {
    std::map<int64_t, std::string> paths;
    ~Files() {
      for (const auto& [size, path] : paths) std::filesystem::remove(path);
    }
  };
  static Files files;
  std::string& path = files.paths[n];
  if (path.empty()) {
    path = (std::filesystem::temp_directory_path() /
            ("credmatch_bench_index_" + std::to_string(::getpid()) + "_" + std::to_string(n) +
             ".vec"))
               .string();
    if (!credmatch::index::save_vectors(path, kDim, fixture(n).base, "")) fail("save " + path);
  }
  return path;
}

// make_index(factory) over the n-vector fixture, built once (an index that re-ranks from disk
// gets the fixture's vectors file attached); aborts unless recall@10 over the query pool with
// `params` reaches min_recall against FlatIndex.
const VectorIndex& factory_index(const std::string& factory, int64_t n, const SearchParams& params,
                                 double min_recall, benchmark::State& state) {
  static std::map<std::pair<std::string, int64_t>, std::unique_ptr<VectorIndex>> cache;
  const Fixture& f = fixture(n);
  std::unique_ptr<VectorIndex>& index = cache[{factory, n}];
  if (!index) {
    index = credmatch::index::make_index(factory, kDim);
    index->add(n, f.base);
    if (!credmatch::index::attach_vectors_file(*index, fixture_vectors_file(n), "")) {
      fail("attach vectors file to " + factory);
    }
  }
  const double r = recall(index->search(kQueryPool, f.queries, kK, params), f.exact, 0, kQueryPool);
  if (r < min_recall) {
    fail(factory + " recall@10 " + std::to_string(r) + " < " + std::to_string(min_recall));
  }
  state.counters["recall@10"] = r;
  return *index;
}

// Times `queries_per_call` (1 or kBatch) queries per search() call, taken round the pool.
void time_searches(benchmark::State& state, const VectorIndex& index, const Fixture& f,
                   int64_t queries_per_call, const SearchParams& params) {
  int64_t i = 0;
  for (auto _ : state) {
    const int64_t first = (i++ * queries_per_call) % (kQueryPool - queries_per_call + 1);
    const std::span<const float> queries = std::span<const float>(f.queries).subspan(
        static_cast<size_t>(first * kDim), static_cast<size_t>(queries_per_call * kDim));
    SearchResult r = index.search(queries_per_call, queries, kK, params);
    benchmark::DoNotOptimize(r.ids.data());
  }
}

// Args: n, ef, storage (0 fp32, 1 int8 + rerank). One query per call, one thread.
void BM_Hnswlib_SearchSingle(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int ef = static_cast<int>(state.range(1));
  const std::string factory =
      state.range(2) == 0 ? "hnsw:M=16,efc=100" : "hnsw:M=16,efc=100,int8,rerank=4";
  const SearchParams params{.ef_search = ef};
  const VectorIndex& index = factory_index(factory, n, params, ef >= 64 ? 0.9 : 0.6, state);
  time_searches(state, index, fixture(n), 1, params);
  state.SetLabel(state.range(2) == 0 ? "fp32" : "int8,rerank=4");
  set_counters(state, n, 1, false);
}
BENCHMARK(BM_Hnswlib_SearchSingle)
    ->Args({10'000, 16, 0})
    ->Args({10'000, 64, 0})
    ->Args({10'000, 16, 1})
    ->Args({10'000, 64, 1})
    ->Unit(benchmark::kMicrosecond);

// A batch of kBatch queries per call (split over every core), int8 graph + rerank. Arg: ef.
void BM_Hnswlib_SearchBatch(benchmark::State& state) {
  const int64_t n = 10'000;
  const SearchParams params{.ef_search = static_cast<int>(state.range(0))};
  const VectorIndex& index =
      factory_index("hnsw:M=16,efc=100,int8,rerank=4", n, params, 0.9, state);
  time_searches(state, index, fixture(n), kBatch, params);
  set_counters(state, n, kBatch, false);
}
BENCHMARK(BM_Hnswlib_SearchBatch)->Arg(64)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Flat:fp16 / Flat:int8 over the 10k fixture. Args: storage (0 fp16, 1 int8), re-rank factor
// (0: none), queries per call (1, or kBatch split over every core).
void BM_QuantizedFlat_Search(benchmark::State& state) {
  const int64_t n = 10'000;
  const int64_t factor = state.range(1);
  std::string factory = state.range(0) == 0 ? "Flat:fp16" : "Flat:int8";
  if (factor > 0) factory += ",rerank=" + std::to_string(factor);
  const VectorIndex& index = factory_index(factory, n, {}, factor > 0 ? 0.99 : 0.9, state);
  time_searches(state, index, fixture(n), state.range(2), {});
  state.SetLabel(factory);
  set_counters(state, n, state.range(2), false);
}
BENCHMARK(BM_QuantizedFlat_Search)
    ->Args({0, 0, 1})
    ->Args({0, 4, 1})
    ->Args({1, 0, 1})
    ->Args({1, 4, 1})
    ->Args({1, 4, kBatch})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// ivf:nlist=64,nprobe=8,pca=64,int8 over the 10k fixture. Args: re-ranking (0 none, 1 rerank=4
// in memory, 2 rerank=4 read from the fixture's vectors file), queries per call (1, or kBatch
// split over every core).
void BM_Ivf_Search(benchmark::State& state) {
  const int64_t n = 10'000;
  std::string factory = "ivf:nlist=64,nprobe=8,pca=64,int8";
  if (state.range(0) >= 1) factory += ",rerank=4";
  if (state.range(0) == 2) factory += ",ondisk";
  const VectorIndex& index = factory_index(factory, n, {}, state.range(0) == 0 ? 0.3 : 0.5, state);
  time_searches(state, index, fixture(n), state.range(1), {});
  state.SetLabel(factory);
  set_counters(state, n, state.range(1), false);
}
BENCHMARK(BM_Ivf_Search)
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({1, kBatch})
    ->Args({2, kBatch})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// ---- Exact scan kernels (384-d) ----

constexpr int kScanDim = 384;

// clustered_unit_vectors() for 384 dims (same recipe, generated row by row to save memory).
std::vector<float> clustered_384(int64_t n, uint32_t seed) {
  constexpr int kClusters = 1000;
  std::mt19937 centre_rng(7);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  const float scale = 1.0f / std::sqrt(static_cast<float>(kScanDim));
  std::vector<float> centres(static_cast<size_t>(kClusters) * kScanDim);
  for (float& c : centres) c = normal(centre_rng) * scale;
  std::uniform_int_distribution<int> pick(0, kClusters - 1);
  std::vector<float> v(static_cast<size_t>(n) * kScanDim);
  for (int64_t i = 0; i < n; ++i) {
    const float* centre = centres.data() + static_cast<size_t>(pick(rng)) * kScanDim;
    float* row = v.data() + i * kScanDim;
    double norm = 0;
    for (int j = 0; j < kScanDim; ++j) {
      row[j] = centre[j] + 1.2f * scale * normal(rng);
      norm += double{row[j]} * row[j];
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (int j = 0; j < kScanDim; ++j) row[j] *= inv;
  }
  return v;
}

// One base of n 384-d vectors in all three storages, with the exact top-kK of a query pool
// (fp32 scan, itself checked against a double-precision loop on two queries).
struct ScanFixture {
  int64_t n = 0;
  std::vector<float> fp32;
  std::vector<uint16_t> fp16;
  std::vector<int8_t> codes;
  std::vector<float> scales;
  std::vector<float> queries;
  std::vector<int64_t> exact_ids;  // kQueryPool * kK

  scan::ScanBase base(scan::Storage s) const {
    scan::ScanBase b{.storage = s, .data = nullptr, .scales = nullptr, .n = n, .dim = kScanDim};
    if (s == scan::Storage::kFp32) b.data = fp32.data();
    if (s == scan::Storage::kFp16) b.data = fp16.data();
    if (s == scan::Storage::kInt8) {
      b.data = codes.data();
      b.scales = scales.data();
    }
    return b;
  }
  const float* query(int64_t i) const { return queries.data() + (i % kQueryPool) * kScanDim; }
};

const ScanFixture& scan_fixture(int64_t n) {
  static std::map<int64_t, std::unique_ptr<ScanFixture>> cache;
  std::unique_ptr<ScanFixture>& f = cache[n];
  if (f) return *f;
  f = std::make_unique<ScanFixture>();
  f->n = n;
  f->fp32 = clustered_384(n, 1);
  f->queries = clustered_384(kQueryPool, 2);
  f->fp16.reserve(f->fp32.size());
  for (float x : f->fp32) f->fp16.push_back(scan::float_to_half(x));
  scan::quantize_int8(f->fp32.data(), n, kScanDim, f->codes, f->scales);
  f->exact_ids.resize(kQueryPool * kK);
  std::vector<float> scores(kQueryPool * kK);
  scan::scan_top_k(f->base(scan::Storage::kFp32), f->queries.data(), kQueryPool, kK, kK,
                   f->exact_ids.data(), scores.data(), {});
  for (int64_t q = 0; q < 2; ++q) {
    std::vector<std::pair<double, int64_t>> all(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      const float* row = f->fp32.data() + i * kScanDim;
      for (int j = 0; j < kScanDim; ++j) s += double{row[j]} * f->query(q)[j];
      all[static_cast<size_t>(i)] = {-s, i};
    }
    std::partial_sort(all.begin(), all.begin() + kK, all.end());
    for (int j = 0; j < kK; ++j) {
      if (std::abs(scores[static_cast<size_t>(q * kK + j)] + all[j].first) > 1e-4) {
        fail("fp32 scan score " + std::to_string(scores[static_cast<size_t>(q * kK + j)]) +
             " != naive " + std::to_string(-all[j].first) + " at rank " + std::to_string(j));
      }
    }
  }
  return *f;
}

// Args: n, threads. Checks recall@10 of the whole query pool against the exact fp32 ids first
// (fp32 must be 1: exact).
void scan_single(benchmark::State& state, scan::Storage storage, double min_recall) {
  const int64_t n = state.range(0);
  const scan::ScanOptions options{.max_threads = static_cast<int>(state.range(1))};
  const ScanFixture& f = scan_fixture(n);
  const scan::ScanBase base = f.base(storage);
  std::vector<int64_t> ids(kQueryPool * kK);
  std::vector<float> scores(kQueryPool * kK);
  scan::scan_top_k(base, f.queries.data(), kQueryPool, kK, kK, ids.data(), scores.data(), options);
  int64_t found = 0;
  for (int64_t q = 0; q < kQueryPool; ++q) {
    const std::unordered_set<int64_t> want(f.exact_ids.begin() + q * kK,
                                           f.exact_ids.begin() + (q + 1) * kK);
    for (int j = 0; j < kK; ++j) found += want.count(ids[static_cast<size_t>(q * kK + j)]);
  }
  const double r = static_cast<double>(found) / (kQueryPool * kK);
  if (r < min_recall) {
    fail("scan recall@10 " + std::to_string(r) + " < " + std::to_string(min_recall));
  }
  int64_t i = 0;
  for (auto _ : state) {
    scan::scan_top_k(base, f.query(i++), 1, kK, kK, ids.data(), scores.data(), options);
    benchmark::DoNotOptimize(ids.data());
  }
  const int64_t row_bytes = storage == scan::Storage::kFp32   ? kScanDim * 4
                            : storage == scan::Storage::kFp16 ? kScanDim * 2
                                                              : kScanDim + 4;
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * n * row_bytes);
  state.counters["recall@10"] = r;
}

void BM_Scan_Fp32_Single(benchmark::State& state) {
  scan_single(state, scan::Storage::kFp32, 1.0);
}
void BM_Scan_Fp16_Single(benchmark::State& state) {
  scan_single(state, scan::Storage::kFp16, 0.98);
}
void BM_Scan_Int8_Single(benchmark::State& state) {
  scan_single(state, scan::Storage::kInt8, 0.93);
}

// One pair dot product (the graph indexes' distance), 384-d: fp32 and int8 codes, checked
// against a scalar loop first. Arg: 0 fp32, 1 int8. items/s = pairs.
void BM_Dot_Pair(benchmark::State& state) {
  const scan::Kernels& k = scan::active_kernels();
  const ScanFixture& f = scan_fixture(100'000);
  const bool int8 = state.range(0) == 1;
  // 4096 rows (L2-resident) against query 0, so this times the kernel, not DRAM.
  constexpr int64_t kRows = 4096;
  std::vector<int8_t> qcodes;
  std::vector<float> qscales;
  scan::quantize_int8(f.query(0), 1, kScanDim, qcodes, qscales);
  for (int64_t i = 0; i < 8; ++i) {
    double want = 0;
    for (int d = 0; d < kScanDim; ++d) {
      const size_t at = static_cast<size_t>(i * kScanDim + d);
      want += int8 ? static_cast<double>(qcodes[static_cast<size_t>(d)]) * f.codes[at]
                   : double{f.query(0)[d]} * f.fp32[at];
    }
    const double got =
        int8 ? static_cast<double>(
                   k.dot_int8(qcodes.data(), f.codes.data() + i * kScanDim, kScanDim))
             : static_cast<double>(k.dot_fp32(f.query(0), f.fp32.data() + i * kScanDim, kScanDim));
    if (std::abs(got - want) > (int8 ? 0.0 : 1e-4)) fail("pair dot product");
  }
  int64_t i = 0;
  for (auto _ : state) {
    const int64_t row = (i++) % kRows;
    if (int8) {
      benchmark::DoNotOptimize(
          k.dot_int8(qcodes.data(), f.codes.data() + row * kScanDim, kScanDim));
    } else {
      benchmark::DoNotOptimize(k.dot_fp32(f.query(0), f.fp32.data() + row * kScanDim, kScanDim));
    }
  }
  state.SetLabel(int8 ? "int8" : "fp32");
  state.SetItemsProcessed(state.iterations());
}

// Sums a float buffer with `threads` threads, each streaming its own contiguous part.
double stream_sum(const std::vector<float>& buffer, int threads) {
  std::vector<double> partial(static_cast<size_t>(threads));
  auto work = [&](int t) {
    const size_t part = buffer.size() / static_cast<size_t>(threads);
    const float* p = buffer.data() + part * static_cast<size_t>(t);
    // 16 float lanes (4 SSE registers: 4 independent add chains, so the loop is not bound by
    // add latency) summing 4096-element chunks stay exact; their total is a double.
    constexpr size_t kLanes = 16;
    constexpr size_t kChunk = 4096;
    double total = 0;
    size_t c = 0;
    for (; c + kChunk <= part; c += kChunk) {
      float lanes[kLanes] = {};
      for (size_t i = c; i < c + kChunk; i += kLanes) {
        for (size_t j = 0; j < kLanes; ++j) lanes[j] += p[i + j];
      }
      for (float x : lanes) total += x;
    }
    for (; c < part; ++c) total += p[c];
    partial[static_cast<size_t>(t)] = total;
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
  double total = 0;
  for (double x : partial) total += x;
  return total;
}

bool large_benchmarks() {
  const char* env = std::getenv("CREDMATCH_BENCH_LARGE");
  return env != nullptr && std::string(env) == "1";
}

// Arg: threads.
void BM_MemoryBandwidth(benchmark::State& state) {
  static const std::vector<float> buffer(
      (large_benchmarks() ? size_t{1} << 30 : size_t{256} << 20) / sizeof(float), 1.0f);
  const int threads = static_cast<int>(state.range(0));
  if (stream_sum(buffer, threads) != static_cast<double>(buffer.size())) fail("bandwidth sum");
  for (auto _ : state) benchmark::DoNotOptimize(stream_sum(buffer, threads));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buffer.size() * sizeof(float)));
}

void register_scan_benchmarks() {
  benchmark::AddCustomContext("kernel", scan::active_kernel_name());
  std::vector<int64_t> sizes = {100'000};
  if (large_benchmarks()) sizes.push_back(1'000'000);
  for (auto [name, fn] : {std::pair{"BM_Scan_Fp32_Single", &BM_Scan_Fp32_Single},
                          std::pair{"BM_Scan_Fp16_Single", &BM_Scan_Fp16_Single},
                          std::pair{"BM_Scan_Int8_Single", &BM_Scan_Int8_Single}}) {
    for (int64_t n : sizes) {
      for (int64_t threads : {1, 2}) {
        benchmark::RegisterBenchmark(name, fn)
            ->Args({n, threads})
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
  benchmark::RegisterBenchmark("BM_Dot_Pair", BM_Dot_Pair)->Arg(0)->Arg(1);
  benchmark::RegisterBenchmark("BM_MemoryBandwidth", BM_MemoryBandwidth)
      ->Arg(1)
      ->Arg(2)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  register_scan_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
