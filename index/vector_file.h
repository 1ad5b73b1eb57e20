// Vector files: a plain n * dim fp32 matrix of encoded vectors (e.g. every competency's
// embedding), in the self-checking container of base/binary_file.h with kind "vectors:f32".
// The header records dim, n (count) and the id of the encoder that produced the vectors, so a
// file cannot silently be used with a different encoder.
//
// Errors: caller mistakes (dim <= 0, data not a multiple of dim) throw credmatch::Error; file
// problems come back as a Status: kNotFound (cannot open), kCorruption (truncated, checksum,
// payload size not n * dim * 4), kMismatch (other kind, format version, dim, encoder id),
// kIOError.
//
// Thread safety: the functions share no state; concurrent calls on different paths are safe.
//
// Usage:
//   CREDMATCH_RETURN_IF_ERROR(save_vectors("vecs.bin", 256, data, "tfidf-svd-256@1"));
//   Result<VectorMatrix> m = load_vectors("vecs.bin", 256, "tfidf-svd-256@1");
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/binary_file.h"
#include "base/status.h"

namespace credmatch::index {

/// Version of the "vectors:f32" payload layout (raw fp32 values, row-major).
inline constexpr uint32_t kVectorFormatVersion = 1;
inline constexpr char kVectorFileKind[] = "vectors:f32";

/// n vectors of dim floats, row-major: data.size() == n * dim.
struct VectorMatrix {
  int dim = 0;
  int64_t n = 0;
  std::vector<float> data;

  /// Row i (dim floats); no bounds check.
  std::span<const float> row(int64_t i) const {
    return std::span<const float>(data).subspan(static_cast<size_t>(i * dim),
                                                static_cast<size_t>(dim));
  }
};

/// Writes data (size n * dim, row-major) to `path` atomically. Throws credmatch::Error if
/// dim <= 0 or data.size() is not a multiple of dim.
Status save_vectors(const std::string& path, int dim, std::span<const float> data,
                    const std::string& encoder_id);

/// Reads a file written by save_vectors(). expected_dim <= 0 skips the dim check, an empty
/// expected_encoder_id skips the encoder check.
Result<VectorMatrix> load_vectors(const std::string& path, int expected_dim,
                                  const std::string& expected_encoder_id);

/// Writes a vectors file of exactly n rows chunk by chunk (a matrix too large for memory,
/// e.g. 10M x 1,280 fp32 = 51 GB), atomically as save_vectors() (base/binary_file.h
/// BinaryFileWriter).
class VectorFileWriter {
 public:
  static Result<std::unique_ptr<VectorFileWriter>> create(const std::string& path, int dim,
                                                          int64_t n, const std::string& encoder_id);
  /// Rows (a multiple of dim floats); kIOError past n rows or on a failed write.
  Status append(std::span<const float> rows);
  /// kIOError unless exactly n rows were appended.
  Status finish();

 private:
  explicit VectorFileWriter(std::unique_ptr<BinaryFileWriter> file, int dim);
  std::unique_ptr<BinaryFileWriter> file_;
  int dim_;
};

/// Rows of a vectors file read on demand (pread), without loading the file: re-scoring from
/// disk. Opening checks the header (kind, format version, dim, encoder id, file length), not
/// the payload checksum. read() is safe from several threads at once.
class VectorRows {
 public:
  static Result<std::unique_ptr<VectorRows>> open(const std::string& path, int expected_dim,
                                                  const std::string& expected_encoder_id);
  ~VectorRows();
  VectorRows(const VectorRows&) = delete;
  VectorRows& operator=(const VectorRows&) = delete;

  int dim() const { return dim_; }
  int64_t size() const { return n_; }
  const std::string& path() const { return path_; }
  /// Row `row` (< size()) into out (dim() floats). Throws credmatch::Error on a failed read or
  /// a row out of range.
  void read(int64_t row, float* out) const;

 private:
  VectorRows() = default;
  std::string path_;
  int fd_ = -1;
  int dim_ = 0;
  int64_t n_ = 0;
  uint64_t offset_ = 0;
};

/// The header checks shared by every loader of vectors and indexes: format version equals
/// `format_version`, dim equals expected_dim (if > 0), encoder id equals expected_encoder_id
/// (if not empty). Returns kMismatch naming both values, prefixed with `path`. `what` names
/// the file's content in messages ("index", "vectors").
Status check_vector_header(const std::string& path, const FileHeader& header,
                           uint32_t format_version, const char* what, int expected_dim,
                           const std::string& expected_encoder_id);

}  // namespace credmatch::index
