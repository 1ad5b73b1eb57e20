// QuantizedFlatIndex: exhaustive inner-product search over vectors stored in fp16 or int8.
// Half (fp16) or a quarter (int8) of FlatIndex's bytes are read per query, so a memory-bound
// scan is about 2x / 4x faster; scores are approximate.
//
// Storage (see index/kernels/scan_kernels.h for the formats and kernels):
//   fp16  IEEE binary16 per component: 2 bytes * dim per vector; relative error ~5e-4 per
//         component, so recall@10 is ~0.99+ on sentence-embedding-like data.
//   int8  symmetric per-vector scale (max |x| / 127) + int8 codes, query kept in fp32:
//         dim + 4 bytes per vector; recall@10 ~0.95-0.97 on such data.
// Exact re-ranking is RerankIndex's (index/rerank_index.h): make_index("Flat:int8,rerank=4")
// keeps the fp32 vectors too (+4 * dim bytes per vector, i.e. memory grows to 1.5x (fp16) or
// ~1.25x (int8) of FlatIndex's instead of shrinking), this index collects k * 4 candidates and
// they are re-scored exactly in fp32: scores are then exact inner products, and ids are exact
// unless a true neighbour fell outside the candidates.
//
// Factory strings: "Flat:fp16", "Flat:int8" (options syntax: index/index_options.h), with
// re-ranking e.g. "Flat:int8,rerank=4", "Flat:fp16,rerank=8".
//
// Thread safety: search() is safe from several threads at once on a const index; add() is not
// safe concurrently with anything.
//
// Usage:
//   QuantizedFlatIndex index(384, "int8");
//   index.add(n, base);                                      // base: n * 384 floats
//   SearchResult r = index.search(1, query, /*k=*/10, {});   // query: 384 floats
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/kernels/scan_kernels.h"
#include "index/vector_index.h"

namespace credmatch::index {

class QuantizedFlatIndex : public VectorIndex, public ReportsMemory {
 public:
  /// Factory-string prefix: "Flat:" + spec.
  static constexpr std::string_view kPrefix = "Flat:";

  /// An empty index. spec: "fp16" or "int8". Throws credmatch::Error for dim <= 0 or another
  /// spec.
  QuantizedFlatIndex(int dim, const std::string& spec);

  int dim() const override { return dim_; }
  int64_t size() const override { return size_; }
  /// "Flat:fp16" or "Flat:int8".
  std::string factory_string() const override;

  /// Quantizes and appends n vectors (size n * dim()). Throws credmatch::Error if the span
  /// size is not n * dim().
  void add(int64_t n, std::span<const float> vectors) override;

  /// Approximate top-k for n queries (size n * dim()), best first, padded with id -1 and
  /// score -infinity when size() < k. Ties broken by id. Throws credmatch::Error if k <= 0 or
  /// the span size is not n * dim(). Of SearchParams only `threads` applies (0 = every core).
  SearchResult search(int64_t n, std::span<const float> queries, int k,
                      const SearchParams& params) const override;

  /// Bytes held for the vectors (codes, scales).
  int64_t memory_bytes() const override;

  /// Bytes: u32 dim, u64 n, u32 storage (0 fp16, 1 int8), u32 0, then the codes (n * dim * 2
  /// or n * dim bytes) and the int8 scales (n * 4 bytes); little endian. The u32 after the
  /// storage held the re-rank factor when this index re-ranked itself: files written then
  /// ("Flat:int8,rerank") hold their factor there, and their fp32 rows after the scales,
  /// where a RerankIndex keeps them now (index/rerank_index.h).
  std::string serialize() const override;
  /// Rebuilds an index from serialize()'s bytes; `spec` is the factory string without "Flat:".
  /// The former re-rank factor field is not read. Fails with kCorruption unless the header is
  /// valid, agrees with spec and the sizes match.
  static Result<std::unique_ptr<QuantizedFlatIndex>> deserialize(const std::string& spec,
                                                                 std::string_view bytes);

 private:
  scan::ScanBase scan_base() const;

  int dim_;
  scan::Storage storage_;
  int64_t size_ = 0;
  std::vector<uint16_t> halves_;  // fp16: size_ * dim_
  std::vector<int8_t> codes_;     // int8: size_ * dim_
  std::vector<float> scales_;     // int8: size_
};

}  // namespace credmatch::index
