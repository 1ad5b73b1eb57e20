// Helpers shared by the encoder tests: encode a list of texts, and the inner product of two
// encoded rows (their cosine, as rows are unit vectors or zero).
#pragma once

#include <string>
#include <vector>

#include "encode/encoder.h"

namespace credmatch::testing_util {

/// texts.size() rows of e.dim() floats, row-major.
inline std::vector<float> encode(const engine::Encoder& e, const std::vector<std::string>& texts) {
  std::vector<float> out(texts.size() * size_t(e.dim()));
  e.encode(texts, out);
  return out;
}

/// Inner product of rows i and j of a row-major matrix with d columns.
inline float row_dot(const std::vector<float>& v, size_t i, size_t j, int d) {
  float s = 0;
  for (int k = 0; k < d; ++k) s += v[i * size_t(d) + size_t(k)] * v[j * size_t(d) + size_t(k)];
  return s;
}

}  // namespace credmatch::testing_util
