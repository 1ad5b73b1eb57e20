// WordVectors: a pretrained word-embedding table (GloVe, word2vec, fastText) keyed by the
// project's normalised tokens, so that lookups match what tokenize(normalize(text)) produces.
//
// Formats read by load() (autodetected, *.gz allowed for the text formats):
//   - GloVe text:            "word v1 v2 ... vD" per line; D is taken from the first line.
//   - word2vec/fastText .vec: a first line "N D", then "word v1 ... vD" lines (N of them).
//   - credmatch binary:       written by save() (kind "word-vectors" in the checksummed
//                             container of base/binary_file.h), fp16 or fp32 matrix.
// Text-format errors name file:line and the problem (wrong number of values, not a number,
// inconsistent dimension, header count mismatch).
//
// Keys: each word goes through normalize() + tokenize() (text/normalize.h): case folded, accents
// stripped, French elisions removed. A word that does not come out as exactly one token
// ("," or "e-mail") can never match a token and is dropped. When two words share a key
// ("Paris" and "paris") the first one in file order is kept: the usual files list words by
// descending corpus frequency, so that is the most frequent form. Row order is file order,
// so rank(i) = i is the word's frequency rank among kept words. The binary file stores keys
// already normalised and is loaded as is.
//
// Thread safety: a loaded WordVectors is immutable; its const methods are thread safe.
//
// Usage:
//   auto wv = WordVectors::load("models/glove-6b-100d.bin");
//   if (!wv) return wv.status();
//   int32_t i = wv->find("database");          // -1 if absent
//   std::span<const float> v = wv->row(i);     // dim() floats
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace credmatch::engine {

struct WordVectorsLoadOptions {
  int64_t max_words = 0;  // keep only the first (most frequent) N kept words; 0 = all
};

/// Storage precision of the binary format. fp16 halves the file; GloVe values (|x| < ~5)
/// keep about three significant digits, far below the noise in the vectors themselves.
enum class VectorPrecision { kFloat16, kFloat32 };

class WordVectors {
 public:
  WordVectors() = default;

  /// Reads any supported format (see file comment). Fails with kNotFound / kIOError for the
  /// file, kInvalidArgument "file:line: reason" for a malformed text line, kCorruption for a
  /// damaged binary file.
  static Result<WordVectors> load(const std::string& path,
                                  const WordVectorsLoadOptions& options = {});

  /// Builds a table from raw words and their vectors (size words.size() * dim, row-major),
  /// normalising keys as load() does. Throws credmatch::Error on a size mismatch.
  static WordVectors from_rows(std::span<const std::string> words, std::span<const float> vectors,
                               int dim, const WordVectorsLoadOptions& options = {});

  /// Writes the binary format (atomically; see base/binary_file.h).
  Status save(const std::string& path, VectorPrecision precision = VectorPrecision::kFloat16) const;

  int dim() const { return dim_; }
  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  /// Row of `word` (a normalised token), or -1.
  int32_t find(std::string_view word) const;
  /// The normalised key of row i.
  const std::string& word(int64_t i) const { return words_[static_cast<size_t>(i)]; }
  /// The vector of row i (dim() floats).
  std::span<const float> row(int64_t i) const {
    return {vectors_.data() + static_cast<size_t>(i) * static_cast<size_t>(dim_),
            static_cast<size_t>(dim_)};
  }
  /// Raw words that were dropped because their key was taken or was not a single token.
  int64_t dropped() const { return dropped_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Appends raw `word` with `values` if its key is new; returns false if dropped.
  bool add(std::string_view word, std::span<const float> values);
  void rebuild_index();

  int dim_ = 0;
  std::vector<std::string> words_;
  std::vector<float> vectors_;  // size() * dim_, row-major
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> index_;
  int64_t dropped_ = 0;

  friend class WordVectorsTextReader;
};

/// Normalised key of a raw vocabulary word (normalize + tokenize, one token), or "" if the
/// word does not map to exactly one token.
std::string word_vector_key(std::string_view word);

/// IEEE 754 half-precision conversion (round to nearest even), used by the binary formats.
uint16_t float_to_half(float f);
float half_to_float(uint16_t h);

}  // namespace credmatch::engine
