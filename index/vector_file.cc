#include "index/vector_file.h"

#include <fcntl.h>
#include <unistd.h>

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

namespace {

// A vectors file's header (kind version, dim, encoder id) and that its payload holds exactly
// count rows of dim floats.
Status check_vectors_file(const std::string& path, const FileHeader& h, uint64_t payload_size,
                          int expected_dim, const std::string& expected_encoder_id) {
  CREDMATCH_RETURN_IF_ERROR(check_vector_header(path, h, kVectorFormatVersion, "vectors",
                                                expected_dim, expected_encoder_id));
  if (h.dim == 0 || h.dim > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return Status::corruption(path + ": invalid dim " + std::to_string(h.dim));
  }
  const uint64_t row_bytes = uint64_t{h.dim} * sizeof(float);
  if (payload_size % row_bytes != 0 || payload_size / row_bytes != h.count) {
    return Status::corruption(path + ": header says " + std::to_string(h.count) +
                              " vectors of dim " + std::to_string(h.dim) + ", payload holds " +
                              std::to_string(payload_size) + " bytes");
  }
  return Status::ok();
}

}  // namespace

Result<VectorMatrix> load_vectors(const std::string& path, int expected_dim,
                                  const std::string& expected_encoder_id) {
  Result<BinaryFileLayout> layout = read_binary_file_header(path, kVectorFileKind);
  if (!layout) return layout.status();
  const FileHeader& h = layout->header;
  const size_t size = layout->payload_size;
  CREDMATCH_RETURN_IF_ERROR(
      check_vectors_file(path, h, size, expected_dim, expected_encoder_id));
  VectorMatrix m;
  m.dim = static_cast<int>(h.dim);
  m.n = static_cast<int64_t>(h.count);
  m.data.resize(size / sizeof(float));
  CREDMATCH_RETURN_IF_ERROR(read_binary_payload(path, *layout, m.data.data()));
  return m;
}

Result<std::unique_ptr<VectorFileWriter>> VectorFileWriter::create(const std::string& path,
                                                                   int dim, int64_t n,
                                                                   const std::string& encoder_id) {
  CREDMATCH_CHECK(dim > 0 && n >= 0, "dim=" << dim << " n=" << n);
  FileHeader header;
  header.kind = kVectorFileKind;
  header.format_version = kVectorFormatVersion;
  header.dim = static_cast<uint32_t>(dim);
  header.encoder_id = encoder_id;
  header.count = static_cast<uint64_t>(n);
  Result<std::unique_ptr<BinaryFileWriter>> file = BinaryFileWriter::create(
      path, header, static_cast<uint64_t>(n) * static_cast<uint64_t>(dim) * sizeof(float));
  if (!file) return file.status();
  return std::unique_ptr<VectorFileWriter>(new VectorFileWriter(std::move(file).value(), dim));
}

VectorFileWriter::VectorFileWriter(std::unique_ptr<BinaryFileWriter> file, int dim)
    : file_(std::move(file)), dim_(dim) {}

Status VectorFileWriter::append(std::span<const float> rows) {
  CREDMATCH_CHECK(rows.size() % static_cast<size_t>(dim_) == 0,
                  "rows.size()=" << rows.size() << " is not a multiple of dim=" << dim_);
  return file_->append(std::string_view(reinterpret_cast<const char*>(rows.data()),
                                        rows.size() * sizeof(float)));
}

Status VectorFileWriter::finish() { return file_->finish(); }

Result<std::unique_ptr<VectorRows>> VectorRows::open(const std::string& path, int expected_dim,
                                                     const std::string& expected_encoder_id) {
  Result<BinaryFileLayout> layout = read_binary_file_header(path, kVectorFileKind);
  if (!layout) return layout.status();
  const FileHeader& h = layout->header;
  CREDMATCH_RETURN_IF_ERROR(
      check_vectors_file(path, h, layout->payload_size, expected_dim, expected_encoder_id));
  std::unique_ptr<VectorRows> rows(new VectorRows());
  rows->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (rows->fd_ < 0) return Status::not_found(path + ": cannot open");
  rows->path_ = path;
  rows->dim_ = static_cast<int>(h.dim);
  rows->n_ = static_cast<int64_t>(h.count);
  rows->offset_ = layout->payload_offset;
  return rows;
}

VectorRows::~VectorRows() {
  if (fd_ >= 0) ::close(fd_);
}

void VectorRows::read(int64_t row, float* out) const {
  CREDMATCH_CHECK(row >= 0 && row < n_, path_ << ": row " << row << " of " << n_);
  const size_t bytes = static_cast<size_t>(dim_) * sizeof(float);
  auto* p = reinterpret_cast<char*>(out);
  size_t done = 0;
  while (done < bytes) {
    const ssize_t got = ::pread(fd_, p + done, bytes - done,
                                static_cast<off_t>(offset_ + static_cast<uint64_t>(row) * bytes + done));
    CREDMATCH_CHECK(got > 0, path_ << ": read of row " << row << " failed");
    done += static_cast<size_t>(got);
  }
}

}  // namespace credmatch::index
