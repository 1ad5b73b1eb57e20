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

/// The parts of a title that may name one occupation or field each, and the title itself:
/// the title split at ',', ';', '/', '(', ')' and the words "and", "or", "&"; parts without a
/// title term dropped, whitespace trimmed, each once, the whole title first.
/// "Welders, Cutters, and Brazers" -> {"Welders, Cutters, and Brazers", "Welders", "Cutters",
/// "Brazers"}; "Welding Technology/Welder" -> {the title, "Welding Technology", "Welder"}.
std::vector<std::string> title_parts(std::string_view title);

/// How title terms are cut: `prefix` code points of each stemmed word (5 in the shipped
/// features); with `derive`, a derivational ending is removed first (derive_stem()).
struct TitleTermStyle {
  size_t prefix = 5;
  bool derive = false;
};

/// The title terms of `text` (see file comment): distinct, sorted.
std::vector<std::string> title_terms(std::string_view text, TitleTermStyle style = {});

/// `word` (light_stem()'d) without one derivational ending, the longest of -ations, -ators,
/// -ation, -ator, -ments, -ment, -ings, -ists, -ians, -ance, -ence, -ing, -ist, -ian, -ers,
/// -ors, -ics, -ant, -ive, -er, -or, -ic, -al, -y, -e that leaves at least 4 characters:
/// "nursing", "nurse" -> "nurs"; "welder", "welding" -> "weld"; "operator", "operation" ->
/// "oper". So occupations and the fields that train for them share a term.
std::string derive_stem(std::string_view word);

/// The title terms of N credential titles with their idf, as postings (term -> credentials
/// and the term's share of each credential's idf mass), for coverage().
class TitleTermIndex {
 public:
  TitleTermIndex() = default;
  explicit TitleTermIndex(std::span<const std::string> credential_titles,
                          TitleTermStyle style = {});

  int64_t size() const { return num_credentials_; }
  const TitleTermStyle& style() const { return style_; }
  /// idf of `term` (a title term); the idf of an unseen term (df 0) if no title has it.
  double idf(std::string_view term) const;
  /// out[c] = coverage(c, terms) for every credential c (out.size() == size()). `terms`:
  /// distinct title terms of a query (duplicates would count twice). Throws credmatch::Error
  /// if out has the wrong size.
  void coverage(std::span<const std::string> terms, std::span<float> out) const;

 private:
  int64_t num_credentials_ = 0;
  TitleTermStyle style_;
  // term -> (credential, idf(term) / Σ idf of the credential's title terms)
  std::unordered_map<std::string, std::vector<std::pair<int32_t, float>>> postings_;
  std::unordered_map<std::string, double> idf_;
};

}  // namespace credmatch::engine
