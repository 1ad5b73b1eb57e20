// Exact lexical rankers over a fixed set of target texts: the baselines every encoder is
// compared with (`credmatch eval`) and the `bm25` / `tfidf-char` encoders of `credmatch rank`.
//
// Both keep an inverted index (feature → postings of (target, weight)) fitted on the targets
// alone: document frequencies and lengths come from the targets, never from the queries, so an
// evaluation that ranks a query set against a target set leaks nothing from the queries.
//
//  - Bm25Ranker: Okapi BM25 (Robertson et al. 1994; Lucene's idf) over stemmed words without
//    stop words (normalize(), tokenize(), is_stop_word(), light_stem() from text/normalize.h):
//      score(q, d) = Σ_{t ∈ q} idf(t) · tf(t,d) (k1 + 1) / (tf(t,d) + k1 (1 - b + b |d| / avgdl))
//      idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
//    Each distinct query term counts once. |d| is the number of kept terms of target d.
//  - CharTfidfRanker: cosine of TF-IDF vectors over character n-grams (default 3–5) taken
//    within word boundaries: each token of normalize()+tokenize() is padded as "<token>" and
//    cut into n-grams of Unicode code points; a padded token shorter than the smallest n is
//    one feature (cf. scikit-learn's analyzer="char_wb"). Stop words are kept.
//      w(g, x) = (1 + ln tf(g, x)) · (ln((1 + N) / (1 + df(g))) + 1), then L2-normalised.
//    N-grams a query has but no target has are dropped before normalising the query.
//  - WordTfidfRanker: the same cosine over word 1..n-grams (default 1–2): tokens of
//    normalize()+tokenize() of two or more bytes, light_stem()'d, stop words kept (as
//    scikit-learn's analyzer="word"), n-grams of consecutive kept tokens joined by a space.
//
// Results: the k best targets, best first; equal scores rank the smaller id first. When fewer
// than k targets share a feature with the query, the rest of the list is filled with score-0
// targets in id order, so a search returns min(k, size()) results.
//
// Thread safety: search() is const and safe to call from several threads at once.
//
// Usage:
//   Bm25Ranker bm25(targets);                       // targets: std::vector<std::string>
//   RankedList r = bm25.search("write sql queries", /*k=*/10);
//   // r.ids[0] indexes targets; r.scores[0] its BM25 score
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace credmatch::engine {

// Term weights shared by the lexical rankers and the encoders that must weigh terms the same
// way (encode/lexical_sketch_encoder.h, encode/tfidf_svd_encoder.h).
/// BM25 idf of a feature found in df of n documents (the +1 inside the log keeps it >= 0).
inline double bm25_idf(double n, double df) { return std::log(1.0 + (n - df + 0.5) / (df + 0.5)); }
/// Smoothed idf, ln((1 + n) / (1 + df)) + 1, as scikit-learn's TfidfVectorizer.
inline double smoothed_idf(double n, double df) { return std::log((1.0 + n) / (1.0 + df)) + 1.0; }
/// Sublinear term frequency, 1 + ln(count).
inline float sublinear_tf(float count) { return 1.0f + std::log(count); }

/// One query's results, best first: ids index the target set; score higher is better.
struct RankedList {
  std::vector<int64_t> ids;
  std::vector<float> scores;
};

/// A ranker over a fixed target set. Thread safety: search() is const and thread safe.
class LexicalRanker {
 public:
  virtual ~LexicalRanker() = default;
  /// "bm25", "tfidf-char" or "tfidf-word".
  virtual std::string name() const = 0;
  /// Number of targets.
  virtual int64_t size() const = 0;
  /// The min(k, size()) best targets for `query` (raw UTF-8 text). Throws credmatch::Error if
  /// k <= 0.
  virtual RankedList search(std::string_view query, int k) const = 0;
  /// Every target's score for `query` (size() values, indexed by target id): the scores
  /// search() ranks, bit for bit; 0 for a target that shares no feature with the query.
  virtual std::vector<float> score_all(std::string_view query) const = 0;
};

/// Inverted index shared by the rankers: feature → postings (target id, weight).
/// Not part of the public API's contract beyond the rankers below.
class InvertedIndex {
 public:
  /// Feature id of `feature`, adding it if new.
  int32_t add_feature(const std::string& feature);
  /// Feature id, or -1 if no target has it.
  int32_t find(std::string_view feature) const;
  void add_posting(int32_t feature, int32_t target, float weight);
  const std::vector<std::pair<int32_t, float>>& postings(int32_t feature) const {
    return postings_[static_cast<size_t>(feature)];
  }
  std::vector<std::pair<int32_t, float>>& postings(int32_t feature) {
    return postings_[static_cast<size_t>(feature)];
  }
  int64_t num_features() const { return static_cast<int64_t>(postings_.size()); }

  /// Top k of `num_targets` accumulated scores (see file comment for ties and filling).
  /// `touched` lists the targets with a non-zero entry in `scores`.
  static RankedList top_k(std::vector<float>& scores, std::vector<int32_t>& touched,
                          int64_t num_targets, int k);

 private:
  // Transparent: find() takes a string_view and allocates nothing (queries look up thousands
  // of n-grams).
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> vocab_;
  std::vector<std::vector<std::pair<int32_t, float>>> postings_;
};

struct Bm25Config {
  float k1 = 1.2f;  // term-frequency saturation (Robertson's k1)
  float b = 0.75f;  // length normalisation: 0 = none, 1 = full

  /// Throws credmatch::Error naming the first invalid field (k1 < 0, b outside [0, 1]).
  void validate() const;
};

class Bm25Ranker final : public LexicalRanker {
 public:
  /// Indexes `targets` (UTF-8). Throws credmatch::Error if the config is invalid.
  explicit Bm25Ranker(std::span<const std::string> targets, const Bm25Config& config = {});

  std::string name() const override { return "bm25"; }
  int64_t size() const override { return num_targets_; }
  RankedList search(std::string_view query, int k) const override;
  std::vector<float> score_all(std::string_view query) const override;

  /// The terms BM25 sees in `text`: stemmed non-stop words, in order, with repeats.
  static std::vector<std::string> terms(std::string_view text);

 private:
  // Adds the query's scores into `scores` (size() zeros), listing each target scored in
  // `touched` once.
  void accumulate(std::string_view query, std::vector<float>& scores,
                  std::vector<int32_t>& touched) const;

  Bm25Config config_;
  int64_t num_targets_ = 0;
  InvertedIndex index_;             // posting weight = the term's count in the target
  std::vector<float> idf_;          // per feature
  std::vector<float> length_norm_;  // per target: k1 (1 - b + b |d| / avgdl)
};

/// Cosine of sublinear (1 + ln tf) · idf vectors, unit-normalised, over an inverted index of
/// n-gram counts: what the char and word TF-IDF rankers share (they differ in their n-grams).
class TfidfIndex {
 public:
  using Grams = std::unordered_map<std::string, int>;
  TfidfIndex() = default;
  /// Indexes grams_of(t) for every target t.
  TfidfIndex(std::span<const std::string> targets,
             const std::function<Grams(const std::string&)>& grams_of);

  int64_t size() const { return num_targets_; }
  /// The best k targets for a query's n-gram counts (k > 0; throws credmatch::Error otherwise).
  RankedList search(const Grams& query, int k) const;
  /// The cosine with every target, size() values (0 for targets sharing no n-gram).
  std::vector<float> score_all(const Grams& query) const;
  /// The same for a query given as the feature ids of its n-gram occurrences (feature_id()
  /// of each, unknown ones left out; any order): no n-gram strings are kept.
  std::vector<float> score_all(std::vector<int32_t> feature_ids) const;
  /// Feature id of an n-gram, or -1 if no target has it.
  int32_t feature_id(std::string_view gram) const { return index_.find(gram); }

 private:
  // (feature, count) of a query, its known n-grams only.
  using Counts = std::vector<std::pair<int32_t, int>>;
  static Counts counts_of(std::vector<int32_t> feature_ids);
  Counts counts_of(const Grams& query) const;
  // Adds the cosine into scores; with `touched`, also lists (sorted, once) the targets hit.
  void accumulate(const Counts& query, std::vector<float>& scores,
                  std::vector<int32_t>* touched) const;

  int64_t num_targets_ = 0;
  InvertedIndex index_;     // posting weight = the target's unit-normalised tf-idf weight
  std::vector<float> idf_;  // per feature
};

struct CharTfidfConfig {
  int ngram_min = 3;  // character n-gram lengths (code points, including the < > padding)
  int ngram_max = 5;

  /// Throws credmatch::Error unless 1 <= ngram_min <= ngram_max <= 10.
  void validate() const;
};

class CharTfidfRanker final : public LexicalRanker {
 public:
  /// Indexes `targets` (UTF-8). Throws credmatch::Error if the config is invalid.
  explicit CharTfidfRanker(std::span<const std::string> targets,
                           const CharTfidfConfig& config = {});

  std::string name() const override { return "tfidf-char"; }
  int64_t size() const override { return tfidf_.size(); }
  RankedList search(std::string_view query, int k) const override;
  std::vector<float> score_all(std::string_view query) const override;

  /// The character n-grams of `text` with their counts (see file comment).
  static std::unordered_map<std::string, int> ngrams(std::string_view text,
                                                     const CharTfidfConfig& config);
  /// Calls fn(gram) once per n-gram occurrence of `text`, in text order: the extraction behind
  /// ngrams(), shared with the char-sketch encoder (encode/lexical_sketch_encoder.h).
  static void for_each_ngram(std::string_view text, const CharTfidfConfig& config,
                             const std::function<void(std::string_view)>& fn);

 private:
  CharTfidfConfig config_;
  TfidfIndex tfidf_;
};

struct WordTfidfConfig {
  int ngram_min = 1;  // word n-gram lengths
  int ngram_max = 2;

  /// Throws credmatch::Error unless 1 <= ngram_min <= ngram_max <= 5.
  void validate() const;
};

class WordTfidfRanker final : public LexicalRanker {
 public:
  /// Indexes `targets` (UTF-8). Throws credmatch::Error if the config is invalid.
  explicit WordTfidfRanker(std::span<const std::string> targets,
                           const WordTfidfConfig& config = {});

  std::string name() const override { return "tfidf-word"; }
  int64_t size() const override { return tfidf_.size(); }
  RankedList search(std::string_view query, int k) const override;
  std::vector<float> score_all(std::string_view query) const override;

  /// The word n-grams of `text` with their counts (see file comment).
  static std::unordered_map<std::string, int> ngrams(std::string_view text,
                                                     const WordTfidfConfig& config);

 private:
  WordTfidfConfig config_;
  TfidfIndex tfidf_;
};

}  // namespace credmatch::engine
