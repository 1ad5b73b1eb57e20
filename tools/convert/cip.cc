// CIP 2020 (NCES Classification of Instructional Programs) -> credentials_cip.jsonl.gz: one
// credential per live six-digit program. Two- and four-digit rows are series and groups, not
// programs.
//
// Which Actions are live: in CIPCode2020.csv a "Moved from" row is the OLD code (its whole
// definition reads "Moved from 51.2506 to 01.8111") and the "Moved to" row is the NEW code
// that carries the real definition. So New, No substantive changes and Moved to are kept;
// Deleted and Moved from are skipped. (The shared data README states the reverse; the rows
// themselves settle it, and a kept row whose definition says "Moved from" or "Deleted" stops
// the run, so a reversed reading cannot ship silently.)
//
// Competencies are the topics of the definition's "Includes instruction in ..." sentence,
// one per list item; without such a list, the definition's first sentence.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "tools/convert/convert.h"
#include "tools/convert/text.h"

namespace credmatch::convert {
namespace {

namespace fs = std::filesystem;

constexpr char kCipSource[] = "NCES CIP 2020 (US public domain)";
constexpr char kCipKind[] = "program (US postsecondary, CIP 2020 classification)";

// Sentence openings that introduce a topic list. The first is the standard one; the others
// are its rarer variants in the same position (typos included, as published).
constexpr std::string_view kListIntroducers[] = {
    "Includes instruction in ", "Includes instructions in ", "May include instruction in ",
    "Includes training in ",    "Includes courses in ",      "Instruction includes "};

// Excel text formulas ="01.0000" arrive from CsvReader as the text ="01.0000".
std::string strip_excel_text(const std::string& s) {
  if (s.size() >= 3 && s.starts_with("=\"") && s.ends_with("\"")) {
    return s.substr(2, s.size() - 3);
  }
  return s;
}

// 0 if `code` is malformed, else its digit count: 2 (series), 4 (group) or 6 (program).
int code_digits(const std::string& code) {
  auto digits = [&](size_t from, size_t n) {
    for (size_t i = from; i < from + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(code[i]))) return false;
    }
    return true;
  };
  if (code.size() == 2 && digits(0, 2)) return 2;
  if (code.size() == 5 && digits(0, 2) && code[2] == '.' && digits(3, 2)) return 4;
  if (code.size() == 7 && digits(0, 2) && code[2] == '.' && digits(3, 4)) return 6;
  return 0;
}

// Splits a topic list on ';' when it has any (outside parentheses), else on ','. Each item
// loses a leading connective ("and ", "or ", "such as ", ...) and trailing punctuation.
std::vector<std::string> split_topics(std::string_view list) {
  int depth = 0;
  bool has_semicolon = false;
  for (char c : list) {
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (c == ';' && depth == 0) has_semicolon = true;
  }
  const char separator = has_semicolon ? ';' : ',';
  std::vector<std::string> items;
  std::string current;
  depth = 0;
  auto finish = [&]() {
    std::string item = trim_with_nbsp(current);
    current.clear();
    for (bool again = true; again;) {
      again = false;
      for (std::string_view lead :
           {"and/or ", "and ", "or ", "as well as ", "including ", "such as ", "especially "}) {
        if (item.starts_with(lead)) {
          item = trim_with_nbsp(std::string_view(item).substr(lead.size()));
          again = true;
        }
      }
    }
    while (!item.empty() && std::string_view(".,;:").find(item.back()) != std::string_view::npos) {
      item.pop_back();
    }
    item = trim_with_nbsp(item);
    if (!item.empty()) items.push_back(std::move(item));
  };
  for (char c : list) {
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (c == separator && depth == 0) {
      finish();
    } else {
      current.push_back(c);
    }
  }
  finish();
  return items;
}

// The competency statements of one definition (already whitespace-collapsed).
std::vector<std::string> competencies_of(const std::string& definition, bool* from_list) {
  const std::vector<std::string> sentences = split_sentences(definition);
  for (const std::string& sentence : sentences) {
    for (std::string_view intro : kListIntroducers) {
      if (!sentence.starts_with(intro)) continue;
      std::string_view list = std::string_view(sentence).substr(intro.size());
      std::vector<std::string> items = split_topics(list);
      if (!items.empty()) {
        *from_list = true;
        return items;
      }
    }
  }
  *from_list = false;
  if (sentences.empty()) return {};
  return {sentences.front()};
}

struct Program {
  std::string title;
  std::string definition;
};

}  // namespace

Status convert_cip(const std::string& src, const std::string& out, Summary* summary) {
  const std::string in = (fs::path(src) / "CIPCode2020.csv").string();
  // Every CIP record is one line; one of them (a series row) has unescaped inner quotes.
  auto t = TableReader::open(in, TableReader::Format::kCsvOneLinePerRecord,
                             {"CIPCode", "Action", "CIPTitle", "CIPDefinition"});
  if (!t) return t.status();
  std::map<std::string, Program> programs;  // sorted by code: the output order
  std::map<std::string, int64_t> kept_by_action;
  int64_t series = 0, groups = 0;
  while ((*t)->next()) {
    const TableReader& row = **t;
    const std::string code = strip_excel_text(trim_with_nbsp(row["CIPCode"]));
    const int digits = code_digits(code);
    if (digits == 0) return row.error("CIPCode", "malformed code '" + row["CIPCode"] + "'");
    const std::string& action = row["Action"];
    const bool live = action == "New" || action == "No substantive changes" || action == "Moved to";
    if (!live && action != "Deleted" && action != "Moved from") {
      return row.error("Action", "unknown action '" + action + "'");
    }
    if (digits != 6) {
      ++(digits == 2 ? series : groups);
      continue;
    }
    if (!live) {
      summary->skip("CIPCode2020.csv: program with Action '" + action + "' (not live)",
                    row.where());
      continue;
    }
    Program p;
    p.title = collapse_spaces(row["CIPTitle"]);
    while (!p.title.empty() && p.title.back() == '.') p.title.pop_back();
    if (p.title.empty()) return row.error("CIPTitle", "empty");
    p.definition = collapse_spaces(row["CIPDefinition"]);
    if (p.definition.empty()) return row.error("CIPDefinition", "empty");
    if (p.definition.starts_with("Moved from ") || p.definition.starts_with("Deleted")) {
      return row.error("CIPDefinition", "Action '" + action +
                                            "' is taken as live, but the definition reads '" +
                                            p.definition + "'");
    }
    if (!programs.emplace(code, std::move(p)).second) {
      return row.error("CIPCode", "duplicate live program " + code);
    }
    ++kept_by_action[action];
  }
  CREDMATCH_RETURN_IF_ERROR((*t)->status());
  if ((*t)->lenient_quotes() > 0) {
    summary->note(std::to_string((*t)->lenient_quotes()) +
                  " CIP line(s) with unescaped quotes inside a quoted field, read as literal "
                  "quotes (first at " +
                  (*t)->first_lenient_quote() + ")");
  }

  const std::string path = (fs::path(out) / "credentials_cip.jsonl.gz").string();
  auto w = JsonlGzWriter::open(path);
  if (!w) return w.status();
  int64_t with_list = 0, topics = 0;
  for (const auto& [code, p] : programs) {
    Json j;
    j["id"] = "cip2020:" + code;
    j["title"] = p.title;
    j["provider"] = "";
    j["kind"] = kCipKind;
    j["description"] = p.definition;
    j["language"] = "en";
    j["source"] = kCipSource;
    bool from_list = false;
    Json competencies = Json::array();
    for (std::string& text : competencies_of(p.definition, &from_list)) {
      competencies.push_back({{"text", std::move(text)}, {"kind", "teaches"}});
    }
    if (from_list) {
      ++with_list;
      topics += static_cast<int64_t>(competencies.size());
    }
    j["competencies"] = std::move(competencies);
    CREDMATCH_RETURN_IF_ERROR((*w)->write(j).with_context(path));
  }
  CREDMATCH_RETURN_IF_ERROR((*w)->close());
  summary->add_output(path, (*w)->records(), static_cast<int64_t>(fs::file_size(path)));
  std::string kept = "CIP programs kept by Action:";
  for (const auto& [action, n] : kept_by_action)
    kept += " " + action + " " + std::to_string(n) + ";";
  summary->note(kept);
  summary->note("CIP rows that are not programs: " + std::to_string(series) +
                " two-digit series, " + std::to_string(groups) + " four-digit groups");
  summary->note("CIP competencies: " + std::to_string(with_list) + " programs with a topic list (" +
                std::to_string(topics) + " topics), " +
                std::to_string(static_cast<int64_t>(programs.size()) - with_list) +
                " use their definition's first sentence");
  return Status::ok();
}

}  // namespace credmatch::convert
