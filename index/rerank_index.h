// RerankIndex: any index, its candidates re-scored exactly (cf. Faiss's IndexRefine). A search
// asks the base index for k * factor candidates per query, re-scores each with the exact inner
// product of the fp32 vectors (scan::dot, index/kernels/scan_kernels.h) and returns the best
// k: scores are then exact inner products, and ids are exact unless a true neighbour was not
// among the candidates.
//
// The fp32 vectors are kept in memory (4 * dim bytes per vector more), or with "ondisk" read
// per candidate (pread, index/vector_file.h VectorRows) from a vectors file holding every
// added vector by id, given after construction or load with attach_vectors() (or
// attach_vectors_file(), index/index_factory.h); searching before is an error.
//
// Factory strings: the base's options followed by "rerank=N" and optionally "ondisk"
// (index/index_options.h), for the indexes that take options: "Flat:int8,rerank=4",
// "Flat:fp16,rerank=8", "hnsw:M=32,efc=200,int8,rerank=4" (int8 graphs only: an fp32 graph's
// scores are exact already), "ivf:nlist=4096,pca=512,int8,rerank=32,ondisk". make_index()
// makes the wrapper; factory_string() is the base's with ",rerank=N[,ondisk]" appended.
//
// Candidates: the base is searched for min(k * factor, size()) neighbours with the caller's
// SearchParams; padding (id -1) is skipped. Ties in the exact score go to the smaller id; a
// NaN score ranks below every number. The queries of a batch are re-scored on the thread pool
// (base/thread_pool.h) when the rows are on disk or the batch's re-scoring is at least 2^20
// multiply-adds, unless SearchParams::threads is 1.
//
// Thread safety: search() is safe from several threads at once on a const index (so is the
// attached file's read()); add() and attach_vectors() are not safe concurrently with anything.
//
// Usage:
//   RerankIndex index(std::make_unique<QuantizedFlatIndex>(384, "int8"), {.factor = 4});
//   index.add(n, base);                                      // base: n * 384 floats
//   SearchResult r = index.search(1, query, /*k=*/10, {});   // exact scores
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "index/index_options.h"
#include "index/vector_file.h"
#include "index/vector_index.h"

namespace credmatch::index {

class RerankIndex : public VectorIndex, public ReadsVectorsFile, public ReportsMemory {
 public:
  /// Wraps `base`, which must be empty (the fp32 vectors are kept from the first add() on).
  /// Throws credmatch::Error if base is null or not empty, or options.factor is not in
  /// 1 .. RerankOptions::kMaxFactor.
  RerankIndex(std::unique_ptr<VectorIndex> base, const RerankOptions& options);

  int dim() const override { return base_->dim(); }
  int64_t size() const override { return base_->size(); }
  /// The base's factory string + options().spec(), e.g. "Flat:int8,rerank=4".
  std::string factory_string() const override;

  /// Adds n vectors (size n * dim()) to the base and, unless ondisk, keeps their fp32 copies.
  /// Throws credmatch::Error if the span size is not n * dim().
  void add(int64_t n, std::span<const float> vectors) override;

  /// The exact top-k of each query's k * factor candidates (see the file comment), padded
  /// with id -1 and score -infinity when fewer are found. Throws credmatch::Error if k <= 0,
  /// the span size is not n * dim(), or the rows are on disk and no file is attached.
  SearchResult search(int64_t n, std::span<const float> queries, int k,
                      const SearchParams& params) const override;

  /// The base's serialize(), then the fp32 vectors by id (size() * dim() floats; none with
  /// ondisk): the layout QuantizedFlatIndex, HnswlibIndex and IvfIndex wrote when each
  /// re-ranked itself, so their files load as a RerankIndex (index/index_factory.h).
  std::string serialize() const override;

  /// True with ondisk (ReadsVectorsFile).
  bool reads_vectors_file() const override { return options_.ondisk; }
  /// The vectors file to read the rows from (ondisk). Throws credmatch::Error on another dim
  /// or row count than the index's.
  void attach_vectors(std::shared_ptr<const VectorRows> rows) override;

  /// The base's memory_bytes() (0 if it does not report memory) + the fp32 copies.
  int64_t memory_bytes() const override;

  const VectorIndex& base() const { return *base_; }
  const RerankOptions& options() const { return options_; }

  /// For loading: splits the fp32 vectors off the end of a payload written by serialize()
  /// (`count` rows of `dim` floats after `offset`; nothing with ondisk) and shrinks `payload`
  /// to the base's bytes. kCorruption when the payload is too short for them.
  static Result<std::vector<float>> take_rows(std::string& payload, size_t offset,
                                              const RerankOptions& options, uint32_t dim,
                                              uint64_t count);
  /// For loading: wraps a rebuilt base with the rows take_rows() split off. kCorruption unless
  /// they are size() * dim() floats (none with ondisk).
  static Result<std::unique_ptr<RerankIndex>> from_parts(std::unique_ptr<VectorIndex> base,
                                                         const RerankOptions& options,
                                                         std::vector<float> rows);

 private:
  RerankIndex(std::unique_ptr<VectorIndex> base, const RerankOptions& options,
              std::vector<float> rows);

  std::unique_ptr<VectorIndex> base_;
  RerankOptions options_;
  std::vector<float> rows_;                 // size() * dim() fp32, unless ondisk
  std::shared_ptr<const VectorRows> file_;  // ondisk: the attached vectors file
};

}  // namespace credmatch::index
