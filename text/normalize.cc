#include "text/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>

namespace credmatch::engine {
namespace {

// Replaces invalid UTF-8 sequences with spaces so normalisation never fails on bad bytes.
std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      out.push_back(' ');
      ++p;
      --left;
      continue;
    }
    out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    p += n;
    left -= n;
  }
  return out;
}

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

bool is_elision(std::string_view prefix) {
  static constexpr std::array<std::string_view, 11> kElisions = {
      "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu"};
  return std::find(kElisions.begin(), kElisions.end(), prefix) != kElisions.end();
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

std::string normalize(std::string_view text) {
  const std::string clean = sanitize_utf8(text);
  utf8proc_uint8_t* mapped = nullptr;
  const int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                      UTF8PROC_STRIPMARK | UTF8PROC_NLF2LS | UTF8PROC_STRIPCC;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.c_str()),
                                    static_cast<utf8proc_ssize_t>(clean.size()), &mapped,
                                    static_cast<utf8proc_option_t>(options));
  std::string folded;
  if (n >= 0 && mapped != nullptr) {
    folded.assign(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  } else {
    folded = clean;  // cannot happen for sanitised input; keep the text rather than lose it
  }
  std::free(mapped);

  // ASCII-fy the punctuation that varies between sources, then collapse whitespace.
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (size_t i = 0; i < folded.size();) {
    std::string_view rest(folded.data() + i, folded.size() - i);
    char replacement = 0;
    size_t width = 1;
    if (rest.starts_with("\u2019") || rest.starts_with("\u2018") || rest.starts_with("\u02bc")) {
      replacement = '\'';
      width = 3;
    } else if (rest.starts_with("\u2010") || rest.starts_with("\u2011") ||
               rest.starts_with("\u2013") || rest.starts_with("\u2014")) {
      replacement = '-';
      width = 3;
    } else if (rest.starts_with("\u2028") || rest.starts_with("\u00a0")) {
      replacement = ' ';
      width = rest.starts_with("\u00a0") ? 2 : 3;
    } else {
      replacement = folded[i];
    }
    i += width;
    if (replacement == ' ' || replacement == '\t' || replacement == '\n' || replacement == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(replacement);
  }
  return out;
}

std::vector<std::string> tokenize(std::string_view s) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < s.size()) {
    if (!is_word_byte(static_cast<unsigned char>(s[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && is_word_byte(static_cast<unsigned char>(s[j]))) ++j;
    std::string_view word = s.substr(i, j - i);
    // French elision: "l'analyse", "qu'il" → drop the elided article/conjunction.
    if (j + 1 < s.size() && s[j] == '\'' && is_elision(word) &&
        is_word_byte(static_cast<unsigned char>(s[j + 1]))) {
      i = j + 1;
      continue;
    }
    std::string token(word);
    // Programming languages whose names end in symbols: c++, c#, f#.
    if (j < s.size() && (s[j] == '+' || s[j] == '#') && word.size() <= 2) {
      size_t k = j;
      while (k < s.size() && (s[k] == '+' || s[k] == '#') && k - j < 2) ++k;
      token.append(s.substr(j, k - j));
      j = k;
    }
    tokens.push_back(std::move(token));
    i = j;
  }
  return tokens;
}

bool is_stop_word(std::string_view token) {
  // Sorted for binary search. English and French function words only: competency verbs such
  // as "use", "apply", "utiliser" are kept.
  static constexpr std::array<std::string_view, 103> kStopWords = {
      "a",     "about", "after", "all",   "an",    "and",   "any",   "are",  "as",    "at",
      "au",    "aux",   "avec",  "be",    "been",  "being", "but",   "by",   "ce",    "ces",
      "cette", "dans",  "de",    "des",   "do",    "du",    "e.g",   "each", "either", "elle",
      "en",    "et",    "etc",   "eux",   "for",   "from",  "has",   "have", "how",   "i.e",
      "il",    "ils",   "in",    "into",  "is",    "it",    "its",   "la",   "le",    "les",
      "leur",  "leurs", "mais",  "may",   "ne",    "ni",    "nor",   "not",  "nous",  "of",
      "on",    "or",    "ou",    "par",   "pas",   "pour",  "qu",    "que",  "qui",   "sa",
      "same",  "se",    "ses",   "son",   "such",  "sur",   "than",  "that", "the",   "their",
      "them",  "these", "they",  "this",  "those", "to",    "un",    "une",  "upon",  "via",
      "vos",   "votre", "was",   "we",    "were",  "what",  "when",  "which", "while", "who",
      "will",  "with",  "you"};
  return std::binary_search(kStopWords.begin(), kStopWords.end(), token);
}

std::vector<std::string> content_words(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& t : tokenize(normalize(text))) {
    if (!is_stop_word(t) && t.size() > 1) out.push_back(light_stem(t));
  }
  return out;
}

std::string light_stem(std::string_view w) {
  std::string s(w);
  if (s.size() <= 4) return s;
  auto ends = [&](std::string_view suffix) { return s.ends_with(suffix); };
  if (ends("ies") && s.size() > 5) return s.substr(0, s.size() - 3) + "y";
  if (ends("sses") || ends("ches") || ends("shes") || ends("xes") || ends("zzes")) {
    return s.substr(0, s.size() - 2);  // classes → class, sandwiches → sandwich
  }
  if (ends("ss") || ends("us") || ends("is") || ends("ous")) return s;
  if (ends("s")) return s.substr(0, s.size() - 1);
  return s;
}

std::string fold_title(std::string_view s) {
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_LUMP |
                                     UTF8PROC_IGNORE));
  std::string folded;
  if (n >= 0) {
    folded.assign(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  } else {  // invalid UTF-8 (only possible in a query): fold ASCII only
    folded.assign(s);
    for (char& c : folded) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  std::free(mapped);
  std::string out;
  out.reserve(folded.size());
  for (char c : folded) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace credmatch::engine
