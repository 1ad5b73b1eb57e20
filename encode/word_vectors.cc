#include "encode/word_vectors.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>

#include "base/binary_file.h"
#include "base/error.h"
#include "text/line_reader.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

constexpr std::string_view kKind = "word-vectors";
constexpr uint32_t kFormatVersion = 1;
constexpr int kMaxDim = 4096;

// Splits on spaces and tabs; empty fields (double spaces, trailing space in .vec) are skipped.
void split_fields(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) fields->push_back(line.substr(i, j - i));
    i = j;
  }
}

bool parse_float(std::string_view s, float* out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && p == end && std::isfinite(*out);
}

bool parse_count(std::string_view s, int64_t* out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && p == end && *out > 0;
}

bool is_binary_container(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 8 && std::memcmp(magic, "CREDMTCH", 8) == 0;
}

}  // namespace

std::string word_vector_key(std::string_view word) {
  std::vector<std::string> tokens = tokenize(normalize(word));
  return tokens.size() == 1 ? std::move(tokens[0]) : std::string();
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  if (abs >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to beyond 65504: inf
  if (abs < 0x38800000u) {                                  // half subnormal or zero
    if (abs < 0x33000000u) return uint16_t(sign);           // below half of the smallest
    const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const int shift = 126 - int(abs >> 23);  // 14..24
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return uint16_t(sign | h);
  }
  uint32_t h = ((abs >> 13) - (112u << 10));  // rebias exponent 127 → 15
  const uint32_t rem = abs & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // may carry into the exponent: fine
  return uint16_t(sign | h);
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, x;
  if (exp == 0x1f) {
    x = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      x = sign | (uint32_t(112 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
  } else {
    x = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

bool WordVectors::add(std::string_view word, std::span<const float> values) {
  std::string key = word_vector_key(word);
  if (key.empty() || index_.count(key) != 0) {
    ++dropped_;
    return false;
  }
  index_.emplace(key, static_cast<int32_t>(words_.size()));
  words_.push_back(std::move(key));
  vectors_.insert(vectors_.end(), values.begin(), values.end());
  return true;
}

void WordVectors::rebuild_index() {
  index_.clear();
  index_.reserve(words_.size());
  for (size_t i = 0; i < words_.size(); ++i) index_.emplace(words_[i], static_cast<int32_t>(i));
}

int32_t WordVectors::find(std::string_view word) const {
  auto it = index_.find(word);
  return it == index_.end() ? -1 : it->second;
}

WordVectors WordVectors::from_rows(std::span<const std::string> words,
                                   std::span<const float> vectors, int dim,
                                   const WordVectorsLoadOptions& options) {
  CREDMATCH_CHECK(dim > 0 && dim <= kMaxDim, "dim=" << dim);
  CREDMATCH_CHECK(
      vectors.size() == words.size() * size_t(dim),
      "vectors.size()=" << vectors.size() << ", words=" << words.size() << ", dim=" << dim);
  WordVectors wv;
  wv.dim_ = dim;
  for (size_t i = 0; i < words.size(); ++i) {
    if (options.max_words > 0 && wv.size() >= options.max_words) break;
    wv.add(words[i], vectors.subspan(i * size_t(dim), size_t(dim)));
  }
  return wv;
}

// Reads the GloVe and word2vec/fastText text formats (a class so WordVectors can befriend it).
class WordVectorsTextReader {
 public:
  static Result<WordVectors> read(const std::string& path, const WordVectorsLoadOptions& options) {
    auto reader = LineReader::open(path);
    if (!reader) return reader.status();
    LineReader& in = **reader;
    WordVectors wv;
    std::string line;
    std::vector<std::string_view> fields;
    std::vector<float> values;
    int64_t header_count = 0, rows = 0, dim_line = 0;
    auto where = [&] { return path + ":" + std::to_string(in.line_number()) + ": "; };
    while (in.next(&line)) {
      split_fields(line, &fields);
      if (fields.empty()) continue;
      // word2vec/fastText header "N D": two positive integers on the first line.
      int64_t n = 0, d = 0;
      if (in.line_number() == 1 && fields.size() == 2 && parse_count(fields[0], &n) &&
          parse_count(fields[1], &d)) {
        if (d > kMaxDim)
          return Status::invalid_argument(where() + "dimension " + std::to_string(d) + " exceeds " +
                                          std::to_string(kMaxDim));
        header_count = n;
        wv.dim_ = int(d);
        dim_line = 1;
        continue;
      }
      const int64_t found = int64_t(fields.size()) - 1;
      if (wv.dim_ == 0) {  // GloVe: the first vector line fixes the dimension
        if (found < 1 || found > kMaxDim) {
          return Status::invalid_argument(where() + "expected a word followed by 1 to " +
                                          std::to_string(kMaxDim) + " numbers, found " +
                                          std::to_string(found) + " fields after the word");
        }
        wv.dim_ = int(found);
        dim_line = in.line_number();
      } else if (found != wv.dim_) {
        return Status::invalid_argument(
            where() + "inconsistent dimension: " + std::to_string(found) + " values, expected " +
            std::to_string(wv.dim_) +
            (dim_line == 1 && header_count > 0 ? " (from the header on line 1)"
                                               : " (from line " + std::to_string(dim_line) + ")"));
      }
      values.resize(size_t(wv.dim_));
      for (int j = 0; j < wv.dim_; ++j) {
        if (!parse_float(fields[size_t(j) + 1], &values[size_t(j)])) {
          return Status::invalid_argument(where() + "value " + std::to_string(j + 1) + " '" +
                                          std::string(fields[size_t(j) + 1]) +
                                          "' is not a finite number");
        }
      }
      ++rows;
      if (header_count > 0 && rows > header_count) {
        return Status::invalid_argument(where() + "more vectors than the " +
                                        std::to_string(header_count) +
                                        " the header on line 1 announces");
      }
      if (options.max_words > 0 && wv.size() >= options.max_words) break;
      wv.add(fields[0], values);
    }
    if (!in.status().is_ok()) return in.status();
    const bool truncated_by_option = options.max_words > 0 && wv.size() >= options.max_words;
    if (header_count > 0 && rows != header_count && !truncated_by_option) {
      return Status::invalid_argument(path + ": the header on line 1 announces " +
                                      std::to_string(header_count) + " vectors, the file has " +
                                      std::to_string(rows));
    }
    if (rows == 0) return Status::invalid_argument(path + ": no word vectors in the file");
    return wv;
  }
};

Result<WordVectors> WordVectors::load(const std::string& path,
                                      const WordVectorsLoadOptions& options) {
  if (!is_binary_container(path)) return WordVectorsTextReader::read(path, options);
  auto file = read_binary_file(path, kKind);
  if (!file) return file.status();
  const FileHeader& h = file->header;
  if (h.format_version != kFormatVersion) {
    return Status::mismatch(path + ": word-vectors format version " +
                            std::to_string(h.format_version) + ", this build reads " +
                            std::to_string(kFormatVersion));
  }
  ByteReader r(file->payload);
  uint32_t bits = 0;
  uint64_t blob_size = 0;
  r.u32(&bits);
  r.u64(&blob_size);
  const uint64_t n = h.count, d = h.dim;
  if (r.failed() || (bits != 16 && bits != 32) || d == 0 || d > kMaxDim || n > (1u << 31) ||
      r.remaining() != blob_size + n * d * (bits / 8)) {
    return Status::corruption(path + ": word-vectors payload does not match its header (" +
                              std::to_string(n) + " words, dim " + std::to_string(d) + ")");
  }
  WordVectors wv;
  wv.dim_ = int(d);
  const std::string_view blob = r.take(blob_size);
  wv.words_.reserve(n);
  size_t start = 0;
  for (size_t i = 0; i <= blob.size(); ++i) {
    if (i == blob.size() || blob[i] == '\n') {
      if (i > start || i < blob.size()) wv.words_.emplace_back(blob.substr(start, i - start));
      start = i + 1;
    }
  }
  if (wv.words_.size() != n) {
    return Status::corruption(path + ": word-vectors header says " + std::to_string(n) +
                              " words, the vocabulary holds " + std::to_string(wv.words_.size()));
  }
  const uint64_t keep =
      options.max_words > 0 ? std::min<uint64_t>(n, uint64_t(options.max_words)) : n;
  wv.words_.resize(keep);
  wv.vectors_.resize(keep * d);
  if (bits == 32) {
    r.raw(wv.vectors_.data(), wv.vectors_.size() * sizeof(float));
  } else {
    const std::string_view raw = r.take(keep * d * 2);
    for (size_t i = 0; i < wv.vectors_.size(); ++i) {
      uint16_t hv;
      std::memcpy(&hv, raw.data() + 2 * i, 2);
      wv.vectors_[i] = half_to_float(hv);
    }
  }
  wv.rebuild_index();
  if (wv.index_.size() != wv.words_.size()) {
    return Status::corruption(path + ": word-vectors vocabulary has duplicate words");
  }
  return wv;
}

Status WordVectors::save(const std::string& path, VectorPrecision precision) const {
  CREDMATCH_CHECK(dim_ > 0 && size() > 0,
                  "empty word vectors: dim=" << dim_ << ", size=" << size());
  std::string blob;
  for (size_t i = 0; i < words_.size(); ++i) {
    if (i > 0) blob.push_back('\n');
    blob.append(words_[i]);
  }
  ByteWriter w;
  const bool half = precision == VectorPrecision::kFloat16;
  w.u32(half ? 16 : 32);
  w.u64(blob.size());
  w.raw(blob.data(), blob.size());
  if (half) {
    std::vector<uint16_t> h(vectors_.size());
    for (size_t i = 0; i < h.size(); ++i) h[i] = float_to_half(vectors_[i]);
    w.raw(h.data(), h.size() * sizeof(uint16_t));
  } else {
    w.raw(vectors_.data(), vectors_.size() * sizeof(float));
  }
  FileHeader header;
  header.kind = std::string(kKind);
  header.format_version = kFormatVersion;
  header.dim = uint32_t(dim_);
  header.count = uint64_t(size());
  return write_binary_file(path, header, w.buffer());
}

}  // namespace credmatch::engine
