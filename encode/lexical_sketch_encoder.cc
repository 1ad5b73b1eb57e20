#include "encode/lexical_sketch_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>
#include <unordered_map>

#include "base/binary_file.h"
#include "base/error.h"
#include "text/feature_hash.h"
#include "text/lexical.h"

namespace credmatch::engine {
namespace {

constexpr uint32_t kFormatVersion = 1;

// Feature hashes of one text with their counts, sorted by hash.
std::vector<std::pair<uint64_t, int>> raw_features(std::string_view text,
                                                   const LexicalSketchConfig& config) {
  std::vector<uint64_t> hashes;
  if (config.analyzer == "char") {
    const CharTfidfConfig grams{config.ngram_min, config.ngram_max};
    CharTfidfRanker::for_each_ngram(
        text, grams, [&hashes](std::string_view gram) { hashes.push_back(feature_hash('c', gram)); });
  } else {
    for (const std::string& term : Bm25Ranker::terms(text)) hashes.push_back(feature_hash('w', term));
  }
  std::sort(hashes.begin(), hashes.end());
  std::vector<std::pair<uint64_t, int>> out;
  for (uint64_t h : hashes) {
    if (!out.empty() && out.back().first == h) {
      ++out.back().second;
    } else {
      out.emplace_back(h, 1);
    }
  }
  return out;
}

}  // namespace

void LexicalSketchConfig::validate() const {
  CREDMATCH_CHECK(analyzer == "char" || analyzer == "word",
                  "analyzer='" << analyzer << "' (char or word)");
  CREDMATCH_CHECK(dim >= 1 && dim <= (1 << 20), "dim=" << dim);
  CREDMATCH_CHECK(ngram_min >= 1 && ngram_min <= ngram_max && ngram_max <= 10,
                  "ngram_min=" << ngram_min << ", ngram_max=" << ngram_max);
  CREDMATCH_CHECK(min_df >= 1, "min_df=" << min_df);
}

std::unique_ptr<LexicalSketchEncoder> LexicalSketchEncoder::fit(std::span<const std::string> corpus,
                                                                const LexicalSketchConfig& config) {
  config.validate();
  // Document frequencies, counted per thread over a slice of the corpus, then merged.
  const size_t threads = std::max<size_t>(
      1, std::min<size_t>(std::thread::hardware_concurrency(), corpus.size() / 1024 + 1));
  std::vector<std::unordered_map<uint64_t, int32_t>> partial(threads);
  {
    std::vector<std::thread> pool;
    const size_t chunk = (corpus.size() + threads - 1) / threads;
    for (size_t t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        const size_t end = std::min(corpus.size(), (t + 1) * chunk);
        for (size_t d = t * chunk; d < end; ++d) {
          for (const auto& [h, count] : raw_features(corpus[d], config)) ++partial[t][h];
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  for (size_t t = 1; t < threads; ++t) {
    for (const auto& [h, df] : partial[t]) partial[0][h] += df;
    partial[t].clear();
  }
  std::unique_ptr<LexicalSketchEncoder> enc(new LexicalSketchEncoder());
  enc->config_ = config;
  enc->num_documents_ = static_cast<int64_t>(corpus.size());
  std::vector<std::pair<uint64_t, int32_t>> df(partial[0].begin(), partial[0].end());
  partial[0].clear();
  std::erase_if(df, [&](const auto& f) { return f.second < config.min_df; });
  CREDMATCH_CHECK(!df.empty(), "the corpus (" << corpus.size() << " texts) has no "
                                              << config.analyzer << " feature");
  std::sort(df.begin(), df.end());
  const double n = static_cast<double>(corpus.size());
  enc->hashes_.reserve(df.size());
  enc->idf_.reserve(df.size());
  for (const auto& [h, count] : df) {
    const double d = static_cast<double>(count);
    const double idf = config.analyzer == "char" ? smoothed_idf(n, d) : bm25_idf(n, d);
    enc->hashes_.push_back(h);
    enc->idf_.push_back(static_cast<float>(idf));
  }
  enc->index_of_.assign(enc->hashes_);  // distinct: df has one entry per hash
  enc->finish_id();
  return enc;
}

std::vector<std::pair<uint64_t, float>> LexicalSketchEncoder::features(
    std::string_view text) const {
  std::vector<std::pair<uint64_t, float>> out;
  double norm2 = 0.0;
  for (const auto& [h, count] : raw_features(text, config_)) {
    const int32_t index = index_of_.find(h);
    if (index < 0) continue;
    const float idf = idf_[static_cast<size_t>(index)];
    const float w = sublinear_tf(static_cast<float>(count)) * idf;
    if (!(w > 0.0f)) continue;  // BM25's idf is 0 for a word in about half the corpus
    out.emplace_back(h, w);
    norm2 += double(w) * w;
  }
  const float inv = norm2 > 0 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
  for (auto& f : out) f.second *= inv;
  return out;
}

void LexicalSketchEncoder::encode(std::span<const std::string> texts, std::span<float> out) const {
  const size_t d = static_cast<size_t>(config_.dim);
  CREDMATCH_CHECK(out.size() == texts.size() * d,
                  "out.size()=" << out.size() << ", texts=" << texts.size() << ", dim=" << d);
  for (size_t i = 0; i < texts.size(); ++i) {
    float* row = out.data() + i * d;
    std::fill(row, row + d, 0.0f);
    for (const auto& [h, w] : features(texts[i])) {
      const uint64_t z = splitmix64(h ^ config_.seed);
      row[(z >> 1) % d] += (z & 1u) ? -w : w;
    }
    double s = 0.0;
    for (size_t j = 0; j < d; ++j) s += double(row[j]) * row[j];
    if (s <= 0.0) continue;
    const float inv = static_cast<float>(1.0 / std::sqrt(s));
    for (size_t j = 0; j < d; ++j) row[j] *= inv;
  }
}

std::string LexicalSketchEncoder::serialize() const {
  ByteWriter w;
  w.u32(kFormatVersion);
  w.str(config_.analyzer);
  for (int v : {config_.dim, config_.ngram_min, config_.ngram_max, config_.min_df}) {
    w.u32(static_cast<uint32_t>(v));
  }
  w.u64(config_.seed);
  w.u64(static_cast<uint64_t>(num_documents_));
  w.u64(static_cast<uint64_t>(hashes_.size()));
  w.raw(hashes_.data(), hashes_.size() * sizeof(uint64_t));
  w.raw(idf_.data(), idf_.size() * sizeof(float));
  return std::move(w.buffer());
}

Result<std::unique_ptr<LexicalSketchEncoder>> LexicalSketchEncoder::deserialize(
    std::string_view payload, std::string_view family) {
  ByteReader r(payload);
  std::unique_ptr<LexicalSketchEncoder> enc(new LexicalSketchEncoder());
  LexicalSketchConfig& c = enc->config_;
  uint32_t version = 0, v[4] = {};
  uint64_t docs = 0, n = 0;
  r.u32(&version);
  r.str(&c.analyzer);
  for (uint32_t& x : v) r.u32(&x);
  r.u64(&c.seed);
  r.u64(&docs);
  r.u64(&n);
  if (r.failed()) return Status::corruption("lexical sketch encoder: truncated header");
  if (version != kFormatVersion) {
    return Status::mismatch("lexical sketch encoder: payload version " + std::to_string(version) +
                            ", this build reads " + std::to_string(kFormatVersion));
  }
  if (family != c.analyzer + "-sketch") {
    return Status::corruption("lexical sketch encoder: family '" + std::string(family) +
                              "' but analyzer '" + c.analyzer + "'");
  }
  c.dim = static_cast<int>(std::min<uint32_t>(v[0], 1u << 30));
  c.ngram_min = static_cast<int>(std::min<uint32_t>(v[1], 1000));
  c.ngram_max = static_cast<int>(std::min<uint32_t>(v[2], 1000));
  c.min_df = static_cast<int>(std::min<uint32_t>(v[3], 1u << 30));
  try {
    c.validate();
  } catch (const Error& e) {
    return Status::corruption(std::string("lexical sketch encoder: bad config: ") + e.what());
  }
  if (n == 0 || n > (uint64_t(1) << 32) ||
      r.remaining() != n * (sizeof(uint64_t) + sizeof(float))) {
    return Status::corruption("lexical sketch encoder: size mismatch (" + std::to_string(n) +
                              " features, " + std::to_string(r.remaining()) + " bytes left)");
  }
  enc->num_documents_ = static_cast<int64_t>(docs);
  enc->hashes_.resize(n);
  r.raw(enc->hashes_.data(), n * sizeof(uint64_t));
  enc->idf_.resize(n);
  r.raw(enc->idf_.data(), n * sizeof(float));
  for (size_t i = 1; i < enc->hashes_.size(); ++i) {
    if (!(enc->hashes_[i - 1] < enc->hashes_[i])) {
      return Status::corruption("lexical sketch encoder: feature hashes not strictly sorted");
    }
  }
  for (float idf : enc->idf_) {
    if (!std::isfinite(idf) || idf < 0.0f) {
      return Status::corruption("lexical sketch encoder: bad idf weight");
    }
  }
  enc->index_of_.assign(enc->hashes_);  // distinct: strictly sorted above
  enc->finish_id();
  return enc;
}

void LexicalSketchEncoder::finish_id() {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s-%d-%08x", name().c_str(), dim(), crc32_of(serialize()));
  id_ = buf;
}

}  // namespace credmatch::engine
