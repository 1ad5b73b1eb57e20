// How read_posting() tells requirements from the rest of a posting, and why. A posting is
// written for a person: besides duties and requirements it has a title line, the employer's
// blurb, benefits, pay, schedule, how to apply and equal-opportunity lines. Those read like
// statements too, but no credential covers them, so as requirements they would only lower
// every credential's coverage and fill the evidence with noise; the title names the job
// instead. The rules below are small and rule-based on purpose (no model to train or ship):
// each one is there because real postings carry what it drops (tests/data/postings/ holds
// fourteen, English and French), and each errs towards keeping a line. They match normalised
// text (text/normalize.h: case and accents folded, "Équité" → "equite"); the word lists are in
// match/posting_rules.{h,cc}.
//
//  1. Title. The first line is the job's title when it reads like one: not a bullet or a
//     heading, at most 12 words and 120 bytes, no sentence punctuation, not opening with a
//     requirement word ("Experience", "Knowledge", "Connaissance", "2 years"), and followed by
//     a blank line, a heading or only header lines (rule 2). A single line is never a title.
//     "Job title:" / "Poste :" before it is cut. Cut from its end, only where clear: a
//     gender marker "(m/f/x)", "(H/F)"; and after " - ", " – ", " — ", " | ", " · ": an
//     employer (a company word such as Inc., Ltd., Group, Credit Union, or the start of a
//     header line), a schedule ("Day Shift", "quart de jour", "Remote") or a place
//     ("Toronto, ON", "Lévis (QC)"). Other suffixes ("- Long-Term Care", "- niveau 1") say what
//     the job is and stay.
//  2. Header lines: the lines under a title, up to the first blank line or heading, naming the
//     employer, place, pay or schedule ("Maple Grove Residence - Sudbury, ON", "Aciers Boréal
//     inc."): a separator, a place code, a company word, Title Case words, pay or schedule.
//     They are dropped; when one is not like that, the first line is no title.
//  3. Sections. A heading is a line ending in ':', a known heading alone on its line
//     ("About us", "Qui sommes-nous ?"), or a known heading before ':' that opens a line
//     ("Benefits: dental plan", "Atout : ..."). It opens a section that lasts to the next
//     heading. Sections about the employer (About us, Who we are, À propos de nous,
//     Qui sommes-nous), benefits and pay (What we offer, Benefits, Perks, Compensation,
//     Ce que nous offrons, Avantages, Conditions, Rémunération, Salaire), schedule and place
//     (Schedule, Hours, Horaire, Location, Lieu de travail), applying (How to apply,
//     Pour postuler) and equal opportunity (Diversity, Accessibility) are dropped whole. Other
//     sections are kept as before; a known heading before ':' is cut from its statement
//     ("Nice to have: Docker" → "Docker", optional).
//  4. Boilerplate sentences, wherever they are (is_boilerplate): equal opportunity ("equal
//     opportunity employer", "employment equity", "équité en matière d'emploi", "welcomes
//     applications from"); accommodation ("accommodation" with "request", "available",
//     "disability" ..., "mesures d'adaptation"); offers ("We offer", "Nous offrons", "Benefits
//     include", "competitive salary"); pay (an amount in $, € or £ with a pay word:
//     "$28/hour", "55 000 $ par an"); schedule-only lines ("Full-time, permanent", "Monday to
//     Friday 8-4", "Temps plein"); applying ("send your CV", "Pour postuler", "Apply online");
//     "We thank all applicants; only those selected ...".
//  5. The employer's voice: a line that is not a bullet and opens with "We are a", "We
//     believe", "Our team", "Join our", "Nous sommes un", "Notre équipe" ... is the pitch.
//  6. The introduction: in a posting with headings, prose (a non-bullet line that ends a
//     sentence or holds several) before the first heading is the employer's blurb
//     ("Northwind operates 150 stores across Ontario.") unless a sentence speaks to the
//     candidate or the role ("you", "vous", "looking for", "recherchons", "experience").
//
// Limits: a posting that opens with a short unbulleted requirement on a line of its own,
// followed by a blank line ("Python and SQL\n\n..."), loses it to the title. Blurb prose after
// a kept heading stays unless rules 4 and 5 catch it. A dropped section swallows an unknown
// heading without ':' that follows it.
#include "match/job_text.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "match/posting_rules.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

size_t word_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) n += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
  return n;
}

// --- Splitting, shared by both entry points --------------------------------------------------

// Strips a leading bullet or item number: "- ", "* ", "• ", "· ", "1. ", "2) ".
std::string strip_bullet(std::string s, bool* stripped = nullptr) {
  if (stripped != nullptr) *stripped = true;
  for (std::string_view bullet : {"\u2022", "\u00b7", "\u25aa", "\u2013", "-", "*", "+"}) {
    if (s.starts_with(bullet)) return std::string(trim(std::string_view(s).substr(bullet.size())));
  }
  size_t i = 0;
  while (i < s.size() && i < 3 && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i > 0 && i < s.size() && (s[i] == '.' || s[i] == ')'))
    return std::string(trim(std::string_view(s).substr(i + 1)));
  if (stripped != nullptr) *stripped = false;
  return s;
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

// The statements of one line: its sentences without bullets and end punctuation, each with a
// content word.
std::vector<std::string> statements(const std::string& line) {
  std::vector<std::string> out;
  for (std::string& s : split_sentences(line)) {
    s = strip_bullet(std::move(s));
    while (!s.empty() && std::strchr(".,:!? ", s.back()) != nullptr) s.pop_back();
    if (has_content_word(s)) out.push_back(std::move(s));
  }
  return out;
}

// --- Rule 3: headings ------------------------------------------------------------------------

enum class Section { kIntro, kKeep, kDrop };

Section section_of(std::optional<HeadingKind> kind) {
  return kind == HeadingKind::kNoRequirements ? Section::kDrop : Section::kKeep;
}

// A heading's label, normalised, without markdown marks and end punctuation.
std::string heading_key(std::string_view label) {
  std::string k = normalize(label);
  const auto mark = [](char c) { return std::strchr(" :?!.*#_", c) != nullptr; };
  while (!k.empty() && mark(k.back())) k.pop_back();
  size_t i = 0;
  while (i < k.size() && mark(k[i])) ++i;
  return k.substr(i);
}

// One line of a posting, as the rules see it.
struct Line {
  std::string text;  // trimmed, bullet stripped; for a heading, what follows its ':'
  bool blank = false;
  bool bullet = false;
  bool heading = false;              // opens a section (alone on its line, or before ':')
  Section section = Section::kKeep;  // the section a heading opens
  bool optional = false;             // the heading makes its section optional
};

Line parse_line(std::string_view raw) {
  Line line;
  line.text = strip_bullet(std::string(trim(raw)), &line.bullet);
  if (line.text.empty()) {
    line.blank = true;
    return line;
  }
  const std::string key = heading_key(line.text);
  const std::optional<HeadingKind> known = known_heading(key);
  std::optional<HeadingKind> inline_known;
  const size_t colon = line.text.find(':');
  if (!known && line.text.back() != ':' && colon != std::string::npos) {
    inline_known = known_heading(heading_key(std::string_view(line.text).substr(0, colon)));
  }
  if (known || line.text.back() == ':') {
    line.heading = true;
    line.section = section_of(known);
    line.optional = mentions_optional(key);
    line.text.clear();
  } else if (inline_known) {
    line.heading = true;
    line.section = section_of(inline_known);
    line.optional = mentions_optional(normalize(std::string_view(line.text).substr(0, colon)));
    line.text = std::string(trim(std::string_view(line.text).substr(colon + 1)));
  }
  return line;
}

// --- Rule 6: the introduction ----------------------------------------------------------------

bool is_prose(const Line& line) {
  return !line.bullet && (std::strchr(".!?", line.text.back()) != nullptr ||
                          split_sentences(line.text).size() > 1 || word_count(line.text) >= 15);
}

// --- Rules 1 and 2: title and header lines ---------------------------------------------------

constexpr std::string_view kSeparators[] = {" - ", " \u2013 ", " \u2014 ", " | ", " \u00b7 "};

bool has_separator(std::string_view s) {
  return std::any_of(std::begin(kSeparators), std::end(kSeparators),
                     [&](std::string_view sep) { return s.find(sep) != std::string_view::npos; });
}

// Ends with a province or state code: ", ON", "(QC)".
bool ends_with_place(std::string_view s) {
  const auto code = [&](size_t at) {
    return at + 2 <= s.size() && std::isupper(static_cast<unsigned char>(s[at])) &&
           std::isupper(static_cast<unsigned char>(s[at + 1]));
  };
  const size_t n = s.size();
  return (n >= 4 && s.substr(n - 4, 2) == ", " && code(n - 2)) ||
         (n >= 4 && s[n - 4] == '(' && s[n - 1] == ')' && code(n - 3));
}

// Every word of four letters or more, stop words aside, starts with a capital (a name).
bool title_case(std::string_view s) {
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(' ', start);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view word = s.substr(start, end - start);
    const unsigned char first = word.empty() ? ' ' : static_cast<unsigned char>(word[0]);
    if (word.size() >= 4 && !is_stop_word(normalize(word)) && std::islower(first)) return false;
    start = end + 1;
  }
  return true;
}

bool single_sentence(const std::string& s) {
  return word_count(s) <= 12 && s.size() <= 120 && s.find(';') == std::string::npos &&
         split_sentences(s).size() == 1;
}

bool header_like(const Line& line) {
  if (line.blank || line.bullet || line.heading || !single_sentence(line.text)) return false;
  const std::string norm = normalize(line.text);
  return has_separator(line.text) || ends_with_place(line.text) || names_company(norm) ||
         title_case(line.text) || is_pay(line.text, norm) || schedule_only(line.text);
}

bool title_shaped(const std::string& s) {
  if (s.empty() || !single_sentence(s)) return false;
  if (std::strchr(".!?:,", s.back()) != nullptr &&  // sentence punctuation, but "Acme Ltd."
      !(s.back() == '.' && names_company(normalize(s.substr(s.rfind(' ') + 1))))) {
    return false;
  }
  const unsigned char first = static_cast<unsigned char>(s[0]);
  if (std::islower(first) || std::ispunct(first)) return false;
  return has_content_word(s) && !opens_like_requirement(normalize(s));
}

// The title without what is clearly not part of it (rule 1).
std::string clean_title(std::string title, const std::vector<std::string>& header_lines) {
  // "(m/f/x)", "(H/F)", "(f/h/x)": single letters between slashes.
  for (size_t open = title.find('('); open != std::string::npos; open = title.find('(', open + 1)) {
    const size_t close = title.find(')', open);
    if (close == std::string::npos) break;
    const std::string_view inside = std::string_view(title).substr(open + 1, close - open - 1);
    bool marker = inside.size() >= 3 && inside.size() % 2 == 1;
    for (size_t i = 0; marker && i < inside.size(); ++i) {
      marker =
          i % 2 == 0 ? std::isalpha(static_cast<unsigned char>(inside[i])) != 0 : inside[i] == '/';
    }
    if (marker) {
      title = std::string(trim(title.substr(0, open))) + title.substr(close + 1);
      break;
    }
  }
  for (;;) {
    size_t cut = std::string::npos, sep_size = 0;
    for (std::string_view sep : kSeparators) {
      const size_t at = title.rfind(sep);
      if (at != std::string::npos && (cut == std::string::npos || at > cut))
        cut = at, sep_size = sep.size();
    }
    if (cut == std::string::npos || cut == 0) break;
    const std::string suffix(trim(std::string_view(title).substr(cut + sep_size)));
    const std::string norm = normalize(suffix);
    const bool employer =
        names_company(norm) ||
        std::any_of(header_lines.begin(), header_lines.end(), [&](const std::string& h) {
          return norm.size() >= 3 && normalize(h).starts_with(norm);
        });
    if (!employer && !schedule_only(suffix) && !ends_with_place(suffix)) break;
    title = std::string(trim(std::string_view(title).substr(0, cut)));
  }
  return std::string(trim(title));
}

// "Job title: ...", "Poste : ..."
bool is_title_label(const std::string& key) {
  for (std::string_view label :
       {"job title", "title", "position", "poste", "titre", "titre du poste"}) {
    if (key == label) return true;
  }
  return false;
}

// Finds the title (rules 1 and 2): sets *title and returns the index of the first line after
// the title and its header lines; 0 and no title when the first line is not one.
size_t find_title(const std::vector<Line>& lines, std::string* title) {
  size_t first = 0;
  while (first < lines.size() && lines[first].blank) ++first;
  if (first == lines.size() || lines[first].bullet || lines[first].heading) return 0;
  std::string text = lines[first].text;
  if (const size_t colon = text.find(':');
      colon != std::string::npos &&
      is_title_label(heading_key(std::string_view(text).substr(0, colon)))) {
    text = std::string(trim(std::string_view(text).substr(colon + 1)));
  }
  if (!title_shaped(text)) return 0;
  size_t end = first + 1;
  std::vector<std::string> header_lines;
  for (; end < lines.size() && !lines[end].blank && !lines[end].heading; ++end) {
    if (!header_like(lines[end])) return 0;
    header_lines.push_back(lines[end].text);
  }
  const bool more = std::any_of(lines.begin() + static_cast<std::ptrdiff_t>(end), lines.end(),
                                [](const Line& l) { return !l.blank; });
  if (!more) return 0;
  *title = clean_title(std::move(text), header_lines);
  return end;
}

std::vector<Line> parse_lines(std::string_view text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(parse_line(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

Requirement make_requirement(std::string text, bool optional) {
  Requirement r;
  r.importance = optional || mentions_optional(normalize(text)) ? Importance::kOptional
                                                                : Importance::kEssential;
  r.text = std::move(text);
  return r;
}

}  // namespace

PostingParts read_posting(std::string_view text) {
  const std::vector<Line> lines = parse_lines(text);
  PostingParts out;
  const size_t begin = find_title(lines, &out.title);
  const bool has_heading =
      std::any_of(lines.begin(), lines.end(), [](const Line& l) { return l.heading; });
  Section section = Section::kIntro;
  bool optional = false;
  for (size_t i = begin; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.blank) continue;
    if (line.heading) {
      section = line.section;
      optional = line.optional;
    }
    if (section == Section::kDrop || line.text.empty()) continue;
    const bool intro = section == Section::kIntro && has_heading && is_prose(line);
    for (std::string& s : statements(line.text)) {
      const std::string norm = normalize(s);
      if (is_boilerplate(s, norm)) continue;
      if (!line.bullet && is_employer_voice(norm)) continue;
      if (intro && !addresses_candidate(norm)) continue;
      out.requirements.push_back(make_requirement(std::move(s), optional));
    }
  }
  return out;
}

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
    if (line.back() == ':') {  // a heading sets the importance of what follows it
      section_optional = mentions_optional(normalize(line));
      continue;
    }
    for (std::string& s : statements(line)) {
      out.push_back(make_requirement(std::move(s), section_optional));
    }
  }
  return out;
}

}  // namespace credmatch::engine
