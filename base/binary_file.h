// A small self-checking container for every binary file credmatch persists (indexes,
// vectors, encoders): a header that says what the payload is, then the payload, each with a
// CRC-32. Loading verifies magic, sizes and checksums before anything is interpreted, so a
// truncated, corrupt or mismatched file is reported, never half-read.
//
// Layout (little endian):
//   "CREDMTCH"  magic, 8 bytes
//   u32         container version (kContainerVersion)
//   str         kind, e.g. "index:Flat" or "encoder:tfidf-svd"   (str = u32 length + bytes)
//   u32         format_version of the kind
//   u32         dim
//   str         encoder_id the vectors were made with ("" if not applicable)
//   u64         count (vectors, terms: what the kind counts)
//   u64         payload size in bytes
//   u32         CRC-32 of everything above
//   payload
//   u32         CRC-32 of the payload
#pragma once

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace credmatch {

struct FileHeader {
  std::string kind;
  uint32_t format_version = 0;
  uint32_t dim = 0;
  std::string encoder_id;
  uint64_t count = 0;
};

inline constexpr uint32_t kContainerVersion = 1;

/// Writes header + payload to `path` atomically (a temporary file renamed over `path`), so
/// a failed write never replaces a good file.
Status write_binary_file(const std::string& path, const FileHeader& header,
                         std::string_view payload);
/// The same with the payload given as consecutive parts (written one after another, never
/// joined in memory).
Status write_binary_file(const std::string& path, const FileHeader& header,
                         std::initializer_list<std::string_view> payload_parts);

struct BinaryFile {
  FileHeader header;
  std::string payload;
};

/// Reads and verifies a file written by write_binary_file. Fails with kCorruption on bad
/// magic, truncation or checksum mismatch, and kMismatch when header.kind differs from
/// `expected_kind` (unless it is empty).
Result<BinaryFile> read_binary_file(const std::string& path, std::string_view expected_kind);

/// Where a file's payload lies, from its header alone.
struct BinaryFileLayout {
  FileHeader header;
  uint64_t payload_offset = 0;
  uint64_t payload_size = 0;
};

/// Reads and verifies only the header of a file written by write_binary_file or
/// BinaryFileWriter: magic, header checksum, kind, and that the file is exactly as long as
/// the header says. The payload's checksum is NOT verified (that would read it all): for
/// files read piece by piece, e.g. rows of a 51 GB vectors file.
Result<BinaryFileLayout> read_binary_file_header(const std::string& path,
                                                 std::string_view expected_kind);

/// Reads the payload that `layout` (from read_binary_file_header) describes into `out`
/// (layout.payload_size bytes) and verifies its checksum: a large payload goes straight into
/// its final buffer (a vectors file into a float array) instead of through a string and a
/// copy, which held a 5 GB file twice while loading. kCorruption on a checksum mismatch,
/// kIOError on a failed read; `out` is then partly written.
Status read_binary_payload(const std::string& path, const BinaryFileLayout& layout, void* out);

/// Writes a file whose payload is too large to hold at once: the header (with the declared
/// payload size) at create(), the payload in append() calls, the payload checksum at
/// finish(), which renames the temporary file over `path`. A writer dropped without a
/// successful finish() removes its temporary file, so `path` is never half-written.
class BinaryFileWriter {
 public:
  static Result<std::unique_ptr<BinaryFileWriter>> create(const std::string& path,
                                                          const FileHeader& header,
                                                          uint64_t payload_size);
  ~BinaryFileWriter();
  BinaryFileWriter(const BinaryFileWriter&) = delete;
  BinaryFileWriter& operator=(const BinaryFileWriter&) = delete;

  /// kIOError on a failed write or past the declared size.
  Status append(std::string_view bytes);
  /// kIOError unless exactly the declared payload size was appended.
  Status finish();

 private:
  BinaryFileWriter(std::string path, uint64_t payload_size);
  std::string path_, tmp_;
  std::ofstream out_;
  uint64_t payload_size_, written_ = 0;
  uint32_t crc_ = 0;
  bool finished_ = false;
};

/// CRC-32 (zlib polynomial) of `data`.
uint32_t crc32_of(std::string_view data, uint32_t seed = 0);

/// Appends plain values to a byte buffer; the reader below undoes it with bounds checks.
class ByteWriter {
 public:
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void u64(uint64_t v) { raw(&v, sizeof v); }
  void f32(float v) { raw(&v, sizeof v); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    buf_.append(s);
  }
  void raw(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
  std::string& buffer() { return buf_; }

 private:
  std::string buf_;
};

/// Reads values back; every read checks the remaining length and sets failed() instead of
/// reading past the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  bool u32(uint32_t* v) { return raw(v, sizeof *v); }
  bool u64(uint64_t* v) { return raw(v, sizeof *v); }
  bool f32(float* v) { return raw(v, sizeof *v); }
  bool str(std::string* s);
  bool raw(void* p, size_t n);
  /// A view of the next n bytes, advancing past them (nullopt-like empty + failed on overrun).
  std::string_view take(size_t n);
  size_t remaining() const { return data_.size() - pos_; }
  bool failed() const { return failed_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace credmatch
