// Title terms: the words of a title that say what a job or a credential is about, and how much
// of a credential's title a job's text covers (docs/quality.md, "Employer task").
//
//   title_terms(x)  the tokens of normalize() + tokenize() (text/normalize.h) of two or more
//                   bytes that are not title stop words (a, an, and, are, as, at, be, by, for,
//                   from, in, into, is, it, its, of, on, or, that, the, their, to, with,
//                   other, general, all), light_stem()'d and cut to their first 5 code
//                   points ("Nursing" -> "nursi", "Nurses" -> "nurse"), each once, sorted.
//   idf(t)          ln((N + 1) / (df(t) + 1)) + 1, df over the N credential titles.
//   coverage(c, S)  Σ idf(t) over the title terms t of credential c that are in S, divided by
//                   Σ idf(t) over all title terms of c; 0 when c's title has none.
//
// Thread safety: the functions are pure; TitleTermIndex is immutable after construction and
// coverage() is safe from several threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace credmatch::engine {

/// `title` without a trailing exclusion clause: ", except …" (O*NET titles such as
/// "Architects, Except Landscape and Naval" -> "Architects"), found case-insensitively at a
/// word boundary, with the comma and spaces before it; the title itself when nothing would be
/// left. Surrounding whitespace is trimmed.
std::string strip_except_clause(std::string_view title);

/// The title terms of `text` (see file comment): distinct, sorted. `prefix`: code points kept
/// of each stemmed word (5 in the shipped features).
std::vector<std::string> title_terms(std::string_view text, size_t prefix = 5);

/// The title terms of N credential titles with their idf, as postings (term -> credentials
/// and the term's share of each credential's idf mass), for coverage().
class TitleTermIndex {
 public:
  TitleTermIndex() = default;
  /// `prefix` as title_terms().
  explicit TitleTermIndex(std::span<const std::string> credential_titles, size_t prefix = 5);

  int64_t size() const { return num_credentials_; }
  size_t prefix() const { return prefix_; }
  /// idf of `term` (a title term); the idf of an unseen term (df 0) if no title has it.
  double idf(std::string_view term) const;
  /// out[c] = coverage(c, terms) for every credential c (out.size() == size()). `terms`:
  /// distinct title terms of a query (duplicates would count twice). Throws credmatch::Error
  /// if out has the wrong size.
  void coverage(std::span<const std::string> terms, std::span<float> out) const;

 private:
  int64_t num_credentials_ = 0;
  size_t prefix_ = 5;
  // term -> (credential, idf(term) / Σ idf of the credential's title terms)
  std::unordered_map<std::string, std::vector<std::pair<int32_t, float>>> postings_;
  std::unordered_map<std::string, double> idf_;
};

}  // namespace credmatch::engine
