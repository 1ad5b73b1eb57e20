// Portable scan kernels and the binary16 conversions: plain C++ the compiler vectorises for the
// baseline target (`omp simd` lets it reassociate each sum without -ffast-math).
#include <cmath>
#include <cstring>

#include "index/kernels/scan_kernels.h"

namespace credmatch::index::scan {

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t{h & 0x8000u} << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits = 0;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // infinity or NaN (payload kept)
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa != 0) {
    // Subnormal half: normalise into a float.
    int e = -1;
    do {
      ++e;
      mantissa <<= 1;
    } while ((mantissa & 0x400u) == 0);
    bits = sign | ((112 - static_cast<uint32_t>(e)) << 23) | ((mantissa & 0x3ffu) << 13);
  } else {
    bits = sign;
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint16_t float_to_half(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // infinity or NaN (NaN stays quiet NaN)
    return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520
  if (abs < 0x38800000u) {
    // Result is subnormal (or zero): shift the implicit-1 mantissa into place, round to even.
    if (abs < 0x33000000u) return sign;  // below half the smallest subnormal
    const uint32_t e = abs >> 23;
    const uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14 .. 24
    uint32_t result = m >> shift;
    const uint32_t rest = m & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (result & 1u))) ++result;
    return static_cast<uint16_t>(sign | result);
  }
  // Normal: rebias the exponent, round the mantissa's low 13 bits to even (a carry into the
  // exponent is the correct result).
  uint32_t result = ((abs - 0x38000000u) >> 13);
  const uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (result & 1u))) ++result;
  return static_cast<uint16_t>(sign | result);
}

namespace {

template <typename T>
float dot(const float* q, const T* row, int dim) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int d = 0; d < dim; ++d) sum += q[d] * static_cast<float>(row[d]);
  return sum;
}

// binary16 rows are converted a chunk at a time so the dot product stays a simple loop.
float dot_half(const float* q, const uint16_t* row, int dim) {
  constexpr int kChunk = 64;
  float buffer[kChunk];
  float sum = 0.0f;
  for (int d0 = 0; d0 < dim; d0 += kChunk) {
    const int len = dim - d0 < kChunk ? dim - d0 : kChunk;
    for (int d = 0; d < len; ++d) buffer[d] = half_to_float(row[d0 + d]);
    sum += dot(q + d0, buffer, len);
  }
  return sum;
}

void fp32(const float* q, int nq, const float* base, int64_t n, int dim, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    for (int a = 0; a < nq; ++a) out[a * n + i] = dot(q + a * dim, base + i * dim, dim);
  }
}

void fp16(const float* q, int nq, const uint16_t* base, int64_t n, int dim, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    for (int a = 0; a < nq; ++a) out[a * n + i] = dot_half(q + a * dim, base + i * dim, dim);
  }
}

void int8(const float* q, int nq, const int8_t* codes, const float* scales, int64_t n, int dim,
          float* out) {
  for (int64_t i = 0; i < n; ++i) {
    for (int a = 0; a < nq; ++a) {
      out[a * n + i] = scales[i] * dot(q + a * dim, codes + i * dim, dim);
    }
  }
}

float dot_fp32(const float* a, const float* b, int dim) {
  return dot(a, b, dim);
}

int32_t dot_int8(const int8_t* a, const int8_t* b, int dim) {
  int32_t sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int d = 0; d < dim; ++d) sum += int32_t{a[d]} * int32_t{b[d]};
  return sum;
}

void int8_panels(const int8_t* queries, const int32_t* /*query_sums*/, int nq,
                 const uint8_t* panels, int64_t count, int dim4, int32_t* out,
                 int64_t out_stride) {
  const int64_t panel_bytes = int64_t{kPanelRows} * 4 * dim4;
  for (int64_t t = 0; t < count; ++t) {
    const uint8_t* panel = panels + t * panel_bytes;
    for (int a = 0; a < nq; ++a) {
      const int8_t* q = queries + int64_t{a} * 4 * dim4;
      for (int i = 0; i < kPanelRows; ++i) {
        int32_t sum = 0;
        for (int g = 0; g < dim4; ++g) {
          for (int b = 0; b < 4; ++b) {
            sum += int32_t{q[4 * g + b]} * (int32_t{panel[(g * kPanelRows + i) * 4 + b]} - 128);
          }
        }
        out[a * out_stride + t * kPanelRows + i] = sum;
      }
    }
  }
}

void axpy(float a, const float* x, float* y, int64_t n) {
  for (int64_t j = 0; j < n; ++j) y[j] += a * x[j];
}

// fp32_tile: none (its 64 accumulators need a wide register file; scan_top_k uses fp32).
constexpr Kernels kGeneric{"generic", fp32,     fp16,        int8,   dot_fp32,
                           dot_int8,  int8_panels, nullptr, axpy};

}  // namespace

const Kernels& generic_kernels() {
  return kGeneric;
}

}  // namespace credmatch::index::scan
