// FaissIndex: any Faiss index made by faiss::index_factory(dim, spec, METRIC_INNER_PRODUCT)
// behind the VectorIndex interface, e.g. spec "HNSW32" (HNSW graph, M=32; Malkov & Yashunin
// 2018), "IVF256,Flat" (inverted file, 256 k-means lists) or "Flat" (Faiss's exact scan).
//
// Training: an index that needs training (IVF, PQ, ...) is trained on the vectors of the first
// add() that finds it untrained; later adds only encode. That first batch must be large enough
// to train on (an IVF needs at least as many vectors as lists, and Faiss wants ~39 per list for
// good centroids), otherwise add() throws credmatch::Error naming both counts. PQ specs train
// slowly (tens of seconds even for small data) because Faiss adds "polysemous" training by
// default; the "np" suffix skips it, e.g. "IVF256,PQ32np".
//
// Search knobs: SearchParams::ef_search (HNSW efSearch, default 16) and ::nprobe (IVF lists
// visited, default 1) are applied per call through faiss::SearchParameters, also through a
// pre-transform ("PCA64,IVF256,Flat") and to an IVF's HNSW coarse quantizer; the index itself
// is never modified, and knobs that do not apply are ignored. Faiss 1.7.3 bounds HNSW's
// candidate queue by the stored efSearch, which made larger per-call values useless; search()
// works around it for a top-level HNSW (not for an IVF's HNSW quantizer, whose ef_search can
// only go below 16). Faiss's missing results (label -1) become id -1, score -infinity.
//
// Errors: Faiss failures (faiss::FaissException) are rethrown as credmatch::Error with Faiss's
// message; deserialize() reports a garbled blob as a kCorruption Status instead.
//
// Thread safety: search() is safe from several threads at once on a const index (each call
// brings its own parameters; Faiss may also use OpenMP threads inside a call); add() is not
// safe concurrently with anything.
//
// Usage:
//   FaissIndex index(64, "IVF64,Flat");
//   index.add(n, base);                                     // trains on base, then adds it
//   SearchResult r = index.search(nq, queries, 10, {.nprobe = 8});
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "index/vector_index.h"

namespace faiss {
struct Index;
}  // namespace faiss

namespace credmatch::index {

class FaissIndex : public VectorIndex {
 public:
  /// An empty index from a Faiss index_factory string. Throws credmatch::Error if dim <= 0 or
  /// Faiss rejects the spec.
  FaissIndex(int dim, const std::string& spec);
  ~FaissIndex() override;
  FaissIndex(const FaissIndex&) = delete;
  FaissIndex& operator=(const FaissIndex&) = delete;

  int dim() const override { return dim_; }
  int64_t size() const override;
  /// "faiss:" + spec.
  std::string factory_string() const override { return "faiss:" + spec_; }
  /// The Faiss index_factory string this index was made from.
  const std::string& spec() const { return spec_; }

  /// Appends n vectors (size n * dim(), row-major), training the index on them first if it is
  /// untrained (see the header comment). Throws credmatch::Error on a size mismatch, too few
  /// vectors to train, or a Faiss failure.
  void add(int64_t n, std::span<const float> vectors) override;

  /// Approximate top-k by inner product for n queries (size n * dim()); results n * k, best
  /// first, padded with id -1 / score -infinity. Throws credmatch::Error if k <= 0, the span
  /// size is not n * dim(), or Faiss fails.
  SearchResult search(int64_t n, std::span<const float> queries, int k,
                      const SearchParams& params) const override;

  /// Faiss's own serialization (faiss::write_index).
  std::string serialize() const override;
  /// Rebuilds an index written by serialize(); `spec` is the factory string it was made from.
  /// Fails with kCorruption if Faiss cannot read the bytes or the result is not an
  /// inner-product index.
  static Result<std::unique_ptr<FaissIndex>> deserialize(const std::string& spec,
                                                         std::string_view bytes);

  /// The wrapped Faiss index, read-only (for inspection and statistics).
  const faiss::Index& faiss_index() const { return *index_; }

 private:
  FaissIndex(std::string spec, std::unique_ptr<faiss::Index> index);

  int dim_;
  std::string spec_;
  std::unique_ptr<faiss::Index> index_;
};

}  // namespace credmatch::index
