// Synthetic vectors for the index tests. Fixed seeds: the same call gives the same data.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <unordered_set>
#include <vector>

namespace credmatch::testing_util {

/// n unit vectors (n * dim floats), directions uniform on the sphere.
inline std::vector<float> random_unit_vectors(int64_t n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(n * dim));
  for (int64_t i = 0; i < n; ++i) {
    float* row = v.data() + i * dim;
    double norm = 0;
    for (int j = 0; j < dim; ++j) {
      row[j] = normal(rng);
      norm += double{row[j]} * row[j];
    }
    for (int j = 0; j < dim; ++j) row[j] = static_cast<float>(row[j] / std::sqrt(norm));
  }
  return v;
}

/// n unit vectors around `clusters` random centres (drawn with `centre_seed`, so base and
/// queries share them) with Gaussian noise of norm about 1.2 times a centre's: neighbours have
/// cosine ~0.5-0.6, as with sentence embeddings. On uniform random high-dimensional data ANN
/// recall means little; on this it behaves as on real embeddings.
inline std::vector<float> clustered_unit_vectors(int64_t n, int dim, int clusters, uint32_t seed,
                                                 uint32_t centre_seed) {
  std::mt19937 centre_rng(centre_seed);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> centres(static_cast<size_t>(clusters * dim));
  for (float& c : centres) c = normal(centre_rng) / std::sqrt(static_cast<float>(dim));
  std::uniform_int_distribution<int> pick(0, clusters - 1);
  const float noise = 1.2f / std::sqrt(static_cast<float>(dim));
  std::vector<float> v(static_cast<size_t>(n * dim));
  for (int64_t i = 0; i < n; ++i) {
    const float* centre = centres.data() + pick(rng) * dim;
    float* row = v.data() + i * dim;
    double norm = 0;
    for (int j = 0; j < dim; ++j) {
      row[j] = centre[j] + noise * normal(rng);
      norm += double{row[j]} * row[j];
    }
    for (int j = 0; j < dim; ++j) row[j] = static_cast<float>(row[j] / std::sqrt(norm));
  }
  return v;
}

/// Share of the k true ids per query (truth: nq x k, row-major) found among the k returned
/// (got: nq x k), order ignored.
inline double recall_at_k(const std::vector<int64_t>& got, const std::vector<int64_t>& truth,
                          int64_t nq, int k) {
  int64_t hits = 0;
  for (int64_t q = 0; q < nq; ++q) {
    const std::unordered_set<int64_t> want(truth.begin() + q * k, truth.begin() + (q + 1) * k);
    for (int j = 0; j < k; ++j) hits += static_cast<int64_t>(want.count(got[static_cast<size_t>(q * k + j)]));
  }
  return static_cast<double>(hits) / static_cast<double>(nq * k);
}

}  // namespace credmatch::testing_util
