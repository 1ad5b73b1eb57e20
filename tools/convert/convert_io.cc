#include <zlib.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iomanip>

#include "tools/convert/convert.h"

namespace credmatch::convert {

std::string base_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

// --- Summary ---------------------------------------------------------------------------

void Summary::add_output(const std::string& path, int64_t records, int64_t bytes) {
  outputs_.push_back({path, records, bytes});
}

void Summary::skip(const std::string& reason, const std::string& where) {
  Skip& s = skips_[reason];
  if (s.count++ == 0) s.first = where;
}

int64_t Summary::skipped(const std::string& reason) const {
  auto it = skips_.find(reason);
  return it == skips_.end() ? 0 : it->second.count;
}

void Summary::print(std::ostream& out) const {
  out << "written:\n";
  for (const Output& o : outputs_) {
    out << "  " << o.path << ": " << o.records << " records, " << o.bytes << " bytes\n";
  }
  out << "skipped:" << (skips_.empty() ? " none\n" : "\n");
  for (const auto& [reason, s] : skips_) {
    out << "  " << s.count << " x " << reason << " (first at " << s.first << ")\n";
  }
  if (!notes_.empty()) out << "notes:\n";
  for (const std::string& n : notes_) out << "  " << n << "\n";
}

// --- JsonlGzWriter ---------------------------------------------------------------------

Result<std::unique_ptr<JsonlGzWriter>> JsonlGzWriter::open(const std::string& path) {
  const std::string tmp = path + ".tmp";
  // "wb9": gzip wrapper, best compression. zlib writes a fixed header (mtime 0, no name),
  // so the file is byte-identical for identical records.
  gzFile gz = gzopen(tmp.c_str(), "wb9");
  if (gz == nullptr) return Status::io_error(tmp + ": cannot create: " + std::strerror(errno));
  gzbuffer(gz, 1 << 17);
  return std::unique_ptr<JsonlGzWriter>(new JsonlGzWriter(path, gz));
}

JsonlGzWriter::JsonlGzWriter(std::string path, void* gz) : path_(std::move(path)), gz_(gz) {}

JsonlGzWriter::~JsonlGzWriter() {
  if (gz_ == nullptr) return;
  gzclose(static_cast<gzFile>(gz_));
  std::error_code ec;
  std::filesystem::remove(path_ + ".tmp", ec);
}

Status JsonlGzWriter::write(const Json& record) {
  std::string line;
  try {
    line = record.dump();  // strict UTF-8 check: throws on invalid sequences
  } catch (const nlohmann::json::exception& e) {
    const std::string id = record.contains("id") && record["id"].is_string()
                               ? record["id"].get<std::string>()
                               : std::string("?");
    return Status::invalid_argument("record " + id + ": " + e.what());
  }
  line.push_back('\n');
  const int n = gzwrite(static_cast<gzFile>(gz_), line.data(), static_cast<unsigned>(line.size()));
  if (n != static_cast<int>(line.size())) {
    int err = Z_OK;
    return Status::io_error(path_ +
                            ".tmp: write failed: " + gzerror(static_cast<gzFile>(gz_), &err));
  }
  ++records_;
  return Status::ok();
}

Status JsonlGzWriter::close() {
  gzFile gz = static_cast<gzFile>(gz_);
  gz_ = nullptr;
  const std::string tmp = path_ + ".tmp";
  if (gzclose(gz) != Z_OK) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return Status::io_error(tmp + ": close failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) return Status::io_error(path_ + ": cannot rename from " + tmp + ": " + ec.message());
  return Status::ok();
}

// --- TableReader -----------------------------------------------------------------------

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

// One CSV record on one line, quotes read leniently (see Format::kCsvOneLinePerRecord).
// Returns an error message, or empty; sets *stray when a literal quote was accepted.
std::string split_csv_line(const std::string& line, std::vector<std::string>* fields, bool* stray) {
  fields->clear();
  *stray = false;
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return "unterminated quoted field";
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
          } else if (i + 1 == line.size() || line[i + 1] == ',') {
            ++i;
            break;
          } else {
            field.push_back('"');
            *stray = true;
            ++i;
          }
        } else {
          field.push_back(line[i++]);
        }
      }
    } else {
      while (i < line.size() && line[i] != ',') field.push_back(line[i++]);
    }
    fields->push_back(field);
    if (i >= line.size()) return {};
    ++i;  // the comma
  }
}

}  // namespace

TableReader::TableReader(std::string path, Format format)
    : path_(std::move(path)), format_(format) {}

Result<std::unique_ptr<TableReader>> TableReader::open(const std::string& path, Format format,
                                                       const std::vector<std::string>& required) {
  std::unique_ptr<TableReader> t(new TableReader(path, format));
  if (format == Format::kCsv) {
    auto csv = engine::CsvReader::open(path);
    if (!csv) return csv.status();
    t->csv_ = std::move(*csv);
    t->header_ = t->csv_->header();
  } else {
    auto lines = engine::LineReader::open(path);
    if (!lines) return lines.status();
    t->lines_ = std::move(*lines);
    std::string line;
    if (!t->lines_->next(&line)) {
      if (!t->lines_->status().is_ok()) return t->lines_->status();
      return Status::invalid_argument(path + ":1: empty file, expected a header row");
    }
    if (format == Format::kTsv) {
      t->header_ = split_tabs(line);
    } else {
      bool stray = false;
      const std::string error = split_csv_line(line, &t->header_, &stray);
      if (!error.empty()) return Status::invalid_argument(path + ":1: header: " + error);
    }
  }
  for (const std::string& name : required) {
    size_t i = 0;
    while (i < t->header_.size() && t->header_[i] != name) ++i;
    if (i == t->header_.size()) {
      return Status::invalid_argument(path + ":1: header: missing column '" + name + "'");
    }
    t->columns_.emplace_back(name, i);
  }
  return t;
}

bool TableReader::next() {
  if (!status_.is_ok()) return false;
  if (format_ == Format::kCsv) {
    if (!csv_->next(&fields_)) {
      status_ = csv_->status();
      return false;
    }
    line_ = csv_->record_line();
  } else {
    std::string line;
    do {
      if (!lines_->next(&line)) {
        status_ = lines_->status();
        return false;
      }
    } while (line.empty());
    line_ = lines_->line_number();
    if (format_ == Format::kTsv) {
      fields_ = split_tabs(line);
    } else {
      bool stray = false;
      const std::string error = split_csv_line(line, &fields_, &stray);
      if (!error.empty()) {
        status_ = Status::invalid_argument(where() + ": " + error);
        return false;
      }
      if (stray && lenient_quotes_++ == 0) first_lenient_quote_ = where();
    }
  }
  if (fields_.size() != header_.size()) {
    status_ = Status::invalid_argument(where() + ": expected " + std::to_string(header_.size()) +
                                       " fields as in the header, found " +
                                       std::to_string(fields_.size()));
    return false;
  }
  return true;
}

const std::string& TableReader::operator[](std::string_view name) const {
  for (const auto& [column, index] : columns_) {
    if (column == name) return fields_[index];
  }
  assert(false && "column is not among the required columns given to open()");
  static const std::string kEmpty;
  return kEmpty;
}

std::string TableReader::where() const {
  return path_ + ":" + std::to_string(line_);
}

Status TableReader::error(std::string_view column, std::string_view reason) const {
  return Status::invalid_argument(where() + ": " + std::string(column) + ": " +
                                  std::string(reason));
}

}  // namespace credmatch::convert
