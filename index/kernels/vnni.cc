// AVX-512 VNNI int8 kernels: int8_panels and the pair dot product dot_int8.
// vpdpbusd multiplies 64 unsigned by 64 signed bytes and adds each group of 4 products into a
// 32-bit lane: 4x the multiply-adds per instruction of an fp32 FMA. The panel layout
// (scan_kernels.h pack_int8_panels) puts 4 dims of 16 rows in one register, so each step
// broadcasts 4 query bytes against two registers of rows (32 rows), a GEMM micro-kernel: 12
// queries x 32 rows = 24 accumulators, no horizontal sums, and a panel (32 rows, 40 KiB at
// 1,280 dims) read from L1 by every group of queries.
// This file alone is compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni
// (index/CMakeLists.txt); scan_kernels.cc uses it only after checking the CPU, and like the
// other kernel files it includes no header with inline functions shared with other files.
#include "index/kernels/scan_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace credmatch::index::scan {
namespace {

template <int NQ>
void panel_queries(const int8_t* queries, const int32_t* query_sums, const uint8_t* panel,
                   int dim4, int32_t* out, int64_t out_stride) {
  __m512i acc[NQ][2];
#pragma GCC unroll 12
  for (int a = 0; a < NQ; ++a) acc[a][0] = acc[a][1] = _mm512_setzero_si512();
  for (int g = 0; g < dim4; ++g) {
    const __m512i rows0 = _mm512_loadu_si512(panel + g * 4 * kPanelRows);
    const __m512i rows1 = _mm512_loadu_si512(panel + g * 4 * kPanelRows + 64);
#pragma GCC unroll 12
    for (int a = 0; a < NQ; ++a) {
      int32_t word;
      __builtin_memcpy(&word, queries + (a * dim4 + g) * 4, 4);
      const __m512i q = _mm512_set1_epi32(word);
      acc[a][0] = _mm512_dpbusd_epi32(acc[a][0], rows0, q);
      acc[a][1] = _mm512_dpbusd_epi32(acc[a][1], rows1, q);
    }
  }
#pragma GCC unroll 12
  for (int a = 0; a < NQ; ++a) {
    const __m512i offset = _mm512_set1_epi32(128 * query_sums[a]);
    _mm512_storeu_si512(out + a * out_stride, _mm512_sub_epi32(acc[a][0], offset));
    _mm512_storeu_si512(out + a * out_stride + 16, _mm512_sub_epi32(acc[a][1], offset));
  }
}

template <int NQ>
void panels_of(const int8_t* queries, const int32_t* query_sums, const uint8_t* panels,
               int64_t count, int dim4, int32_t* out, int64_t out_stride) {
  const int64_t panel_bytes = int64_t{kPanelRows} * 4 * dim4;
  for (int64_t t = 0; t < count; ++t) {
    panel_queries<NQ>(queries, query_sums, panels + t * panel_bytes, dim4,
                      out + t * kPanelRows, out_stride);
  }
}

void int8_panels(const int8_t* queries, const int32_t* query_sums, int nq, const uint8_t* panels,
                 int64_t count, int dim4, int32_t* out, int64_t out_stride) {
  using Fn = void (*)(const int8_t*, const int32_t*, const uint8_t*, int64_t, int, int32_t*,
                      int64_t);
  static constexpr Fn kByQueries[kMaxPanelQueries + 1] = {
      nullptr,         panels_of<1>, panels_of<2>,  panels_of<3>,  panels_of<4>,
      panels_of<5>,    panels_of<6>, panels_of<7>,  panels_of<8>,  panels_of<9>,
      panels_of<10>,   panels_of<11>, panels_of<12>};
  if (nq >= 1 && nq <= kMaxPanelQueries) {
    kByQueries[nq](queries, query_sums, panels, count, dim4, out, out_stride);
  }
}

// One step of the pair dot product: vpdpbusd multiplies unsigned by signed bytes, so a's sign
// moves onto b (b negated where a < 0) and |a| is the unsigned side. Codes are in [-127, 127]
// (-128 never occurs), so neither |a| nor -b overflows, and 4 products of at most 127 * 127
// sum into each 32-bit lane without wrapping: the same integer as the AVX2 and scalar loops.
inline __m512i dot_step(__m512i acc, __m512i a, __m512i b) {
  const __mmask64 negative = _mm512_movepi8_mask(a);
  const __m512i signed_b = _mm512_mask_sub_epi8(b, negative, _mm512_setzero_si512(), b);
  return _mm512_dpbusd_epi32(acc, _mm512_abs_epi8(a), signed_b);
}

// The HNSW graph's int8 distance (one query code row against one graph element): a 1,280-d
// row is 20 steps of 64 bytes, against 40 of the AVX2 kernel's 32 at 3 more instructions each.
int32_t dot_int8(const int8_t* a, const int8_t* b, int dim) {
  __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
  int d = 0;
  for (; d + 128 <= dim; d += 128) {
    acc0 = dot_step(acc0, _mm512_loadu_si512(a + d), _mm512_loadu_si512(b + d));
    acc1 = dot_step(acc1, _mm512_loadu_si512(a + d + 64), _mm512_loadu_si512(b + d + 64));
  }
  for (; d + 64 <= dim; d += 64) {
    acc0 = dot_step(acc0, _mm512_loadu_si512(a + d), _mm512_loadu_si512(b + d));
  }
  if (d < dim) {  // the last 1-63 bytes; masked-off bytes load as zero and add nothing
    const __mmask64 tail = (~__mmask64{0}) >> (64 - (dim - d));
    acc1 = dot_step(acc1, _mm512_maskz_loadu_epi8(tail, a + d), _mm512_maskz_loadu_epi8(tail, b + d));
  }
  return _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}

}  // namespace

// Declared in scan_kernels.cc, which checks the CPU first.
void avx512_vnni_kernels_compiled(Kernels* k) {
  k->int8_panels = int8_panels;
  k->dot_int8 = dot_int8;
}

}  // namespace credmatch::index::scan

#else  // not x86

namespace credmatch::index::scan {
void avx512_vnni_kernels_compiled(Kernels*) {}
}  // namespace credmatch::index::scan

#endif
