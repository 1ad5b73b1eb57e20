// LexicalSketchEncoder: a sparse TF-IDF vector of a statement, projected to a fixed dimension by
// signed feature hashing (a count sketch: Charikar, Chen and Farach-Colton 2002; Weinberger et
// al. 2009), so that exact wording can be scored by the same inner product, vector file and
// index as the dense encoders, and fused with them (encode/hybrid_encoder.h).
//
// Two analyzers, two family names:
//  - "char-sketch": character n-grams within word boundaries, extracted exactly as
//    CharTfidfRanker does (CharTfidfRanker::for_each_ngram, text/lexical.h: normalize(),
//    tokenize(), "<token>" padding, n-grams of code points), weighted as it weights them:
//      w(g, x) = (1 + ln tf(g, x)) · (ln((1 + N) / (1 + df(g))) + 1)
//  - "word-sketch": the terms BM25 sees (Bm25Ranker::terms: stemmed words without stop words),
//      w(t, x) = (1 + ln tf(t, x)) · ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))   (BM25's idf)
// df and N come from the corpus given to fit() (the catalog's statements at build); a feature
// the corpus never had is dropped, as CharTfidfRanker drops query n-grams no target has.
// Each feature's 64-bit hash picks one of `dim` dimensions and a sign (splitmix64 of the hash
// xor a fixed seed), the sparse vector is summed into them, and the row is L2-normalised. The
// inner product of two rows estimates the exact TF-IDF cosine with variance about
// (1 + cos²) / dim, so dim trades index size and scan time against fidelity.
//
// Thread safety: fit() and deserialize() build new objects; encode() is const and thread safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "encode/encoder.h"
#include "text/feature_hash.h"

namespace credmatch::engine {

struct LexicalSketchConfig {
  std::string analyzer = "char";  // "char" (char-sketch) or "word" (word-sketch), see above
  int dim = 512;                  // sketch dimensions: variance of a cosine ≈ 1/dim
  int ngram_min = 3;              // "char": n-gram lengths, as CharTfidfConfig (3–5: the
  int ngram_max = 5;              //   tfidf-char baseline's)
  int min_df = 1;                 // drop features in fewer corpus documents (1 keeps all)
  uint64_t seed = 0x6c657873u;    // hashing seed: a different seed gives a different sketch

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

class LexicalSketchEncoder final : public Encoder {
 public:
  /// Fits document frequencies on `corpus`. Throws credmatch::Error if the config is invalid
  /// or the corpus has no feature.
  static std::unique_ptr<LexicalSketchEncoder> fit(std::span<const std::string> corpus,
                                                   const LexicalSketchConfig& config);
  /// `family` is "char-sketch" or "word-sketch"; it must match the payload's analyzer.
  static Result<std::unique_ptr<LexicalSketchEncoder>> deserialize(std::string_view payload,
                                                                   std::string_view family);

  std::string name() const override { return config_.analyzer + "-sketch"; }
  std::string id() const override { return id_; }
  int dim() const override { return config_.dim; }
  void encode(std::span<const std::string> texts, std::span<float> out) const override;
  std::string serialize() const override;

  const LexicalSketchConfig& config() const { return config_; }
  int64_t num_features() const { return static_cast<int64_t>(hashes_.size()); }
  int64_t num_documents() const { return num_documents_; }

  /// The exact sparse TF-IDF vector of `text` before hashing: (feature hash, weight), sorted
  /// by hash, unit L2 norm (empty if no known feature). Its dot products are what encode()'s
  /// inner products estimate.
  std::vector<std::pair<uint64_t, float>> features(std::string_view text) const;

 private:
  LexicalSketchEncoder() = default;
  void finish_id();

  LexicalSketchConfig config_;
  int64_t num_documents_ = 0;
  std::vector<uint64_t> hashes_;  // sorted feature hashes
  std::vector<float> idf_;        // idf of hashes_[i]
  FeatureTable index_of_;         // hashes_[i] → i
  std::string id_;
};

}  // namespace credmatch::engine
