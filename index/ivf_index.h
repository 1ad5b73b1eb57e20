// IvfIndex: an inverted-file index for catalogs too large to hold as fp32 or as a graph
// (10M competencies of 1,280 dims are 51 GB as fp32, 13 GB even as int8 codes).
//
// Build (the first add() trains on its vectors, so make it a representative sample of at
// least nlist vectors; later adds only encode):
//   1. PCA (faiss::PCAMatrix) on the sample: the vectors are centred on their mean and rotated
//      onto the `pca` leading principal axes (pca=0: no rotation, all dims kept, still centred).
//   2. k-means (faiss::Clustering, L2) of the rotated sample into `nlist` lists.
//   3. Every vector goes to its nearest centroid's list, stored as fp32 or int8 codes: each
//      rotated component is divided by its spread in the sample (so small trailing components
//      are not rounded to zero), then quantized with a per-vector scale (scan_kernels.h kInt8).
//   Re-ranking is RerankIndex's (index/rerank_index.h): make_index("ivf:...,rerank=N") also
//   keeps every vector in fp32 (4 * dim bytes more per vector) and re-scores the best k * N
//   candidates exactly: scores are then exact, and ids too unless a true neighbour was not
//   among the candidates. rerank=N,ondisk keeps nothing more in memory: the rows are read
//   (pread) from the vectors file given to attach_vectors_file(), e.g. the catalog's
//   competencies.vec, k * N rows of 4 * dim bytes per query.
// Search: q.x = q.mean + <P q, P(x - mean)> + (what PCA dropped), so the query is rotated
// once (P q, times the per-dimension spreads for int8), the `nprobe` lists whose centroids
// score highest are scanned with the scan kernels, and q.mean is added back: scores
// approximate the inner product (exact only with pca=0 and fp32 storage).
//
// Memory: pca (or dim) bytes per vector for int8, + 4 (scale) + 8 (id), plus nlist centroids
// and the pca x dim rotation; 10M x (384 + 12) = 4 GB. load_index() hands the file's payload
// to deserialize() so the codes are used in place, not copied.
//
// Factory string: "ivf:nlist=4096,nprobe=32,pca=384,int8" (options syntax:
// index/index_options.h; any order; defaults nlist=1024, nprobe=16, pca=0, fp32; train=N caps
// the vectors of the first add used for training, default 256 * nlist), and through
// make_index() rerank=N, ondisk.
//
// Measured (bench/README.md, 1M synthetic hybrid 1,280-d vectors): their spectrum is flat
// (512 of 1,280 principal components hold 83.5 % of the centred variance), so PCA to 512
// dims caps recall@10 near 0.73 without re-ranking; rerank=10 lifts it to 0.87-0.90 at
// nprobe 64-128 of 1,024 lists. At 10M: nlist=4096,pca=512,int8,rerank=32,ondisk gives
// 0.925 at nprobe 128, 0.965 at 256, in 5.04 GiB resident.
//
// Thread safety: search() is safe from several threads at once on a const index; add() is not
// safe concurrently with anything.
//
// Usage:
//   IvfIndex index(1280, "nlist=4096,pca=384,int8");
//   index.add(sample_n, sample);                 // trains, then adds the sample
//   index.add(n, more);                          // encodes and appends
//   SearchResult r = index.search(1, query, 10, {.nprobe = 64});
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

struct IvfConfig {
  int nlist = 1024;
  int nprobe = 16;
  int pca = 0;  // 0: no rotation, every dim kept
  bool int8 = false;
  int64_t train = 0;  // 0: 256 * nlist

  /// Parses "nlist=N,nprobe=N,pca=N,int8|fp32,train=N"; throws credmatch::Error naming the bad
  /// item.
  static IvfConfig parse(std::string_view spec);
  /// The normalised spec (every option, fixed order).
  std::string spec() const;
  int64_t train_cap() const { return train > 0 ? train : int64_t{256} * nlist; }
};

class IvfIndex : public VectorIndex, public ReportsMemory {
 public:
  static constexpr std::string_view kPrefix = "ivf:";

  /// An empty, untrained index. Throws credmatch::Error for a bad spec, dim <= 0 or pca > dim.
  IvfIndex(int dim, const std::string& spec);
  ~IvfIndex() override;

  int dim() const override { return dim_; }
  int64_t size() const override { return size_; }
  std::string factory_string() const override;

  /// The first call trains (needs n >= nlist), then every call encodes and appends.
  void add(int64_t n, std::span<const float> vectors) override;

  /// Approximate top-k (SearchParams::nprobe lists, 0 = the index's default; threads split
  /// the queries of a batch, or one query's lists). Padded with id -1 / -infinity when fewer
  /// than k vectors are in the probed lists. Ties broken by id.
  SearchResult search(int64_t n, std::span<const float> queries, int k,
                      const SearchParams& params) const override;

  bool trained() const { return trained_; }
  /// Bytes held: codes, scales, ids, centroids, rotation.
  int64_t memory_bytes() const override;
  const IvfConfig& config() const { return config_; }

  /// Bytes: u32 dim, u32 stored dim, u32 nlist, u32 nprobe, u32 int8, u32 trained, u64 n, then
  /// (if trained) mean (dim f32), rotation (stored dim x dim f32, empty when pca=0), spreads
  /// (stored dim f32), centroids (nlist x stored dim f32), list sizes (nlist u64), then for
  /// all lists in order: codes (n x stored dim, f32 or i8), scales (n f32, int8 only), ids
  /// (n i64); little endian. (A re-ranking ivf's file, RerankIndex's, has its fp32 vectors by
  /// id after these, as when this index kept them itself.)
  std::string serialize() const override;
  /// Rebuilds from serialize()'s bytes, which start at `offset` in `payload` and end at its
  /// end; takes the payload over and scans the codes where they lie. Fails with kCorruption
  /// unless the sizes agree.
  static Result<std::unique_ptr<IvfIndex>> deserialize(const std::string& spec,
                                                       std::string&& payload, size_t offset);

 private:
  struct Impl;
  void train(int64_t n, const float* x);
  // Rotated, centred rows of x (n * stored dim).
  std::vector<float> rotate(int64_t n, const float* x, bool center) const;

  int dim_;
  IvfConfig config_;
  bool trained_ = false;
  int64_t size_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace credmatch::index
