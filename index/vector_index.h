// VectorIndex: the nearest-neighbour core every matcher searches. Scores are inner products of
// unit vectors (cosine similarity): higher is better.
//
// Implementations (make one by factory string with make_index(), index/index_factory.h):
//   FlatIndex           "Flat": exact, the test oracle (index/flat_index.h)
//   QuantizedFlatIndex  "Flat:fp16", "Flat:int8": exhaustive scan of quantized codes
//                       (index/quantized_flat_index.h)
//   HnswlibIndex        "hnsw:OPTS": an hnswlib HNSW graph (index/hnswlib_index.h)
//   IvfIndex            "ivf:OPTS": inverted lists with PCA and int8 codes (index/ivf_index.h)
//   FaissIndex          "faiss:SPEC": any Faiss index factory string (index/faiss_index.h)
//   RerankIndex         ",rerank=N[,ondisk]" after the options of Flat:fp16/int8, hnsw or ivf:
//                       any of those, its best k * N re-scored exactly from fp32 vectors in
//                       memory or in a vectors file (index/rerank_index.h)
//
// Optional capabilities, each its own small interface beside VectorIndex (find them with
// dynamic_cast): ReadsVectorsFile (an index that reads exact rows from a vectors file at search
// time) and ReportsMemory (bytes held). exact_vectors() gives the fp32 vectors of an index
// whose search is an exact scan of them (FlatIndex), nullopt for any other.
//
// Thread safety: search() is safe to call from several threads at once on a const index;
// add() is not safe concurrently with anything.
//
// Usage:
//   auto index = make_index("Flat", 256);
//   index->add(n, vectors);                      // vectors: n * 256 floats, row-major
//   SearchResult r = index->search(q, queries, /*k=*/10, {});
//   // r.ids[i * 10 + j], r.scores[i * 10 + j]: j-th neighbour of query i
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace credmatch::index {

/// Per-call search knobs; an index ignores the ones that do not apply to it.
struct SearchParams {
  int ef_search = 0;  // HNSW beam width; 0 keeps the index's default
  int nprobe = 0;     // IVF lists visited; 0 keeps the index's default
  /// Most threads this call may use: Flat and Flat:fp16/int8 split a large base across them,
  /// HNSW (hnswlib) the queries of a batch; 0 = every core (hardware_concurrency()). A server
  /// that runs requests in parallel passes 1, so one request never takes another's core.
  /// Faiss indexes ignore it (their OpenMP settings apply).
  int threads = 0;
};

/// Results of searching n queries for k neighbours each, row-major n * k. Rows with fewer than
/// k neighbours (the index holds fewer vectors) are padded with id -1 and score -infinity.
struct SearchResult {
  int64_t k = 0;
  std::vector<int64_t> ids;
  std::vector<float> scores;

  /// n rows of k entries, every entry the padding (id -1, score -infinity); implementations
  /// fill in what they find.
  static SearchResult padded(int64_t n, int k);
};

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;

  /// Vector dimension.
  virtual int dim() const = 0;
  /// Number of vectors added; ids are 0 .. size()-1 in the order added.
  virtual int64_t size() const = 0;
  /// The factory string that makes an empty index of this kind, e.g. "Flat", "faiss:HNSW32".
  virtual std::string factory_string() const = 0;

  /// Appends n vectors (size n * dim(), row-major). Throws credmatch::Error if the size is not
  /// a multiple of dim().
  virtual void add(int64_t n, std::span<const float> vectors) = 0;

  /// For each of n queries (size n * dim()), the k best ids by inner product, best first.
  /// Throws credmatch::Error if k <= 0 or the size is not n * dim().
  virtual SearchResult search(int64_t n, std::span<const float> queries, int k,
                              const SearchParams& params) const = 0;

  /// The index's own bytes (not including the container header), for save_index().
  virtual std::string serialize() const = 0;

  /// The fp32 vectors search() scans exhaustively and exactly (size() * dim() floats,
  /// row-major, by id), for a caller that would otherwise keep its own copy (the catalog) or
  /// scan them itself: FlatIndex's. nullopt for every other index, including a RerankIndex,
  /// which keeps exact copies but finds its candidates approximately. Invalidated by add().
  virtual std::optional<std::span<const float>> exact_vectors() const { return std::nullopt; }
};

class VectorRows;  // index/vector_file.h

/// Optional capability of an index that reads exact rows from a vectors file at search time
/// (a RerankIndex with "ondisk"). attach_vectors_file() (index/index_factory.h) finds it with
/// dynamic_cast and gives it the file.
class ReadsVectorsFile {
 public:
  virtual ~ReadsVectorsFile() = default;
  /// True when search() reads its rows from an attached file (and throws credmatch::Error
  /// until one is attached).
  virtual bool reads_vectors_file() const = 0;
  /// The file holding every added vector by id (dim() floats each, size() rows). Throws
  /// credmatch::Error for another dim or row count.
  virtual void attach_vectors(std::shared_ptr<const VectorRows> rows) = 0;
};

/// Optional capability: the bytes an index holds for its vectors and structures (codes, links,
/// fp32 copies; not small fixed overheads).
class ReportsMemory {
 public:
  virtual ~ReportsMemory() = default;
  virtual int64_t memory_bytes() const = 0;
};

}  // namespace credmatch::index

namespace credmatch::index {
/// Shared argument checks for implementations: throws credmatch::Error when the span size is
/// not n * dim or k <= 0.
void check_search_args(int dim, int64_t n, std::span<const float> queries, int k);
void check_add_args(int dim, int64_t n, std::span<const float> vectors);
}  // namespace credmatch::index
