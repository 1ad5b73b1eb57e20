#include "relevance/title_terms.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "base/error.h"
#include "text/lexical.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

bool is_title_stop_word(std::string_view w) {
  static constexpr std::array<std::string_view, 26> kStop = {
      "a",  "all",  "an", "and", "are",   "as",   "at",  "be",  "by",    "for", "from", "general",
      "in", "into", "is", "it",  "its",   "of",   "on",  "or",  "other", "that", "the", "their",
      "to", "with"};
  return std::find(kStop.begin(), kStop.end(), w) != kStop.end();
}

bool is_word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// The first n code points of a UTF-8 string.
std::string first_points(const std::string& s, size_t n) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (points == n) return s.substr(0, i);
      ++points;
    }
  }
  return s;
}

std::string trim_spaces(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::string strip_except_clause(std::string_view title) {
  static constexpr std::string_view kWord = "except";
  for (size_t i = 0; i + kWord.size() <= title.size(); ++i) {
    bool match = true;
    for (size_t j = 0; j < kWord.size() && match; ++j) {
      match = std::tolower(static_cast<unsigned char>(title[i + j])) == kWord[j];
    }
    if (!match) continue;
    const bool starts = i == 0 || !is_word_char(static_cast<unsigned char>(title[i - 1]));
    const size_t end = i + kWord.size();
    const bool ends = end == title.size() || !is_word_char(static_cast<unsigned char>(title[end]));
    if (!starts || !ends) continue;
    size_t cut = i;
    while (cut > 0 && std::isspace(static_cast<unsigned char>(title[cut - 1]))) --cut;
    if (cut > 0 && title[cut - 1] == ',') --cut;
    std::string kept = trim_spaces(title.substr(0, cut));
    return kept.empty() ? trim_spaces(title) : kept;
  }
  return trim_spaces(title);
}

std::vector<std::string> title_parts(std::string_view title) {
  std::vector<std::string> out = {trim_spaces(title)};
  auto add = [&out](std::string_view part) {
    std::string p = trim_spaces(part);
    if (p.empty() || title_terms(p).empty()) return;
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  };
  // Split at separators, then at the words "and", "or", "&" (case-insensitive, whole words).
  size_t start = 0;
  auto word_at = [&title](size_t i, std::string_view w) {
    if (i + w.size() > title.size()) return false;
    for (size_t k = 0; k < w.size(); ++k) {
      if (std::tolower(static_cast<unsigned char>(title[i + k])) != w[k]) return false;
    }
    const bool before = i == 0 || std::isspace(static_cast<unsigned char>(title[i - 1]));
    const size_t end = i + w.size();
    const bool after = end == title.size() || std::isspace(static_cast<unsigned char>(title[end]));
    return before && after;
  };
  for (size_t i = 0; i <= title.size(); ++i) {
    size_t skip = 0;
    if (i == title.size() || std::string_view(",;/()").find(title[i]) != std::string_view::npos) {
      skip = 1;
    } else if (word_at(i, "and")) {
      skip = 3;
    } else if (word_at(i, "or")) {
      skip = 2;
    } else if (word_at(i, "&")) {
      skip = 1;
    }
    if (skip == 0) continue;
    add(title.substr(start, i - start));
    start = i + skip;
    i = start - 1;
  }
  return out;
}

std::string derive_stem(std::string_view word) {
  static constexpr std::string_view kEndings[] = {
      "ations", "ators", "ation", "ator", "ments", "ment", "ings", "ists", "ians",
      "ance",   "ence",  "ing",   "ist",  "ian",   "ers",  "ors",  "ics",  "ant",
      "ive",    "er",    "or",    "ic",   "al",    "y",    "e"};
  for (std::string_view e : kEndings) {
    if (word.size() >= e.size() + 4 && word.ends_with(e)) {
      return std::string(word.substr(0, word.size() - e.size()));
    }
  }
  return std::string(word);
}

std::vector<std::string> title_terms(std::string_view text, TitleTermStyle style) {
  std::vector<std::string> out;
  for (const std::string& token : tokenize(normalize(text))) {
    if (token.size() < 2 || is_title_stop_word(token)) continue;
    const std::string stem = light_stem(token);
    out.push_back(first_points(style.derive ? derive_stem(stem) : stem, style.prefix));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TitleTermIndex::TitleTermIndex(std::span<const std::string> credential_titles,
                               TitleTermStyle style)
    : num_credentials_(static_cast<int64_t>(credential_titles.size())), style_(style) {
  std::vector<std::vector<std::string>> terms;
  terms.reserve(credential_titles.size());
  std::unordered_map<std::string, int64_t> df;
  for (const std::string& title : credential_titles) {
    terms.push_back(title_terms(title, style_));
    for (const std::string& t : terms.back()) ++df[t];
  }
  const double n = static_cast<double>(num_credentials_);
  for (const auto& [t, count] : df) idf_[t] = smoothed_idf(n, static_cast<double>(count));
  for (size_t c = 0; c < terms.size(); ++c) {
    double mass = 0.0;
    for (const std::string& t : terms[c]) mass += idf_[t];
    for (const std::string& t : terms[c]) {
      postings_[t].emplace_back(static_cast<int32_t>(c), static_cast<float>(idf_[t] / mass));
    }
  }
}

double TitleTermIndex::idf(std::string_view term) const {
  auto it = idf_.find(std::string(term));
  return it != idf_.end() ? it->second
                          : smoothed_idf(static_cast<double>(num_credentials_), 0.0);
}

void TitleTermIndex::coverage(std::span<const std::string> terms, std::span<float> out) const {
  CREDMATCH_CHECK(static_cast<int64_t>(out.size()) == num_credentials_,
                  "out.size()=" << out.size() << ", credentials=" << num_credentials_);
  std::fill(out.begin(), out.end(), 0.0f);
  for (const std::string& t : terms) {
    auto it = postings_.find(t);
    if (it == postings_.end()) continue;
    for (const auto& [c, share] : it->second) out[static_cast<size_t>(c)] += share;
  }
}

}  // namespace credmatch::engine
