// Exact scan kernels: inner products of queries against every stored vector, fused with top-k
// selection. The core of FlatIndex (fp32) and QuantizedFlatIndex (fp16, int8).
//
// Storage formats (each row has `dim` components; a base holds n rows, row-major):
//   kFp32  float,    n * dim
//   kFp16  uint16_t, n * dim, IEEE 754 binary16 bits (float_to_half(), round to nearest even)
//   kInt8  int8_t,   n * dim codes plus n float scales: row i ~= scales[i] * codes_i, with
//          scales[i] = max_j |x_ij| / 127 (symmetric, per vector; quantize_int8()).
//          The query stays fp32: score_i = scales[i] * <q, codes_i>, so the only error is the
//          base's rounding (at most scales[i] / 2 per component), none from the query.
//
// Kernels: a portable C++ set, an AVX2 + FMA + F16C set (index/kernels/avx2.cc) and an
// AVX-512 F/BW/VL set (index/kernels/avx512.cc: the fp32/fp16/int8 scans on 16-float
// registers, 4 queries x 6 rows per step; the pair dot products are the AVX2 ones), each file
// compiled with its flags alone. The set is picked once, at first use, from the running CPU
// (__builtin_cpu_supports), so the default build runs anywhere and is fast where it can be.
// The AVX-512 set also scores batches of fp32 queries in tiles of 32 (Kernels::fp32_tile).
// The sets sum in different orders: scores agree to float rounding (~1e-6 relative for unit
// vectors), not bit for bit.
//
// scan_top_k() walks the base in L2-sized blocks (at most kScanBlock rows and kScanBlockBytes):
// a kernel writes the block's scores for up to kMaxQueryGroup queries into an L1-sized buffer
// (each base block is read from memory once and reused from cache by every query group), then
// each score is checked against the query's current k-th best with one compare; only the rare
// winners touch the heap. A large base is split into shards scanned by several threads, whose
// per-shard top-k lists are merged.
// Ties (equal scores) are broken by id, smaller first; a NaN score ranks below every number.
//
// Thread safety: every function here is safe to call from several threads at once.
//
// Usage:
//   ScanBase base{.storage = Storage::kFp32, .data = vectors, .n = n, .dim = 384};
//   scan_top_k(base, query, /*nq=*/1, /*cap=*/10, /*stride=*/10, ids, scores, {});
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace credmatch::index::scan {

enum class Storage { kFp32, kFp16, kInt8 };

/// Most rows per block handed to a kernel. A block is also at most kScanBlockBytes, so that
/// it stays in L2 while every query group reads it (256 rows of 1,280 fp32 would be 1.3 MB).
inline constexpr int64_t kScanBlock = 256;
inline constexpr int64_t kScanBlockBytes = int64_t{192} << 10;
/// Most queries one kernel call scores together (register blocking of the batch kernel).
inline constexpr int kMaxQueryGroup = 4;
/// Rows per int8 panel (Kernels::int8_panels): two 16-lane registers of 4-byte groups.
inline constexpr int kPanelRows = 32;
/// Most queries one int8_panels call scores together (2 * 12 accumulators in registers).
inline constexpr int kMaxPanelQueries = 12;
/// Queries per tile of Kernels::fp32_tile: two 16-float registers.
inline constexpr int kFp32QueryTile = 32;
/// Fewest queries scan_top_k() scores as one fp32 tile (when the kernel set has fp32_tile):
/// a tile costs the same with 1 or 32 queries, and breaks even with the fp32 kernel at ~16
/// (1,280 and 384 dims, one thread). A batch's last 1-15 queries take the fp32 kernel.
inline constexpr int64_t kFp32TileMinQueries = 16;

/// One set of kernels. Each writes out[q * n + i] = score of query q against row i, for
/// q < nq (1 <= nq <= kMaxQueryGroup) and i < n. queries: nq * dim floats; base: n rows in the
/// storage format; scales: n floats (kInt8 only, else ignored). No bounds checks: internal.
struct Kernels {
  const char* name;
  void (*fp32)(const float* queries, int nq, const float* base, int64_t n, int dim, float* out);
  void (*fp16)(const float* queries, int nq, const uint16_t* base, int64_t n, int dim, float* out);
  void (*int8)(const float* queries, int nq, const int8_t* codes, const float* scales, int64_t n,
               int dim, float* out);
  /// One pair: sum_j a[j] * b[j] over dim components (the graph indexes' distance, where
  /// rows are visited one at a time in no particular order).
  float (*dot_fp32)(const float* a, const float* b, int dim);
  /// One pair of int8 codes, exact integer sum (|codes| <= 127, so no overflow below
  /// dim = 2^17).
  int32_t (*dot_int8)(const int8_t* a, const int8_t* b, int dim);
  /// Exact integer inner products of nq (<= kMaxPanelQueries) int8 queries with every row of
  /// `count` int8 panels (pack_int8_panels(): kPanelRows rows each, dim4 groups of 4 bytes):
  /// out[q * out_stride + i] = sum_j queries[q * 4 * dim4 + j] * code(row i, j), for
  /// i < count * kPanelRows. queries: 4 * dim4 signed bytes each in [-127, 127], zero padded;
  /// query_sums[q] = the sum of query q's bytes (the panels store code + 128, so the kernels
  /// take 128 * query_sums[q] back off). Every kernel set gives the same integers.
  void (*int8_panels)(const int8_t* queries, const int32_t* query_sums, int nq,
                      const uint8_t* panels, int64_t count, int dim4, int32_t* out,
                      int64_t out_stride);
  /// Scores of one tile of kFp32QueryTile queries against n fp32 rows (row-major, as in
  /// fp32): out[q * out_stride + i] for q < kFp32QueryTile, i < n. tile: dim * kFp32QueryTile
  /// floats, interleaved (component j of query q at j * kFp32QueryTile + q; absent queries
  /// zero). The outer-product form of a GEMM micro-kernel: each step broadcasts one component
  /// of each of 12 rows against that component of all 32 queries, so a row's bytes are read
  /// once per 32 queries (fp32 above: once per 4) and no horizontal sums are left at the end.
  /// nullptr in sets without it (scan_top_k() then uses fp32).
  void (*fp32_tile)(const float* tile, const float* base, int64_t n, int dim, float* out,
                    int64_t out_stride);
  /// y[j] += a * x[j] for j < n, a rounded multiply then a rounded add (no fused
  /// multiply-add), so every set gives the same bits as a plain C++ loop (the encoders' dense
  /// projections: their vectors must not depend on the CPU).
  void (*axpy)(float a, const float* x, float* y, int64_t n);
};

/// The portable kernels (always available).
const Kernels& generic_kernels();
/// The AVX2/FMA/F16C kernels, or nullptr when the CPU lacks them or the build is not x86.
const Kernels* avx2_kernels();
/// The AVX-512 (F, BW, VL) kernels for fp32/fp16/int8 scans with the AVX2 pair dot products,
/// or nullptr when the CPU lacks them or the build is not x86.
const Kernels* avx512_kernels();
/// The kernels scan_top_k() uses: the first available of avx512_vnni_kernels(),
/// avx512_kernels(), avx2_kernels(), generic_kernels().
const Kernels& active_kernels();
/// avx512_kernels() with the AVX-512 VNNI int8_panels kernel, or nullptr when the CPU lacks
/// AVX512_VNNI (the other sets have the portable int8_panels: exact, several times slower).
const Kernels* avx512_vnni_kernels();
/// active_kernels().name: "avx512-vnni", "avx512", "avx2" or "generic" (for benchmark output).
std::string active_kernel_name();

/// A stored base to scan. `data` points at n rows in `storage` format; `scales` at n floats
/// for kInt8 (else nullptr).
struct ScanBase {
  Storage storage = Storage::kFp32;
  const void* data = nullptr;
  const float* scales = nullptr;
  int64_t n = 0;
  int dim = 0;
};

struct ScanOptions {
  /// Most threads one call may use; 0 = std::thread::hardware_concurrency(). A call uses one
  /// thread per kMinShardBytes of base (so small scans stay single-threaded). The threads are
  /// the process-wide pool of base/thread_pool.h (woken, not started, per call); a call that finds
  /// the pool busy scans its shards on its own thread.
  int max_threads = 0;
  /// Kernels to use; nullptr = active_kernels(). Tests pass generic_kernels() to compare.
  const Kernels* kernels = nullptr;
};
/// Base bytes per thread below which a scan does not start another thread (8 MiB).
inline constexpr int64_t kMinShardBytes = int64_t{8} << 20;

/// For each of nq queries (queries: nq * base.dim floats) the `cap` best rows by inner product,
/// best first, written to ids[q * stride + j], scores[q * stride + j] for j < min(cap, base.n);
/// entries j >= min(cap, base.n) are left untouched. Requires cap >= 1, stride >= cap
/// (internal API: checked only in debug builds).
void scan_top_k(const ScanBase& base, const float* queries, int64_t nq, int64_t cap, int64_t stride,
                int64_t* ids, float* scores, const ScanOptions& options);

/// Appends n rows of int8 codes (n * dim, row-major, each in [-127, 127]) to `panels` in the
/// layout of Kernels::int8_panels: ceil(n / kPanelRows) panels; panel t holds, for each group g
/// of 4 dims (dim4 = ceil(dim / 4) groups), the 4 codes of each of its rows, row-major, each
/// + 128 (unsigned bytes, the operand the VNNI instruction multiplies by signed bytes). Rows
/// past n and dims past dim are code 0 (byte 128).
void pack_int8_panels(const int8_t* codes, int64_t n, int dim, std::vector<uint8_t>& panels);

/// sum_j a[j] * b[j] over dim floats with active_kernels().dot_fp32: the one pair dot product
/// used outside the batch scans (graph search, exact rescoring, gap evidence), so every caller
/// rounds alike.
float dot(const float* a, const float* b, int dim);
/// sum_j a[j] * b[j] summed in index order, one float add at a time: the same bits on every
/// CPU and build. The gap analysis's similarities (plan/gap.cc), whose thresholds were
/// calibrated and whose reports are compared byte for byte with this summation.
float dot_in_order(const float* a, const float* b, int dim);

/// IEEE binary16 <-> binary32 (round to nearest even; overflow gives infinity, NaN stays NaN).
uint16_t float_to_half(float x);
float half_to_float(uint16_t h);

/// Quantizes n rows (n * dim floats) to int8 codes (n * dim) and per-row scales (n), appending
/// to `codes` and `scales`. A row of zeros gets scale 0; non-finite components give code 0.
void quantize_int8(const float* rows, int64_t n, int dim, std::vector<int8_t>& codes,
                   std::vector<float>& scales);

}  // namespace credmatch::index::scan
