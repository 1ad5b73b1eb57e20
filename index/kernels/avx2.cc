// AVX2 + FMA + F16C scan kernels. This file alone is compiled with -mavx2 -mfma -mf16c
// (index/CMakeLists.txt); scan_kernels.cc calls it only after checking the CPU. It includes
// no header with inline functions shared with other files (no <vector>, <algorithm>), so no
// AVX-compiled copy of a shared inline function can be picked by the linker for other callers.
#include "index/kernels/scan_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace credmatch::index::scan {
namespace {

// How far ahead of the rows being scored a one- or two-query fp16 or int8 scan prefetches
// (see scan_kernels_avx512.cc). With this set forced on the Zen 5 VM, 1M x 1,280 int8 on 2
// threads went from 16-17 to 38-46 GB/s, fp16 from 27-31 to 37-43 GB/s (3 alternating runs).
inline constexpr int kPrefetchAhead = 8192;

inline __m256 load8(const float* p) {
  return _mm256_loadu_ps(p);
}
inline __m256 load8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load8(const int8_t* p) {
  return _mm256_cvtepi32_ps(
      _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

inline float to_float(float x) {
  return x;
}
inline float to_float(uint16_t h) {
  return _cvtsh_ss(h);
}
inline float to_float(int8_t c) {
  return static_cast<float>(c);
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// Scores rows i .. i+R-1 against NQ queries: NQ * R independent accumulators, each query
// chunk loaded once per R rows and each row chunk once per NQ queries (register blocking).
template <typename T, int NQ, int R>
inline void score_rows(const float* q, int dim, const T* base, const float* scales, int64_t n,
                       int64_t i, float* out) {
  __m256 acc[NQ][R];
#pragma GCC unroll 4
  for (int a = 0; a < NQ; ++a)
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) acc[a][r] = _mm256_setzero_ps();
  const T* row[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) row[r] = base + (i + r) * dim;
  // As in the AVX-512 file: a one- or two-query fp16/int8 scan prefetches its rows' bytes
  // kPrefetchAhead on, one line per step (a step reads R * 8 elements: 32 or 64 bytes).
  constexpr bool kPrefetch = NQ <= 2 && sizeof(T) < 4;
  const char* ahead = reinterpret_cast<const char*>(row[0]) + kPrefetchAhead;
  int d = 0;
  for (; d + 8 <= dim; d += 8) {
    if constexpr (kPrefetch) _mm_prefetch(ahead + d * R * int{sizeof(T)}, _MM_HINT_T0);
    __m256 b[R];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) b[r] = load8(row[r] + d);
#pragma GCC unroll 4
    for (int a = 0; a < NQ; ++a) {
      const __m256 qv = _mm256_loadu_ps(q + a * dim + d);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) acc[a][r] = _mm256_fmadd_ps(qv, b[r], acc[a][r]);
    }
  }
  for (int a = 0; a < NQ; ++a) {
    for (int r = 0; r < R; ++r) {
      float s = hsum(acc[a][r]);
      for (int t = d; t < dim; ++t) s += q[a * dim + t] * to_float(row[r][t]);
      if (scales != nullptr) s *= scales[i + r];
      out[a * n + i + r] = s;
    }
  }
}

// One query reads each base chunk for 4 rows at once (4 FMA chains in flight); a query group
// uses 3 rows (up to 12 accumulators + 3 row chunks + 1 query chunk = 16 ymm registers).
template <typename T, int NQ>
void score_block(const float* q, const T* base, const float* scales, int64_t n, int dim,
                 float* out) {
  constexpr int R = NQ == 1 ? 4 : 3;
  int64_t i = 0;
  for (; i + R <= n; i += R) score_rows<T, NQ, R>(q, dim, base, scales, n, i, out);
  for (; i < n; ++i) score_rows<T, NQ, 1>(q, dim, base, scales, n, i, out);
}

template <typename T>
void dispatch(const float* q, int nq, const T* base, const float* scales, int64_t n, int dim,
              float* out) {
  switch (nq) {
    case 1:
      score_block<T, 1>(q, base, scales, n, dim, out);
      break;
    case 2:
      score_block<T, 2>(q, base, scales, n, dim, out);
      break;
    case 3:
      score_block<T, 3>(q, base, scales, n, dim, out);
      break;
    default:
      score_block<T, 4>(q, base, scales, n, dim, out);
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

// Four independent FMA chains of 8 floats hide the FMA latency for one pair of rows.
float dot_fp32(const float* a, const float* b, int dim) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
  int d = 0;
  for (; d + 32 <= dim; d += 32) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 8), _mm256_loadu_ps(b + d + 8), acc1);
    acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 16), _mm256_loadu_ps(b + d + 16), acc2);
    acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 24), _mm256_loadu_ps(b + d + 24), acc3);
  }
  for (; d + 8 <= dim; d += 8) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), acc0);
  }
  float s = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
  for (; d < dim; ++d) s += a[d] * b[d];
  return s;
}

// vpmaddubsw multiplies unsigned by signed bytes: |a| times b with a's sign moved onto b gives
// a * b; pairs sum to at most 2 * 127 * 127 < 2^15, so the 16-bit sums never saturate (codes
// are in [-127, 127]; -128 never occurs). vpmaddwd with ones widens to 32 bits.
int32_t dot_int8(const int8_t* a, const int8_t* b, int dim) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  int d = 0;
  for (; d + 64 <= dim; d += 64) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + d));
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + d));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + d + 32));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + d + 32));
    const __m256i p0 = _mm256_maddubs_epi16(_mm256_abs_epi8(a0), _mm256_sign_epi8(b0, a0));
    const __m256i p1 = _mm256_maddubs_epi16(_mm256_abs_epi8(a1), _mm256_sign_epi8(b1, a1));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(p1, ones));
  }
  for (; d + 32 <= dim; d += 32) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + d));
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + d));
    const __m256i p0 = _mm256_maddubs_epi16(_mm256_abs_epi8(a0), _mm256_sign_epi8(b0, a0));
    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
  }
  const __m256i acc = _mm256_add_epi32(acc0, acc1);
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  int32_t sum = _mm_cvtsi128_si32(s);
  for (; d < dim; ++d) sum += int32_t{a[d]} * int32_t{b[d]};
  return sum;
}

// Multiply, then add (not _mm256_fmadd_ps): the same rounding as the portable loop.
void axpy(float a, const float* x, float* y, int64_t n) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t j = 0;
  // GCC fuses a multiply and an add into an FMA under this file's -mfma, intrinsics included;
  // the empty asm makes the rounded product opaque so it stays a multiply, then an add.
  for (; j + 8 <= n; j += 8) {
    __m256 p = _mm256_mul_ps(av, _mm256_loadu_ps(x + j));
    __asm__("" : "+x"(p));
    _mm256_storeu_ps(y + j, _mm256_add_ps(_mm256_loadu_ps(y + j), p));
  }
  for (; j < n; ++j) {
    float p = a * x[j];
    __asm__("" : "+x"(p));
    y[j] += p;
  }
}

// int8_panels: the portable kernel (set in scan_kernels.cc); AVX2 has no multiply of
// unsigned by signed bytes without 16-bit saturation.
// fp32_tile: none (16 ymm registers hold too few accumulators for a 32-query tile).
constexpr Kernels kAvx2{"avx2", fp32, fp16, int8, dot_fp32, dot_int8, nullptr, nullptr, axpy};

}  // namespace

// Declared in scan_kernels.cc; the caller checks the CPU first.
const Kernels* avx2_kernels_compiled() {
  return &kAvx2;
}

}  // namespace credmatch::index::scan

#else  // not x86

namespace credmatch::index::scan {
const Kernels* avx2_kernels_compiled() {
  return nullptr;
}
}  // namespace credmatch::index::scan

#endif
