// Making, saving and loading indexes by factory string.
//
// Factory strings:
//   "Flat"        exact inner-product search (FlatIndex, index/flat_index.h)
//   "Flat:fp16", "Flat:int8", with optional ",rerank" / ",rerankN"
//                 exhaustive search over fp16 / int8 vectors, optionally re-ranked in fp32
//                 (QuantizedFlatIndex, index/quantized_flat_index.h)
//   "hnsw:OPTS"   an hnswlib HNSW graph (HnswlibIndex, index/hnswlib_index.h), OPTS e.g.
//                 "M=32,efc=200" or "M=32,efc=200,int8,rerank" ("hnsw:" alone: defaults)
//   "faiss:SPEC"  a Faiss index from faiss::index_factory(dim, SPEC, METRIC_INNER_PRODUCT)
//                 (FaissIndex, index/faiss_index.h), e.g. "faiss:HNSW32", "faiss:IVF256,Flat",
//                 "faiss:Flat"
//
// Index files use the container of base/binary_file.h with kind "index": the header holds
// kIndexFormatVersion, dim, the encoder id the vectors came from and count = size(); the
// payload is the factory string (u32 length + bytes) followed by the index's serialize().
//
// Errors: caller mistakes throw credmatch::Error; file problems return a Status: kNotFound
// (cannot open), kCorruption (truncated, checksum, inconsistent payload), kMismatch (not an
// index, format version, dim, encoder id, unknown factory string), kIOError.
//
// Thread safety: the functions share no state; concurrent calls on different paths are safe,
// and save_index() only reads the index (safe alongside searches, not alongside add()).
//
// Usage:
//   std::unique_ptr<VectorIndex> index = make_index("faiss:HNSW32", 256);
//   index->add(n, vectors);
//   CREDMATCH_RETURN_IF_ERROR(save_index("skills.index", *index, encoder_id));
//   Result<std::unique_ptr<VectorIndex>> loaded = load_index("skills.index", 256, encoder_id);
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "index/vector_index.h"

namespace credmatch::index {

/// Version of the "index" payload layout written by save_index().
inline constexpr uint32_t kIndexFormatVersion = 1;
inline constexpr char kIndexFileKind[] = "index";

/// An empty index for `factory` (see above) holding vectors of `dim` components. Throws
/// credmatch::Error for an unknown factory string (the message lists the accepted forms), a
/// spec Faiss rejects, or dim <= 0.
std::unique_ptr<VectorIndex> make_index(const std::string& factory, int dim);

/// Writes `index` to `path` atomically, recording the encoder its vectors came from.
Status save_index(const std::string& path, const VectorIndex& index, const std::string& encoder_id);

/// Reads an index written by save_index(). Checks the container, the format version, that
/// the index has dim expected_dim (skipped if expected_dim <= 0) and was built with
/// expected_encoder_id (skipped if empty), and that the rebuilt index holds as many vectors
/// as the header says.
Result<std::unique_ptr<VectorIndex>> load_index(const std::string& path, int expected_dim,
                                                const std::string& expected_encoder_id);

/// Gives an index that re-scores from a vectors file on disk (ivf:...,rerank=N,ondisk) that
/// file, e.g. the catalog's competencies.vec (its header checked: dim, encoder id, count); does
/// nothing for any other index. Errors as VectorRows::open(); a count other than the index's
/// is kMismatch.
Status attach_vectors_file(VectorIndex& index, const std::string& vectors_path,
                           const std::string& expected_encoder_id);

}  // namespace credmatch::index
