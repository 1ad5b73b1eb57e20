#include "store/title_lookup.h"

#include <algorithm>
#include <map>

namespace credmatch::engine {
namespace {

using sqlite::Statement;

// The words of a folded title, each once, sorted: runs of ASCII letters, digits and non-ASCII
// bytes, without the particles below. A title's own short list, not text/normalize.h's stop
// words (those serve competency statements, over normalize()d and tokenised text).
bool is_title_particle(std::string_view w) {
  static constexpr std::string_view kStopWords[] = {
      "a",  "an", "and", "at", "for", "in", "of",  "on", "or",  "the", "to", "with",
      "au", "aux", "d",  "de", "des", "du", "en", "et", "l",  "la",  "le", "les", "ou", "pour"};
  return std::find(std::begin(kStopWords), std::end(kStopWords), w) != std::end(kStopWords);
}

std::vector<std::string> title_words(std::string_view norm) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && !is_title_particle(word)) words.push_back(word);
    word.clear();
  };
  for (char c : norm) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

std::vector<uint32_t> trigrams(std::string_view norm) {
  const std::string padded = "  " + std::string(norm) + " ";
  std::vector<uint32_t> out;
  for (size_t i = 0; i + 3 <= padded.size(); ++i) {
    out.push_back(static_cast<uint32_t>(static_cast<unsigned char>(padded[i])) << 16 |
                  static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 1])) << 8 |
                  static_cast<uint32_t>(static_cast<unsigned char>(padded[i + 2])));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Dice coefficient of two sorted trigram sets.
double similarity(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.empty() || b.empty()) return 0;
  size_t shared = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      ++shared, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return 2.0 * static_cast<double>(shared) / static_cast<double>(a.size() + b.size());
}

}  // namespace

std::vector<std::string> suggest_titles(sqlite3* db, const std::string& norm_query, size_t max) {
  struct Candidate {
    size_t shared_words;
    bool contains;
    double similarity;
    std::string title;
  };
  const std::vector<std::string> query_words = title_words(norm_query);
  const std::vector<uint32_t> query_grams = trigrams(norm_query);
  std::map<std::string, Candidate> best;  // by display title
  // A French "masculine/feminine" title is offered as its two forms (its variants).
  auto st = sqlite::prepare_or_throw(db,
                             "SELECT title, norm_title FROM job_titles WHERE NOT (lang = 'fr'"
                             " AND kind <> 'variant' AND instr(title, '/') > 0)");
  sqlite::for_each_row(db, st, [&](const Statement& row) {
    const std::string norm = row.text(1);
    const std::vector<std::string> words = title_words(norm);
    size_t shared = 0;
    for (const auto& w : query_words) shared += std::binary_search(words.begin(), words.end(), w);
    const bool contains = norm_query.size() >= 3 && norm.find(norm_query) != std::string::npos;
    const double sim = similarity(query_grams, trigrams(norm));
    if (shared == 0 && !contains && sim < 0.5) return;
    Candidate c{shared, contains, sim, row.text(0)};
    auto [it, inserted] = best.try_emplace(c.title, c);
    if (!inserted && sim > it->second.similarity) it->second = c;
  });
  std::vector<Candidate> ranked;
  for (auto& [title, c] : best) ranked.push_back(std::move(c));
  std::sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
    if (a.shared_words != b.shared_words) return a.shared_words > b.shared_words;
    if (a.contains != b.contains) return a.contains;
    if (a.similarity != b.similarity) return a.similarity > b.similarity;
    return a.title < b.title;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < ranked.size() && out.size() < max; ++i) out.push_back(ranked[i].title);
  return out;
}

}  // namespace credmatch::engine
