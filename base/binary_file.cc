#include "base/binary_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace credmatch {
namespace {

constexpr char kMagic[8] = {'C', 'R', 'E', 'D', 'M', 'T', 'C', 'H'};

std::string encode_header(const FileHeader& h, uint64_t payload_size) {
  ByteWriter w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kContainerVersion);
  w.str(h.kind);
  w.u32(h.format_version);
  w.u32(h.dim);
  w.str(h.encoder_id);
  w.u64(h.count);
  w.u64(payload_size);
  const uint32_t crc = crc32_of(w.buffer());
  w.u32(crc);
  return std::move(w.buffer());
}

}  // namespace

uint32_t crc32_of(std::string_view data, uint32_t seed) {
  uLong crc = seed;
  // zlib's crc32 takes uInt lengths; feed large buffers in chunks.
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const uInt n = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(p), n);
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(crc);
}

bool ByteReader::raw(void* p, size_t n) {
  if (failed_ || remaining() < n) {
    failed_ = true;
    return false;
  }
  if (n > 0) std::memcpy(p, data_.data() + pos_, n);  // p may be null when n == 0
  pos_ += n;
  return true;
}

std::string_view ByteReader::take(size_t n) {
  if (failed_ || remaining() < n) {
    failed_ = true;
    return {};
  }
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

bool ByteReader::str(std::string* s) {
  uint32_t n = 0;
  if (!u32(&n)) return false;
  std::string_view v = take(n);
  if (failed_) return false;
  s->assign(v);
  return true;
}

Status write_binary_file(const std::string& path, const FileHeader& header,
                         std::string_view payload) {
  return write_binary_file(path, header, {payload});
}

Status write_binary_file(const std::string& path, const FileHeader& header,
                         std::initializer_list<std::string_view> payload_parts) {
  size_t payload_size = 0;
  for (std::string_view part : payload_parts) payload_size += part.size();
  Result<std::unique_ptr<BinaryFileWriter>> writer =
      BinaryFileWriter::create(path, header, payload_size);
  if (!writer) return writer.status();
  for (std::string_view part : payload_parts) CREDMATCH_RETURN_IF_ERROR((*writer)->append(part));
  return (*writer)->finish();
}

namespace {

// Opens `path` and measures it.
Status open_for_reading(const std::string& path, std::ifstream& in, std::streamoff* size) {
  in.open(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open");
  in.seekg(0, std::ios::end);
  *size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (!in || *size < 0) return Status::io_error(path + ": cannot determine the file size");
  return Status::ok();
}

// kMismatch unless the file holds `expected_kind` (or that is empty).
Status check_kind(const std::string& path, const FileHeader& h, std::string_view expected_kind) {
  if (!expected_kind.empty() && h.kind != expected_kind) {
    return Status::mismatch(path + ": holds '" + h.kind + "', expected '" +
                            std::string(expected_kind) + "'");
  }
  return Status::ok();
}

// Parses and checks the header at the start of `data` (a file of file_size bytes; data may be
// only its first part), not its kind. Sets *payload_start to the payload's offset in the file.
Status parse_header(const std::string& path, std::string_view data, uint64_t file_size,
                    FileHeader* h, uint64_t* payload_size, uint64_t* payload_start) {
  ByteReader r(data);
  char magic[sizeof kMagic];
  if (!r.raw(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    return Status::corruption(path + ": not a credmatch file (bad magic)");
  }
  uint32_t container_version = 0;
  r.u32(&container_version);
  r.str(&h->kind);
  r.u32(&h->format_version);
  r.u32(&h->dim);
  r.str(&h->encoder_id);
  r.u64(&h->count);
  r.u64(payload_size);
  const size_t header_end = data.size() - r.remaining();
  uint32_t header_crc = 0;
  r.u32(&header_crc);
  if (r.failed()) return Status::corruption(path + ": truncated header");
  if (container_version != kContainerVersion) {
    return Status::mismatch(path + ": container version " + std::to_string(container_version) +
                            ", this build reads " + std::to_string(kContainerVersion));
  }
  if (crc32_of(data.substr(0, header_end)) != header_crc) {
    return Status::corruption(path + ": header checksum mismatch");
  }
  *payload_start = data.size() - r.remaining();
  const uint64_t after_header = file_size - *payload_start;
  if (after_header < *payload_size || after_header - *payload_size != sizeof(uint32_t)) {
    return Status::corruption(path + ": truncated or oversized payload (header says " +
                              std::to_string(*payload_size) + " bytes, file has " +
                              std::to_string(after_header) + " after the header)");
  }
  return Status::ok();
}

}  // namespace

Result<BinaryFile> read_binary_file(const std::string& path, std::string_view expected_kind) {
  // The header, then the payload read straight into its string (no copy of the whole file
  // trimmed afterwards); the kind is compared after the checksums: a damaged file reports
  // damage first.
  Result<BinaryFileLayout> layout = read_binary_file_header(path, "");
  if (!layout) return layout.status();
  BinaryFile file;
  file.payload.resize(layout->payload_size);
  CREDMATCH_RETURN_IF_ERROR(read_binary_payload(path, *layout, file.payload.data()));
  file.header = std::move(layout->header);
  CREDMATCH_RETURN_IF_ERROR(check_kind(path, file.header, expected_kind));
  return file;
}

Result<BinaryFileLayout> read_binary_file_header(const std::string& path,
                                                 std::string_view expected_kind) {
  std::ifstream in;
  std::streamoff file_size = 0;
  CREDMATCH_RETURN_IF_ERROR(open_for_reading(path, in, &file_size));
  // Headers are a few hundred bytes (two short strings).
  std::string head(static_cast<size_t>(std::min<std::streamoff>(file_size, 64 << 10)), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  if (in.gcount() != static_cast<std::streamsize>(head.size())) {
    return Status::io_error(path + ": read failed");
  }
  BinaryFileLayout layout;
  CREDMATCH_RETURN_IF_ERROR(parse_header(path, head, static_cast<uint64_t>(file_size),
                                         &layout.header, &layout.payload_size,
                                         &layout.payload_offset));
  CREDMATCH_RETURN_IF_ERROR(check_kind(path, layout.header, expected_kind));
  return layout;
}

Status read_binary_payload(const std::string& path, const BinaryFileLayout& layout, void* out) {
  std::ifstream in;
  std::streamoff file_size = 0;
  CREDMATCH_RETURN_IF_ERROR(open_for_reading(path, in, &file_size));
  if (static_cast<uint64_t>(file_size) != layout.payload_offset + layout.payload_size + 4) {
    return Status::corruption(path + ": the file changed size since its header was read");
  }
  in.seekg(static_cast<std::streamoff>(layout.payload_offset));
  // In chunks, each checksummed while it is still in cache.
  constexpr uint64_t kChunk = 64u << 20;
  char* dst = static_cast<char*>(out);
  uint32_t crc = 0;
  for (uint64_t done = 0; done < layout.payload_size;) {
    const uint64_t n = std::min(kChunk, layout.payload_size - done);
    in.read(dst + done, static_cast<std::streamsize>(n));
    if (static_cast<uint64_t>(in.gcount()) != n) return Status::io_error(path + ": read failed");
    crc = crc32_of(std::string_view(dst + done, n), crc);
    done += n;
  }
  uint32_t stored = 0;
  in.read(reinterpret_cast<char*>(&stored), sizeof stored);
  if (in.gcount() != sizeof stored) return Status::io_error(path + ": read failed");
  if (crc != stored) return Status::corruption(path + ": payload checksum mismatch");
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// BinaryFileWriter

BinaryFileWriter::BinaryFileWriter(std::string path, uint64_t payload_size)
    : path_(std::move(path)), tmp_(path_ + ".tmp"), payload_size_(payload_size) {}

BinaryFileWriter::~BinaryFileWriter() {
  if (!finished_) {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
  }
}

Result<std::unique_ptr<BinaryFileWriter>> BinaryFileWriter::create(const std::string& path,
                                                                   const FileHeader& header,
                                                                   uint64_t payload_size) {
  std::unique_ptr<BinaryFileWriter> w(new BinaryFileWriter(path, payload_size));
  w->out_.open(w->tmp_, std::ios::binary | std::ios::trunc);
  if (!w->out_) return Status::io_error(path + ": cannot open for writing");
  const std::string head = encode_header(header, payload_size);
  w->out_.write(head.data(), static_cast<std::streamsize>(head.size()));
  if (!w->out_) return Status::io_error(path + ": write failed (disk full?)");
  return w;
}

Status BinaryFileWriter::append(std::string_view bytes) {
  if (finished_) return Status::io_error(path_ + ": append after finish");
  if (bytes.size() > payload_size_ - written_) {
    return Status::io_error(path_ + ": appending " + std::to_string(bytes.size()) +
                            " bytes would pass the declared payload size " +
                            std::to_string(payload_size_));
  }
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out_) return Status::io_error(path_ + ": write failed (disk full?)");
  crc_ = crc32_of(bytes, crc_);
  written_ += bytes.size();
  return Status::ok();
}

Status BinaryFileWriter::finish() {
  if (finished_) return Status::ok();
  if (written_ != payload_size_) {
    return Status::io_error(path_ + ": " + std::to_string(written_) + " payload bytes written, " +
                            std::to_string(payload_size_) + " declared");
  }
  out_.write(reinterpret_cast<const char*>(&crc_), sizeof crc_);
  out_.flush();
  if (!out_) return Status::io_error(path_ + ": write failed (disk full?)");
  out_.close();
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) return Status::io_error(path_ + ": cannot replace file: " + ec.message());
  finished_ = true;
  return Status::ok();
}

}  // namespace credmatch
