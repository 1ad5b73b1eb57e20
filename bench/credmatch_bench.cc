// credmatch-bench: the recall/QPS harness. On one set of vectors it builds each index type,
// sweeps its search knob and prints one row per setting, side by side in one run:
//
//   index | param | QPS | p50 us | p99 us | recall@10 | build s | bytes/vector | GB/s | % bw
//
// QPS, p50 and p99 are for one query per search() call, calls made one after another from one
// thread (our exact scans shard each call over --threads threads; Faiss runs with one OpenMP
// thread per call). recall@10 is against the exact answer (FlatIndex). GB/s and "% bw" are
// given for exhaustive scans: "% bw" is a share of the read bandwidth (2 threads, or 1 for
// Faiss and --threads 1) measured right before and right after that row, their mean: on a
// shared VM the bandwidth drifts by a third within minutes, and a reading taken at the start
// of a long run is not the one the row ran against. Also printed: the machine's read bandwidth
// at the start (a streaming AVX2 sum over a DRAM-sized array, 1 and 2 threads, best of several
// passes) and the range of the per-row readings, the FMA peak (register-only FMA chains, 1 and 2
// threads, on AVX-512 registers where our kernels use them), the batched exact search's
// GFLOP/s (best of 3 calls) and share of that peak, and job rows: all --job-size queries of a
// "job" in one call, p50/p99 per job.
//
// Inputs: --catalog DIR (a built catalog's competency vectors: real encoder output) or --vectors
// FILE (a vectors:f32 file, e.g. from credmatch-synth). In the --csv output a factory string's
// commas are written as '+' ("Flat:int8+rerank=4"). The last --queries vectors of a seeded
// shuffle are held out as queries; the rest are indexed.
//
// Usage:
//   credmatch-bench --catalog /tmp/perf-catalog --csv out.csv
//   credmatch-bench --vectors /tmp/synth-1m/competencies.vec --only flat,ivf --queries 200
//
// Longer than our usual file: one harness whose rows must be produced the same way for every
// index (build, sweep, time, recall), so it stays in one place.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/process_memory.h"
#include "catalog/loaded_catalog.h"
#include "index/faiss_index.h"
#include "index/flat_index.h"
#include "index/ground_truth.h"
#include "index/index_factory.h"
#include "index/kernels/scan_kernels.h"
#include "index/vector_file.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

using credmatch::index::SearchParams;
using credmatch::index::SearchResult;
using credmatch::index::VectorIndex;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---------------------------------------------------------------------------------------------
// Machine ceilings.

#if defined(__x86_64__)
__attribute__((target("avx2"))) double avx2_sum(const float* p, size_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(p + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(p + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(p + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(p + i + 24));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  double s = 0;
  for (float x : lanes) s += x;
  for (; i < n; ++i) s += p[i];
  return s;
}

// 10 independent FMA chains (latency 4-5 cycles x 2 ports) of 8 floats: the core's FMA peak.
__attribute__((target("avx2,fma"))) double fma_chains(int64_t iterations) {
  __m256 acc[10];
  for (int j = 0; j < 10; ++j) acc[j] = _mm256_set1_ps(static_cast<float>(j));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 10
    for (int j = 0; j < 10; ++j) acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  }
  alignas(32) float lanes[8];
  __m256 s = acc[0];
  for (int j = 1; j < 10; ++j) s = _mm256_add_ps(s, acc[j]);
  _mm256_store_ps(lanes, s);
  return lanes[0];
}
bool have_avx2() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
// The same on 16-float registers, for CPUs where our kernels run AVX-512: the peak they can
// reach (an AVX2 peak would understate it by up to 2x).
__attribute__((target("avx512f"))) double fma_chains_avx512(int64_t iterations) {
  __m512 acc[10];
  for (int j = 0; j < 10; ++j) acc[j] = _mm512_set1_ps(static_cast<float>(j));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 10
    for (int j = 0; j < 10; ++j) acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  }
  __m512 s = acc[0];
  for (int j = 1; j < 10; ++j) s = _mm512_add_ps(s, acc[j]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  return lanes[0];
}
bool use_avx512_peak() {
  return __builtin_cpu_supports("avx512f") &&
         credmatch::index::scan::active_kernel_name().starts_with("avx512");
}
#else
double avx2_sum(const float* p, size_t n) {
  return std::accumulate(p, p + n, 0.0);
}
double fma_chains(int64_t) {
  return 0;
}
double fma_chains_avx512(int64_t) {
  return 0;
}
bool have_avx2() {
  return false;
}
bool use_avx512_peak() {
  return false;
}
#endif

template <typename F>
double run_threads(int threads, F&& f) {
  const Clock::time_point t0 = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(f, t);
  f(0);
  for (std::thread& th : pool) th.join();
  return seconds_since(t0);
}

// Read bandwidth in GB/s: each thread sums its own contiguous part; best of `passes`.
double read_bandwidth(const std::vector<float, std::allocator<float>>& buffer, int threads,
                      int passes) {
  double best = 0;
  std::vector<double> sink(static_cast<size_t>(threads));
  for (int p = 0; p < passes; ++p) {
    const double s = run_threads(threads, [&](int t) {
      const size_t part = buffer.size() / static_cast<size_t>(threads) / 8 * 8;
      sink[static_cast<size_t>(t)] = avx2_sum(buffer.data() + part * static_cast<size_t>(t), part);
    });
    best = std::max(best, static_cast<double>(buffer.size() * sizeof(float)) / s / 1e9);
  }
  return best;
}

double fma_peak_gflops(int threads) {
  if (!have_avx2()) return 0;
  constexpr int64_t kIterations = 100'000'000;
  const bool wide = use_avx512_peak();
  const double lanes = wide ? 16 : 8;
  std::vector<double> sink(static_cast<size_t>(threads));
  double best = 0;
  for (int p = 0; p < 3; ++p) {
    const double s = run_threads(threads, [&](int t) {
      sink[static_cast<size_t>(t)] =
          wide ? fma_chains_avx512(kIterations) : fma_chains(kIterations);
    });
    best = std::max(best, 10.0 * lanes * 2 * static_cast<double>(kIterations) * threads / s / 1e9);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Rows.

struct Row {
  std::string index, param;
  double qps = 0, p50_us = 0, p99_us = 0, recall = 0, build_s = 0, bytes_per_vector = 0;
  double gbps = 0, bw_share = 0;  // exhaustive scans only (0 = not applicable)
  int64_t queries = 0;
};

double recall_at(const SearchResult& got, const std::vector<int64_t>& truth, int64_t first_query,
                 int64_t nq, int k) {
  int64_t hits = 0;
  for (int64_t q = 0; q < nq; ++q) {
    const auto* want = truth.data() + (first_query + q) * k;
    const std::unordered_set<int64_t> set(want, want + k);
    for (int j = 0; j < k; ++j) hits += set.count(got.ids[static_cast<size_t>(q * k + j)]);
  }
  return static_cast<double>(hits) / static_cast<double>(nq * k);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t at = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[at];
}

struct Data {
  int dim = 0;
  int64_t n = 0, nq = 0;
  std::vector<float> base, queries;
  std::vector<int64_t> truth;  // nq * k exact ids
};

struct Options {
  int k = 10;
  int job_size = 20;
  double max_seconds = 4;  // per row: stop timing after this many seconds (>= 20 queries)
  int threads = 2;
};

// Times `calls` search() calls of `batch` queries each (queries cycle through the pool).
Row time_search(const VectorIndex& index, const Data& d, const Options& o, int batch,
                const SearchParams& params) {
  Row row;
  std::vector<double> latencies;
  int64_t hits_queries = 0;
  double recall_sum = 0;
  const int64_t calls_max = std::max<int64_t>(1, d.nq / batch);
  // Warm-up: one call (page faults, thread pool start).
  index.search(batch, std::span(d.queries).first(static_cast<size_t>(batch) * d.dim), o.k, params);
  const Clock::time_point start = Clock::now();
  for (int64_t c = 0; c < calls_max; ++c) {
    const std::span<const float> q = std::span(d.queries).subspan(
        static_cast<size_t>(c * batch * d.dim), static_cast<size_t>(batch * d.dim));
    const Clock::time_point t0 = Clock::now();
    const SearchResult r = index.search(batch, q, o.k, params);
    latencies.push_back(seconds_since(t0));
    recall_sum += recall_at(r, d.truth, c * batch, batch, o.k) * batch;
    hits_queries += batch;
    if (c >= 20 && seconds_since(start) > o.max_seconds) break;
  }
  const double total = std::accumulate(latencies.begin(), latencies.end(), 0.0);
  row.queries = hits_queries;
  row.qps = static_cast<double>(hits_queries) / total;
  row.p50_us = percentile(latencies, 0.5) * 1e6;
  row.p99_us = percentile(latencies, 0.99) * 1e6;
  row.recall = recall_sum / static_cast<double>(hits_queries);
  return row;
}

double bytes_per_vector(const VectorIndex& index) {
  // Flat:fp16/int8, hnsw, ivf and their re-ranking wrappers report what they hold.
  if (const auto* m = dynamic_cast<const credmatch::index::ReportsMemory*>(&index)) {
    return static_cast<double>(m->memory_bytes()) / static_cast<double>(index.size());
  }
  if (index.exact_vectors()) return index.dim() * 4.0;  // Flat: its fp32 vectors
  // Faiss: its serialized size is its memory to within a few headers.
  return static_cast<double>(index.serialize().size()) / static_cast<double>(index.size());
}

// Bytes one exhaustive scan reads per vector (the stored rows, not the fp32 re-rank copies).
double scanned_bytes_per_vector(const std::string& factory, int dim) {
  if (factory == "Flat" || factory == "faiss:Flat") return dim * 4.0;
  if (factory.starts_with("Flat:fp16")) return dim * 2.0;
  if (factory.starts_with("Flat:int8")) return dim + 4.0;
  return 0;
}

struct Plan {
  std::string group;  // --only selects groups: flat, faiss-flat, hnsw, faiss-hnsw, ivf, ivfpq
  std::string factory;
  enum Knob { kNone, kEf, kNprobe } knob = kNone;
  std::vector<int> values;
  bool job_rows = false;  // also time whole jobs (job_size queries per call)
};

std::vector<Plan> make_plans(int64_t n, int dim) {
  const int nlist = static_cast<int>(std::clamp<int64_t>(
      int64_t{1} << static_cast<int>(std::lround(std::log2(std::sqrt(static_cast<double>(n))))), 16,
      4096));
  const std::string ivf = "IVF" + std::to_string(nlist);
  const std::vector<int> efs = {10, 16, 32, 64, 128, 256};
  const std::vector<int> probes = {1, 2, 4, 8, 16, 32, 64};
  return {
      {"flat", "Flat", Plan::kNone, {0}, true},
      {"flat", "Flat:fp16", Plan::kNone, {0}, false},
      {"flat", "Flat:int8", Plan::kNone, {0}, true},
      {"flat", "Flat:fp16,rerank=4", Plan::kNone, {0}, false},
      {"flat", "Flat:int8,rerank=4", Plan::kNone, {0}, true},
      {"faiss-flat", "faiss:Flat", Plan::kNone, {0}, false},
      {"hnsw", "hnsw:M=32,efc=200", Plan::kEf, efs, true},
      {"hnsw", "hnsw:M=32,efc=200,int8,rerank=4", Plan::kEf, efs, true},
      {"faiss-hnsw", "faiss:HNSW32", Plan::kEf, efs, false},
      {"ivf", "faiss:" + ivf + ",Flat", Plan::kNprobe, probes, false},
      {"ivf", "ivf:nlist=" + std::to_string(nlist) + ",int8", Plan::kNprobe, probes, false},
      {"ivf", "ivf:nlist=" + std::to_string(nlist) + ",pca=" + std::to_string(std::max(8, dim * 3 / 10 / 8 * 8)) + ",int8",
       Plan::kNprobe, probes, false},
      {"ivfpq", "faiss:" + ivf + ",PQ" + std::to_string(dim / 8) + "np", Plan::kNprobe, probes,
       false},
  };
}

// The table's header and separator, above print_row()'s rows; `seconds` names the column of
// Row::build_s (build or load time).
void print_header(const char* seconds) {
  std::printf("\n| %-34s | %-8s | %9s | %9s | %9s | %9s | %7s | %12s | %5s | %5s |\n", "index",
              "param", "QPS", "p50 us", "p99 us", "recall@10", seconds, "bytes/vector", "GB/s",
              "% bw");
  std::printf(
      "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(36, '-').c_str(),
      std::string(10, '-').c_str(), std::string(11, '-').c_str(), std::string(11, '-').c_str(),
      std::string(11, '-').c_str(), std::string(11, '-').c_str(), std::string(9, '-').c_str(),
      std::string(14, '-').c_str(), std::string(7, '-').c_str(), std::string(7, '-').c_str());
}

void print_row(const Row& r, FILE* out) {
  char gb[32] = "-", share[32] = "-";
  if (r.gbps > 0) std::snprintf(gb, sizeof gb, "%.1f", r.gbps);
  if (r.bw_share > 0) std::snprintf(share, sizeof share, "%.0f%%", r.bw_share * 100);
  std::fprintf(out,
               "| %-34s | %-8s | %9.0f | %9.0f | %9.0f | %9.4f | %7.1f | %12.0f | %5s | %5s |\n",
               r.index.c_str(), r.param.c_str(), r.qps, r.p50_us, r.p99_us, r.recall, r.build_s,
               r.bytes_per_vector, gb, share);
  std::fflush(out);
}

// One CSV line (no-op without --csv). Factory strings contain commas: '+' stands for them.
void write_csv_row(const Row& row, std::FILE* csv) {
  if (csv == nullptr) return;
  std::string name = row.index;
  std::replace(name.begin(), name.end(), ',', '+');
  std::fprintf(csv, "%s,%s,%.1f,%.1f,%.1f,%.5f,%.2f,%.1f,%.2f,%.3f,%lld\n", name.c_str(),
               row.param.c_str(), row.qps, row.p50_us, row.p99_us, row.recall, row.build_s,
               row.bytes_per_vector, row.gbps, row.bw_share, static_cast<long long>(row.queries));
  std::fflush(csv);
}

// --index-dir: an index built elsewhere (credmatch-synth --index: competencies.index,
// queries.vec, truth.knn) is loaded alone, so the process's memory is the index's, and its
// search knob swept against the stored exact answers.
int run_prebuilt(const std::string& dir, const Options& o, const std::vector<int>& values,
                 std::FILE* csv) {
  namespace fs = std::filesystem;
  const Clock::time_point t0 = Clock::now();
  auto loaded = credmatch::index::load_index((fs::path(dir) / "competencies.index").string(), 0, "");
  if (!loaded) {
    std::fprintf(stderr, "credmatch-bench: %s\n", loaded.status().to_string().c_str());
    return 1;
  }
  // An index that re-ranks from disk opens the vectors file (header only), never loads it.
  if (credmatch::Status s = credmatch::index::attach_vectors_file(
          **loaded, (fs::path(dir) / "competencies.vec").string(), "");
      !s.is_ok()) {
    std::fprintf(stderr, "credmatch-bench: %s\n", s.to_string().c_str());
    return 1;
  }
  const VectorIndex& index = **loaded;
  const double load_s = seconds_since(t0);
  const credmatch::ResidentMemory loaded_memory = credmatch::resident_memory();
  auto queries = credmatch::index::load_vectors((fs::path(dir) / "queries.vec").string(), index.dim(), "");
  auto truth = credmatch::index::load_ground_truth((fs::path(dir) / "truth.knn").string(), "");
  if (!queries || !truth) {
    std::fprintf(stderr, "credmatch-bench: %s\n",
                 (!queries ? queries.status() : truth.status()).to_string().c_str());
    return 1;
  }
  if (truth->k < o.k || static_cast<int64_t>(truth->ids.size()) / truth->k != queries->n) {
    std::fprintf(stderr, "credmatch-bench: %s: truth.knn holds %lld x k=%lld, queries.vec %lld\n",
                 dir.c_str(), static_cast<long long>(truth->ids.size() / truth->k),
                 static_cast<long long>(truth->k), static_cast<long long>(queries->n));
    return 1;
  }
  Data d;
  d.dim = index.dim();
  d.n = index.size();
  d.nq = queries->n;
  d.queries = std::move(queries->data);
  for (int64_t q = 0; q < d.nq; ++q) {
    d.truth.insert(d.truth.end(), truth->ids.begin() + q * truth->k,
                   truth->ids.begin() + q * truth->k + o.k);
  }
  std::printf("index: %s/competencies.index, %s, n=%lld, dim=%d, %lld queries; loaded in %.1f s; "
              "RSS after load %.2f GiB (peak while loading %.2f GiB)\n",
              dir.c_str(), index.factory_string().c_str(), static_cast<long long>(d.n), d.dim,
              static_cast<long long>(d.nq), load_s, loaded_memory.now_gib, loaded_memory.peak_gib);
  print_header("load s");
  const bool hnsw = index.factory_string().starts_with("hnsw:");
  const double bpv = bytes_per_vector(index);
  std::vector<Row> job_rows;
  for (int value : values) {
    SearchParams params;
    (hnsw ? params.ef_search : params.nprobe) = value;
    const std::string param = (hnsw ? "ef=" : "nprobe=") + std::to_string(value);
    Row row = time_search(index, d, o, 1, params);
    row.index = index.factory_string();
    row.param = param;
    row.build_s = load_s;
    row.bytes_per_vector = bpv;
    print_row(row, stdout);
    write_csv_row(row, csv);
    Row job = time_search(index, d, o, o.job_size, params);
    job.index = row.index;
    job.param = param + ",job";
    job.build_s = load_s;
    job.bytes_per_vector = bpv;
    job_rows.push_back(job);
  }
  std::printf("\njobs: %d queries per search() call; QPS counts queries, p50/p99 are per job\n",
              o.job_size);
  for (const Row& r : job_rows) print_row(r, stdout);
  const credmatch::ResidentMemory end_memory = credmatch::resident_memory();
  std::printf("\nmemory: RSS %.2f GiB at the end, peak %.2f GiB (whole process: index, queries, "
              "truth, buffers; not the page cache of files read)\n",
              end_memory.now_gib, end_memory.peak_gib);
  return 0;
}

Data load_data(const std::string& catalog, const std::string& vectors_file, int64_t nq_wanted,
               int64_t limit, int k, uint32_t seed) {
  Data d;
  std::vector<float> all;
  // A catalog's vectors: competencies.vec, or the vectors of a Flat competencies.index.
  std::string path = vectors_file;
  if (!catalog.empty()) path = catalog + "/" + credmatch::engine::kVectorsFile;
  if (!catalog.empty() && !std::filesystem::exists(path)) {
    const std::string index_path = catalog + "/" + credmatch::engine::kIndexFile;
    auto loaded = credmatch::index::load_index(index_path, 0, "");
    if (!loaded) throw std::runtime_error(loaded.status().to_string());
    const std::optional<std::span<const float>> exact = (*loaded)->exact_vectors();
    if (!exact) {
      throw std::runtime_error(index_path + ": neither competencies.vec nor a Flat index");
    }
    d.dim = (*loaded)->dim();
    all.assign(exact->begin(), exact->end());
  } else {
    auto m = credmatch::index::load_vectors(path, 0, "");
    if (!m) throw std::runtime_error(m.status().to_string());
    d.dim = m->dim;
    all = std::move(m->data);
  }
  int64_t total = static_cast<int64_t>(all.size()) / d.dim;
  if (limit > 0 && limit < total) {
    total = limit;
    all.resize(static_cast<size_t>(total * d.dim));
  }
  // Hold out nq rows chosen by a seeded shuffle as queries; the base keeps the rest in order.
  d.nq = std::min<int64_t>(nq_wanted, total / 2);
  std::vector<int64_t> order(static_cast<size_t>(total));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<bool> is_query(static_cast<size_t>(total), false);
  for (int64_t i = 0; i < d.nq; ++i)
    is_query[static_cast<size_t>(order[static_cast<size_t>(i)])] = true;
  d.queries.reserve(static_cast<size_t>(d.nq * d.dim));
  for (int64_t i = 0; i < d.nq; ++i) {
    const float* row = all.data() + order[static_cast<size_t>(i)] * d.dim;
    d.queries.insert(d.queries.end(), row, row + d.dim);
  }
  // Compact the base in place.
  int64_t w = 0;
  for (int64_t i = 0; i < total; ++i) {
    if (is_query[static_cast<size_t>(i)]) continue;
    if (w != i) std::copy_n(all.data() + i * d.dim, d.dim, all.data() + w * d.dim);
    ++w;
  }
  all.resize(static_cast<size_t>(w * d.dim));
  all.shrink_to_fit();
  d.base = std::move(all);
  d.n = w;
  (void)k;
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"credmatch-bench: recall / QPS sweep of every index type on the same vectors"};
  std::string catalog, vectors_file, csv_path, only;
  int64_t nq = 1000, limit = 0;
  int bandwidth_mib = 1024;
  uint32_t seed = 1;
  Options o;
  auto* source = app.add_option_group("input");
  source->add_option("--catalog", catalog, "built catalog directory (real encoder vectors)");
  source->add_option("--vectors", vectors_file, "vectors:f32 file (e.g. from credmatch-synth)");
  std::string index_dir;
  std::vector<int> sweep = {8, 16, 32, 64, 128, 256};
  source->add_option("--index-dir", index_dir,
                     "a prebuilt index (credmatch-synth --index output): load it alone and "
                     "sweep --sweep (nprobe, or ef for hnsw) against its truth.knn");
  app.add_option("--sweep", sweep, "with --index-dir: knob values, comma-separated")
      ->delimiter(',')
      ->capture_default_str();
  std::vector<std::string> factories;
  app.add_option("--factory", factories,
                 "time these factory strings instead of the default plans (repeatable; "
                 "nprobe swept for IVF, ef for HNSW)");
  source->require_option(1);
  app.add_option("--queries", nq, "held-out query vectors")->capture_default_str();
  app.add_option("--limit", limit, "use only the first N vectors (0 = all)");
  app.add_option("--k", o.k, "neighbours per query")->capture_default_str();
  app.add_option("--job-size", o.job_size, "queries per job row")->capture_default_str();
  app.add_option("--max-seconds", o.max_seconds, "timing budget per row")->capture_default_str();
  app.add_option("--only", only,
                 "comma-separated groups: flat, faiss-flat, hnsw, faiss-hnsw, ivf, ivfpq");
  app.add_option("--csv", csv_path, "also write the rows as CSV");
  app.add_option("--bandwidth-mib", bandwidth_mib, "array size of the bandwidth probe (0 = skip)")
      ->capture_default_str();
  app.add_option("--seed", seed, "query hold-out shuffle")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::set<std::string> groups;
  std::stringstream ss(only);
  for (std::string g; std::getline(ss, g, ',');) groups.insert(g);

  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("kernels: %s, hardware threads: %u, OMP_WAIT_POLICY=%s\n",
              credmatch::index::scan::active_kernel_name().c_str(),
              std::thread::hardware_concurrency(), wait_policy ? wait_policy : "(unset)");
  o.threads = static_cast<int>(std::min(2u, std::max(1u, std::thread::hardware_concurrency())));

  // Before the probes below, whose buffers would count in this process's peak memory.
  if (!index_dir.empty()) {
    std::FILE* csv = csv_path.empty() ? nullptr : std::fopen(csv_path.c_str(), "w");
    const int rc = run_prebuilt(index_dir, o, sweep, csv);
    if (csv != nullptr) std::fclose(csv);
    return rc;
  }
  double bw1 = 0, bw2 = 0;
  if (bandwidth_mib > 0) {
    std::vector<float> buffer(static_cast<size_t>(bandwidth_mib) << 18, 1.0f);
    bw1 = read_bandwidth(buffer, 1, 5);
    bw2 = read_bandwidth(buffer, 2, 5);
    std::printf(
        "read bandwidth (%d MiB array, best of 5): 1 thread %.1f GB/s, 2 threads %.1f GB/s\n",
        bandwidth_mib, bw1, bw2);
  }
  const double peak1 = fma_peak_gflops(1), peak2 = fma_peak_gflops(2);
  std::printf("FMA peak (fp32, %s): 1 thread %.1f GFLOP/s, 2 threads %.1f GFLOP/s\n",
              use_avx512_peak() ? "AVX-512" : "AVX2", peak1, peak2);

  const Clock::time_point t_load = Clock::now();
  Data d;
  try {
    d = load_data(catalog, vectors_file, nq, limit, o.k, seed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "credmatch-bench: %s\n", e.what());
    return 1;
  }
  std::printf("vectors: %s, n=%lld base + %lld held-out queries, dim=%d (loaded in %.1f s)\n",
              catalog.empty() ? vectors_file.c_str() : catalog.c_str(), static_cast<long long>(d.n),
              static_cast<long long>(d.nq), d.dim, seconds_since(t_load));

  // Exact answers (and the batched exact search's FLOP rate).
  credmatch::index::FlatIndex exact(d.dim);
  exact.add(d.n, d.base);
  {
    // The best of 3 calls: the first also pays for first-touching its result buffers.
    double s = 0;
    for (int rep = 0; rep < 3; ++rep) {
      const Clock::time_point t0 = Clock::now();
      SearchResult truth = exact.search(d.nq, d.queries, o.k, {});
      const double took = seconds_since(t0);
      s = rep == 0 ? took : std::min(s, took);
      if (rep == 0) d.truth = std::move(truth.ids);
    }
    const double gflops =
        2.0 * static_cast<double>(d.n) * d.dim * static_cast<double>(d.nq) / s / 1e9;
    std::printf(
        "batched exact search (Flat, %lld queries in one call, %d threads, best of 3): %.3f s, "
        "%.1f GFLOP/s = %.0f%% of the %d-thread FMA peak\n",
        static_cast<long long>(d.nq), o.threads, s, gflops,
        peak2 > 0 ? 100 * gflops / (o.threads == 2 ? peak2 : peak1) : 0.0, o.threads);
  }

  std::FILE* csv = nullptr;
  if (!csv_path.empty()) {
    csv = std::fopen(csv_path.c_str(), "w");
    if (csv == nullptr) {
      std::fprintf(stderr, "credmatch-bench: cannot write %s\n", csv_path.c_str());
      return 1;
    }
    std::fprintf(csv,
                 "index,param,qps,p50_us,p99_us,recall_at_%d,build_s,bytes_per_vector,"
                 "scan_gbps,bw_share,queries\n",
                 o.k);
  }
  print_header("build s");
  std::vector<Row> job_rows;
  // The read bandwidth now, on a fresh probe array (freed again: it must not count in the
  // indexes' memory); 0 with --bandwidth-mib 0.
  std::vector<double> row_bandwidths;
  auto probe_bandwidth = [&](int threads) {
    if (bandwidth_mib <= 0) return 0.0;
    std::vector<float> buffer(static_cast<size_t>(bandwidth_mib) << 18, 1.0f);
    return read_bandwidth(buffer, threads, 5);
  };
  std::vector<Plan> plans = make_plans(d.n, d.dim);
  if (!factories.empty()) {
    plans.clear();
    for (const std::string& f : factories) {
      Plan p{"", f, Plan::kNone, {0}, false};
      if (f.starts_with("ivf:") || f.find("IVF") != std::string::npos) {
        p.knob = Plan::kNprobe;
        p.values = {1, 2, 4, 8, 16, 32, 64, 128};
      } else if (f.starts_with("hnsw:") || f.find("HNSW") != std::string::npos) {
        p.knob = Plan::kEf;
        p.values = {10, 16, 32, 64, 128, 256};
      }
      plans.push_back(p);
    }
  }
  for (const Plan& plan : plans) {
    if (!groups.empty() && groups.count(plan.group) == 0 && factories.empty()) continue;
    std::unique_ptr<VectorIndex> index;
    double build_s = 0;
    try {
      const Clock::time_point t0 = Clock::now();
      index = credmatch::index::make_index(plan.factory, d.dim);
      index->add(d.n, d.base);
      build_s = seconds_since(t0);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "credmatch-bench: %s: %s\n", plan.factory.c_str(), e.what());
      continue;
    }
    const double bpv = bytes_per_vector(*index);
    const bool faiss = plan.factory.starts_with("faiss:");
    omp_set_num_threads(faiss ? 1 : o.threads);
    for (int value : plan.values) {
      SearchParams params;
      std::string param = "-";
      if (plan.knob == Plan::kEf) {
        params.ef_search = value;
        param = "ef=" + std::to_string(value);
      } else if (plan.knob == Plan::kNprobe) {
        params.nprobe = value;
        param = "nprobe=" + std::to_string(value);
      }
      const double scanned = scanned_bytes_per_vector(plan.factory, d.dim);
      const int bw_threads = faiss ? 1 : o.threads;
      const double bw_before = scanned > 0 ? probe_bandwidth(bw_threads) : 0;
      Row row = time_search(*index, d, o, 1, params);
      const double bw_after = scanned > 0 ? probe_bandwidth(bw_threads) : 0;
      row.index = plan.factory;
      row.param = param;
      row.build_s = build_s;
      row.bytes_per_vector = bpv;
      if (scanned > 0) {
        row.gbps = scanned * static_cast<double>(d.n) * row.qps / 1e9;
        const double bw = (bw_before + bw_after) / 2;
        if (bw > 0) {
          row.bw_share = row.gbps / bw;
          row_bandwidths.push_back(bw);
        }
      }
      print_row(row, stdout);
      write_csv_row(row, csv);
      if (plan.job_rows && (plan.knob == Plan::kNone || value == 64)) {
        Row job = time_search(*index, d, o, o.job_size, params);
        job.index = plan.factory;
        job.param = param == "-" ? "job" : param + ",job";
        job.build_s = build_s;
        job.bytes_per_vector = bpv;
        job_rows.push_back(job);
      }
    }
  }
  omp_set_num_threads(o.threads);
  if (!row_bandwidths.empty()) {
    const auto [lo, hi] = std::minmax_element(row_bandwidths.begin(), row_bandwidths.end());
    std::printf("%% bw against the read bandwidth measured around each row: %.1f-%.1f GB/s\n", *lo,
                *hi);
  }
  if (!job_rows.empty()) {
    std::printf("\njobs: %d queries per search() call; QPS counts queries, p50/p99 are per job\n",
                o.job_size);
    for (const Row& r : job_rows) print_row(r, stdout);
  }
  if (csv != nullptr) std::fclose(csv);
  return 0;
}
