// CsvReader: an RFC 4180 reader over LineReader (so plain or gzip, BOM and CRLF handled):
// comma separator, '"' quoting with "" escapes, quoted fields spanning lines (their inner line
// breaks become '\n'). Header access by column name.
//
// Not thread safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "text/line_reader.h"

namespace credmatch::engine {

class CsvReader {
 public:
  /// Opens `path`; with `has_header` the first record is read as column names.
  static Result<std::unique_ptr<CsvReader>> open(const std::string& path, bool has_header = true,
                                                 char separator = ',');

  /// Reads the next record into *fields. Returns false at end of input or on error; check
  /// status() to tell them apart. Errors: unterminated quote, text after a closing quote.
  bool next(std::vector<std::string>* fields);
  const Status& status() const { return status_; }

  /// 1-based line on which the last record returned by next() started.
  int64_t record_line() const { return record_line_; }
  const std::string& path() const { return lines_->path(); }

  const std::vector<std::string>& header() const { return header_; }
  /// Index of column `name` in the header, or nullopt.
  std::optional<size_t> column(std::string_view name) const;

 private:
  CsvReader(std::unique_ptr<LineReader> lines, char separator);
  std::unique_ptr<LineReader> lines_;
  char separator_;
  std::vector<std::string> header_;
  int64_t record_line_ = 0;
  Status status_;
};

/// Parses one complete record held in `text` (may contain quoted line breaks). For tests and
/// small inputs; returns kInvalidArgument with the column on malformed quoting.
Result<std::vector<std::string>> parse_csv_record(std::string_view text, char separator = ',');

}  // namespace credmatch::engine
