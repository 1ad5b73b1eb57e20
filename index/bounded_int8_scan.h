// BoundedInt8Scan: every row of a set of fp32 vectors scored against a batch of queries in int8,
// each score with a radius that provably contains the exact inner product. Exact algorithms
// prune with the bounds and compute in fp32 only what the bounds leave open (the matcher
// scores every credential this way on a flat catalog: match/candidates.cc, and prunes its exact
// rescoring with the bounds: match/exact_similarity.cc).
//
// Rows are quantized per row (scan::quantize_int8: b~ = s_b * codes), queries per query
// (q~ = s_q * q8), and scored by the exact integer kernel Kernels::int8_panels (AVX-512 VNNI: 4x
// the multiply-adds per instruction of fp32, in a GEMM micro-kernel over 32-row panels). The
// radius splits the error in two (Cauchy-Schwarz):
//   <q, b> - <q~, b~> = <q, b - b~> + <q - q~, b~>,
//   |<q, b> - <q~, b~>| <= |q| |b - b~| + |q - q~| |b~|,
// with the residual norms computed in double when quantizing, plus a slack for fp32 rounding
// (of this computation and of any fp32 dot product of the same pair: dim * 2^-23 relative).
// Unit 1,280-d vectors of the default encoder: radius about 0.015.
//
// Identical rows (the same statement in several credentials) are stored and scored once:
// scores are per distinct row, distinct_of(i) maps a row to its distinct row.
//
// The scan returns the two bounds, lower = <q~, b~> - radius and upper = <q~, b~> + radius
// (what pruning compares), not the estimate and its radius.
//
// Thread safety: score() is const and safe to call from several threads at once.
//
// Usage:
//   BoundedInt8Scan scan(rows, n, dim);
//   std::vector<float> lower(nq * scan.distinct()), upper(lower.size());
//   scan.score(queries, nq, lower.data(), upper.data(), /*threads=*/1);
//   // lower[q * distinct() + distinct_of(i)] <= <query q, row i> <= upper[same]
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace credmatch::index {

class BoundedInt8Scan {
 public:
  /// Quantizes n rows (n * dim floats, row-major); the rows are not kept. Throws
  /// credmatch::Error if dim <= 0 or n < 0.
  BoundedInt8Scan(const float* rows, int64_t n, int dim);

  /// Rows given to the constructor.
  int64_t size() const { return static_cast<int64_t>(distinct_of_.size()); }
  int dim() const { return dim_; }
  /// Distinct rows (bit-identical rows count once); scores are indexed by distinct row.
  int64_t distinct() const { return static_cast<int64_t>(first_row_.size()); }
  /// The distinct row of row i (0 <= i < size()).
  int32_t distinct_of(int64_t i) const { return distinct_of_[static_cast<size_t>(i)]; }
  /// The first row (smallest index) equal to distinct row u.
  int64_t first_row(int32_t u) const { return first_row_[static_cast<size_t>(u)]; }
  /// Bytes held (panels, per-row terms).
  int64_t memory_bytes() const;

  /// For nq queries (nq * dim() floats): lower[q * distinct() + u] <= <query q, distinct row u>
  /// <= upper[same], also for any fp32 dot product of the pair. threads: most threads to use,
  /// 0 = every core (as SearchParams::threads); small bases use one.
  void score(const float* queries, int64_t nq, float* lower, float* upper, int threads) const;

 private:
  int dim_ = 0;
  std::vector<int32_t> distinct_of_;  // per row
  std::vector<int64_t> first_row_;    // per distinct row
  std::vector<uint8_t> panels_;       // distinct rows, scan::pack_int8_panels layout
  std::vector<float> scales_;         // s_b per distinct row
  std::vector<float> residual_;       // |b - b~| per distinct row, rounded up
  std::vector<float> norm_;           // |b~| per distinct row, rounded up
};

}  // namespace credmatch::index
