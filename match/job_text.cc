#include "match/job_text.h"

#include <cctype>
#include <cstring>
#include <string>

#include "text/normalize.h"
#include "base/strings.h"

namespace credmatch::engine {
namespace {

// Strips a leading bullet or item number: "- ", "* ", "• ", "· ", "1. ", "2) ".
std::string strip_bullet(std::string s) {
  for (std::string_view bullet : {"\u2022", "\u00b7", "\u25aa", "\u2013", "-", "*", "+"}) {
    if (s.starts_with(bullet)) return std::string(trim(std::string_view(s).substr(bullet.size())));
  }
  size_t i = 0;
  while (i < s.size() && i < 3 && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i > 0 && i < s.size() && (s[i] == '.' || s[i] == ')')) return std::string(trim(std::string_view(s).substr(i + 1)));
  return s;
}

bool mentions_optional(const std::string& normalized) {
  for (std::string_view cue : {"nice to have", "asset", "preferred", "optional", "bonus",
                               "desirable", "atout", "un plus", "souhaitable", "facultati"}) {
    if (normalized.find(cue) != std::string::npos) return true;
  }
  return false;
}

bool has_content_word(const std::string& s) {
  for (const std::string& t : tokenize(normalize(s))) {
    if (!is_stop_word(t) && t.size() > 1) return true;
  }
  return false;
}

// Splits a line at sentence ends (". " followed by an upper-case letter or digit) and ';'.
std::vector<std::string> split_sentences(const std::string& line) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const bool semicolon = c == ';';
    const bool sentence_end = (c == '.' || c == '!' || c == '?') && i + 2 < line.size() &&
                              line[i + 1] == ' ' &&
                              (std::isupper(static_cast<unsigned char>(line[i + 2])) ||
                               static_cast<unsigned char>(line[i + 2]) >= 0x80);
    if (semicolon || sentence_end) {
      if (!semicolon) current.push_back(c);
      out.emplace_back(trim(current));
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  out.emplace_back(trim(current));
  return out;
}

}  // namespace

std::vector<Requirement> split_requirements(std::string_view text) {
  std::vector<Requirement> out;
  bool section_optional = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line = strip_bullet(std::string(trim(text.substr(start, end - start))));
    start = end + 1;
    if (line.empty()) continue;
    const std::string norm = normalize(line);
    if (line.back() == ':') {  // a heading sets the importance of what follows it
      section_optional = mentions_optional(norm);
      continue;
    }
    for (std::string& sentence : split_sentences(line)) {
      sentence = strip_bullet(sentence);
      while (!sentence.empty() && std::strchr(".,:!? ", sentence.back()) != nullptr) sentence.pop_back();
      if (!has_content_word(sentence)) continue;
      Requirement r;
      r.importance = section_optional || mentions_optional(normalize(sentence))
                         ? Importance::kOptional
                         : Importance::kEssential;
      r.text = std::move(sentence);
      out.push_back(std::move(r));
    }
    if (end == text.size()) break;
  }
  return out;
}

}  // namespace credmatch::engine
