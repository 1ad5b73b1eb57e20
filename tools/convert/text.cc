#include "tools/convert/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

namespace credmatch::convert {
namespace {

bool is_c_space(char c) {  // std::isspace in the C locale, without its locale lookup
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Length of the whitespace sequence at s[i] (ASCII space or UTF-8 C2 A0), 0 if none.
size_t space_len(std::string_view s, size_t i) {
  if (is_c_space(s[i])) return 1;
  if (static_cast<unsigned char>(s[i]) == 0xC2 && i + 1 < s.size() &&
      static_cast<unsigned char>(s[i + 1]) == 0xA0) {
    return 2;
  }
  return 0;
}

// A word character for emphasis flanking: ASCII letter or digit, or any non-ASCII byte
// (letters of other scripts, accented letters).
bool is_word(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) != 0;
}

bool is_ascii_punct(char c) {
  return std::ispunct(static_cast<unsigned char>(c)) != 0;
}

// [text](url) -> text, [text][ref] -> text, [Text words] [ref-name] -> text.
std::string strip_links(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '[' && (i == 0 || s[i - 1] != '\\')) {
      const size_t close = s.find(']', i + 1);
      if (close != std::string_view::npos &&
          s.substr(i + 1, close - i - 1).find('[') == std::string_view::npos) {
        const std::string_view text = s.substr(i + 1, close - i - 1);
        size_t j = close + 1;
        if (j < s.size() && s[j] == '(') {
          const size_t end = s.find(')', j);
          if (end != std::string_view::npos) {
            out.append(text);
            i = end + 1;
            continue;
          }
        }
        // Reference link: "[text][ref]", or "[text] [ref]" only when ref looks like a link
        // label (lower-case, with a hyphen) so that "cp [old] [new]" is left alone.
        const bool spaced = j < s.size() && s[j] == ' ';
        if (spaced) ++j;
        if (j < s.size() && s[j] == '[') {
          const size_t end = s.find(']', j);
          if (end != std::string_view::npos) {
            const std::string_view ref = s.substr(j + 1, end - j - 1);
            bool label = !ref.empty();
            for (char c : ref) {
              if (!(std::islower(static_cast<unsigned char>(c)) ||
                    std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
                label = false;
            }
            if (!spaced || (label && ref.find('-') != std::string_view::npos)) {
              out.append(text);
              i = end + 1;
              continue;
            }
          }
        }
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

// Drops a small set of inline HTML tags; <br> becomes a space. Anything else with '<'
// ("x <- 1", "image < 128") is text.
std::string strip_tags(std::string_view s) {
  static const std::array<std::string_view, 14> kDrop = {"kbd", "/kbd",   "code",    "/code", "em",
                                                         "/em", "strong", "/strong", "b",     "/b",
                                                         "i",   "/i",     "sup",     "/sup"};
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '<') {
      const size_t end = s.find('>', i);
      if (end != std::string_view::npos && end - i <= 10) {
        std::string name(s.substr(i + 1, end - i - 1));
        while (!name.empty() && (name.back() == '/' || name.back() == ' ')) name.pop_back();
        std::transform(name.begin(), name.end(), name.begin(), [](char c) {
          return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        if (name == "br") {
          out.push_back(' ');
          i = end + 1;
          continue;
        }
        if (std::find(kDrop.begin(), kDrop.end(), name) != kDrop.end()) {
          i = end + 1;
          continue;
        }
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

// Removes emphasis markers around words and backticks; undoes backslash escapes last, so an
// escaped "\*" is never taken for a marker.
std::string strip_emphasis_and_escapes(std::string_view s) {
  std::vector<bool> drop(s.size(), false);
  std::vector<bool> escaped(s.size(), false);
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && is_ascii_punct(s[i + 1])) {
      drop[i] = true;
      escaped[i + 1] = true;
      ++i;
    }
  }
  auto run_at = [&](size_t i, char c, size_t n) {
    if (i + n > s.size()) return false;
    for (size_t k = 0; k < n; ++k) {
      if (s[i + k] != c || escaped[i + k] || drop[i + k]) return false;
    }
    return true;
  };
  for (size_t n : {size_t{2}, size_t{1}}) {
    for (const char c : {'*', '_'}) {
      for (size_t i = 0; i < s.size(); ++i) {
        if (!run_at(i, c, n)) continue;
        // Opener: not preceded by a word character or the same marker, followed by a word
        // character.
        const bool before_ok = i == 0 || (!is_word(s[i - 1]) && s[i - 1] != c);
        if (!before_ok || i + n >= s.size() || !is_word(s[i + n])) continue;
        // Closer: the next run preceded by a word character (or ')' / '.'), not followed by a
        // word character or the same marker.
        for (size_t j = i + n + 1; j + n <= s.size(); ++j) {
          if (!run_at(j, c, n)) continue;
          const char prev = s[j - 1];
          const bool prev_ok = is_word(prev) || prev == ')' || prev == '.';
          const bool after_ok = j + n == s.size() || (!is_word(s[j + n]) && s[j + n] != c);
          if (prev_ok && after_ok) {
            for (size_t k = 0; k < n; ++k) drop[i + k] = drop[j + k] = true;
            i = j + n - 1;
          }
          break;  // only the nearest run can close
        }
      }
    }
  }
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (drop[i]) continue;
    if (s[i] == '`' && !escaped[i]) continue;
    out.push_back(s[i]);
  }
  return out;
}

// True if the token ending just before a '.' is an abbreviation, so the '.' ends no sentence.
bool is_abbreviation(std::string_view token) {
  static const std::unordered_set<std::string_view> kWords = {
      "e.g", "i.e", "cf", "vs", "approx", "Dr", "Mr", "Mrs", "Ms", "St", "Jr", "Fig", "al"};
  if (kWords.count(token) != 0) return true;
  // Dotted abbreviations: segments of one or two letters ("U.S", "Ph.D", "e.g").
  if (token.find('.') == std::string_view::npos) return false;
  size_t seg = 0;
  for (char c : token) {
    if (c == '.') {
      if (seg == 0 || seg > 2) return false;
      seg = 0;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      ++seg;
    } else {
      return false;
    }
  }
  return seg >= 1 && seg <= 2;
}

}  // namespace

std::string trim_with_nbsp(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    const size_t n = space_len(s, b);
    if (n == 0) break;
    b += n;
  }
  size_t e = s.size();
  while (e > b) {
    if (is_c_space(s[e - 1])) {
      --e;
    } else if (e - b >= 2 && static_cast<unsigned char>(s[e - 2]) == 0xC2 &&
               static_cast<unsigned char>(s[e - 1]) == 0xA0) {
      e -= 2;
    } else {
      break;
    }
  }
  return std::string(s.substr(b, e - b));
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  for (size_t i = 0; i < s.size();) {
    const size_t n = space_len(s, i);
    if (n > 0) {
      pending = true;
      i += n;
      continue;
    }
    if (pending && !out.empty()) out.push_back(' ');
    pending = false;
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

std::vector<std::string> split_labels(std::string_view list, std::string_view exclude) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find('\n', start);
    if (end == std::string_view::npos) end = list.size();
    std::string label = collapse_spaces(list.substr(start, end - start));
    if (!label.empty() && label != exclude &&
        std::find(out.begin(), out.end(), label) == out.end()) {
      out.push_back(std::move(label));
    }
    start = end + 1;
  }
  return out;
}

std::string strip_markdown(std::string_view s) {
  return collapse_spaces(strip_emphasis_and_escapes(strip_tags(strip_links(s))));
}

std::vector<std::string> split_sentences(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  auto emit = [&](size_t end) {
    std::string sentence = trim_with_nbsp(s.substr(start, end - start));
    if (!sentence.empty()) out.push_back(std::move(sentence));
    start = end;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if ((c == '.' || c == '?' || c == '!') && depth == 0) {
      // Let closing quotes and brackets stay with the sentence: ...said "yes." Next.
      size_t end = i + 1;
      while (end < s.size() && (s[end] == '"' || s[end] == '\'' || s[end] == ')')) ++end;
      if (end < s.size() && space_len(s, end) == 0) continue;  // "cmd.exe", "3.5"
      size_t next = end;
      while (next < s.size() && space_len(s, next) > 0) next += space_len(s, next);
      if (next < s.size() && std::islower(static_cast<unsigned char>(s[next]))) continue;
      if (c == '.') {
        size_t t = i;
        while (t > start && space_len(s, t - 1) == 0 && s[t - 1] != '(') --t;
        const std::string_view token = s.substr(t, i - t);
        if (is_abbreviation(token)) continue;
        // Spaced initials "U. S." (but "knowledge of R. To start" ends a sentence).
        if (token.size() == 1 && std::isupper(static_cast<unsigned char>(token[0])) &&
            next + 1 < s.size() && std::isupper(static_cast<unsigned char>(s[next])) &&
            s[next + 1] == '.') {
          continue;
        }
      }
      emit(end);
      i = end - 1;
    }
  }
  emit(s.size());
  return out;
}

}  // namespace credmatch::convert
