#include "encode/encoder.h"

#include "base/binary_file.h"
#include "encode/sif_encoder.h"
#include "encode/hybrid_encoder.h"
#include "encode/lexical_sketch_encoder.h"
#include "encode/tfidf_svd_encoder.h"

namespace credmatch::engine {
namespace {

// Version of the container around a payload; each family versions its own payload.
constexpr uint32_t kFormatVersion = 1;

}  // namespace

Result<std::unique_ptr<Encoder>> deserialize_encoder(std::string_view name,
                                                     std::string_view payload) {
  auto wrap = [](auto result) -> Result<std::unique_ptr<Encoder>> {
    if (!result) return result.status();
    return std::unique_ptr<Encoder>(std::move(*result));
  };
  if (name == "tfidf-svd" || name == "domain") {
    return wrap(TfidfSvdEncoder::deserialize(payload, name));
  }
  if (name == "hybrid") return wrap(HybridEncoder::deserialize(payload));
  if (name == "sif") return wrap(SifEncoder::deserialize(payload));
  if (name == "char-sketch" || name == "word-sketch") {
    return wrap(LexicalSketchEncoder::deserialize(payload, name));
  }
  return Status::mismatch("unknown encoder family '" + std::string(name) + "'");
}

Status save_encoder(const std::string& path, const Encoder& encoder) {
  FileHeader h;
  h.kind = "encoder:" + encoder.name();
  h.format_version = kFormatVersion;
  h.dim = static_cast<uint32_t>(encoder.dim());
  h.encoder_id = encoder.id();
  return write_binary_file(path, h, encoder.serialize());
}

Result<std::unique_ptr<Encoder>> load_encoder(const std::string& path) {
  auto file = read_binary_file(path, "");
  if (!file) return file.status();
  const FileHeader& h = file->header;
  constexpr std::string_view kPrefix = "encoder:";
  if (h.kind.rfind(kPrefix, 0) != 0) {
    return Status::mismatch(path + ": not an encoder file (kind '" + h.kind + "')");
  }
  if (h.format_version != kFormatVersion) {
    return Status::mismatch(path + ": encoder format version " + std::to_string(h.format_version) +
                            ", this build reads " + std::to_string(kFormatVersion));
  }
  auto enc = deserialize_encoder(std::string_view(h.kind).substr(kPrefix.size()), file->payload);
  if (!enc) return enc.status().with_context(path);
  if ((*enc)->id() != h.encoder_id || (*enc)->dim() != int(h.dim)) {
    return Status::corruption(path + ": header says encoder " + h.encoder_id + ", payload is " +
                              (*enc)->id());
  }
  return std::move(*enc);
}

}  // namespace credmatch::engine
