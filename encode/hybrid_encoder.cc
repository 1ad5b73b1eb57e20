#include "encode/hybrid_encoder.h"

#include <cmath>
#include <cstdio>

#include "base/binary_file.h"
#include "base/error.h"

namespace credmatch::engine {

HybridEncoder::HybridEncoder(std::vector<Part> parts) : parts_(std::move(parts)) {
  CREDMATCH_CHECK(!parts_.empty(), "a hybrid encoder needs at least one part");
  double total = 0.0;
  for (const Part& p : parts_) {
    CREDMATCH_CHECK(p.encoder != nullptr, "hybrid encoder part is null");
    CREDMATCH_CHECK(p.weight > 0.0f && std::isfinite(p.weight), "part weight=" << p.weight);
    total += p.weight;
    dim_ += p.encoder->dim();
  }
  std::string signature;
  for (Part& p : parts_) {
    p.weight = static_cast<float>(p.weight / total);
    char w[32];
    std::snprintf(w, sizeof w, "%.3f", p.weight);
    signature += (signature.empty() ? "" : "+") + p.encoder->id() + "*" + w;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "hybrid-%d-%08x", dim_, crc32_of(signature));
  id_ = buf;
}

void HybridEncoder::encode(std::span<const std::string> texts, std::span<float> out) const {
  const size_t d = static_cast<size_t>(dim_);
  CREDMATCH_CHECK(out.size() == texts.size() * d,
                  "out.size()=" << out.size() << ", texts=" << texts.size() << ", dim=" << d);
  std::vector<float> part_out;
  size_t offset = 0;
  for (const Part& p : parts_) {
    const size_t pd = static_cast<size_t>(p.encoder->dim());
    part_out.assign(texts.size() * pd, 0.0f);
    p.encoder->encode(texts, part_out);
    const float scale = std::sqrt(p.weight);
    for (size_t i = 0; i < texts.size(); ++i) {
      const float* src = part_out.data() + i * pd;
      float* dst = out.data() + i * d + offset;
      for (size_t j = 0; j < pd; ++j) dst[j] = scale * src[j];
    }
    offset += pd;
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    float* row = out.data() + i * d;
    double s = 0.0;
    for (size_t j = 0; j < d; ++j) s += double(row[j]) * row[j];
    if (s <= 0.0) continue;
    const float inv = static_cast<float>(1.0 / std::sqrt(s));
    for (size_t j = 0; j < d; ++j) row[j] *= inv;
  }
}

std::string HybridEncoder::serialize() const {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(parts_.size()));
  for (const Part& p : parts_) {
    w.f32(p.weight);
    w.str(p.encoder->name());
    w.str(p.encoder->serialize());
  }
  return std::move(w.buffer());
}

Result<std::unique_ptr<HybridEncoder>> HybridEncoder::deserialize(std::string_view payload) {
  ByteReader r(payload);
  uint32_t n = 0;
  if (!r.u32(&n) || n == 0 || n > 16) return Status::corruption("hybrid encoder: bad part count");
  std::vector<Part> parts;
  for (uint32_t i = 0; i < n; ++i) {
    Part p;
    std::string name, inner;
    if (!r.f32(&p.weight) || !r.str(&name) || !r.str(&inner)) {
      return Status::corruption("hybrid encoder: truncated part " + std::to_string(i));
    }
    if (name == "hybrid") return Status::corruption("hybrid encoder: nested hybrid part");
    auto enc = deserialize_encoder(name, inner);
    if (!enc) return enc.status().with_context("hybrid encoder part " + std::to_string(i));
    p.encoder = std::move(*enc);
    if (!(p.weight > 0.0f) || !std::isfinite(p.weight)) {
      return Status::corruption("hybrid encoder: bad weight of part " + std::to_string(i));
    }
    parts.push_back(std::move(p));
  }
  if (r.remaining() != 0) return Status::corruption("hybrid encoder: trailing bytes");
  return std::make_unique<HybridEncoder>(std::move(parts));
}

}  // namespace credmatch::engine
