// HnswlibIndex: approximate inner-product search on an HNSW graph (Malkov & Yashunin,
// "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small
// World graphs") built and searched by hnswlib 0.6.2 (header-only, Debian libhnswlib-dev).
//
// Distances are 1 - <q, x> computed by our runtime-dispatched kernels (index/kernels/scan_kernels.h:
// AVX2/FMA where the CPU has it), not hnswlib's own compile-time SIMD, so the default
// (non -march=native) build still searches at AVX2 speed.
//
// Storage of the vectors inside the graph:
//   fp32  (default) dim * 4 bytes per vector; scores are exact inner products.
//   int8  dim codes + a 4-byte scale per vector (symmetric, per vector, as Flat:int8); queries
//         are quantized the same way and distances are integer dot products (vpmaddubsw), so a
//         visited node costs a quarter of the memory traffic. Scores are approximate unless
//         re-ranked.
// Re-ranking is RerankIndex's (index/rerank_index.h), for int8 graphs only (fp32 graph scores
// are exact already): make_index("hnsw:M=32,int8,rerank=4") keeps the fp32 vectors too and
// re-scores the best k * 4 graph results exactly: scores are then exact inner products.
//
// Factory string: "hnsw:" + options (syntax: index/index_options.h), all optional, any order:
//   M=16        graph degree (hnswlib M; level 0 has 2M links), 2 <= M <= 256
//   efc=200     ef_construction, beam width while inserting, >= 1
//   ef=64       default ef_search (beam width per query; SearchParams::ef_search overrides)
//   int8        int8 storage (see above); "fp32" is the default
// and through make_index() rerank=N (int8 only), ondisk; e.g. "hnsw:M=32,efc=200",
// "hnsw:M=32,efc=200,int8,rerank=4". factory_string() spells every option out in this order.
//
// A batch of queries (n > 1, e.g. a job's requirements) is split over the scan worker pool
// (run_parallel; SearchParams::threads caps the threads, 1 runs it on the caller).
// add() inserts with up to hardware_concurrency() threads (hnswlib's locking makes concurrent
// addPoint safe); the graph, and so the results, then depend on thread timing. A search returns max(k, ef) graph results and keeps the best k; ef = 1 inside
// hnswlib, so the per-call ef is the only beam width.
//
// Thread safety: search() is safe from several threads at once on a const index (hnswlib's
// searchKnn is const; its visited-list pool is locked); add() is not safe concurrently with
// anything.
//
// Usage:
//   HnswlibIndex index(512, "M=32,efc=200,int8");
//   index.add(n, base);                                             // base: n * 512 floats
//   SearchResult r = index.search(1, query, 10, {.ef_search = 64});  // query: 512 floats
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/vector_index.h"

namespace credmatch::index {

/// Parsed "hnsw:" options (see the file comment); validate() throws credmatch::Error naming the
/// bad option.
struct HnswConfig {
  int m = 16;  // hnswlib M
  int ef_construction = 200;
  int ef_search = 64;  // default beam width per query
  bool int8 = false;   // int8 codes in the graph instead of fp32

  /// Parses the part after "hnsw:"; throws credmatch::Error naming the bad option.
  static HnswConfig parse(std::string_view spec);
  /// The normalised spec, every option spelled out ("M=16,efc=200,ef=64[,int8]").
  std::string spec() const;
  void validate() const;
};

class HnswlibIndex : public VectorIndex, public ReportsMemory {
 public:
  static constexpr std::string_view kPrefix = "hnsw:";

  /// An empty index; spec is the factory string without "hnsw:". Throws credmatch::Error for
  /// dim <= 0 or a bad spec.
  HnswlibIndex(int dim, const std::string& spec);
  ~HnswlibIndex() override;

  int dim() const override { return dim_; }
  int64_t size() const override { return size_; }
  std::string factory_string() const override;
  const HnswConfig& config() const { return config_; }

  /// Inserts n vectors (size n * dim()) into the graph; ids size() .. size()+n-1. Throws
  /// credmatch::Error if the span size is not n * dim().
  void add(int64_t n, std::span<const float> vectors) override;

  /// Approximate top-k for n queries (size n * dim()), best first, padded with id -1 and
  /// score -infinity when fewer are found. params.ef_search > 0 overrides the default ef.
  SearchResult search(int64_t n, std::span<const float> queries, int k,
                      const SearchParams& params) const override;

  /// Bytes held: graph (links, codes).
  int64_t memory_bytes() const override;

  /// Bytes: u32 dim, u64 n, u32 M, u32 efc, u32 ef, u32 int8, u32 0, u64 bytes per graph
  /// element, u32 max level, u32 entry point, then hnswlib's level-0 block (n elements) and
  /// each element's upper-level link lists (u32 byte size + links). The u32 after int8 held
  /// the re-rank factor when this index re-ranked itself: files written then
  /// ("hnsw:...,int8,rerank") hold their factor there, and their fp32 rows after the link
  /// lists, where a RerankIndex keeps them now (index/rerank_index.h).
  std::string serialize() const override;
  /// Rebuilds an index from serialize()'s bytes (the former re-rank factor field is not
  /// read); every link is checked to point at an existing node on that level, so a damaged
  /// payload fails with kCorruption instead of crashing search.
  static Result<std::unique_ptr<HnswlibIndex>> deserialize(const std::string& spec,
                                                           std::string_view bytes);

  /// Test hook: true sends searches through hnswlib's own searchKnn instead of this file's
  /// prefetching rewrite of it, which must return the same results.
  void use_reference_search(bool on) { reference_search_ = on; }

 private:
  struct Graph;  // hnswlib types stay out of this header (hnswlib.h defines non-inline functions)

  // The graph element for one vector: fp32 as is, or int8 codes + scale.
  void encode(const float* vector, std::vector<char>& element) const;
  void reserve(int64_t capacity);

  int dim_;
  HnswConfig config_;
  int64_t size_ = 0;
  std::unique_ptr<Graph> graph_;
  bool reference_search_ = false;
};

}  // namespace credmatch::index
