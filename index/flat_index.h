// FlatIndex: exact inner-product search over every stored vector; the oracle every approximate
// index is tested against (cf. hnswlib's BruteforceSearch).
//
// Vectors are kept as fp32, row-major, size size() * dim(). Searches run the exact scan kernels
// of index/kernels/scan_kernels.h (AVX2/FMA when the CPU has them, else portable code): a batch is
// scored kMaxQueryGroup queries at a time per block of base vectors, so the base is read from
// memory once per call rather than once per query, and each score is fused with the query's
// top-k. A base of 8 MiB or more is split across up to hardware_concurrency() threads per call
// (SearchParams::threads caps that; 1 scans on the calling thread alone).
// Ties (equal scores) are broken by id, smaller first, so results are deterministic. Scores are
// float sums whose order depends on the kernel (AVX2 vs portable) and on the query-group size,
// so they may differ in the last bits between machines or between a single and a batch call;
// the ids only differ where two scores are within that rounding of each other.
//
// Thread safety: search(), vectors() and vector() are safe from several threads at once on a
// const index; add() is not safe concurrently with anything.
//
// Usage:
//   FlatIndex index(64);
//   index.add(n, base);                                   // base: n * 64 floats
//   SearchResult r = index.search(1, query, /*k=*/5, {});  // query: 64 floats
//   const float* v = index.vector(r.ids[0]);               // re-score a candidate exactly
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/vector_index.h"

namespace credmatch::index {

class FlatIndex : public VectorIndex {
 public:
  /// An empty index of vectors with `dim` components. Throws credmatch::Error if dim <= 0.
  explicit FlatIndex(int dim);

  int dim() const override { return dim_; }
  int64_t size() const override { return size_; }
  /// Always "Flat".
  std::string factory_string() const override { return "Flat"; }

  /// Appends n vectors (size n * dim(), row-major); they get ids size() .. size()+n-1.
  /// Throws credmatch::Error if the span size is not n * dim().
  void add(int64_t n, std::span<const float> vectors) override;

  /// Exact top-k by inner product for n queries (size n * dim()); results are n * k, best
  /// first, padded with id -1 and score -infinity when size() < k. A NaN score never ranks
  /// above a number. Throws credmatch::Error if k <= 0 or the span size is not n * dim().
  /// Of SearchParams only `threads` applies (0 = every core).
  SearchResult search(int64_t n, std::span<const float> queries, int k,
                      const SearchParams& params) const override;

  /// All stored vectors, size size() * dim(), row-major. Invalidated by add().
  std::span<const float> vectors() const { return vectors_; }
  /// vectors(): a FlatIndex's search is an exact scan of them (VectorIndex::exact_vectors()).
  std::optional<std::span<const float>> exact_vectors() const override { return vectors(); }
  /// The vector with this id (dim() floats). Throws credmatch::Error unless 0 <= id < size().
  /// Invalidated by add().
  const float* vector(int64_t id) const;

  /// Bytes: u32 dim, u64 n, then n * dim fp32 values (little endian).
  std::string serialize() const override;
  /// Rebuilds an index from serialize()'s bytes. Fails with kCorruption unless the bytes hold
  /// a positive dim and exactly n * dim * 4 bytes of vectors.
  static Result<std::unique_ptr<FlatIndex>> deserialize(std::string_view bytes);

 private:
  int dim_;
  int64_t size_ = 0;
  std::vector<float> vectors_;
};

}  // namespace credmatch::index
