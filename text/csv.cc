#include "text/csv.h"

namespace credmatch::engine {
namespace {

// Incremental RFC 4180 state machine: feed it lines until it reports the record complete.
// One leniency, as in Python's csv module: a quote inside an unquoted field is literal, so
// Excel text formulas such as ="01.0000" (CIP files) read as the text ="01.0000".
class RecordParser {
 public:
  explicit RecordParser(char separator) : separator_(separator) {}

  // Consumes one physical line. Returns an error message (empty if none).
  std::string feed(std::string_view line) {
    if (in_quotes_) field_.push_back('\n');  // the line break was inside a quoted field
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (in_quotes_) {
        if (c == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field_.push_back('"');
            ++i;
          } else {
            in_quotes_ = false;
            after_quote_ = true;
          }
        } else {
          field_.push_back(c);
        }
      } else if (c == separator_) {
        end_field();
      } else if (after_quote_) {
        return "column " + std::to_string(fields_.size() + 1) +
               ": unexpected character after closing quote";
      } else if (c == '"' && field_.empty()) {
        in_quotes_ = true;
      } else {
        field_.push_back(c);
      }
    }
    if (!in_quotes_) end_field();
    return {};
  }
  bool complete() const { return !in_quotes_; }
  std::vector<std::string> take() {
    std::vector<std::string> out = std::move(fields_);
    fields_.clear();
    return out;
  }

 private:
  void end_field() {
    fields_.push_back(std::move(field_));
    field_.clear();
    after_quote_ = false;
  }
  char separator_;
  bool in_quotes_ = false;
  bool after_quote_ = false;
  std::string field_;
  std::vector<std::string> fields_;
};

}  // namespace

Result<std::unique_ptr<CsvReader>> CsvReader::open(const std::string& path, bool has_header,
                                                   char separator) {
  auto lines = LineReader::open(path);
  if (!lines) return lines.status();
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(*lines), separator));
  if (has_header) {
    if (!reader->next(&reader->header_)) {
      if (!reader->status_.is_ok()) return reader->status_;
      return Status::invalid_argument(path + ":1: empty file, expected a header row");
    }
  }
  return reader;
}

CsvReader::CsvReader(std::unique_ptr<LineReader> lines, char separator)
    : lines_(std::move(lines)), separator_(separator) {}

bool CsvReader::next(std::vector<std::string>* fields) {
  if (!status_.is_ok()) return false;
  RecordParser parser(separator_);
  std::string line;
  bool started = false;
  while (lines_->next(&line)) {
    if (!started) {
      if (line.empty()) continue;  // blank lines between records carry no data
      started = true;
      record_line_ = lines_->line_number();
    }
    std::string error = parser.feed(line);
    if (!error.empty()) {
      status_ = Status::invalid_argument(path() + ":" + std::to_string(lines_->line_number()) +
                                         ": " + error);
      return false;
    }
    if (parser.complete()) {
      *fields = parser.take();
      return true;
    }
  }
  if (!lines_->status().is_ok()) {
    status_ = lines_->status();
    return false;
  }
  if (started) {
    status_ = Status::invalid_argument(path() + ":" + std::to_string(record_line_) +
                                       ": unterminated quoted field (runs to end of file)");
  }
  return false;
}

std::optional<size_t> CsvReader::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

Result<std::vector<std::string>> parse_csv_record(std::string_view text, char separator) {
  RecordParser parser(separator);
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string error = parser.feed(line);
    if (!error.empty()) return Status::invalid_argument(error);
    if (end == std::string_view::npos) break;
    if (parser.complete()) return Status::invalid_argument("more than one record");
    start = end + 1;
  }
  if (!parser.complete()) return Status::invalid_argument("unterminated quoted field");
  return parser.take();
}

}  // namespace credmatch::engine
