// The Carpentries lesson tables -> credentials_carpentries.jsonl.gz: one "short course"
// credential per lesson.
//
// Reads lessons.tsv, outcomes.tsv, prerequisite_edges.tsv and carpentries_org_lesson_list.tsv
// (for the official lesson URLs). Competencies: every objective and keypoint outcome
// (teaches; questions are motivating, not outcomes, and are left out) and the sentences of
// the lesson's free-text prerequisites (requires). Hours are the instructors' live-workshop
// estimate; cost 0 means free material (hosts set workshop fees); both say so in `source`.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "tools/convert/convert.h"
#include "tools/convert/text.h"

namespace credmatch::convert {
namespace {

namespace fs = std::filesystem;
using Format = TableReader::Format;

struct Competency {
  std::string id;
  std::string text;
  std::string kind;
};

struct Lesson {
  std::string title;
  std::string provider;
  std::string language;
  std::string description;
  std::string prerequisites_text;
  int64_t total_min = 0;
  std::string repo;  // github.com/OWNER/REPO
  std::string commit;
  std::string url;
  std::vector<std::string> prerequisites;  // credential ids
  std::vector<Competency> competencies;
};

std::string path_in(const std::string& dir, const std::string& rel) {
  return (fs::path(dir) / rel).string();
}

bool parse_non_negative(const std::string& s, int64_t* value) {
  if (s.empty() || s.size() > 9) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

bool is_hex_commit(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Section headings that occur in the flattened index.md prerequisites ("## Prerequisites This
// lesson ..."). The flattening lost the line break after a heading, so a heading can only be
// told from the text after it by knowing it. Longest first.
constexpr std::string_view kHeadings[] = {"Install Software and Download Data",
                                          "Geospatial Skill Level",
                                          "Setup RStudio Project",
                                          "Getting Started",
                                          "For Instructors",
                                          "R Skill Level",
                                          "Pre-requisitos",
                                          "Prerrequisitos",
                                          "Prerequisitos",
                                          "Prerequisites",
                                          "Setup"};

// Items of a list that was flattened without punctuation ("You are familiar with version
// control You have experience ...") start with one of these words.
const std::set<std::string_view> kListItemStarts = {"You", "Optionally,", "A", "An"};

std::vector<std::string> split_flattened_list(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!current.empty() && kListItemStarts.count(word) != 0) {
      items.push_back(current);
      current.clear();
    }
    if (!current.empty()) current.push_back(' ');
    current += word;
    start = end + 1;
  }
  if (!current.empty()) items.push_back(current);
  return items;
}

// The free-text prerequisites as separate statements: Markdown sections split at their
// headings ("For Instructors" sections are dropped: they address instructors), then
// sentences; a section without any sentence punctuation is taken as a flattened list.
std::vector<std::string> split_prerequisites(const std::string& raw, int64_t* unknown_headings) {
  // Cut at heading markers: a run of '#' at the start or after a space, followed by a space.
  std::vector<std::pair<bool, std::string>> sections;  // (had heading marker, text)
  size_t start = 0;
  bool heading = false;
  for (size_t i = 0; i <= raw.size(); ++i) {
    bool marker = false;
    size_t after = i;
    if (i < raw.size() && raw[i] == '#' && (i == 0 || raw[i - 1] == ' ')) {
      while (after < raw.size() && raw[after] == '#') ++after;
      marker = after < raw.size() && raw[after] == ' ' && after - i <= 6;
    }
    if (marker || i == raw.size()) {
      sections.emplace_back(heading, raw.substr(start, i - start));
      if (marker) {
        heading = true;
        start = after + 1;
        i = after;
      }
    }
  }
  std::vector<std::string> out;
  for (auto& [has_heading, text] : sections) {
    std::string body = trim_with_nbsp(text);
    if (has_heading) {
      bool known = false;
      for (std::string_view h : kHeadings) {
        if (body.starts_with(h) && (body.size() == h.size() || body[h.size()] == ' ')) {
          if (h == "For Instructors")
            body.clear();
          else
            body = trim_with_nbsp(std::string_view(body).substr(h.size()));
          known = true;
          break;
        }
      }
      if (!known) ++*unknown_headings;
    }
    body = strip_markdown(body);
    if (body.empty()) continue;
    std::vector<std::string> sentences = split_sentences(body);
    const char last = body.back();
    if (sentences.size() == 1 && last != '.' && last != '?' && last != '!') {
      sentences = split_flattened_list(body);
    }
    for (std::string& s : sentences) out.push_back(std::move(s));
  }
  return out;
}

Status read_lessons(const std::string& path, std::map<std::string, Lesson>* lessons) {
  auto t = TableReader::open(path, Format::kTsv,
                             {"lesson_id", "provider", "title", "language", "description",
                              "prerequisites", "total_min", "source_repo", "commit", "license"});
  if (!t) return t.status();
  while ((*t)->next()) {
    const TableReader& row = **t;
    const std::string& id = row["lesson_id"];
    const size_t slash = id.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == id.size() ||
        id.find('/', slash + 1) != std::string::npos) {
      return row.error("lesson_id", "expected OWNER/REPO, found '" + id + "'");
    }
    Lesson l;
    // A few titles end in a life-cycle marker ("... Social Scientists *alpha*"); the marker
    // is not part of the course name.
    std::string title = trim_with_nbsp(row["title"]);
    for (std::string_view marker : {" *alpha*", " *beta*"}) {
      if (title.ends_with(marker)) title.resize(title.size() - marker.size());
    }
    l.title = strip_markdown(title);
    if (l.title.empty()) return row.error("title", "empty");
    l.provider = trim_with_nbsp(row["provider"]);
    l.language = trim_with_nbsp(row["language"]);
    if (l.language.empty()) return row.error("language", "empty");
    l.description = strip_markdown(row["description"]);
    // One description starts with the remains of a Liquid include ("Lesson Maintainers: }").
    constexpr std::string_view kLiquidLeftover = "Lesson Maintainers: } ";
    if (l.description.starts_with(kLiquidLeftover)) {
      l.description.erase(0, kLiquidLeftover.size());
    }
    l.prerequisites_text = row["prerequisites"];
    if (!parse_non_negative(row["total_min"], &l.total_min)) {
      return row.error("total_min",
                       "expected a whole number of minutes, found '" + row["total_min"] + "'");
    }
    const std::string kGithub = "https://github.com/";
    if (!row["source_repo"].starts_with(kGithub)) {
      return row.error("source_repo",
                       "expected " + kGithub + "OWNER/REPO, found '" + row["source_repo"] + "'");
    }
    l.repo = row["source_repo"].substr(std::string("https://").size());
    if (!is_hex_commit(row["commit"])) {
      return row.error("commit", "expected 40 hex digits, found '" + row["commit"] + "'");
    }
    l.commit = row["commit"];
    // The source line promises CC BY 4.0; a lesson under another licence needs a decision.
    if (row["license"] != "CC-BY-4.0") {
      return row.error("license", "expected CC-BY-4.0, found '" + row["license"] + "'");
    }
    if (!lessons->emplace(id, std::move(l)).second) {
      return row.error("lesson_id", "duplicate " + id);
    }
  }
  return (*t)->status();
}

// Official lesson URLs from carpentries.org; other lessons get their GitHub Pages address
// when they belong to a Carpentries organisation, else their repository.
Status assign_urls(const std::string& path, std::map<std::string, Lesson>* lessons,
                   Summary* summary) {
  auto t = TableReader::open(path, Format::kTsv, {"url", "lesson_id_in_this_folder"});
  if (!t) return t.status();
  std::map<std::string, std::string> official;
  while ((*t)->next()) {
    const TableReader& row = **t;
    const std::string& id = row["lesson_id_in_this_folder"];
    if (id.empty()) continue;  // listed on carpentries.org but not in this snapshot
    std::string url = trim_with_nbsp(row["url"]);
    if (url.starts_with("http://")) url = "https://" + url.substr(7);
    if (!url.starts_with("https://")) return row.error("url", "expected an http(s) URL");
    if (!url.ends_with("/")) url += "/";
    official[id] = url;
  }
  CREDMATCH_RETURN_IF_ERROR((*t)->status());
  static const std::set<std::string> kOrgs = {
      "swcarpentry",           "datacarpentry",   "librarycarpentry", "carpentries",
      "carpentries-incubator", "carpentries-lab", "hpc-carpentry"};
  int64_t from_list = 0, pages = 0, repo = 0;
  for (auto& [id, l] : *lessons) {
    const std::string owner = id.substr(0, id.find('/'));
    if (auto it = official.find(id); it != official.end()) {
      l.url = it->second;
      ++from_list;
    } else if (kOrgs.count(owner) != 0) {
      l.url = "https://" + owner + ".github.io/" + id.substr(owner.size() + 1) + "/";
      ++pages;
    } else {
      l.url = "https://" + l.repo;
      ++repo;
    }
  }
  summary->note("lesson URLs: " + std::to_string(from_list) + " from carpentries.org, " +
                std::to_string(pages) + " GitHub Pages of a Carpentries organisation, " +
                std::to_string(repo) + " repository (not a Carpentries organisation)");
  return Status::ok();
}

Status read_outcomes(const std::string& path, std::map<std::string, Lesson>* lessons,
                     Summary* summary) {
  auto t =
      TableReader::open(path, Format::kTsv, {"episode_id", "lesson_id", "kind", "seq", "text"});
  if (!t) return t.status();
  std::set<std::string> ids;
  while ((*t)->next()) {
    const TableReader& row = **t;
    const std::string& kind = row["kind"];
    if (kind != "objective" && kind != "keypoint" && kind != "question") {
      return row.error("kind", "expected objective, keypoint or question, found '" + kind + "'");
    }
    int64_t seq = 0;
    if (!parse_non_negative(row["seq"], &seq) || seq == 0) {
      return row.error("seq", "expected a positive whole number, found '" + row["seq"] + "'");
    }
    if (!row["episode_id"].starts_with(row["lesson_id"] + "#")) {
      return row.error("episode_id", "expected LESSON_ID#NN, found '" + row["episode_id"] + "'");
    }
    if (kind == "question") {
      summary->skip("outcomes.tsv: question (motivating question, not an outcome)", row.where());
      continue;
    }
    auto lesson = lessons->find(row["lesson_id"]);
    if (lesson == lessons->end()) {
      summary->skip("outcomes.tsv: lesson not in lessons.tsv", row.where());
      continue;
    }
    std::string text = strip_markdown(row["text"]);
    if (text.empty()) {
      summary->skip("outcomes.tsv: empty text", row.where());
      continue;
    }
    std::string id = "carpentries:" + row["episode_id"] + ":" + kind + ":" + row["seq"];
    if (!ids.insert(id).second) return row.error("seq", "duplicate outcome " + id);
    lesson->second.competencies.push_back({std::move(id), std::move(text), "teaches"});
  }
  return (*t)->status();
}

Status read_prerequisite_edges(const std::string& path, std::map<std::string, Lesson>* lessons,
                               Summary* summary) {
  auto t = TableReader::open(path, Format::kTsv, {"lesson_id", "requires_lesson_id"});
  if (!t) return t.status();
  while ((*t)->next()) {
    const TableReader& row = **t;
    auto lesson = lessons->find(row["lesson_id"]);
    if (lesson == lessons->end()) {
      summary->skip("prerequisite_edges.tsv: lesson not in lessons.tsv", row.where());
      continue;
    }
    const std::string& requires_id = row["requires_lesson_id"];
    if (requires_id.empty()) {
      summary->skip(
          "prerequisite_edges.tsv: required page is not a lesson in this folder "
          "(e.g. a workshop overview)",
          row.where());
      continue;
    }
    if (lessons->find(requires_id) == lessons->end()) {
      summary->skip("prerequisite_edges.tsv: required lesson not in lessons.tsv", row.where());
      continue;
    }
    const std::string credential = "carpentries:" + requires_id;
    auto& prereqs = lesson->second.prerequisites;
    if (std::find(prereqs.begin(), prereqs.end(), credential) == prereqs.end()) {
      prereqs.push_back(credential);
    }
  }
  return (*t)->status();
}

}  // namespace

Status convert_carpentries(const std::string& src, const std::string& out, Summary* summary) {
  std::map<std::string, Lesson> lessons;  // sorted by lesson id: the output order
  CREDMATCH_RETURN_IF_ERROR(read_lessons(path_in(src, "lessons.tsv"), &lessons));
  CREDMATCH_RETURN_IF_ERROR(
      assign_urls(path_in(src, "carpentries_org_lesson_list.tsv"), &lessons, summary));
  CREDMATCH_RETURN_IF_ERROR(read_outcomes(path_in(src, "outcomes.tsv"), &lessons, summary));
  CREDMATCH_RETURN_IF_ERROR(
      read_prerequisite_edges(path_in(src, "prerequisite_edges.tsv"), &lessons, summary));

  const std::string path = path_in(out, "credentials_carpentries.jsonl.gz");
  auto w = JsonlGzWriter::open(path);
  if (!w) return w.status();
  int64_t teaches = 0, requires_count = 0, unknown_headings = 0, no_prerequisite_text = 0;
  for (const auto& [id, l] : lessons) {
    Json j;
    j["id"] = "carpentries:" + id;
    j["title"] = l.title;
    j["provider"] = l.provider;
    j["kind"] = "short course";
    j["description"] = l.description;
    j["language"] = l.language;
    j["hours"] = std::round(static_cast<double>(l.total_min) / 60.0 * 100.0) / 100.0;
    j["cost"] = 0;
    j["currency"] = "USD";
    j["url"] = l.url;
    j["prerequisites"] = l.prerequisites;
    j["source"] = "The Carpentries lessons (CC BY 4.0), " + l.repo + "@" + l.commit +
                  "; hours: the lesson's teaching + exercise minutes, an instructor estimate "
                  "for a live workshop, not self-study time; cost 0: the material is free, "
                  "workshop fees are set by hosts";
    Json competencies = Json::array();
    for (const Competency& c : l.competencies) {
      competencies.push_back({{"id", c.id}, {"text", c.text}, {"kind", c.kind}});
      ++teaches;
    }
    const std::vector<std::string> requires_texts =
        split_prerequisites(l.prerequisites_text, &unknown_headings);
    if (requires_texts.empty()) ++no_prerequisite_text;
    for (size_t i = 0; i < requires_texts.size(); ++i) {
      competencies.push_back({{"id", "carpentries:" + id + ":requires:" + std::to_string(i + 1)},
                              {"text", requires_texts[i]},
                              {"kind", "requires"}});
      ++requires_count;
    }
    j["competencies"] = std::move(competencies);
    CREDMATCH_RETURN_IF_ERROR((*w)->write(j).with_context(path));
  }
  CREDMATCH_RETURN_IF_ERROR((*w)->close());
  summary->add_output(path, (*w)->records(), static_cast<int64_t>(fs::file_size(path)));
  summary->note("carpentries competencies: " + std::to_string(teaches) +
                " teaches (objectives + keypoints), " + std::to_string(requires_count) +
                " requires (prerequisite sentences); " + std::to_string(no_prerequisite_text) +
                " lessons without prerequisite text");
  if (unknown_headings > 0) {
    summary->note(std::to_string(unknown_headings) +
                  " unknown Markdown headings in prerequisites kept as text");
  }
  return Status::ok();
}

}  // namespace credmatch::convert
