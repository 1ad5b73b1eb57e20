// HybridEncoder: fuses several encoders by concatenating their unit vectors, each scaled by
// the square root of its weight, so that one inner product gives the weighted sum of the parts'
// cosines (score fusion, e.g. a dense semantic encoder with a lexical one):
//   <h(a), h(b)> = sum_i w_i cos_i(a, b),   sum_i w_i = 1.
// A part whose row is all zero for a text (no known word) gives its weight to the others: the
// whole row is renormalised. Weights are tuned on validation splits only (docs/quality.md).
//
// Thread safety: encode() is const and safe to call from several threads when every part's is.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "encode/encoder.h"

namespace credmatch::engine {

class HybridEncoder final : public Encoder {
 public:
  struct Part {
    std::unique_ptr<Encoder> encoder;
    float weight = 1.0f;  // > 0; weights are normalised to sum 1
  };

  /// Throws credmatch::Error if there is no part, a part is null or a weight is not > 0.
  explicit HybridEncoder(std::vector<Part> parts);
  static Result<std::unique_ptr<HybridEncoder>> deserialize(std::string_view payload);

  std::string name() const override { return "hybrid"; }
  std::string id() const override { return id_; }
  int dim() const override { return dim_; }
  void encode(std::span<const std::string> texts, std::span<float> out) const override;
  std::string serialize() const override;

  const std::vector<Part>& parts() const { return parts_; }

 private:
  std::vector<Part> parts_;
  int dim_ = 0;
  std::string id_;
};

}  // namespace credmatch::engine
