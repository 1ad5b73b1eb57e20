// AVX-512 (F, BW, VL) scan kernels for fp32, fp16 and int8 bases: the same register-blocked
// dot products as index/kernels/avx2.cc, on 16-float zmm registers and with 32 of them,
// so a group of 4 queries is scored against 6 rows at once (24 accumulators, 6 row chunks, 1
// query chunk), and dims that are not a multiple of 16 end with a masked load instead of a
// scalar loop; and fp32_tile, the outer-product kernel for tiles of 32 fp32 queries. This
// file alone is compiled with -mavx512f -mavx512bw -mavx512vl (plus the AVX2 set;
// index/CMakeLists.txt); scan_kernels.cc uses it only after checking the CPU. Like the AVX2
// file it includes no header with inline functions shared with other files.
#include "index/kernels/scan_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace credmatch::index::scan {
namespace {
// How far ahead of the rows being scored a one- or two-query fp16 or int8 scan prefetches.
// Such a scan reads each byte of the base once, from DRAM, and the hardware prefetcher does
// not keep up with R interleaved row streams of narrow elements: 1M x 384 int8 on one thread
// ran at 15 GB/s without software prefetch and 22 GB/s with it (fp16 17 -> 21 GB/s), against
// ~25 GB/s for a plain sequential sum. fp32 measured the same with and without (34 ms per
// 1M x 384 query, 2 threads, 4 alternating runs each), so it does not prefetch; nor does a
// query group of 3-4, compute-bound and reading its block from L2 after the first group,
// where the extra instructions cost ~3 %.
inline constexpr int kPrefetchAhead = 8192;

// 16 components (or the first `count` of them, the rest zero) as floats.
inline __m512 load16(const float* p) {
  return _mm512_loadu_ps(p);
}
inline __m512 load16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512 load16(const int8_t* p) {
  return _mm512_cvtepi32_ps(
      _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}
inline __m512 load16(const float* p, __mmask16 m) {
  return _mm512_maskz_loadu_ps(m, p);
}
inline __m512 load16(const uint16_t* p, __mmask16 m) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}
inline __m512 load16(const int8_t* p, __mmask16 m) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p)));
}

// The four horizontal sums of a, b, c, d as one vector (a transposing add tree: 3 adds per
// sum instead of the 4 shuffles + 4 adds of a separate reduction each).
inline __m128 hsum4(__m512 a, __m512 b, __m512 c, __m512 d) {
  const __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
  const __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
  // Per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3] and the same for c, d.
  const __m512 abcd =
      _mm512_add_ps(_mm512_shuffle_ps(ab, cd, 0x44), _mm512_shuffle_ps(ab, cd, 0xee));
  // Per lane: partial [a, b, c, d]; add the four 128-bit lanes.
  const __m256 h =
      _mm256_add_ps(_mm512_castps512_ps256(abcd),
                    _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(abcd), 1)));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

// Scores rows i .. i+R-1 against NQ queries: NQ * R independent accumulators, each query chunk
// loaded once per R rows and each row chunk once per NQ queries (register blocking).
template <typename T, int NQ, int R>
inline void score_rows(const float* q, int dim, const T* base, const float* scales, int64_t n,
                       int64_t i, float* out) {
  __m512 acc[NQ][R];
#pragma GCC unroll 8
  for (int a = 0; a < NQ; ++a)
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[a][r] = _mm512_setzero_ps();
  const T* row[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) row[r] = base + (i + r) * dim;
  // The R rows are contiguous bytes: each step prefetches the cache lines of as many bytes
  // as it reads, kPrefetchAhead further on.
  constexpr int kLinesPerStep = NQ <= 2 && sizeof(T) < 4 ? (R * 16 * int{sizeof(T)} + 63) / 64 : 0;
  const char* ahead = reinterpret_cast<const char*>(row[0]) + kPrefetchAhead;
  int d = 0;
  for (; d + 16 <= dim; d += 16) {
#pragma GCC unroll 8
    for (int p = 0; p < kLinesPerStep; ++p) {
      _mm_prefetch(ahead + (d / 16 * kLinesPerStep + p) * 64, _MM_HINT_T0);
    }
    __m512 b[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) b[r] = load16(row[r] + d);
#pragma GCC unroll 8
    for (int a = 0; a < NQ; ++a) {
      const __m512 qv = _mm512_loadu_ps(q + a * dim + d);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[a][r] = _mm512_fmadd_ps(qv, b[r], acc[a][r]);
    }
  }
  if (d < dim) {
    const auto m = static_cast<__mmask16>((1u << (dim - d)) - 1);
    __m512 b[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) b[r] = load16(row[r] + d, m);
#pragma GCC unroll 8
    for (int a = 0; a < NQ; ++a) {
      const __m512 qv = _mm512_maskz_loadu_ps(m, q + a * dim + d);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[a][r] = _mm512_fmadd_ps(qv, b[r], acc[a][r]);
    }
  }
  if constexpr (NQ == 4) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      __m128 s = hsum4(acc[0][r], acc[1][r], acc[2][r], acc[3][r]);
      if (scales != nullptr) s = _mm_mul_ps(s, _mm_set1_ps(scales[i + r]));
      alignas(16) float v[4];
      _mm_store_ps(v, s);
#pragma GCC unroll 4
      for (int a = 0; a < 4; ++a) out[a * n + i + r] = v[a];
    }
  } else {
    for (int a = 0; a < NQ; ++a) {
      for (int r = 0; r < R; ++r) {
        float s = _mm512_reduce_add_ps(acc[a][r]);
        if (scales != nullptr) s *= scales[i + r];
        out[a * n + i + r] = s;
      }
    }
  }
}

// Rows in blocks of R, then the last n % R rows in one smaller block.
template <typename T, int NQ, int R>
void score_block(const float* q, const T* base, const float* scales, int64_t n, int dim,
                 float* out) {
  int64_t i = 0;
  for (; i + R <= n; i += R) score_rows<T, NQ, R>(q, dim, base, scales, n, i, out);
  switch (n - i) {
    case 7:
      if constexpr (R > 7) score_rows<T, NQ, 7>(q, dim, base, scales, n, i, out);
      break;
    case 6:
      if constexpr (R > 6) score_rows<T, NQ, 6>(q, dim, base, scales, n, i, out);
      break;
    case 5:
      score_rows<T, NQ, 5>(q, dim, base, scales, n, i, out);
      break;
    case 4:
      score_rows<T, NQ, 4>(q, dim, base, scales, n, i, out);
      break;
    case 3:
      score_rows<T, NQ, 3>(q, dim, base, scales, n, i, out);
      break;
    case 2:
      score_rows<T, NQ, 2>(q, dim, base, scales, n, i, out);
      break;
    case 1:
      score_rows<T, NQ, 1>(q, dim, base, scales, n, i, out);
      break;
    default:
      break;
  }
}

// Registers: NQ * R accumulators + R row chunks + 1 query chunk <= 32. One query reads 4 rows
// at once, as the AVX2 set does: fewer streams for the hardware prefetcher than 8. Alternating
// in one process over 400k x 1,280 on 2 threads (40 queries each): fp16 49.8 against 39.2 GB/s
// with 8 rows, int8 51.5 against 43.7, fp32 51.1 against 50.6 (2 rows: 49.8 / 51.1 / 48.8).
template <typename T>
void dispatch(const float* q, int nq, const T* base, const float* scales, int64_t n, int dim,
              float* out) {
  switch (nq) {
    case 1:
      score_block<T, 1, 4>(q, base, scales, n, dim, out);
      break;
    case 2:
      score_block<T, 2, 8>(q, base, scales, n, dim, out);
      break;
    case 3:
      score_block<T, 3, 7>(q, base, scales, n, dim, out);
      break;
    default:
      score_block<T, 4, 6>(q, base, scales, n, dim, out);
      break;
  }
}

void fp32(const float* q, int nq, const float* base, int64_t n, int dim, float* out) {
  dispatch<float>(q, nq, base, nullptr, n, dim, out);
}
void fp16(const float* q, int nq, const uint16_t* base, int64_t n, int dim, float* out) {
  dispatch<uint16_t>(q, nq, base, nullptr, n, dim, out);
}
void int8(const float* q, int nq, const int8_t* codes, const float* scales, int64_t n, int dim,
          float* out) {
  dispatch<int8_t>(q, nq, codes, scales, n, dim, out);
}

// R rows against one tile of 32 interleaved queries (component j of query a at j * 32 + a):
// per component, two query registers and one broadcast per row, 2 * R accumulators, 2 loads +
// R broadcasts per 2 * R FMAs. The accumulators hold row-major scores (row r, 32 queries);
// they go out through a small array, transposed (~1 % of the FMAs at 1,280 dims).
template <int R>
void tile_rows(const float* tile, const float* rows, int dim, float* out, int64_t out_stride) {
  __m512 acc[R][2];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int j = 0; j < dim; ++j) {
    const __m512 q0 = _mm512_loadu_ps(tile + j * kFp32QueryTile);
    const __m512 q1 = _mm512_loadu_ps(tile + j * kFp32QueryTile + 16);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(rows[int64_t{r} * dim + j]);
      acc[r][0] = _mm512_fmadd_ps(x, q0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(x, q1, acc[r][1]);
    }
  }
  alignas(64) float scores[R][kFp32QueryTile];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    _mm512_store_ps(scores[r], acc[r][0]);
    _mm512_store_ps(scores[r] + 16, acc[r][1]);
  }
  for (int a = 0; a < kFp32QueryTile; ++a) {
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) out[a * out_stride + r] = scores[r][a];
  }
}

void fp32_tile(const float* tile, const float* base, int64_t n, int dim, float* out,
               int64_t out_stride) {
  constexpr int R = 12;
  int64_t i = 0;
  for (; i + R <= n; i += R) tile_rows<R>(tile, base + i * dim, dim, out + i, out_stride);
  using Fn = void (*)(const float*, const float*, int, float*, int64_t);
  static constexpr Fn kByRows[R] = {nullptr,      tile_rows<1>, tile_rows<2>, tile_rows<3>,
                                    tile_rows<4>, tile_rows<5>, tile_rows<6>, tile_rows<7>,
                                    tile_rows<8>, tile_rows<9>, tile_rows<10>, tile_rows<11>};
  if (i < n) kByRows[n - i](tile, base + i * dim, dim, out + i, out_stride);
}

}  // namespace

// Declared in scan_kernels.cc, which adds the AVX2 pair dot products to these and checks the
// CPU first.
void avx512_scan_kernels_compiled(Kernels* k) {
  k->fp32_tile = fp32_tile;
  k->fp32 = fp32;
  k->fp16 = fp16;
  k->int8 = int8;
}

}  // namespace credmatch::index::scan

#else  // not x86

namespace credmatch::index::scan {
void avx512_scan_kernels_compiled(Kernels*) {}
}  // namespace credmatch::index::scan

#endif
