#include "base/binary_file.h"

#include <zlib.h>

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
  uint32_t payload_crc = 0;
  for (std::string_view part : payload_parts) {
    payload_size += part.size();
    payload_crc = crc32_of(part, payload_crc);
  }
  const std::string head = encode_header(header, payload_size);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::io_error(path + ": cannot open for writing");
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    for (std::string_view part : payload_parts) {
      out.write(part.data(), static_cast<std::streamsize>(part.size()));
    }
    out.write(reinterpret_cast<const char*>(&payload_crc), sizeof payload_crc);
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return Status::io_error(path + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::io_error(path + ": cannot replace file: " + ec.message());
  return Status::ok();
}

Result<BinaryFile> read_binary_file(const std::string& path, std::string_view expected_kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open");
  // One allocation of the file's size, later trimmed in place to the payload: loading a
  // multi-GB index holds the bytes once, not twice.
  in.seekg(0, std::ios::end);
  const std::streamoff file_size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (!in || file_size < 0) return Status::io_error(path + ": cannot determine the file size");
  std::string data(static_cast<size_t>(file_size), '\0');
  in.read(data.data(), file_size);
  if (in.gcount() != file_size) return Status::io_error(path + ": read failed");

  ByteReader r(data);
  char magic[sizeof kMagic];
  if (!r.raw(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    return Status::corruption(path + ": not a credmatch file (bad magic)");
  }
  uint32_t container_version = 0;
  BinaryFile file;
  FileHeader& h = file.header;
  uint64_t payload_size = 0;
  r.u32(&container_version);
  r.str(&h.kind);
  r.u32(&h.format_version);
  r.u32(&h.dim);
  r.str(&h.encoder_id);
  r.u64(&h.count);
  r.u64(&payload_size);
  const size_t header_end = data.size() - r.remaining();
  uint32_t header_crc = 0;
  r.u32(&header_crc);
  if (r.failed()) return Status::corruption(path + ": truncated header");
  if (container_version != kContainerVersion) {
    return Status::mismatch(path + ": container version " + std::to_string(container_version) +
                            ", this build reads " + std::to_string(kContainerVersion));
  }
  if (crc32_of(std::string_view(data).substr(0, header_end)) != header_crc) {
    return Status::corruption(path + ": header checksum mismatch");
  }
  if (r.remaining() < payload_size || r.remaining() - payload_size != sizeof(uint32_t)) {
    return Status::corruption(path + ": truncated or oversized payload (header says " +
                              std::to_string(payload_size) + " bytes, file has " +
                              std::to_string(r.remaining()) + " after the header)");
  }
  const size_t payload_start = data.size() - r.remaining();
  std::string_view payload = r.take(payload_size);
  uint32_t payload_crc = 0;
  r.u32(&payload_crc);
  if (crc32_of(payload) != payload_crc) {
    return Status::corruption(path + ": payload checksum mismatch");
  }
  if (!expected_kind.empty() && h.kind != expected_kind) {
    return Status::mismatch(path + ": holds '" + h.kind + "', expected '" +
                            std::string(expected_kind) + "'");
  }
  data.resize(payload_start + payload_size);
  data.erase(0, payload_start);
  file.payload = std::move(data);
  return file;
}

}  // namespace credmatch
