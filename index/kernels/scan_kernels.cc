// Kernel dispatch and the blocked, sharded top-k scan (see index/kernels/scan_kernels.h).
#include "index/kernels/scan_kernels.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>

#include "base/error.h"
#include "base/thread_pool.h"

namespace credmatch::index::scan {

// Defined in scan_kernels_avx2.cc (nullptr when the build is not x86).
const Kernels* avx2_kernels_compiled();
// Defined in scan_kernels_avx512.cc: sets k's fp32, fp16, int8 and fp32_tile (nothing when
// not x86).
void avx512_scan_kernels_compiled(Kernels* k);
// Defined in scan_kernels_vnni.cc: sets k's int8_panels (nothing when not x86).
void avx512_vnni_kernels_compiled(Kernels* k);

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return cpu_has_avx2() && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

bool cpu_has_avx512_vnni() {
#if defined(__x86_64__) || defined(__i386__)
  return cpu_has_avx512() && __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

struct Hit {
  float score;
  int64_t id;
};

// Total order: higher score first, then smaller id. (A function object, not a function, so
// std::sort and std::nth_element inline it.)
struct Better {
  bool operator()(const Hit& a, const Hit& b) const {
    return a.score > b.score || (a.score == b.score && a.id < b.id);
  }
};
constexpr Better better;

// The `cap` best hits seen so far, kept in a buffer of up to kBufferFactor * cap hits that
// is cut back to the best cap (std::nth_element) whenever it fills: O(1) amortised per
// accepted hit, against O(log cap) for a heap, which matters for the matcher's k = 256 (a
// heap took a third of a 20-query scan of 13.6k rows). threshold() is the score of the
// cap-th best hit at the last cut (a lower bound of the current cap-th best); until cap hits
// have been seen it is -infinity and every hit goes in (NaN as -infinity, so it ranks below
// every number).
class TopK {
 public:
  explicit TopK(int64_t cap) : cap_(static_cast<size_t>(cap)) {
    hits_.reserve(kBufferFactor * cap_);
  }

  float threshold() const { return threshold_; }

  // Any id order (the shard merge): a hit is kept unless it scores below the threshold (a tie
  // with the threshold may still win on its id; the next cut decides).
  void push(float score, int64_t id) {
    if (std::isnan(score)) score = kNegInf;
    if (filled_ && score < threshold_) return;
    append(score, id);
  }

  // Feeds n scores for ids first .. first+n-1 (ascending, and above every id already kept,
  // so a score equal to the threshold never wins): one compare per rejected score.
  void push_block(const float* s, int64_t n, int64_t first) {
    int64_t j = 0;
    for (; j < n && !filled_; ++j) push(s[j], first + j);
    // Chunks of 16 scores are skipped after one vectorisable test when none beats the
    // threshold (the common case once the top-k has settled).
    constexpr int64_t kChunk = 16;
    for (; j + kChunk <= n; j += kChunk) {
      const float t = threshold_;
      int any = 0;
#pragma omp simd reduction(| : any)
      for (int64_t i = 0; i < kChunk; ++i) any |= s[j + i] > t ? 1 : 0;
      if (!any) continue;
      for (int64_t i = 0; i < kChunk; ++i) {
        if (s[j + i] > threshold_) append(s[j + i], first + j + i);  // threshold_ rises at cuts
      }
    }
    for (; j < n; ++j) {
      if (s[j] > threshold_) append(s[j], first + j);
    }
  }

  // Every hit kept (possibly more than cap, unordered): input to another TopK's push().
  const std::vector<Hit>& hits() const {
    return hits_;
  }

  // The best min(cap, hits seen) hits, best first.
  void write(int64_t* ids, float* scores) {
    if (hits_.size() > cap_) cut();
    std::sort(hits_.begin(), hits_.end(), better);
    for (size_t j = 0; j < hits_.size(); ++j) {
      ids[j] = hits_[j].id;
      scores[j] = hits_[j].score;
    }
  }

 private:
  void append(float score, int64_t id) {
    hits_.push_back({score, id});
    if (!filled_ && hits_.size() == cap_) {
      filled_ = true;
      threshold_ = std::min_element(hits_.begin(), hits_.end(), [](const Hit& a, const Hit& b) {
                     return a.score < b.score;
                   })->score;
    } else if (hits_.size() == kBufferFactor * cap_) {
      cut();
    }
  }

  // Keeps the best cap hits (total order `better`); the threshold becomes the cap-th's score.
  void cut() {
    std::nth_element(hits_.begin(), hits_.begin() + static_cast<std::ptrdiff_t>(cap_ - 1),
                     hits_.end(), better);
    threshold_ = hits_[cap_ - 1].score;
    hits_.resize(cap_);
  }

  // Hits kept between cuts, in units of cap: a larger buffer cuts less often but lets the
  // threshold lag further behind (more hits accepted); 4 and 8 measured no faster than 2 for
  // k = 256 over 13.6k rows.
  static constexpr size_t kBufferFactor = 2;
  size_t cap_;
  bool filled_ = false;  // cap hits have been seen: threshold_ is meaningful
  float threshold_ = kNegInf;
  std::vector<Hit> hits_;
};

size_t element_bytes(Storage s) {
  switch (s) {
    case Storage::kFp32:
      return 4;
    case Storage::kFp16:
      return 2;
    case Storage::kInt8:
      return 1;
  }
  return 4;
}

// Scores rows [begin, end) for all queries into tops[0 .. nq). `buffer` holds
// kFp32QueryTile * kScanBlock floats. The first `tiled` queries (fp32 storage only) are
// scored by Kernels::fp32_tile from `tiles` (them, interleaved in tiles of kFp32QueryTile),
// the others by the storage's kernel.
void scan_shard(const Kernels& kernels, const ScanBase& base, const float* queries,
                const float* tiles, int64_t tiled, int64_t nq, int64_t begin, int64_t end,
                TopK* tops, float* buffer) {
  const int dim = base.dim;
  const int64_t block = std::clamp<int64_t>(
      kScanBlockBytes / (int64_t{dim} * int64_t(element_bytes(base.storage))), 16, kScanBlock);
  for (int64_t b0 = begin; b0 < end; b0 += block) {
    const int64_t nb = std::min(block, end - b0);
    for (int64_t q0 = 0; q0 < tiled; q0 += kFp32QueryTile) {
      kernels.fp32_tile(tiles + q0 * dim, static_cast<const float*>(base.data) + b0 * dim, nb,
                        dim, buffer, nb);
      const int64_t tile = std::min<int64_t>(kFp32QueryTile, tiled - q0);
      for (int64_t a = 0; a < tile; ++a) tops[q0 + a].push_block(buffer + a * nb, nb, b0);
    }
    for (int64_t q0 = tiled; q0 < nq; q0 += kMaxQueryGroup) {
      const int group = static_cast<int>(std::min<int64_t>(kMaxQueryGroup, nq - q0));
      const float* q = queries + q0 * dim;
      switch (base.storage) {
        case Storage::kFp32:
          kernels.fp32(q, group, static_cast<const float*>(base.data) + b0 * dim, nb, dim, buffer);
          break;
        case Storage::kFp16:
          kernels.fp16(q, group, static_cast<const uint16_t*>(base.data) + b0 * dim, nb, dim,
                       buffer);
          break;
        case Storage::kInt8:
          kernels.int8(q, group, static_cast<const int8_t*>(base.data) + b0 * dim, base.scales + b0,
                       nb, dim, buffer);
          break;
      }
      for (int a = 0; a < group; ++a) tops[q0 + a].push_block(buffer + a * nb, nb, b0);
    }
  }
}

}  // namespace

const Kernels* avx2_kernels() {
  static const Kernels* const kernels = []() -> const Kernels* {
    if (!cpu_has_avx2()) return nullptr;
    static Kernels k = *avx2_kernels_compiled();
    k.int8_panels = generic_kernels().int8_panels;
    return &k;
  }();
  return kernels;
}

const Kernels* avx512_kernels() {
  static const Kernels* const kernels = []() -> const Kernels* {
    if (!cpu_has_avx512() || avx2_kernels() == nullptr) return nullptr;
    static Kernels k = *avx2_kernels();
    k.name = "avx512";
    avx512_scan_kernels_compiled(&k);
    return &k;
  }();
  return kernels;
}

const Kernels* avx512_vnni_kernels() {
  static const Kernels* const kernels = []() -> const Kernels* {
    if (!cpu_has_avx512_vnni() || avx512_kernels() == nullptr) return nullptr;
    static Kernels k = *avx512_kernels();
    k.name = "avx512-vnni";
    avx512_vnni_kernels_compiled(&k);
    return &k;
  }();
  return kernels;
}

const Kernels& active_kernels() {
  static const Kernels& kernels = avx512_vnni_kernels() ? *avx512_vnni_kernels()
                                  : avx512_kernels()    ? *avx512_kernels()
                                  : avx2_kernels() ? *avx2_kernels()
                                                   : generic_kernels();
  return kernels;
}

float dot(const float* a, const float* b, int dim) {
  static const auto kernel = active_kernels().dot_fp32;
  return kernel(a, b, dim);
}

float dot_in_order(const float* a, const float* b, int dim) {
  float sum = 0.0f;
  for (int i = 0; i < dim; ++i) sum += a[i] * b[i];
  return sum;
}

std::string active_kernel_name() {
  return active_kernels().name;
}

void scan_top_k(const ScanBase& base, const float* queries, int64_t nq, int64_t cap, int64_t stride,
                int64_t* ids, float* scores, const ScanOptions& options) {
  CREDMATCH_DCHECK(cap >= 1 && stride >= cap && base.dim > 0 && nq >= 0);
  if (nq == 0 || base.n == 0) return;
  const Kernels& kernels = options.kernels ? *options.kernels : active_kernels();
  const int64_t bytes = base.n * base.dim * static_cast<int64_t>(element_bytes(base.storage));
  int64_t threads = options.max_threads > 0
                        ? options.max_threads
                        : std::max<int64_t>(1, std::thread::hardware_concurrency());
  threads = std::clamp<int64_t>(bytes / kMinShardBytes, 1, threads);

  // Everything is allocated here, before any thread starts; workers only compute.
  const int64_t shard = (base.n + threads - 1) / threads;
  // (Each TopK is constructed in place: a copied TopK would lose its reserved capacity.)
  std::vector<std::vector<TopK>> tops(static_cast<size_t>(threads));
  for (std::vector<TopK>& shard_tops : tops) {
    shard_tops.reserve(static_cast<size_t>(nq));
    for (int64_t q = 0; q < nq; ++q) shard_tops.emplace_back(cap);
  }
  // A batch over fp32 is scored by tiles of queries (Kernels::fp32_tile) when the set has it:
  // whole tiles, plus a last part-filled one of at least kFp32TileMinQueries queries (the
  // rest take the fp32 kernel). They are interleaved here, once, zero padded.
  std::vector<float> tiles;
  int64_t tiled = 0;
  if (base.storage == Storage::kFp32 && kernels.fp32_tile != nullptr) {
    const int64_t rest = nq % kFp32QueryTile;
    tiled = nq - rest + (rest >= kFp32TileMinQueries ? rest : 0);
  }
  if (tiled > 0) {
    const int64_t dim = base.dim;
    tiles.assign(static_cast<size_t>((tiled + kFp32QueryTile - 1) / kFp32QueryTile *
                                     kFp32QueryTile * dim),
                 0.0f);
    for (int64_t q = 0; q < tiled; ++q) {
      float* tile = tiles.data() + q / kFp32QueryTile * kFp32QueryTile * dim + q % kFp32QueryTile;
      for (int64_t j = 0; j < dim; ++j) tile[j * kFp32QueryTile] = queries[q * dim + j];
    }
  }
  constexpr int64_t kBufferFloats = int64_t{kFp32QueryTile} * kScanBlock;
  std::vector<float> buffers(static_cast<size_t>(threads * kBufferFloats));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  auto work = [&](int64_t t) {
    try {
      const int64_t begin = std::min(base.n, t * shard);
      const int64_t end = std::min(base.n, begin + shard);
      scan_shard(kernels, base, queries, tiles.data(), tiled, nq, begin, end,
                 tops[static_cast<size_t>(t)].data(), buffers.data() + t * kBufferFloats);
    } catch (...) {
      errors[static_cast<size_t>(t)] = std::current_exception();  // rethrown by the caller
    }
  };
  if (threads == 1) {
    work(0);
  } else if (threads <= pool_workers() + 1) {
    // The pool's workers and this thread share the shards; if another scan holds the pool,
    // this thread scans its shards alone (the cores are busy anyway).
    const std::function<void(int64_t)> task = work;
    if (!try_run_on_pool(threads, task)) {
      for (int64_t t = 0; t < threads; ++t) work(t);
    }
  } else {
    // More threads than the pool has (an explicit max_threads above the core count, e.g. a
    // test of the shard merge): start them for this call.
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(threads - 1));
    // A failed thread start throws here, in the caller's thread, after joining the threads
    // already started; a worker's exception is rethrown after all have joined.
    try {
      for (int64_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
    } catch (...) {
      for (std::thread& th : pool) th.join();
      throw;
    }
    work(0);
    for (std::thread& th : pool) th.join();
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  for (int64_t q = 0; q < nq; ++q) {
    TopK& merged = tops[0][static_cast<size_t>(q)];
    for (int64_t t = 1; t < threads; ++t) {
      for (const Hit& h : tops[static_cast<size_t>(t)][static_cast<size_t>(q)].hits()) {
        merged.push(h.score, h.id);
      }
    }
    merged.write(ids + q * stride, scores + q * stride);
  }
}

void pack_int8_panels(const int8_t* codes, int64_t n, int dim, std::vector<uint8_t>& panels) {
  const int64_t dim4 = (dim + 3) / 4;
  const int64_t count = (n + kPanelRows - 1) / kPanelRows;
  const size_t first = panels.size();
  panels.resize(first + static_cast<size_t>(count * kPanelRows * 4 * dim4), uint8_t{128});
  uint8_t* out = panels.data() + first;
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* panel = out + (i / kPanelRows) * kPanelRows * 4 * dim4;
    const int64_t r = i % kPanelRows;
    for (int j = 0; j < dim; ++j) {
      panel[((j / 4) * kPanelRows + r) * 4 + j % 4] =
          static_cast<uint8_t>(int32_t{codes[i * dim + j]} + 128);
    }
  }
}

void quantize_int8(const float* rows, int64_t n, int dim, std::vector<int8_t>& codes,
                   std::vector<float>& scales) {
  codes.reserve(codes.size() + static_cast<size_t>(n * dim));
  scales.reserve(scales.size() + static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const float* row = rows + i * dim;
    float max_abs = 0.0f;
    for (int d = 0; d < dim; ++d) {
      if (std::isfinite(row[d])) max_abs = std::max(max_abs, std::abs(row[d]));
    }
    const float scale = max_abs / 127.0f;
    const float inv = max_abs > 0.0f ? 127.0f / max_abs : 0.0f;
    for (int d = 0; d < dim; ++d) {
      const float c = std::isfinite(row[d]) ? std::nearbyint(row[d] * inv) : 0.0f;
      codes.push_back(static_cast<int8_t>(std::clamp(c, -127.0f, 127.0f)));
    }
    scales.push_back(scale);
  }
}

}  // namespace credmatch::index::scan
