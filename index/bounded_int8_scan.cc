#include "index/bounded_int8_scan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "base/error.h"
#include "base/thread_pool.h"
#include "index/kernels/scan_kernels.h"

namespace credmatch::index {
namespace {

// Panels per step of the scan: 4 x 32 rows (160 KiB at 1,280 dims, in L2) scored for every
// query group before the next step, so later groups read them from cache.
constexpr int64_t kPanelsPerStep = 4;

// A double rounded up to a float (the bounds must not shrink in the cast).
float round_up(double x) {
  const float f = static_cast<float>(x);
  return static_cast<double>(f) >= x ? f
                                     : std::nextafter(f, std::numeric_limits<float>::infinity());
}

// |x| and |x - s * codes| of one row, in double, rounded up.
void norms(const float* x, const int8_t* codes, float scale, int dim, float* norm,
           float* residual) {
  double n = 0.0, r = 0.0;
  for (int j = 0; j < dim; ++j) {
    const double dq = double(scale) * codes[j];
    const double e = double(x[j]) - dq;
    n += dq * dq;
    r += e * e;
  }
  *norm = round_up(std::sqrt(n));
  *residual = round_up(std::sqrt(r));
}

// lower/upper = s_q s_b dot -+ radius for `rows` rows of one query (see the header). Blocks of
// a fixed 16 rows so that GCC vectorises the loop at -O2 too (its cheap cost model skips loops
// that need a remainder loop).
void bounds(const int32_t* __restrict dots, int64_t rows, float query_scale, float query_norm,
            float query_residual, float rounding, const float* __restrict row_scale,
            const float* __restrict row_residual, const float* __restrict row_norm,
            float* __restrict lower, float* __restrict upper) {
  auto one = [&](int64_t i) {
    const float approx = query_scale * row_scale[i] * float(dots[i]);
    const float radius = query_norm * row_residual[i] + query_residual * row_norm[i] +
                         rounding * query_norm * (row_norm[i] + row_residual[i]) + 0x1p-20f;
    lower[i] = approx - radius;
    upper[i] = approx + radius;
  };
  constexpr int64_t kBlock = 16;
  int64_t i = 0;
  for (; i + kBlock <= rows; i += kBlock) {
    for (int64_t l = 0; l < kBlock; ++l) one(i + l);
  }
  for (; i < rows; ++i) one(i);
}

}  // namespace

BoundedInt8Scan::BoundedInt8Scan(const float* rows, int64_t n, int dim) : dim_(dim) {
  CREDMATCH_CHECK(dim > 0 && n >= 0 && n < std::numeric_limits<int32_t>::max(),
                  "n=" << n << ", dim=" << dim);
  const size_t row_bytes = sizeof(float) * size_t(dim);
  std::unordered_map<std::string_view, int32_t> seen;
  seen.reserve(size_t(n));
  distinct_of_.resize(size_t(n));
  std::vector<int8_t> codes;
  // quantize_int8() reserves exactly what it appends: without room for every row up front,
  // appending row by row would reallocate (and copy) the codes once per row.
  codes.reserve(size_t(n) * size_t(dim));
  scales_.reserve(size_t(n));
  norm_.reserve(size_t(n));
  residual_.reserve(size_t(n));
  first_row_.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    const float* row = rows + i * dim;
    const std::string_view key(reinterpret_cast<const char*>(row), row_bytes);
    const auto [it, added] = seen.try_emplace(key, int32_t(first_row_.size()));
    distinct_of_[size_t(i)] = it->second;
    if (!added) continue;
    first_row_.push_back(i);
    const size_t at = codes.size();
    scan::quantize_int8(row, 1, dim, codes, scales_);
    norm_.push_back(0.0f);
    residual_.push_back(0.0f);
    norms(row, codes.data() + at, scales_.back(), dim, &norm_.back(), &residual_.back());
  }
  scan::pack_int8_panels(codes.data(), distinct(), dim, panels_);
}

int64_t BoundedInt8Scan::memory_bytes() const {
  return static_cast<int64_t>(panels_.size() + 4 * distinct_of_.size() + 8 * first_row_.size() +
                              4 * (scales_.size() + residual_.size() + norm_.size()));
}

void BoundedInt8Scan::score(const float* queries, int64_t nq, float* lower, float* upper,
                            int threads) const {
  const int64_t nd = distinct();
  if (nq <= 0 || nd == 0) return;
  const int dim4 = (dim_ + 3) / 4;
  // Queries: int8 codes zero padded to 4 * dim4, their byte sums, scales and norms.
  std::vector<int8_t> codes, padded(static_cast<size_t>(nq * 4 * dim4), 0);
  std::vector<float> scale;
  scan::quantize_int8(queries, nq, dim_, codes, scale);
  std::vector<int32_t> sums(static_cast<size_t>(nq), 0);
  std::vector<float> qnorm(static_cast<size_t>(nq)), qres(static_cast<size_t>(nq));
  for (int64_t q = 0; q < nq; ++q) {
    for (int j = 0; j < dim_; ++j) {
      padded[size_t(q * 4 * dim4 + j)] = codes[size_t(q * dim_ + j)];
      sums[size_t(q)] += codes[size_t(q * dim_ + j)];
    }
    norms(queries + q * dim_, codes.data() + q * dim_, scale[size_t(q)], dim_, &qnorm[size_t(q)],
          &qres[size_t(q)]);
  }
  const scan::Kernels& kernels = scan::active_kernels();
  // fp32 rounding: of the integer-to-float products here (a few ulps of |approx|) and of any
  // fp32 dot product of the pair the caller compares with (at most dim ulps of |q| |b|).
  const float rounding = float(dim_ + 8) * 0x1p-23f;
  const int64_t panel_bytes = int64_t{scan::kPanelRows} * 4 * dim4;
  const int64_t panels = (nd + scan::kPanelRows - 1) / scan::kPanelRows;

  const int64_t max_threads =
      threads > 0 ? threads : std::max<int64_t>(1, std::thread::hardware_concurrency());
  const int64_t shards = std::clamp<int64_t>(
      static_cast<int64_t>(panels_.size()) / scan::kMinShardBytes, 1, max_threads);
  const int64_t shard_panels = (panels + shards - 1) / shards;
  auto work = [&](int64_t t) {
    constexpr int64_t kStepRows = kPanelsPerStep * scan::kPanelRows;
    std::vector<int32_t> dots(static_cast<size_t>(nq * kStepRows));
    const int64_t end = std::min(panels, (t + 1) * shard_panels);
    for (int64_t p0 = t * shard_panels; p0 < end; p0 += kPanelsPerStep) {
      const int64_t count = std::min(kPanelsPerStep, end - p0);
      for (int64_t q0 = 0; q0 < nq; q0 += scan::kMaxPanelQueries) {
        const int group = int(std::min<int64_t>(scan::kMaxPanelQueries, nq - q0));
        kernels.int8_panels(padded.data() + q0 * 4 * dim4, sums.data() + q0, group,
                            panels_.data() + p0 * panel_bytes, count, dim4,
                            dots.data() + q0 * kStepRows, kStepRows);
      }
      const int64_t first = p0 * scan::kPanelRows;
      const int64_t rows = std::min(count * scan::kPanelRows, nd - first);
      for (int64_t q = 0; q < nq; ++q) {
        bounds(dots.data() + q * kStepRows, rows, scale[size_t(q)], qnorm[size_t(q)],
               qres[size_t(q)], rounding, scales_.data() + first, residual_.data() + first,
               norm_.data() + first, lower + q * nd + first, upper + q * nd + first);
      }
    }
  };
  run_parallel(shards, work);
}

}  // namespace credmatch::index
