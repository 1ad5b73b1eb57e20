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
// machine), which would hide the search itself. FlatIndex is single-threaded per call.
//
// Smoke run: ./bench_index --benchmark_min_time=0.01
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "index/faiss_index.h"
#include "index/flat_index.h"

namespace {

using credmatch::index::FaissIndex;
using credmatch::index::FlatIndex;
using credmatch::index::SearchParams;
using credmatch::index::SearchResult;

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
BENCHMARK(BM_FlatIndex_SearchSingle)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

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
BENCHMARK(BM_FlatIndex_SearchBatch)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

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

}  // namespace

BENCHMARK_MAIN();
