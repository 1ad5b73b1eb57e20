#include "text/lexical.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "text/normalize.h"

namespace credmatch::engine {

int32_t InvertedIndex::add_feature(const std::string& feature) {
  auto [it, inserted] = vocab_.try_emplace(feature, static_cast<int32_t>(postings_.size()));
  if (inserted) postings_.emplace_back();
  return it->second;
}

int32_t InvertedIndex::find(std::string_view feature) const {
  auto it = vocab_.find(feature);
  return it == vocab_.end() ? -1 : it->second;
}

void InvertedIndex::add_posting(int32_t feature, int32_t target, float weight) {
  postings_[static_cast<size_t>(feature)].emplace_back(target, weight);
}

RankedList InvertedIndex::top_k(std::vector<float>& scores, std::vector<int32_t>& touched,
                                int64_t num_targets, int k) {
  CREDMATCH_CHECK(k > 0, "k=" << k);
  const size_t want = static_cast<size_t>(std::min<int64_t>(k, num_targets));
  auto better = [&scores](int32_t a, int32_t b) {
    const float sa = scores[static_cast<size_t>(a)], sb = scores[static_cast<size_t>(b)];
    return sa != sb ? sa > sb : a < b;
  };
  // Scores can cancel to exactly 0 (never for these rankers, but keep the contract simple):
  // those rank with the untouched targets.
  std::erase_if(touched, [&scores](int32_t t) { return !(scores[static_cast<size_t>(t)] > 0.0f); });
  const size_t head = std::min(want, touched.size());
  std::partial_sort(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(head),
                    touched.end(), better);
  RankedList out;
  out.ids.reserve(want);
  out.scores.reserve(want);
  for (size_t i = 0; i < head; ++i) {
    out.ids.push_back(touched[i]);
    out.scores.push_back(scores[static_cast<size_t>(touched[i])]);
  }
  for (int64_t t = 0; out.ids.size() < want && t < num_targets; ++t) {
    if (scores[static_cast<size_t>(t)] > 0.0f) continue;  // already listed (or ranked above)
    out.ids.push_back(t);
    out.scores.push_back(0.0f);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// BM25

void Bm25Config::validate() const {
  CREDMATCH_CHECK(k1 >= 0.0f && std::isfinite(k1), "k1=" << k1);
  CREDMATCH_CHECK(b >= 0.0f && b <= 1.0f, "b=" << b);
}

std::vector<std::string> Bm25Ranker::terms(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& token : tokenize(normalize(text))) {
    if (is_stop_word(token)) continue;
    out.push_back(light_stem(token));
  }
  return out;
}

Bm25Ranker::Bm25Ranker(std::span<const std::string> targets, const Bm25Config& config)
    : config_(config), num_targets_(static_cast<int64_t>(targets.size())) {
  config_.validate();
  std::vector<float> lengths(targets.size());
  double total_length = 0.0;
  for (size_t d = 0; d < targets.size(); ++d) {
    std::unordered_map<int32_t, int> counts;
    const std::vector<std::string> words = terms(targets[d]);
    for (const std::string& w : words) ++counts[index_.add_feature(w)];
    for (const auto& [feature, count] : counts) {
      index_.add_posting(feature, static_cast<int32_t>(d), static_cast<float>(count));
    }
    lengths[d] = static_cast<float>(words.size());
    total_length += static_cast<double>(words.size());
  }
  const double n = static_cast<double>(targets.size());
  idf_.resize(static_cast<size_t>(index_.num_features()));
  for (int32_t f = 0; f < index_.num_features(); ++f) {
    const double df = static_cast<double>(index_.postings(f).size());
    idf_[static_cast<size_t>(f)] = static_cast<float>(bm25_idf(n, df));
  }
  const double avgdl = n > 0 && total_length > 0 ? total_length / n : 1.0;
  length_norm_.resize(targets.size());
  for (size_t d = 0; d < targets.size(); ++d) {
    length_norm_[d] = static_cast<float>(
        config_.k1 * (1.0 - config_.b + config_.b * static_cast<double>(lengths[d]) / avgdl));
  }
}

void Bm25Ranker::accumulate(std::string_view query, std::vector<float>& scores,
                            std::vector<int32_t>& touched) const {
  std::vector<int32_t> seen;
  for (const std::string& term : terms(query)) {
    const int32_t f = index_.find(term);
    if (f < 0 || std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
    seen.push_back(f);
    const float idf = idf_[static_cast<size_t>(f)];
    for (const auto& [d, tf] : index_.postings(f)) {
      float& s = scores[static_cast<size_t>(d)];
      if (s == 0.0f) touched.push_back(d);
      s += idf * tf * (config_.k1 + 1.0f) / (tf + length_norm_[static_cast<size_t>(d)]);
    }
  }
  // A score that stays exactly 0 after a posting (idf 0) would be pushed twice; dedupe.
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
}

RankedList Bm25Ranker::search(std::string_view query, int k) const {
  CREDMATCH_CHECK(k > 0, "k=" << k);
  std::vector<float> scores(static_cast<size_t>(num_targets_), 0.0f);
  std::vector<int32_t> touched;
  accumulate(query, scores, touched);
  return InvertedIndex::top_k(scores, touched, num_targets_, k);
}

std::vector<float> Bm25Ranker::score_all(std::string_view query) const {
  std::vector<float> scores(static_cast<size_t>(num_targets_), 0.0f);
  std::vector<int32_t> touched;
  accumulate(query, scores, touched);
  return scores;
}

// ---------------------------------------------------------------------------------------------
// Character n-gram TF-IDF

void CharTfidfConfig::validate() const {
  CREDMATCH_CHECK(ngram_min >= 1 && ngram_min <= ngram_max && ngram_max <= 10,
                  "ngram_min=" << ngram_min << ", ngram_max=" << ngram_max);
}

void CharTfidfRanker::for_each_ngram(std::string_view text, const CharTfidfConfig& config,
                                     const std::function<void(std::string_view)>& fn) {
  std::vector<size_t> starts;  // byte offset of each code point, plus the end
  for (const std::string& token : tokenize(normalize(text))) {
    const std::string padded = "<" + token + ">";
    starts.clear();
    for (size_t i = 0; i < padded.size(); ++i) {
      if ((static_cast<unsigned char>(padded[i]) & 0xC0) != 0x80) starts.push_back(i);
    }
    const size_t points = starts.size();
    starts.push_back(padded.size());
    if (points < static_cast<size_t>(config.ngram_min)) {
      fn(padded);
      continue;
    }
    const std::string_view view(padded);
    for (int n = config.ngram_min; n <= config.ngram_max; ++n) {
      const size_t len = static_cast<size_t>(n);
      if (len > points) break;
      for (size_t i = 0; i + len <= points; ++i) {
        fn(view.substr(starts[i], starts[i + len] - starts[i]));
      }
    }
  }
}

std::unordered_map<std::string, int> CharTfidfRanker::ngrams(std::string_view text,
                                                             const CharTfidfConfig& config) {
  std::unordered_map<std::string, int> out;
  for_each_ngram(text, config, [&out](std::string_view gram) { ++out[std::string(gram)]; });
  return out;
}

// Postings hold each target's unit-normalised (1 + ln tf) · idf weights.
TfidfIndex::TfidfIndex(std::span<const std::string> targets,
                       const std::function<Grams(const std::string&)>& grams_of)
    : num_targets_(static_cast<int64_t>(targets.size())) {
  // First pass: raw sublinear tf per target; idf needs every target's document frequency.
  for (size_t d = 0; d < targets.size(); ++d) {
    for (const auto& [gram, count] : grams_of(targets[d])) {
      index_.add_posting(index_.add_feature(gram), static_cast<int32_t>(d),
                         sublinear_tf(static_cast<float>(count)));
    }
  }
  const double n = static_cast<double>(targets.size());
  idf_.resize(static_cast<size_t>(index_.num_features()));
  std::vector<double> norm2(targets.size(), 0.0);
  for (int32_t f = 0; f < index_.num_features(); ++f) {
    const double df = static_cast<double>(index_.postings(f).size());
    const double idf = smoothed_idf(n, df);
    idf_[static_cast<size_t>(f)] = static_cast<float>(idf);
    for (const auto& [d, tf] : index_.postings(f))
      norm2[static_cast<size_t>(d)] += (tf * idf) * (tf * idf);
  }
  // Second pass: postings hold the final unit-normalised weights.
  for (int32_t f = 0; f < index_.num_features(); ++f) {
    for (auto& [d, w] : index_.postings(f)) {
      w = static_cast<float>(w * idf_[static_cast<size_t>(f)] /
                             std::sqrt(norm2[static_cast<size_t>(d)]));
    }
  }
}

TfidfIndex::Counts TfidfIndex::counts_of(std::vector<int32_t> feature_ids) {
  std::sort(feature_ids.begin(), feature_ids.end());
  Counts out;
  for (size_t i = 0; i < feature_ids.size();) {
    size_t j = i;
    while (j < feature_ids.size() && feature_ids[j] == feature_ids[i]) ++j;
    out.emplace_back(feature_ids[i], static_cast<int>(j - i));
    i = j;
  }
  return out;
}

// Feature order, as counts_of(ids): both query forms sum the same terms in the same order.
TfidfIndex::Counts TfidfIndex::counts_of(const Grams& grams) const {
  Counts out;
  for (const auto& [gram, count] : grams) {
    const int32_t f = index_.find(gram);
    if (f >= 0) out.emplace_back(f, count);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void TfidfIndex::accumulate(const Counts& counts, std::vector<float>& scores,
                            std::vector<int32_t>* touched) const {
  std::vector<std::pair<int32_t, float>> weights;
  double norm2 = 0.0;
  for (const auto& [f, count] : counts) {
    const float w = sublinear_tf(static_cast<float>(count)) * idf_[static_cast<size_t>(f)];
    weights.emplace_back(f, w);
    norm2 += double(w) * w;
  }
  const float inv = norm2 > 0 ? static_cast<float>(1.0 / std::sqrt(norm2)) : 0.0f;
  if (touched == nullptr) {  // score_all(): a plain scatter-add, the same sums in the same order
    for (const auto& [f, w] : weights) {
      for (const auto& [d, tw] : index_.postings(f)) scores[static_cast<size_t>(d)] += w * inv * tw;
    }
    return;
  }
  for (const auto& [f, w] : weights) {
    for (const auto& [d, tw] : index_.postings(f)) {
      float& s = scores[static_cast<size_t>(d)];
      if (s == 0.0f) touched->push_back(d);
      s += w * inv * tw;
    }
  }
  std::sort(touched->begin(), touched->end());
  touched->erase(std::unique(touched->begin(), touched->end()), touched->end());
}

RankedList TfidfIndex::search(const Grams& query, int k) const {
  CREDMATCH_CHECK(k > 0, "k=" << k);
  std::vector<float> scores(static_cast<size_t>(num_targets_), 0.0f);
  std::vector<int32_t> touched;
  accumulate(counts_of(query), scores, &touched);
  return InvertedIndex::top_k(scores, touched, num_targets_, k);
}

std::vector<float> TfidfIndex::score_all(const Grams& query) const {
  std::vector<float> scores(static_cast<size_t>(num_targets_), 0.0f);
  accumulate(counts_of(query), scores, nullptr);
  return scores;
}

std::vector<float> TfidfIndex::score_all(std::vector<int32_t> feature_ids) const {
  std::vector<float> scores(static_cast<size_t>(num_targets_), 0.0f);
  accumulate(counts_of(std::move(feature_ids)), scores, nullptr);
  return scores;
}

CharTfidfRanker::CharTfidfRanker(std::span<const std::string> targets,
                                 const CharTfidfConfig& config)
    : config_((config.validate(), config)),
      tfidf_(targets, [this](const std::string& t) { return ngrams(t, config_); }) {}

RankedList CharTfidfRanker::search(std::string_view query, int k) const {
  return tfidf_.search(ngrams(query, config_), k);
}

std::vector<float> CharTfidfRanker::score_all(std::string_view query) const {
  std::vector<int32_t> ids;
  for_each_ngram(query, config_, [&](std::string_view gram) {
    if (const int32_t f = tfidf_.feature_id(gram); f >= 0) ids.push_back(f);
  });
  return tfidf_.score_all(std::move(ids));
}

// ---------------------------------------------------------------------------------------------
// Word n-gram TF-IDF

void WordTfidfConfig::validate() const {
  CREDMATCH_CHECK(ngram_min >= 1 && ngram_min <= ngram_max && ngram_max <= 5,
                  "ngram_min=" << ngram_min << ", ngram_max=" << ngram_max);
}

std::unordered_map<std::string, int> WordTfidfRanker::ngrams(std::string_view text,
                                                             const WordTfidfConfig& config) {
  std::vector<std::string> words;
  for (const std::string& token : tokenize(normalize(text))) {
    if (token.size() >= 2) words.push_back(light_stem(token));
  }
  std::unordered_map<std::string, int> out;
  for (int n = config.ngram_min; n <= config.ngram_max; ++n) {
    const size_t len = static_cast<size_t>(n);
    for (size_t i = 0; i + len <= words.size(); ++i) {
      std::string gram = words[i];
      for (size_t j = 1; j < len; ++j) gram.append(" ").append(words[i + j]);
      ++out[gram];
    }
  }
  return out;
}

WordTfidfRanker::WordTfidfRanker(std::span<const std::string> targets,
                                 const WordTfidfConfig& config)
    : config_((config.validate(), config)),
      tfidf_(targets, [this](const std::string& t) { return ngrams(t, config_); }) {}

RankedList WordTfidfRanker::search(std::string_view query, int k) const {
  return tfidf_.search(ngrams(query, config_), k);
}

std::vector<float> WordTfidfRanker::score_all(std::string_view query) const {
  return tfidf_.score_all(ngrams(query, config_));
}

}  // namespace credmatch::engine
