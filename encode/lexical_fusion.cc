#include "encode/lexical_fusion.h"

#include <cmath>
#include <cstdio>

#include "base/error.h"

namespace credmatch::engine {

void FusionConfig::validate() const {
  CREDMATCH_CHECK(char_dim >= 0 && char_dim <= (1 << 16), "char_dim=" << char_dim);
  CREDMATCH_CHECK(word_dim >= 0 && word_dim <= (1 << 16), "word_dim=" << word_dim);
  CREDMATCH_CHECK(char_dim == 0 || (char_weight > 0.0f && std::isfinite(char_weight)),
                  "char_weight=" << char_weight << " with char_dim=" << char_dim);
  CREDMATCH_CHECK(word_dim == 0 || (word_weight > 0.0f && std::isfinite(word_weight)),
                  "word_weight=" << word_weight << " with word_dim=" << word_dim);
  const float used = (char_dim > 0 ? char_weight : 0.0f) + (word_dim > 0 ? word_weight : 0.0f);
  CREDMATCH_CHECK(used < 1.0f, "char_weight + word_weight = " << used << " (must be < 1)");
  CREDMATCH_CHECK(dense_lexical_weight <= 1.0f && std::isfinite(dense_lexical_weight),
                  "dense_lexical_weight=" << dense_lexical_weight);
}

std::string FusionConfig::describe() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "c%d:%.2f+w%d:%.2f+l%.2f", char_dim, double(char_weight), word_dim,
                double(word_weight), double(dense_lexical_weight));
  return buf;
}

FittedSketches fit_sketches(std::span<const std::string> corpus, const FusionConfig& config) {
  config.validate();
  FittedSketches out;
  if (config.char_dim > 0) {
    LexicalSketchConfig c;
    c.analyzer = "char";
    c.dim = config.char_dim;
    out.chars = LexicalSketchEncoder::fit(corpus, c);
  }
  if (config.word_dim > 0) {
    LexicalSketchConfig c;
    c.analyzer = "word";
    c.dim = config.word_dim;
    out.words = LexicalSketchEncoder::fit(corpus, c);
  }
  return out;
}

std::unique_ptr<HybridEncoder> fuse_lexical(const TfidfSvdEncoder& dense,
                                            const FittedSketches& sketches,
                                            const FusionConfig& config) {
  config.validate();
  std::vector<HybridEncoder::Part> parts;
  const float lambda = config.dense_lexical_weight >= 0.0f ? config.dense_lexical_weight
                                                           : dense.config().lexical_weight;
  float dense_weight = 1.0f;
  parts.push_back({dense.with_lexical_weight(lambda), 0.0f});
  auto add = [&](const std::unique_ptr<LexicalSketchEncoder>& sketch, int dim, float weight,
                 const char* what) {
    if (dim == 0) return;
    CREDMATCH_CHECK(sketch != nullptr && sketch->dim() == dim,
                    what << " sketch of dim " << dim << " missing (have "
                         << (sketch ? sketch->dim() : 0) << ")");
    parts.push_back({std::make_unique<LexicalSketchEncoder>(*sketch), weight});
    dense_weight -= weight;
  };
  add(sketches.chars, config.char_dim, config.char_weight, "char");
  add(sketches.words, config.word_dim, config.word_weight, "word");
  parts[0].weight = dense_weight;
  return std::make_unique<HybridEncoder>(std::move(parts));
}

}  // namespace credmatch::engine
