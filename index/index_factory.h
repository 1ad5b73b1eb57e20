// Making, saving and loading indexes by factory string.
//
// Factory strings ("OPTS": comma-separated "key=value" items and bare flags, any order, the one
// syntax of index/index_options.h):
//   "Flat"          exact inner-product search (FlatIndex, index/flat_index.h)
//   "Flat:fp16", "Flat:int8"
//                   exhaustive search over fp16 / int8 vectors (QuantizedFlatIndex,
//                   index/quantized_flat_index.h)
//   "hnsw:OPTS"     an hnswlib HNSW graph (HnswlibIndex, index/hnswlib_index.h), OPTS e.g.
//                   "M=32,efc=200" or "M=32,efc=200,int8" ("hnsw:" alone: defaults)
//   "ivf:OPTS"      inverted lists with PCA and int8 codes (IvfIndex, index/ivf_index.h), e.g.
//                   "ivf:nlist=4096,nprobe=64,pca=512,int8"
//   "faiss:SPEC"    a Faiss index from faiss::index_factory(dim, SPEC, METRIC_INNER_PRODUCT)
//                   (FaissIndex, index/faiss_index.h), e.g. "faiss:HNSW32", "faiss:IVF256,Flat",
//                   "faiss:Flat"
// Flat:fp16/int8, hnsw (int8 graphs) and ivf also take "rerank=N" (and then "ondisk"): the
// index is wrapped in a RerankIndex (index/rerank_index.h) that re-scores its best k * N
// candidates exactly, e.g. "Flat:int8,rerank=4", "hnsw:M=32,efc=200,int8,rerank=4",
// "ivf:nlist=4096,pca=512,int8,rerank=32,ondisk". The former spellings "rerank" (= rerank=4)
// and "rerankN" are still read, with a deprecation message in make_index()'s `warnings`; an
// index's factory_string() always spells the options out the current way.
//
// Index files use the container of base/binary_file.h with kind "index": the header holds
// kIndexFormatVersion, dim, the encoder id the vectors came from and count = size(); the
// payload is the factory string (u32 length + bytes) followed by the index's serialize().
// Files written before RerankIndex (factory strings with "rerank" / "rerankN") load, with the
// same results: their payload is the layout RerankIndex writes.
//
// Errors: caller mistakes throw credmatch::Error; file problems return a Status: kNotFound
// (cannot open), kCorruption (truncated, checksum, inconsistent payload), kMismatch (not an
// index, format version, dim, encoder id, unknown factory string), kIOError.
//
// Thread safety: the functions share no state; concurrent calls on different paths are safe,
// and save_index() only reads the index (safe alongside searches, not alongside add()).
//
// Usage:
//   std::vector<std::string> warnings;
//   std::unique_ptr<VectorIndex> index = make_index("hnsw:M=32,int8,rerank=4", 256, &warnings);
//   index->add(n, vectors);
//   CREDMATCH_RETURN_IF_ERROR(save_index("skills.index", *index, encoder_id));
//   Result<std::unique_ptr<VectorIndex>> loaded = load_index("skills.index", 256, encoder_id);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "index/vector_index.h"

namespace credmatch::index {

/// Version of the "index" payload layout written by save_index().
inline constexpr uint32_t kIndexFormatVersion = 1;
inline constexpr char kIndexFileKind[] = "index";

/// An empty index for `factory` (see above) holding vectors of `dim` components. A deprecated
/// spelling in `factory` adds a message to *warnings (when warnings is not null) and is read
/// as its replacement. Throws credmatch::Error for an unknown factory string (the message lists
/// the accepted forms), bad options, a spec Faiss rejects, or dim <= 0.
std::unique_ptr<VectorIndex> make_index(const std::string& factory, int dim,
                                        std::vector<std::string>* warnings = nullptr);

/// The deprecation messages make_index(factory, ...) would add to its warnings, without making
/// an index (e.g. for a tool to print before a long build); empty for a factory string in the
/// current spelling and for one make_index() rejects.
std::vector<std::string> factory_warnings(const std::string& factory);

/// Writes `index` to `path` atomically, recording the encoder its vectors came from.
Status save_index(const std::string& path, const VectorIndex& index, const std::string& encoder_id);

/// Reads an index written by save_index(). Checks the container, the format version, that
/// the index has dim expected_dim (skipped if expected_dim <= 0) and was built with
/// expected_encoder_id (skipped if empty), and that the rebuilt index holds as many vectors
/// as the header says.
Result<std::unique_ptr<VectorIndex>> load_index(const std::string& path, int expected_dim,
                                                const std::string& expected_encoder_id);

/// Gives an index that re-scores from a vectors file on disk (ReadsVectorsFile: a factory
/// string with "rerank=N,ondisk") that file, e.g. the catalog's competencies.vec (its header
/// checked: dim, encoder id, count); does nothing for any other index. Errors as
/// VectorRows::open(); a count other than the index's is kMismatch.
Status attach_vectors_file(VectorIndex& index, const std::string& vectors_path,
                           const std::string& expected_encoder_id);

}  // namespace credmatch::index
