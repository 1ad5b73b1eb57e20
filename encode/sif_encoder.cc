#include "encode/sif_encoder.h"

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "base/binary_file.h"
#include "base/error.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

constexpr uint32_t kPayloadVersion = 1;
constexpr int kMaxDim = 4096;

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// "models/glove-6b-100d.bin" → "glove-6b-100d"; "x/Vectors.en.vec.gz" → "vectors-en".
std::string name_from_path(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  if (base.size() > 3 && base.ends_with(".gz")) base.resize(base.size() - 3);
  if (const size_t dot = base.rfind('.'); dot != std::string::npos && dot > 0) base.resize(dot);
  std::string out;
  for (char c : base) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 64) out.resize(64);
  return out.empty() ? "vectors" : out;
}

}  // namespace

void SifConfig::validate() const {
  CREDMATCH_CHECK(a > 0.0f && std::isfinite(a), "a=" << a);
  CREDMATCH_CHECK(num_components >= 0 && num_components <= 64, "num_components=" << num_components);
  CREDMATCH_CHECK(prior_weight >= 0.0f && prior_weight <= 1.0f, "prior_weight=" << prior_weight);
  CREDMATCH_CHECK(max_vocabulary >= 0, "max_vocabulary=" << max_vocabulary);
  CREDMATCH_CHECK(valid_name(vectors_name),
                  "vectors_name='" << vectors_name << "' (1-64 of [a-z0-9-])");
}

int32_t SifEncoder::lookup(const std::string& token) const {
  if (auto it = index_.find(token); it != index_.end()) return it->second;
  if (config_.stem_backoff) {
    const std::string stem = light_stem(token);
    if (stem != token) {
      if (auto it = index_.find(stem); it != index_.end()) return it->second;
    }
  }
  return -1;
}

float SifEncoder::weight(std::string_view token) const {
  auto it = index_.find(token);
  return it == index_.end() ? 0.0f : weights_[size_t(it->second)];
}

int SifEncoder::accumulate(std::string_view text, float* v) const {
  const size_t d = size_t(dim_);
  std::fill(v, v + d, 0.0f);
  int known = 0;
  for (const std::string& token : tokenize(normalize(text))) {
    if (config_.drop_stop_words && is_stop_word(token)) continue;
    const int32_t i = lookup(token);
    if (i < 0) continue;
    const float w = weights_[size_t(i)];
    const float* row = vectors_.data() + size_t(i) * d;
    for (size_t j = 0; j < d; ++j) v[j] += w * row[j];
    ++known;
  }
  if (known > 0) {
    const float inv = 1.0f / float(known);
    for (size_t j = 0; j < d; ++j) v[j] *= inv;
  }
  return known;
}

std::unique_ptr<SifEncoder> SifEncoder::fit(const WordVectors& vectors,
                                            std::span<const std::string> corpus,
                                            const SifConfig& config) {
  config.validate();
  CREDMATCH_CHECK(vectors.size() > 0 && vectors.dim() > 0,
                  "empty word vectors: size=" << vectors.size() << ", dim=" << vectors.dim());
  const int64_t table = vectors.size();
  const size_t d = size_t(vectors.dim());

  // 1. Corpus counts per table row (same token path as encode(), stem back-off included).
  std::vector<int64_t> counts(size_t(table), 0);
  int64_t total_tokens = 0;
  for (const std::string& text : corpus) {
    for (const std::string& token : tokenize(normalize(text))) {
      if (config.drop_stop_words && is_stop_word(token)) continue;
      ++total_tokens;
      int32_t i = vectors.find(token);
      if (i < 0 && config.stem_backoff) {
        const std::string stem = light_stem(token);
        if (stem != token) i = vectors.find(stem);
      }
      if (i >= 0) ++counts[size_t(i)];
    }
  }

  // 2. Vocabulary (table order = frequency rank), p(w) and weights.
  double harmonic = 0.0;
  for (int64_t r = table; r >= 1; --r) harmonic += 1.0 / double(r);  // small terms first
  const double beta = total_tokens > 0 ? double(config.prior_weight) : 1.0;
  std::unique_ptr<SifEncoder> enc(new SifEncoder());
  enc->config_ = config;
  enc->dim_ = vectors.dim();
  for (int64_t r = 0; r < table; ++r) {
    if (r >= config.max_vocabulary && counts[size_t(r)] == 0) continue;
    const double p_corpus =
        total_tokens > 0 ? double(counts[size_t(r)]) / double(total_tokens) : 0.0;
    const double p_prior = 1.0 / (double(r + 1) * harmonic);
    const double p = (1.0 - beta) * p_corpus + beta * p_prior;
    enc->words_.push_back(vectors.word(r));
    enc->weights_.push_back(float(double(config.a) / (double(config.a) + p)));
    for (float x : vectors.row(r)) enc->vectors_.push_back(half_to_float(float_to_half(x)));
  }
  CREDMATCH_CHECK(!enc->words_.empty(), "no vocabulary kept: max_vocabulary="
                                            << config.max_vocabulary << " and no corpus word");
  enc->index_.reserve(enc->words_.size());
  for (size_t i = 0; i < enc->words_.size(); ++i) enc->index_.emplace(enc->words_[i], int32_t(i));

  // 3. Common components: top eigenvectors of Σ v vᵀ over the corpus sentence vectors.
  if (config.num_components > 0) {
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(Eigen::Index(d), Eigen::Index(d));
    std::vector<float> v(d);
    for (const std::string& text : corpus) {
      if (enc->accumulate(text, v.data()) == 0) continue;
      const Eigen::VectorXd x =
          Eigen::Map<const Eigen::VectorXf>(v.data(), Eigen::Index(d)).cast<double>();
      gram.selfadjointView<Eigen::Lower>().rankUpdate(x);
    }
    gram = gram.selfadjointView<Eigen::Lower>();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
    const double trace = gram.trace();
    const int k = std::min(config.num_components, int(d));
    for (int c = 0; c < k; ++c) {
      const Eigen::Index src = Eigen::Index(d) - 1 - c;                    // eigenvalues ascend
      if (trace <= 0.0 || eig.eigenvalues()(src) <= 1e-12 * trace) break;  // rank exhausted
      Eigen::VectorXd u = eig.eigenvectors().col(src);
      Eigen::Index arg = 0;
      u.cwiseAbs().maxCoeff(&arg);
      if (u(arg) < 0) u = -u;  // fixed sign: reproducible bytes, hence a reproducible id
      for (size_t j = 0; j < d; ++j) enc->components_.push_back(float(u(Eigen::Index(j))));
    }
  }
  enc->finish();
  return enc;
}

void SifEncoder::encode(std::span<const std::string> texts, std::span<float> out) const {
  const size_t d = size_t(dim_);
  CREDMATCH_CHECK(out.size() == texts.size() * d,
                  "out.size()=" << out.size() << ", texts=" << texts.size() << ", dim=" << d);
  const size_t k = components_.size() / d;
  for (size_t i = 0; i < texts.size(); ++i) {
    float* v = out.data() + i * d;
    if (accumulate(texts[i], v) == 0) continue;  // all zero: no known word
    for (size_t c = 0; c < k; ++c) {
      const float* u = components_.data() + c * d;
      float dot = 0.0f;
      for (size_t j = 0; j < d; ++j) dot += u[j] * v[j];
      for (size_t j = 0; j < d; ++j) v[j] -= dot * u[j];
    }
    double norm = 0.0;
    for (size_t j = 0; j < d; ++j) norm += double(v[j]) * v[j];
    // A text lying exactly on a removed component has nothing left to compare: zero row.
    const float scale = norm > 1e-30 ? float(1.0 / std::sqrt(norm)) : 0.0f;
    for (size_t j = 0; j < d; ++j) v[j] *= scale;
  }
}

std::string SifEncoder::serialize() const {
  ByteWriter w;
  w.u32(kPayloadVersion);
  w.f32(config_.a);
  w.u32(uint32_t(config_.num_components));
  w.u32(config_.drop_stop_words ? 1 : 0);
  w.u32(config_.stem_backoff ? 1 : 0);
  w.f32(config_.prior_weight);
  w.u32(uint32_t(config_.max_vocabulary));
  w.str(config_.vectors_name);
  w.u32(uint32_t(dim_));
  w.u64(words_.size());
  w.u32(uint32_t(components_.size() / size_t(dim_)));
  std::string blob;
  for (const std::string& word : words_) {
    blob.append(word);
    blob.push_back('\n');
  }
  w.str(blob);
  w.raw(weights_.data(), weights_.size() * sizeof(float));
  std::vector<uint16_t> half(vectors_.size());
  for (size_t i = 0; i < half.size(); ++i) half[i] = float_to_half(vectors_[i]);
  w.raw(half.data(), half.size() * sizeof(uint16_t));
  w.raw(components_.data(), components_.size() * sizeof(float));
  return std::move(w.buffer());
}

Result<std::unique_ptr<SifEncoder>> SifEncoder::deserialize(std::string_view payload) {
  ByteReader r(payload);
  std::unique_ptr<SifEncoder> enc(new SifEncoder());
  SifConfig& c = enc->config_;
  uint32_t version = 0, num_components = 0, drop = 0, stem = 0, max_vocab = 0, dim = 0, nc = 0;
  uint64_t n = 0;
  std::string blob;
  r.u32(&version);
  if (!r.failed() && version != kPayloadVersion) {
    return Status::mismatch("sif encoder: payload version " + std::to_string(version) +
                            ", this build reads " + std::to_string(kPayloadVersion));
  }
  r.f32(&c.a);
  r.u32(&num_components);
  r.u32(&drop);
  r.u32(&stem);
  r.f32(&c.prior_weight);
  r.u32(&max_vocab);
  r.str(&c.vectors_name);
  r.u32(&dim);
  r.u64(&n);
  r.u32(&nc);
  r.str(&blob);
  if (r.failed()) return Status::corruption("sif encoder: truncated header");
  c.num_components = int(std::min<uint32_t>(num_components, 1u << 20));
  c.drop_stop_words = drop != 0;
  c.stem_backoff = stem != 0;
  c.max_vocabulary = int(std::min<uint32_t>(max_vocab, 1u << 30));
  try {
    c.validate();
  } catch (const Error& e) {
    return Status::corruption(std::string("sif encoder: bad config: ") + e.what());
  }
  if (dim == 0 || dim > kMaxDim || n == 0 || n > (uint64_t(1) << 31) ||
      nc > uint32_t(c.num_components) ||
      r.remaining() !=
          n * sizeof(float) + n * dim * sizeof(uint16_t) + uint64_t(nc) * dim * sizeof(float)) {
    return Status::corruption("sif encoder: size mismatch (" + std::to_string(n) + " words, dim " +
                              std::to_string(dim) + ", " + std::to_string(r.remaining()) +
                              " bytes left)");
  }
  enc->dim_ = int(dim);
  enc->words_.reserve(n);
  size_t start = 0;
  for (size_t i = 0; i < blob.size(); ++i) {
    if (blob[i] != '\n') continue;
    enc->words_.emplace_back(blob, start, i - start);
    start = i + 1;
  }
  if (enc->words_.size() != n || start != blob.size()) {
    return Status::corruption("sif encoder: vocabulary holds " +
                              std::to_string(enc->words_.size()) + " words, header says " +
                              std::to_string(n));
  }
  enc->weights_.resize(n);
  r.raw(enc->weights_.data(), n * sizeof(float));
  const std::string_view half = r.take(n * dim * sizeof(uint16_t));
  enc->vectors_.resize(n * dim);
  for (size_t i = 0; i < enc->vectors_.size(); ++i) {
    uint16_t h;
    std::memcpy(&h, half.data() + 2 * i, 2);
    enc->vectors_[i] = half_to_float(h);
  }
  enc->components_.resize(uint64_t(nc) * dim);
  r.raw(enc->components_.data(), enc->components_.size() * sizeof(float));
  for (size_t i = 0; i < enc->words_.size(); ++i) {
    if (!enc->index_.emplace(enc->words_[i], int32_t(i)).second) {
      return Status::corruption("sif encoder: duplicate word '" + enc->words_[i] + "'");
    }
  }
  enc->finish();
  return enc;
}

void SifEncoder::finish() {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%dd-%08x", dim_, crc32_of(serialize()));
  id_ = "sif-" + config_.vectors_name + buf;
}

Result<std::unique_ptr<SifEncoder>> fit_sif_encoder(const std::string& vectors_path,
                                                    std::span<const std::string> corpus,
                                                    const SifConfig& config) {
  auto vectors = WordVectors::load(vectors_path);
  if (!vectors) return vectors.status();
  SifConfig c = config;
  if (c.vectors_name == SifConfig{}.vectors_name) c.vectors_name = name_from_path(vectors_path);
  return SifEncoder::fit(*vectors, corpus, c);
}

}  // namespace credmatch::engine
