#include "index/vector_file.h"

#include <cstring>
#include <limits>

#include "base/error.h"

namespace credmatch::index {

Status check_vector_header(const std::string& path, const FileHeader& header,
                           uint32_t format_version, const char* what, int expected_dim,
                           const std::string& expected_encoder_id) {
  if (header.format_version != format_version) {
    return Status::mismatch(path + ": " + what + " format version " +
                            std::to_string(header.format_version) + ", this build reads " +
                            std::to_string(format_version));
  }
  if (expected_dim > 0 && header.dim != static_cast<uint32_t>(expected_dim)) {
    return Status::mismatch(path + ": " + what + " has dim " + std::to_string(header.dim) +
                            ", encoder produces " + std::to_string(expected_dim));
  }
  if (!expected_encoder_id.empty() && header.encoder_id != expected_encoder_id) {
    return Status::mismatch(path + ": " + what + " was made with encoder '" + header.encoder_id +
                            "', current encoder is '" + expected_encoder_id + "'");
  }
  return Status::ok();
}

Status save_vectors(const std::string& path, int dim, std::span<const float> data,
                    const std::string& encoder_id) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
  CREDMATCH_CHECK(data.size() % static_cast<size_t>(dim) == 0,
                  "data.size()=" << data.size() << " is not a multiple of dim=" << dim);
  FileHeader header;
  header.kind = kVectorFileKind;
  header.format_version = kVectorFormatVersion;
  header.dim = static_cast<uint32_t>(dim);
  header.encoder_id = encoder_id;
  header.count = data.size() / static_cast<size_t>(dim);
  const std::string_view payload(reinterpret_cast<const char*>(data.data()),
                                 data.size() * sizeof(float));
  return write_binary_file(path, header, payload);
}

Result<VectorMatrix> load_vectors(const std::string& path, int expected_dim,
                                  const std::string& expected_encoder_id) {
  Result<BinaryFile> file = read_binary_file(path, kVectorFileKind);
  if (!file) return file.status();
  const FileHeader& h = file->header;
  CREDMATCH_RETURN_IF_ERROR(check_vector_header(path, h, kVectorFormatVersion, "vectors",
                                                expected_dim, expected_encoder_id));
  if (h.dim == 0 || h.dim > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return Status::corruption(path + ": invalid dim " + std::to_string(h.dim));
  }
  const uint64_t row_bytes = uint64_t{h.dim} * sizeof(float);
  const size_t size = file->payload.size();
  if (size % row_bytes != 0 || size / row_bytes != h.count) {
    return Status::corruption(path + ": header says " + std::to_string(h.count) +
                              " vectors of dim " + std::to_string(h.dim) + ", payload holds " +
                              std::to_string(size) + " bytes");
  }
  VectorMatrix m;
  m.dim = static_cast<int>(h.dim);
  m.n = static_cast<int64_t>(h.count);
  m.data.resize(size / sizeof(float));
  if (size > 0) std::memcpy(m.data.data(), file->payload.data(), size);
  return m;
}

}  // namespace credmatch::index
