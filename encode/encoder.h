// Encoder: turns competency statements into dense unit vectors whose inner product is their
// similarity. Implementations: TfidfSvdEncoder (encode/tfidf_svd_encoder.h) and the others
// registered in deserialize_encoder() (encode/encoder.cc); all are persisted with
// save_encoder()/load_encoder().
//
// Thread safety: encode() is const and safe to call from several threads at once.
//
// Usage:
//   std::vector<float> out(texts.size() * encoder.dim());
//   encoder.encode(texts, out);   // row i = unit vector of texts[i] (all zero if no features)
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace credmatch::engine {

class Encoder {
 public:
  virtual ~Encoder() = default;

  /// Family name, e.g. "tfidf-svd".
  virtual std::string name() const = 0;
  /// Unique id of this fitted model: name, dim and a fingerprint of its parameters. Indexes and
  /// vector files record it, so vectors from another model are refused.
  virtual std::string id() const = 0;
  /// Output dimension.
  virtual int dim() const = 0;

  /// Encodes texts.size() texts into `out` (size texts.size() * dim(), row-major). Each row has
  /// unit L2 norm, or is all zero when the text has no known feature. Throws credmatch::Error
  /// if out has the wrong size.
  virtual void encode(std::span<const std::string> texts, std::span<float> out) const = 0;

  /// The model's parameters, for save_encoder().
  virtual std::string serialize() const = 0;
};

/// Rebuilds an encoder of family `name` (Encoder::name()) from its serialize() payload. The
/// one place that knows every family; composite encoders use it for their parts.
Result<std::unique_ptr<Encoder>> deserialize_encoder(std::string_view name,
                                                     std::string_view payload);

/// Writes the encoder to `path` in the self-checking container (base/binary_file.h).
Status save_encoder(const std::string& path, const Encoder& encoder);
/// Reads an encoder written by save_encoder(); the family is read from the file.
Result<std::unique_ptr<Encoder>> load_encoder(const std::string& path);

}  // namespace credmatch::engine
