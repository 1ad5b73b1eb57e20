// LineReader: reads a text file line by line, transparently gunzipping *.gz (zlib), stripping
// a leading UTF-8 BOM and the CR of CRLF line ends, and counting lines for error messages.
//
// Not thread safe (one reader per thread).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace credmatch::engine {

class LineReader {
 public:
  /// Opens `path` (plain or gzip). Fails with kNotFound / kIOError.
  static Result<std::unique_ptr<LineReader>> open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// Reads the next line without its line end into *line. Returns false at end of file;
  /// a read error sets status() and returns false.
  bool next(std::string* line);
  /// 1-based number of the line last returned by next(); 0 before the first.
  int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }
  /// Non-ok if reading failed (e.g. a corrupt gzip stream).
  const Status& status() const { return status_; }

 private:
  LineReader(std::string path, void* gz);
  std::string path_;
  void* gz_;  // gzFile
  int64_t line_number_ = 0;
  Status status_;
  // Read ahead with gzread (gzgets cannot say how many bytes it read, so a NUL byte would cut
  // a line short unseen): buffer_[pos_, size) is not returned yet.
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
};

}  // namespace credmatch::engine
