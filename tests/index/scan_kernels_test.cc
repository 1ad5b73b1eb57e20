// The scan kernels (index/kernels/scan_kernels.h): the AVX2 kernels agree with the portable
// ones, and the top-k scan is exact against a double-precision loop (any block, group and shard
// split). QuantizedFlatIndex, which scans with them: tests/index/quantized_flat_index_test.cc.
#include "index/kernels/scan_kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>


namespace credmatch::index {
namespace {

using scan::Storage;

std::vector<float> random_vectors(int64_t n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(n * dim));
  for (float& x : v) x = normal(rng);
  return v;
}


// A base in one storage format, with the fp32 values it stands for (decoded).
struct Encoded {
  std::vector<float> decoded;
  std::vector<uint16_t> halves;
  std::vector<int8_t> codes;
  std::vector<float> scales;
  scan::ScanBase base;
};

Encoded encode(const std::vector<float>& v, int64_t n, int dim, Storage storage) {
  Encoded e;
  e.base = {.storage = storage, .data = nullptr, .scales = nullptr, .n = n, .dim = dim};
  switch (storage) {
    case Storage::kFp32:
      e.decoded = v;
      e.base.data = e.decoded.data();
      break;
    case Storage::kFp16:
      for (float x : v) e.halves.push_back(scan::float_to_half(x));
      for (uint16_t h : e.halves) e.decoded.push_back(scan::half_to_float(h));
      e.base.data = e.halves.data();
      break;
    case Storage::kInt8:
      scan::quantize_int8(v.data(), n, dim, e.codes, e.scales);
      for (int64_t i = 0; i < n * dim; ++i) {
        e.decoded.push_back(e.scales[static_cast<size_t>(i / dim)] *
                            e.codes[static_cast<size_t>(i)]);
      }
      e.base.data = e.codes.data();
      e.base.scales = e.scales.data();
      break;
  }
  return e;
}

// The SIMD kernel sets the running CPU has (AVX2, AVX-512), each to be checked against the
// portable set.
std::vector<const scan::Kernels*> simd_kernels() {
  std::vector<const scan::Kernels*> out;
  if (scan::avx2_kernels() != nullptr) out.push_back(scan::avx2_kernels());
  if (scan::avx512_kernels() != nullptr) out.push_back(scan::avx512_kernels());
  if (scan::avx512_vnni_kernels() != nullptr) out.push_back(scan::avx512_vnni_kernels());
  return out;
}

TEST(ScanKernels, ActiveSetIsTheWidestTheCpuHas) {
  const std::string want = scan::avx512_vnni_kernels() ? "avx512-vnni"
                           : scan::avx512_kernels()    ? "avx512"
                           : scan::avx2_kernels()      ? "avx2"
                                                       : "generic";
  EXPECT_EQ(scan::active_kernel_name(), want);
  if (scan::avx512_kernels() != nullptr) {
    // The AVX-512 set keeps the AVX2 pair dot products.
    EXPECT_EQ(scan::avx512_kernels()->dot_fp32, scan::avx2_kernels()->dot_fp32);
  }
}

TEST(ScanKernels, SimdSetsAgreeWithGenericForEveryStorageAndShape) {
  if (simd_kernels().empty()) GTEST_SKIP() << "CPU without AVX2/FMA/F16C";
  const scan::Kernels& generic = scan::generic_kernels();
  for (const scan::Kernels* simd : simd_kernels()) {
    SCOPED_TRACE(simd->name);
    // dims around the 8- and 16-float register widths; n around the 3-, 6-, 7- and 8-row steps.
    for (int dim : {1, 7, 8, 9, 15, 16, 17, 33, 384, 515}) {
      for (int64_t n : {1, 3, 4, 5, 6, 7, 8, 9, 13, 17}) {
        const std::vector<float> base =
            random_vectors(n, dim, static_cast<uint32_t>(dim * 100 + n));
        const std::vector<float> queries = random_vectors(4, dim, 5);
        for (Storage storage : {Storage::kFp32, Storage::kFp16, Storage::kInt8}) {
          const Encoded e = encode(base, n, dim, storage);
          for (int nq = 1; nq <= scan::kMaxQueryGroup; ++nq) {
            SCOPED_TRACE("dim=" + std::to_string(dim) + " n=" + std::to_string(n) +
                         " nq=" + std::to_string(nq) +
                         " storage=" + std::to_string(static_cast<int>(storage)));
            std::vector<float> a(static_cast<size_t>(nq * n)), b(a.size());
            for (const auto* k : {&generic, simd}) {
              float* out = k == &generic ? a.data() : b.data();
              switch (storage) {
                case Storage::kFp32:
                  k->fp32(queries.data(), nq, base.data(), n, dim, out);
                  break;
                case Storage::kFp16:
                  k->fp16(queries.data(), nq, e.halves.data(), n, dim, out);
                  break;
                case Storage::kInt8:
                  k->int8(queries.data(), nq, e.codes.data(), e.scales.data(), n, dim, out);
                  break;
              }
            }
            for (int q = 0; q < nq; ++q) {
              for (int64_t i = 0; i < n; ++i) {
                double exact = 0, magnitude = 0;
                for (int d = 0; d < dim; ++d) {
                  const double x = double{queries[static_cast<size_t>(q * dim + d)]} *
                                   e.decoded[static_cast<size_t>(i * dim + d)];
                  exact += x;
                  magnitude += std::abs(x);
                }
                const double tol = 1e-5 * magnitude + 1e-6;
                const size_t at = static_cast<size_t>(q * n + i);
                EXPECT_NEAR(a[at], exact, tol);
                EXPECT_NEAR(b[at], exact, tol);
              }
            }
          }
        }
      }
    }
  }
}

// int8_panels is integer arithmetic: every set must give the scalar sums exactly, at the
// extreme codes (-127, 127: an unsigned-by-signed byte product saturating 16 bits would show),
// for dims around the 4-byte groups and row counts around the 32-row panels.
TEST(ScanKernels, Int8PanelsAreExactForEverySetAndShape) {
  std::vector<const scan::Kernels*> sets = simd_kernels();
  sets.push_back(&scan::generic_kernels());
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> code(-127, 127);
  auto draw = [&](bool extreme) {
    const int c = code(rng);
    return static_cast<int8_t>(extreme ? (c < 0 ? -127 : 127) : c);
  };
  for (const scan::Kernels* k : sets) {
    SCOPED_TRACE(k->name);
    for (int dim : {1, 3, 4, 5, 63, 64, 65, 300, 1280}) {
      for (int64_t n : {1, 31, 32, 33, 70}) {
        for (bool extreme : {false, true}) {
          const int dim4 = (dim + 3) / 4;
          std::vector<int8_t> codes(size_t(n * dim));
          for (auto& c : codes) c = draw(extreme);
          std::vector<uint8_t> panels;
          scan::pack_int8_panels(codes.data(), n, dim, panels);
          const int64_t count = (n + scan::kPanelRows - 1) / scan::kPanelRows;
          ASSERT_EQ(panels.size(), size_t(count * scan::kPanelRows * 4 * dim4));
          for (int nq : {1, 5, scan::kMaxPanelQueries}) {
            std::vector<int8_t> queries(size_t(nq * 4 * dim4), 0);
            std::vector<int32_t> sums(size_t(nq), 0);
            for (int a = 0; a < nq; ++a) {
              for (int j = 0; j < dim; ++j) {
                queries[size_t(a * 4 * dim4 + j)] = draw(extreme);
                sums[size_t(a)] += queries[size_t(a * 4 * dim4 + j)];
              }
            }
            const int64_t stride = count * scan::kPanelRows + 3;
            std::vector<int32_t> out(size_t(nq * stride), 12345);
            k->int8_panels(queries.data(), sums.data(), nq, panels.data(), count, dim4, out.data(),
                           stride);
            for (int a = 0; a < nq; ++a) {
              for (int64_t i = 0; i < count * scan::kPanelRows; ++i) {
                int64_t want = 0;  // padding rows are all-zero codes
                for (int j = 0; i < n && j < dim; ++j) {
                  want += int64_t{queries[size_t(a * 4 * dim4 + j)]} * codes[size_t(i * dim + j)];
                }
                ASSERT_EQ(out[size_t(a * stride + i)], want)
                    << "dim " << dim << " n " << n << " nq " << nq << " query " << a << " row " << i;
              }
              EXPECT_EQ(out[size_t(a * stride + count * scan::kPanelRows)], 12345);  // untouched
            }
          }
        }
      }
    }
  }
}

// fp32_tile against double sums: row counts around its 12-row step, dims around the registers,
// absent (zero) queries in the tile, and an output stride wider than n (untouched past n).
TEST(ScanKernels, Fp32TileAgreesWithDoubleSums) {
  std::vector<const scan::Kernels*> sets;
  for (const scan::Kernels* k : simd_kernels()) {
    if (k->fp32_tile != nullptr) sets.push_back(k);
  }
  if (sets.empty()) GTEST_SKIP() << "no kernel set with fp32_tile on this CPU";
  constexpr int kTile = scan::kFp32QueryTile;
  for (const scan::Kernels* k : sets) {
    for (int dim : {1, 7, 16, 17, 384, 515}) {
      for (int64_t n : {1, 5, 11, 12, 13, 24, 25, 37}) {
        SCOPED_TRACE(std::string(k->name) + " dim=" + std::to_string(dim) +
                     " n=" + std::to_string(n));
        const std::vector<float> rows = random_vectors(n, dim, static_cast<uint32_t>(dim + n));
        const std::vector<float> queries = random_vectors(kTile, dim, 9);
        std::vector<float> tile(static_cast<size_t>(kTile * dim), 0.0f);
        for (int a = 0; a < kTile - 3; ++a) {  // the last three queries absent
          for (int j = 0; j < dim; ++j) {
            tile[static_cast<size_t>(j * kTile + a)] = queries[static_cast<size_t>(a * dim + j)];
          }
        }
        const int64_t stride = n + 5;
        std::vector<float> out(static_cast<size_t>(kTile * stride), 777.0f);
        k->fp32_tile(tile.data(), rows.data(), n, dim, out.data(), stride);
        for (int a = 0; a < kTile; ++a) {
          for (int64_t i = 0; i < n; ++i) {
            double want = 0, magnitude = 0;
            for (int j = 0; a < kTile - 3 && j < dim; ++j) {
              const double x = double{queries[static_cast<size_t>(a * dim + j)]} *
                               rows[static_cast<size_t>(i * dim + j)];
              want += x;
              magnitude += std::abs(x);
            }
            ASSERT_NEAR(out[static_cast<size_t>(a * stride + i)], want, 1e-5 * magnitude + 1e-6)
                << "query " << a << " row " << i;
          }
          EXPECT_EQ(out[static_cast<size_t>(a * stride + n)], 777.0f) << "wrote past n";
        }
      }
    }
  }
}

// axpy must give the plain loop's bits on every set (encoder vectors may not depend on the CPU).
TEST(ScanKernels, AxpyGivesThePortableBitsOnEverySet) {
  std::vector<const scan::Kernels*> sets = simd_kernels();
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{8}, int64_t{17}, int64_t{512}, int64_t{515}}) {
    const std::vector<float> x = random_vectors(1, int(n), 3);
    const std::vector<float> y0 = random_vectors(1, int(n), 4);
    for (float a : {0.3f, -1.7f, 1e-3f}) {
      std::vector<float> want = y0;
      scan::generic_kernels().axpy(a, x.data(), want.data(), n);
      for (int64_t j = 0; j < n; ++j) {
        volatile float product = a * x[size_t(j)];  // rounded, then added: no fused multiply-add
        ASSERT_EQ(want[size_t(j)], y0[size_t(j)] + product);
      }
      for (const scan::Kernels* k : sets) {
        std::vector<float> got = y0;
        k->axpy(a, x.data(), got.data(), n);
        ASSERT_EQ(got, want) << k->name << " n " << n;
      }
    }
  }
}

TEST(ScanKernels, HalfConversionsMatchF16cForEveryValue) {
  std::vector<uint16_t> all(65536);
  for (size_t h = 0; h < all.size(); ++h) all[h] = static_cast<uint16_t>(h);
  const float one = 1.0f;
  std::vector<float> f16c(all.size());
  const scan::Kernels* avx2 = scan::avx2_kernels();
  if (avx2 != nullptr) avx2->fp16(&one, 1, all.data(), 65536, 1, f16c.data());
  for (size_t h = 0; h < all.size(); ++h) {
    const float f = scan::half_to_float(all[h]);
    if (std::isnan(f)) {
      EXPECT_TRUE((h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0) << h;
      continue;
    }
    EXPECT_EQ(scan::float_to_half(f), all[h]) << h;
    if (avx2 != nullptr) {
      EXPECT_EQ(f, f16c[h]) << h;
    }
  }
  EXPECT_EQ(scan::float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(scan::float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(scan::float_to_half(65520.0f), 0x7c00);               // rounds up to infinity
  EXPECT_EQ(scan::float_to_half(1.0f + 1.0f / 2048), 0x3c00);     // tie, to even
  EXPECT_EQ(scan::float_to_half(1.0f + 3.0f / 2048), 0x3c02);     // tie, to even
  EXPECT_EQ(scan::float_to_half(std::ldexp(1.0f, -25)), 0x0000);  // tie with 0, to even
  EXPECT_EQ(scan::float_to_half(std::ldexp(1.5f, -25)), 0x0001);  // smallest subnormal
  EXPECT_EQ(scan::float_to_half(-std::ldexp(1.0f, -24)), 0x8001);
  EXPECT_TRUE(std::isnan(
      scan::half_to_float(scan::float_to_half(std::numeric_limits<float>::quiet_NaN()))));
}

// The double-precision ranking of rows [0, n) for one query: (score, id) best first.
std::vector<std::pair<double, int64_t>> naive(const std::vector<float>& base, int64_t n, int dim,
                                              const float* q) {
  std::vector<std::pair<double, int64_t>> all;
  for (int64_t i = 0; i < n; ++i) {
    double s = 0;
    for (int d = 0; d < dim; ++d) s += double{base[static_cast<size_t>(i * dim + d)]} * q[d];
    all.emplace_back(s, i);
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  return all;
}

TEST(ScanTopK, IsExactForEveryStorageKernelAndBlockSplit) {
  // 3 blocks + a ragged tail; 7 queries = a group of 4 + a group of 3; k above n too.
  constexpr int kDim = 37;
  constexpr int64_t kN = 2 * scan::kScanBlock + 70;
  const std::vector<float> base = random_vectors(kN, kDim, 21);
  const std::vector<float> queries = random_vectors(7, kDim, 22);
  std::vector<const scan::Kernels*> kernels = simd_kernels();
  kernels.push_back(&scan::generic_kernels());
  for (Storage storage : {Storage::kFp32, Storage::kFp16, Storage::kInt8}) {
    const Encoded e = encode(base, kN, kDim, storage);
    for (const scan::Kernels* k : kernels) {
      for (int64_t cap : {int64_t{1}, int64_t{10}, kN}) {
        SCOPED_TRACE(std::string(k->name) + " cap=" + std::to_string(cap) +
                     " storage=" + std::to_string(static_cast<int>(storage)));
        const int64_t stride = cap + 2;
        std::vector<int64_t> ids(static_cast<size_t>(7 * stride), -7);
        std::vector<float> scores(ids.size(), 0.0f);
        scan::scan_top_k(e.base, queries.data(), 7, cap, stride, ids.data(), scores.data(),
                         {.max_threads = 1, .kernels = k});
        for (int64_t q = 0; q < 7; ++q) {
          const auto want = naive(e.decoded, kN, kDim, queries.data() + q * kDim);
          for (int64_t j = 0; j < cap; ++j) {
            const size_t at = static_cast<size_t>(q * stride + j);
            ASSERT_NEAR(scores[at], want[static_cast<size_t>(j)].first, 1e-4);
            const bool close_prev = j > 0 && want[j - 1].first - want[j].first < 1e-4;
            const bool close_next = j + 1 < kN && want[j].first - want[j + 1].first < 1e-4;
            if (!close_prev && !close_next) {
              EXPECT_EQ(ids[at], want[static_cast<size_t>(j)].second);
            }
          }
          EXPECT_EQ(ids[static_cast<size_t>(q * stride + cap)], -7) << "wrote past cap";
        }
      }
    }
  }
}

TEST(ScanTopK, ShardedScanEqualsSingleThreadedScan) {
  // 2 shards need >= 2 * kMinShardBytes of base: 11,000 * 384 * 4 bytes = 16.1 MiB.
  constexpr int kDim = 384;
  constexpr int64_t kN = 11'000;
  static_assert(kN * kDim * 4 >= 2 * scan::kMinShardBytes);
  const std::vector<float> base = random_vectors(kN, kDim, 31);
  const std::vector<float> queries = random_vectors(5, kDim, 32);
  const scan::ScanBase view{
      .storage = Storage::kFp32, .data = base.data(), .scales = nullptr, .n = kN, .dim = kDim};
  for (int64_t cap : {10, 300}) {  // 300: the matcher's k is 256, merges of many hits
    SCOPED_TRACE("cap=" + std::to_string(cap));
    std::vector<int64_t> ids1(static_cast<size_t>(5 * cap)), ids2(ids1.size());
    std::vector<float> scores1(ids1.size()), scores2(ids1.size());
    scan::scan_top_k(view, queries.data(), 5, cap, cap, ids1.data(), scores1.data(),
                     {.max_threads = 1});
    scan::scan_top_k(view, queries.data(), 5, cap, cap, ids2.data(), scores2.data(),
                     {.max_threads = 2});
    EXPECT_EQ(ids1, ids2);
    EXPECT_EQ(scores1, scores2);
  }
}

TEST(ScanTopK, BatchAgreesWithSingleQueryScansForOddShapes) {
  // Batches against each query scanned alone, for every kernel set, odd dims (register tails)
  // and sizes (block and row-step tails), k from 1 to above n. 9 queries: groups 4 + 4 + 1;
  // 40: one tile of 32 (sets with fp32_tile) + groups 4 + 4; 50: a full and a part-filled tile.
  std::vector<const scan::Kernels*> kernels = simd_kernels();
  kernels.push_back(&scan::generic_kernels());
  for (const int64_t kQueries : {9, 40, 50})
  for (const scan::Kernels* k : kernels) {
    for (int dim : {5, 17, 97, 515}) {
      for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{301}, 4 * scan::kScanBlock + 3}) {
        const std::vector<float> base = random_vectors(n, dim, static_cast<uint32_t>(n + dim));
        const std::vector<float> queries = random_vectors(kQueries, dim, 3);
        const scan::ScanBase view{
            .storage = Storage::kFp32, .data = base.data(), .n = n, .dim = dim};
        for (int64_t cap : {int64_t{1}, int64_t{13}, int64_t{256}, n}) {
          if (cap > n) continue;
          SCOPED_TRACE(std::string(k->name) + " queries=" + std::to_string(kQueries) +
                       " dim=" + std::to_string(dim) + " n=" + std::to_string(n) +
                       " cap=" + std::to_string(cap));
          std::vector<int64_t> ids(static_cast<size_t>(kQueries * cap));
          std::vector<float> scores(ids.size());
          scan::scan_top_k(view, queries.data(), kQueries, cap, cap, ids.data(), scores.data(),
                           {.max_threads = 1, .kernels = k});
          for (int64_t q = 0; q < kQueries; ++q) {
            std::vector<int64_t> one_ids(static_cast<size_t>(cap));
            std::vector<float> one_scores(one_ids.size());
            scan::scan_top_k(view, queries.data() + q * dim, 1, cap, cap, one_ids.data(),
                             one_scores.data(), {.max_threads = 1, .kernels = k});
            for (int64_t j = 0; j < cap; ++j) {
              const size_t at = static_cast<size_t>(q * cap + j);
              const float s = one_scores[static_cast<size_t>(j)];
              ASSERT_NEAR(scores[at], s, 1e-4 * (1 + std::abs(s)));
              // Ids agree except where two scores are within the rounding of the two paths.
              const bool close_prev = j > 0 && one_scores[j - 1] - s < 1e-4;
              const bool close_next = j + 1 < cap && s - one_scores[j + 1] < 1e-4;
              if (!close_prev && !close_next) {
                EXPECT_EQ(ids[at], one_ids[static_cast<size_t>(j)]) << "q=" << q << " j=" << j;
              }
            }
          }
        }
      }
    }
  }
}

TEST(ScanTopK, KeepsTheExactTopKWhenEveryRowBeatsTheThreshold) {
  // Scores rising with the id: every row enters the top-k buffer, which is cut back many
  // times; then falling, equal (ties by smaller id) and NaN every third row (below numbers,
  // as -infinity, ordered by id among themselves).
  constexpr int64_t kN = 5000;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float query = 1.0f;
  for (const char* order : {"rising", "falling", "equal", "nan"}) {
    std::vector<float> base(kN);
    for (int64_t i = 0; i < kN; ++i) {
      const float x = static_cast<float>(i) / kN;
      base[static_cast<size_t>(i)] = order == std::string("rising")    ? x
                                     : order == std::string("falling") ? -x
                                     : order == std::string("equal")   ? 0.5f
                                     : i % 3 == 0                      ? nan
                                                                       : x;
    }
    const scan::ScanBase view{.storage = Storage::kFp32, .data = base.data(), .n = kN, .dim = 1};
    std::vector<std::pair<float, int64_t>> want;
    for (int64_t i = 0; i < kN; ++i) {
      const float s = base[static_cast<size_t>(i)];
      want.emplace_back(std::isnan(s) ? -std::numeric_limits<float>::infinity() : s, i);
    }
    std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    for (int64_t cap : {int64_t{1}, int64_t{2}, int64_t{256}, int64_t{3000}, kN}) {
      SCOPED_TRACE(std::string(order) + " cap=" + std::to_string(cap));
      std::vector<int64_t> ids(static_cast<size_t>(cap));
      std::vector<float> scores(ids.size());
      scan::scan_top_k(view, &query, 1, cap, cap, ids.data(), scores.data(), {.max_threads = 1});
      for (int64_t j = 0; j < cap; ++j) {
        ASSERT_EQ(ids[static_cast<size_t>(j)], want[static_cast<size_t>(j)].second) << j;
        ASSERT_EQ(scores[static_cast<size_t>(j)], want[static_cast<size_t>(j)].first) << j;
      }
    }
  }
}

TEST(ScanTopK, ConcurrentShardedScansAgreeWithSerialOnes) {
  // Several callers at once: one gets the persistent worker pool, the others scan their shards
  // on their own thread; all must give the single-threaded answer.
  constexpr int kDim = 384;
  constexpr int64_t kN = 11'000;
  const std::vector<float> base = random_vectors(kN, kDim, 41);
  const std::vector<float> queries = random_vectors(3, kDim, 42);
  const scan::ScanBase view{
      .storage = Storage::kFp32, .data = base.data(), .scales = nullptr, .n = kN, .dim = kDim};
  std::vector<int64_t> want(30);
  std::vector<float> want_scores(30);
  scan::scan_top_k(view, queries.data(), 3, 10, 10, want.data(), want_scores.data(),
                   {.max_threads = 1});
  std::vector<std::vector<int64_t>> got(4, std::vector<int64_t>(30));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      std::vector<float> scores(30);
      for (int rep = 0; rep < 5; ++rep) {
        scan::scan_top_k(view, queries.data(), 3, 10, 10, got[t].data(), scores.data(),
                         {.max_threads = 2});
        if (got[t] != want) return;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const std::vector<int64_t>& ids : got) EXPECT_EQ(ids, want);
}

}  // namespace
}  // namespace credmatch::index
