#include "text/line_reader.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace credmatch::engine {

Result<std::unique_ptr<LineReader>> LineReader::open(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::not_found(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalid_argument(path + ": is a directory, expected a file");
  }
  // gzopen reads plain files as they are, so one code path serves .gz and plain text.
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Status::io_error(path + ": cannot open: " + std::strerror(errno));
  gzbuffer(gz, 1 << 17);
  return std::unique_ptr<LineReader>(new LineReader(path, gz));
}

LineReader::LineReader(std::string path, void* gz) : path_(std::move(path)), gz_(gz) {}

LineReader::~LineReader() { gzclose(static_cast<gzFile>(gz_)); }

bool LineReader::next(std::string* line) {
  if (!status_.is_ok()) return false;
  gzFile gz = static_cast<gzFile>(gz_);
  line->clear();
  constexpr size_t kChunk = 1 << 16;
  for (;;) {
    const size_t nl = buffer_.find('\n', pos_);
    if (nl != std::string::npos) {
      line->append(buffer_, pos_, nl + 1 - pos_);
      pos_ = nl + 1;
      break;
    }
    line->append(buffer_, pos_, std::string::npos);
    buffer_.clear();
    pos_ = 0;
    if (eof_) break;
    buffer_.resize(kChunk);
    const int n = gzread(gz, buffer_.data(), static_cast<unsigned>(kChunk));
    if (n < 0) {
      int err = Z_OK;
      const char* msg = gzerror(gz, &err);
      status_ = Status::corruption(path_ + ":" + std::to_string(line_number_ + 1) +
                                   ": cannot decompress: " + (msg ? msg : "zlib error"));
      return false;
    }
    buffer_.resize(size_t(n));
    if (n == 0) eof_ = true;
  }
  int err = Z_OK;
  const char* msg = gzerror(gz, &err);
  if (err != Z_OK && err != Z_STREAM_END) {
    status_ = Status::corruption(path_ + ":" + std::to_string(line_number_ + 1) +
                                 ": cannot decompress: " + (msg ? msg : "zlib error"));
    return false;
  }
  if (line->empty() && eof_) return false;
  ++line_number_;
  if (!line->empty() && line->back() == '\n') line->pop_back();
  if (!line->empty() && line->back() == '\r') line->pop_back();
  if (line_number_ == 1 && line->compare(0, 3, "\xEF\xBB\xBF") == 0) line->erase(0, 3);
  if (line->find('\0') != std::string::npos) {
    status_ = Status::invalid_argument(path_ + ":" + std::to_string(line_number_) +
                                       ": contains a NUL byte (binary file?)");
    return false;
  }
  return true;
}

}  // namespace credmatch::engine
