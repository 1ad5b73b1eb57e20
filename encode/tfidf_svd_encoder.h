// TfidfSvdEncoder (encoder v1): sparse TF-IDF features of a statement, projected to a dense
// unit vector by a truncated SVD fitted on the catalog's own text (latent semantic analysis,
// Deerwester et al. 1990), so that statements sharing no word can still be close when their
// words co-occur in the corpus.
//
// Features (from normalize() + tokenize(), text/normalize.h): stemmed words without stop words,
// adjacent word bigrams, and character n-grams within word boundaries ("<sql>" → "<sq", "sql",
// "ql>", ...), which tolerate inflection, French accents already stripped, and typos.
// Weights: sublinear tf (1 + ln tf) times smoothed idf (ln((1 + N) / (1 + df)) + 1); the word
// block and the character block are each L2-normalised and mixed by `word_weight`.
// Projection: randomized SVD (Halko, Martinsson and Tropp 2011) with a fixed seed, so fitting
// the same corpus twice gives the same model bit for bit.
// The output concatenates two unit blocks: the SVD coordinates (topical similarity) and a
// count sketch of the sparse TF-IDF vector (Charikar, Chen and Farach-Colton 2002: each
// feature hashed to one signed dimension), whose inner products estimate the plain TF-IDF
// cosine, so exact wording still counts. cos(a, b) ≈ (1 - λ) cos_svd + λ cos_tfidf.
//
// Thread safety: fit() and deserialize() build new objects; encode() is const and thread safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error.h"
#include "encode/encoder.h"
#include "text/feature_hash.h"

namespace credmatch::engine {

struct TfidfSvdConfig {
  int semantic_dim = 256;            // SVD rank: dimensions of the latent-semantic block
  int lexical_dim = 256;             // dimensions of the lexical sketch block (0 = none)
  float lexical_weight = 0.7f;       // lexical block's share of the squared norm (λ)
  int min_df = 2;                    // drop features seen in fewer documents (noise, typos)
  int max_word_features = 300000;    // vocabulary: most frequent word/bigram features kept
  int max_char_features = 300000;    // vocabulary: most frequent character n-grams kept
  int svd_word_features = 20000;     // of those, the most frequent in the SVD projection;
  int svd_char_features = 40000;     // the rest count in the lexical block only (no matrix row)
  int char_ngram_min = 3;            // character n-gram lengths, with < > word boundaries
  int char_ngram_max = 5;
  bool word_bigrams = true;
  float word_weight = 0.75f;         // word block's share; char block gets sqrt(1 - w^2)
  int oversampling = 16;             // randomized SVD: extra sketch columns (Halko's p)
  int power_iterations = 2;          // randomized SVD: subspace iterations (Halko's q)
  int max_fit_documents = 60000;     // SVD sketch on at most this many documents (idf uses all)
  uint64_t seed = 42;
  // Projection = V_k * Sigma_k^(-power). 0 keeps LSA's U*Sigma coordinates, where the few
  // largest components (words in almost every statement, such as "data") dominate cosines;
  // 1 whitens them. In between trades topical smoothing against lexical precision.
  float singular_value_power = 0.5f;

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

/// Thrown by TfidfSvdEncoder::fit when the corpus is too small for the asked dimensions: a
/// user's condition (a catalog of a few courses), worded for a person, not an internal check.
class CorpusTooSmall : public credmatch::Error {
 public:
  CorpusTooSmall(int64_t features, int64_t documents, int needed_dim, int max_dim);
  int64_t features, documents;
  int needed_dim;  // semantic_dim + oversampling
  int max_dim;     // the largest semantic_dim this corpus can fit (may be < 1)
};

class TfidfSvdEncoder final : public Encoder {
 public:
  using Progress = std::function<void(std::string_view stage, double fraction)>;

  /// Fits idf weights and the projection on `corpus` (every statement the catalog holds).
  /// Throws CorpusTooSmall if the corpus has too few features for `config.semantic_dim`.
  static std::unique_ptr<TfidfSvdEncoder> fit(std::span<const std::string> corpus,
                                              const TfidfSvdConfig& config,
                                              const Progress& progress = {});
  /// `family` is "tfidf-svd" or "domain" (a projection trained by encode/domain_training.h);
  /// both share this payload format.
  static Result<std::unique_ptr<TfidfSvdEncoder>> deserialize(std::string_view payload,
                                                              std::string_view family = "tfidf-svd");

  /// A copy with another semantic projection (num_svd_features() × semantic_dim, row-major)
  /// under family name `family`. Throws credmatch::Error if the size is wrong.
  std::unique_ptr<TfidfSvdEncoder> with_projection(std::vector<float> projection,
                                                   std::string family) const;
  /// A copy whose lexical block has share `lexical_weight` (λ) of the squared norm.
  std::unique_ptr<TfidfSvdEncoder> with_lexical_weight(float lexical_weight) const;

  std::string name() const override { return family_; }
  std::string id() const override { return id_; }
  int dim() const override { return config_.semantic_dim + config_.lexical_dim; }
  void encode(std::span<const std::string> texts, std::span<float> out) const override;
  std::string serialize() const override;

  const TfidfSvdConfig& config() const { return config_; }
  int64_t num_features() const { return static_cast<int64_t>(idf_.size()); }
  /// Features [0, n) have a row in the semantic projection; the rest count lexically only.
  int32_t num_svd_features() const { return num_svd_features_; }
  /// The semantic projection, num_svd_features() × semantic_dim, row-major.
  const std::vector<float>& projection() const { return projection_; }

  /// The weighted sparse features of one text: (feature index, weight), unit L2 norm.
  std::vector<std::pair<int32_t, float>> features(std::string_view text) const;

 private:
  TfidfSvdEncoder() = default;
  void finish_id();
  void init_sketch(const std::vector<uint64_t>& hash_of_feature);

  TfidfSvdConfig config_;
  std::string family_ = "tfidf-svd";
  int32_t num_svd_features_ = 0;                // indices [0, n) have a projection row
  std::vector<uint8_t> is_char_;                 // per feature: character n-gram (1) or word (0)
  std::vector<uint64_t> hashes_;                 // per feature index: its hash
  FeatureTable vocab_;                           // feature hash → index
  std::vector<float> idf_;                       // per feature index
  std::vector<float> projection_;                // num_svd_features * semantic_dim, row-major
  std::vector<uint32_t> sketch_slot_;            // per feature: lexical bucket, sign in bit 31
  std::string id_;
};

}  // namespace credmatch::engine
