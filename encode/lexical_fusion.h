// The "hybrid" encoder of `credmatch build`: the trained domain encoder fused with exact-wording
// sketches of the catalog's statements (encode/lexical_sketch_encoder.h) by a HybridEncoder
// (encode/hybrid_encoder.h), so one inner product is
//   w_dense · cos_domain + w_char · cos_char-tfidf + w_word · cos_word-tfidf (sketched),
// with w_dense = 1 - w_char - w_word. A dense part handles paraphrase and language, the char
// part the exact spelling the char TF-IDF baseline rewards, the word part whole-word matches.
// Defaults were tuned on the development tasks only (docs/quality.md, "Hybrid").
//
// Thread safety: plain functions without shared state.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "encode/hybrid_encoder.h"
#include "encode/lexical_sketch_encoder.h"
#include "encode/tfidf_svd_encoder.h"

namespace credmatch::engine {

struct FusionConfig {
  // Defaults: the dev-task tuning of docs/quality.md ("Hybrid"): 512 + 256 sketch dimensions,
  // score = 0.5 domain + 0.3 char + 0.2 word, the domain part's own lexical share λ = 0.5.
  int char_dim = 512;        // char-sketch dimensions (0 = no char part)
  float char_weight = 0.3f;  // its share of the score
  int word_dim = 256;        // word-sketch dimensions (0 = no word part)
  float word_weight = 0.2f;  // its share of the score
  /// The domain encoder's own lexical-block share λ inside the fused encoder (negative: keep
  /// the trained encoder's, TfidfSvdConfig::lexical_weight).
  float dense_lexical_weight = 0.5f;

  /// Throws credmatch::Error naming the first invalid field (weights of the parts in use must
  /// be > 0 and sum below 1).
  void validate() const;
  /// "c512:0.30+w0:0.00+l-1.00": the settings, for labels and reports.
  std::string describe() const;
};

/// Fits the sketches `config` asks for on `corpus` (the catalog's statements).
struct FittedSketches {
  std::unique_ptr<LexicalSketchEncoder> chars;  // null when char_dim == 0
  std::unique_ptr<LexicalSketchEncoder> words;  // null when word_dim == 0
};
FittedSketches fit_sketches(std::span<const std::string> corpus, const FusionConfig& config);

/// The fused encoder: a copy of `dense` (its λ set as configured) and copies of the sketches.
/// Throws credmatch::Error if the config is invalid or a sketch it needs is missing or has
/// another dimension.
std::unique_ptr<HybridEncoder> fuse_lexical(const TfidfSvdEncoder& dense,
                                            const FittedSketches& sketches,
                                            const FusionConfig& config);

}  // namespace credmatch::engine
