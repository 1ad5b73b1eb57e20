// Tests of credmatch-convert: runs the built tool on small raw fixtures cut from the real
// ESCO, Carpentries and CIP files (tests/data/raw/, real rows with their quirks: multi-line
// quoted altLabels with CRLF, typographic apostrophes, ="01.0000" codes, Deleted and Moved
// rows, a stray quote, a relation to an unknown occupation), checks the JSON Lines output
// field by field, and checks the shipped data/ files.
// Longer than our usual file: one tool, whose every converter is checked on its own fixture.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "text/line_reader.h"

namespace credmatch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kRaw = std::string(CREDMATCH_TEST_DATA_DIR) + "/raw";

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

RunResult run_convert(const std::string& args) {
  const std::string command = std::string("\"") + CREDMATCH_CONVERT_PATH + "\" " + args + " 2>&1";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("credmatch_convert_" + std::to_string(getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// Reads a gzip JSON Lines file through the engine's reader, one parsed object per line.
std::vector<json> read_jsonl_gz(const std::string& path) {
  std::vector<json> records;
  auto reader = engine::LineReader::open(path);
  EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
  if (!reader.is_ok()) return records;
  std::string line;
  while ((*reader)->next(&line)) {
    records.push_back(json::parse(line));  // throws (and fails the test) on bad JSON
  }
  EXPECT_TRUE((*reader)->status().is_ok()) << (*reader)->status().to_string();
  return records;
}

const json& by_id(const std::vector<json>& records, const std::string& id) {
  for (const json& r : records) {
    if (r.at("id") == id) return r;
  }
  ADD_FAILURE() << "no record with id " << id;
  static const json kNull;
  return kNull;
}

std::vector<std::string> texts(const json& list, const std::string& field,
                               const std::string& kind = "") {
  std::vector<std::string> out;
  for (const json& item : list) {
    if (kind.empty() || item.value("kind", "") == kind)
      out.push_back(item.at(field).get<std::string>());
  }
  return out;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const std::string kSkill = "http://data.europa.eu/esco/skill/";
const std::string kOccupation = "http://data.europa.eu/esco/occupation/";

// --- ESCO ------------------------------------------------------------------------------

class ConvertEsco : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new std::string(fresh_dir("esco"));
    run_ = new RunResult(run_convert("esco --src \"" + kRaw + "/esco\" --out \"" + *out_ + "\""));
    skills_ = new std::vector<json>(read_jsonl_gz(*out_ + "/skills_esco.jsonl.gz"));
    occupations_ = new std::vector<json>(read_jsonl_gz(*out_ + "/occupations_esco.jsonl.gz"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*out_);
    delete out_;
    delete run_;
    delete skills_;
    delete occupations_;
  }
  static std::string* out_;
  static RunResult* run_;
  static std::vector<json>* skills_;
  static std::vector<json>* occupations_;
};
std::string* ConvertEsco::out_;
RunResult* ConvertEsco::run_;
std::vector<json>* ConvertEsco::skills_;
std::vector<json>* ConvertEsco::occupations_;

TEST_F(ConvertEsco, SucceedsAndWritesEveryReleasedSkillSortedById) {
  ASSERT_EQ(run_->exit_code, 0) << run_->output;
  ASSERT_EQ(skills_->size(), 9u);
  for (size_t i = 1; i < skills_->size(); ++i) {
    EXPECT_LT((*skills_)[i - 1].at("id").get<std::string>(),
              (*skills_)[i].at("id").get<std::string>());
  }
  EXPECT_TRUE(contains(run_->output, "status released 9, other 0")) << run_->output;
}

TEST_F(ConvertEsco, SplitsMultiLineAltLabelsAndDropsThePreferredLabel) {
  const json& s = by_id(*skills_, kSkill + "1973c966-f236-40c9-b2d4-5d71a89019be");
  EXPECT_EQ(s.at("label"), "use spreadsheets software");
  const auto alt = s.at("alt_labels").get<std::vector<std::string>>();
  EXPECT_EQ(alt.size(), 31u);
  EXPECT_EQ(alt.front(), "use spreadsheets program");
  EXPECT_EQ(std::count(alt.begin(), alt.end(), "use spreadsheets software"), 0);
  EXPECT_NE(std::find(alt.begin(), alt.end(), "LibreOffice Calc"), alt.end());
  for (const std::string& a : alt) {
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a.find('\r'), std::string::npos) << a;
    EXPECT_EQ(a.find('\n'), std::string::npos) << a;
  }
  EXPECT_EQ(s.at("type"), "skill/competence");
  EXPECT_EQ(s.at("language"), "en");
  EXPECT_EQ(s.at("description"),
            "Use software tools to create and edit tabular data to carry out mathematical "
            "calculations, organise data and information, create diagrams based on data and to "
            "retrieve them.");
}

TEST_F(ConvertEsco, TrimsLabelsAndCollapsesInnerSpaces) {
  // Raw: "manage documentation\u00a0of prior learning assessments\u00a0".
  const json& s = by_id(*skills_, kSkill + "0238dd62-d407-4a87-ae0c-e08cd7b4ea8d");
  EXPECT_EQ(s.at("label"), "manage documentation of prior learning assessments");
  EXPECT_EQ(s.at("alt_labels"), json({"handle documentation of prior learning assessments"}));
  // Raw alt label: "theater  techniques".
  const auto alt = by_id(*skills_, kSkill + "fed5b267-73fa-461d-9f69-827c78beb39d")
                       .at("alt_labels")
                       .get<std::vector<std::string>>();
  EXPECT_NE(std::find(alt.begin(), alt.end(), "theater techniques"), alt.end());
}

TEST_F(ConvertEsco, KeepsTypographicApostrophes) {
  const json& s = by_id(*skills_, kSkill + "31c83903-8fc8-4bd8-9ca4-7a98a9c31eae");
  EXPECT_EQ(s.at("label"), "perform customers\u2019 needs analysis");
  EXPECT_EQ(s.at("alt_labels")[0], "performing customers\u2019 needs analysis");
}

TEST_F(ConvertEsco, AddsFrenchLabelsOnlyWhereACollectionHasThem) {
  const json& with = by_id(*skills_, kSkill + "1973c966-f236-40c9-b2d4-5d71a89019be");
  ASSERT_TRUE(with.contains("labels_fr"));
  EXPECT_EQ(with.at("labels_fr").at("label"), "utiliser un logiciel de tableur");
  EXPECT_TRUE(with.at("labels_fr").at("alt_labels").is_array());
  EXPECT_FALSE(
      by_id(*skills_, kSkill + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833").contains("labels_fr"));
  EXPECT_TRUE(contains(run_->output, "1 x fr skill collections: skill URI not among the English"))
      << run_->output;
}

TEST_F(ConvertEsco, OmitsAnEmptySkillType) {
  const json& s = by_id(*skills_, kSkill + "426ceaba-6867-481c-bb6b-aee3933da7d2");
  EXPECT_EQ(s.at("label"), "ICT safety");
  EXPECT_FALSE(s.contains("type"));
}

TEST_F(ConvertEsco, OccupationsCarryTitlesFrenchTitlesCodeAndSource) {
  ASSERT_EQ(occupations_->size(), 2u);
  const json& o = by_id(*occupations_, kOccupation + "d3edb8f8-3a06-47a0-8fb9-9b212c006aa2");
  EXPECT_EQ(o.at("title"), "data analyst");
  EXPECT_EQ(o.at("alt_titles"),
            json({"data warehousing analyst", "data storage analyst", "data warehouse analyst"}));
  EXPECT_EQ(o.at("title_fr"), "analyste de donn\u00e9es");
  EXPECT_EQ(o.at("alt_titles_fr"),
            json({"data analyst", "analystes de donn\u00e9es", "analyste data"}));
  EXPECT_EQ(o.at("code"), "2511.3");
  EXPECT_EQ(o.at("source"), "ESCO v1.1.1");
  EXPECT_TRUE(o.at("description").get<std::string>().starts_with("Data analysts import, inspect"));
}

TEST_F(ConvertEsco, RequirementsListEssentialFirstThenFileOrder) {
  // Fixture file order: spreadsheets (optional), statistics, use databases, SPARQL (optional).
  const json& reqs =
      by_id(*occupations_, kOccupation + "d3edb8f8-3a06-47a0-8fb9-9b212c006aa2").at("requirements");
  EXPECT_EQ(texts(reqs, "text"), (std::vector<std::string>{"statistics", "use databases",
                                                           "use spreadsheets software", "SPARQL"}));
  EXPECT_EQ(texts(reqs, "importance"),
            (std::vector<std::string>{"essential", "essential", "optional", "optional"}));
  EXPECT_EQ(reqs[0].at("skill_id"), kSkill + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833");
}

TEST_F(ConvertEsco, SkipsRelationsOfAnUnknownOccupationAndSaysWhere) {
  EXPECT_TRUE(contains(run_->output, "2 x occupationSkillRelations.csv: occupation " + kOccupation +
                                         "a9e54177-a185-404d-b6e6-15663d31137e not in"))
      << run_->output;
  EXPECT_TRUE(contains(run_->output, "occupationSkillRelations.csv:6)")) << run_->output;
}

// --- Carpentries -----------------------------------------------------------------------

class ConvertCarpentries : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new std::string(fresh_dir("carpentries"));
    run_ = new RunResult(
        run_convert("carpentries --src \"" + kRaw + "/carpentries\" --out \"" + *out_ + "\""));
    credentials_ =
        new std::vector<json>(read_jsonl_gz(*out_ + "/credentials_carpentries.jsonl.gz"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*out_);
    delete out_;
    delete run_;
    delete credentials_;
  }
  static std::string* out_;
  static RunResult* run_;
  static std::vector<json>* credentials_;
};
std::string* ConvertCarpentries::out_;
RunResult* ConvertCarpentries::run_;
std::vector<json>* ConvertCarpentries::credentials_;

TEST_F(ConvertCarpentries, WritesOneShortCourseCredentialPerLesson) {
  ASSERT_EQ(run_->exit_code, 0) << run_->output;
  ASSERT_EQ(credentials_->size(), 4u);
  const json& c = by_id(*credentials_, "carpentries:swcarpentry/shell-novice");
  EXPECT_EQ(c.at("title"), "The Unix Shell");
  EXPECT_EQ(c.at("provider"), "Software Carpentry");
  EXPECT_EQ(c.at("kind"), "short course");
  EXPECT_EQ(c.at("language"), "en");
  EXPECT_DOUBLE_EQ(c.at("hours").get<double>(), 4.5);  // 270 min
  EXPECT_EQ(c.at("cost"), 0);
  EXPECT_EQ(c.at("currency"), "USD");
  EXPECT_EQ(c.at("url"), "https://swcarpentry.github.io/shell-novice/");
  EXPECT_EQ(c.at("prerequisites"), json::array());
  const std::string source = c.at("source");
  EXPECT_TRUE(contains(source,
                       "The Carpentries lessons (CC BY 4.0), "
                       "github.com/swcarpentry/shell-novice@"
                       "f095fbcb703452afa0f424ea837771356226841a"))
      << source;
  EXPECT_TRUE(contains(source, "not self-study time")) << source;
  EXPECT_TRUE(contains(source, "workshop fees are set by hosts")) << source;
  EXPECT_TRUE(c.at("description").get<std::string>().starts_with("The Unix shell has been around"));
  // 230 min -> 3.83 h (rounded to 0.01).
  EXPECT_DOUBLE_EQ(
      by_id(*credentials_,
            "carpentries:carpentries-incubator/introduction-to-conda-for-data-scientists")
          .at("hours")
          .get<double>(),
      3.83);
  EXPECT_EQ(by_id(*credentials_, "carpentries:unode/shell-novice-french").at("language"), "fr");
}

TEST_F(ConvertCarpentries, UrlsComeFromCarpentriesOrgThenGitHubPagesThenTheRepository) {
  EXPECT_EQ(by_id(*credentials_, "carpentries:datacarpentry/python-socialsci").at("url"),
            "https://datacarpentry.org/python-socialsci/");
  EXPECT_EQ(by_id(*credentials_,
                  "carpentries:carpentries-incubator/introduction-to-conda-for-data-scientists")
                .at("url"),
            "https://carpentries-incubator.github.io/introduction-to-conda-for-data-scientists/");
  EXPECT_EQ(by_id(*credentials_, "carpentries:unode/shell-novice-french").at("url"),
            "https://github.com/unode/shell-novice-french");
}

TEST_F(ConvertCarpentries, PrerequisitesKeepOnlyLessonsInTheFolder) {
  const json& c = by_id(
      *credentials_, "carpentries:carpentries-incubator/introduction-to-conda-for-data-scientists");
  EXPECT_EQ(c.at("prerequisites"), json({"carpentries:swcarpentry/shell-novice"}));
  EXPECT_TRUE(
      contains(run_->output, "3 x prerequisite_edges.tsv: required lesson not in lessons.tsv"))
      << run_->output;
}

TEST_F(ConvertCarpentries, ObjectivesAndKeypointsTeachQuestionsAreLeftOut) {
  const json& comps =
      by_id(*credentials_, "carpentries:swcarpentry/shell-novice").at("competencies");
  EXPECT_EQ(texts(comps, "text", "teaches").size(), 11u);
  EXPECT_EQ(comps[0].at("id"), "carpentries:swcarpentry/shell-novice#01:objective:1");
  EXPECT_EQ(comps[0].at("text"),
            "Explain how the shell relates to the keyboard, the screen, the operating system, and "
            "users' programs.");
  EXPECT_EQ(comps[0].at("kind"), "teaches");
  EXPECT_EQ(comps[2].at("id"), "carpentries:swcarpentry/shell-novice#01:keypoint:1");
  for (const json& c : comps) {
    EXPECT_FALSE(contains(c.at("id"), ":question:")) << c.dump();
  }
  EXPECT_TRUE(contains(run_->output, "1 x outcomes.tsv: question")) << run_->output;
}

TEST_F(ConvertCarpentries, StripsLeftoverMarkdownButNotCode) {
  const auto shell = texts(
      by_id(*credentials_, "carpentries:swcarpentry/shell-novice").at("competencies"), "text");
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  EXPECT_TRUE(has(shell, "Use Ctrl+R to search through the previously entered commands."));
  EXPECT_TRUE(has(shell,
                  "Do not use spaces, quotes, or wildcard characters such as '*' or '?' in "
                  "filenames, as it complicates variable expansion."));
  EXPECT_TRUE(has(shell, "cp [old] [new] copies a file."));
  const json& py = by_id(*credentials_, "carpentries:datacarpentry/python-socialsci");
  EXPECT_EQ(py.at("title"), "Data Analysis and Visualization with Python for Social Scientists");
  EXPECT_TRUE(has(texts(py.at("competencies"), "text", "teaches"),
                  "In Jupyter you can get help on function parameters using shift+tab"));
  EXPECT_TRUE(py.at("description").get<std::string>().starts_with("Python is a general purpose"));
}

TEST_F(ConvertCarpentries, PrerequisiteTextBecomesRequiresSentences) {
  const json& shell =
      by_id(*credentials_, "carpentries:swcarpentry/shell-novice").at("competencies");
  EXPECT_EQ(texts(shell, "text", "requires"),
            (std::vector<std::string>{
                "This lesson guides you through the basics of file systems and the shell.",
                "If you have stored files on a computer at all and recognize the word \"file\" and "
                "either \"directory\" or \"folder\" (two common words for the same thing), you're "
                "ready for this lesson."}));
  EXPECT_EQ(shell.back().at("id"), "carpentries:swcarpentry/shell-novice:requires:2");
  // "## For Instructors" sections address instructors and are dropped; <br> and *x* go.
  const auto py =
      texts(by_id(*credentials_, "carpentries:datacarpentry/python-socialsci").at("competencies"),
            "text", "requires");
  EXPECT_NE(std::find(py.begin(), py.end(), "This lesson requires a working copy of Python."),
            py.end());
  for (const std::string& s : py) {
    EXPECT_FALSE(contains(s, "Instructor notes")) << s;
    EXPECT_FALSE(contains(s, "*")) << s;
    EXPECT_FALSE(contains(s, "#")) << s;
  }
  // Reference-style link "[Software Carpentry Lessons] [swc-lessons]" keeps its text.
  const auto conda =
      texts(by_id(*credentials_,
                  "carpentries:carpentries-incubator/introduction-to-conda-for-data-scientists")
                .at("competencies"),
            "text", "requires");
  ASSERT_FALSE(conda.empty());
  EXPECT_TRUE(conda[0].ends_with("covered in the Software Carpentry Lessons.")) << conda[0];
}

// --- CIP 2020 --------------------------------------------------------------------------

class ConvertCip : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new std::string(fresh_dir("cip"));
    run_ = new RunResult(run_convert("cip --src \"" + kRaw + "/cip\" --out \"" + *out_ + "\""));
    credentials_ = new std::vector<json>(read_jsonl_gz(*out_ + "/credentials_cip.jsonl.gz"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*out_);
    delete out_;
    delete run_;
    delete credentials_;
  }
  static std::string* out_;
  static RunResult* run_;
  static std::vector<json>* credentials_;
};
std::string* ConvertCip::out_;
RunResult* ConvertCip::run_;
std::vector<json>* ConvertCip::credentials_;

TEST_F(ConvertCip, KeepsLiveSixDigitProgramsOnly) {
  ASSERT_EQ(run_->exit_code, 0) << run_->output;
  std::vector<std::string> ids;
  for (const json& c : *credentials_) ids.push_back(c.at("id"));
  // Not kept: series 01 and 43, group 01.00, 60.0406 (Deleted), 01.0309 (Moved from: the old
  // code, whose definition is "Moved from 01.0309 to 01.1004"). 01.1004 (Moved to) is kept.
  EXPECT_EQ(ids,
            (std::vector<std::string>{"cip2020:01.0000", "cip2020:01.0102", "cip2020:01.0505",
                                      "cip2020:01.1004", "cip2020:03.0103", "cip2020:11.0101",
                                      "cip2020:13.0407", "cip2020:22.0202", "cip2020:30.0001"}));
  EXPECT_TRUE(contains(run_->output, "1 x CIPCode2020.csv: program with Action 'Deleted'"))
      << run_->output;
  EXPECT_TRUE(contains(run_->output, "1 x CIPCode2020.csv: program with Action 'Moved from'"))
      << run_->output;
  // The series row 43 holds an unescaped "..." inside a quoted field.
  EXPECT_TRUE(contains(run_->output, "unescaped quotes inside a quoted field")) << run_->output;
  EXPECT_TRUE(contains(run_->output, "cip/CIPCode2020.csv:14)")) << run_->output;
}

TEST_F(ConvertCip, WritesProgramFieldsWithoutHoursOrCost) {
  const json& c = by_id(*credentials_, "cip2020:01.0000");
  EXPECT_EQ(c.at("title"), "Agriculture, General");
  EXPECT_EQ(c.at("provider"), "");
  EXPECT_EQ(c.at("kind"), "program (US postsecondary, CIP 2020 classification)");
  EXPECT_EQ(c.at("language"), "en");
  EXPECT_EQ(c.at("source"), "NCES CIP 2020 (US public domain)");
  EXPECT_FALSE(c.contains("hours"));
  EXPECT_FALSE(c.contains("cost"));
  EXPECT_TRUE(c.at("description")
                  .get<std::string>()
                  .starts_with("A program that focuses on the general principles and practice of "
                               "agricultural research"));
  // Double spaces after sentences are collapsed.
  EXPECT_FALSE(contains(c.at("description"), "  "));
}

TEST_F(ConvertCip, SplitsTheIncludesInstructionListIntoTopics) {
  EXPECT_EQ(texts(by_id(*credentials_, "cip2020:01.0102").at("competencies"), "text"),
            (std::vector<std::string>{"agriculture", "agricultural specialization",
                                      "business management", "accounting", "finance", "marketing",
                                      "planning", "human resources management",
                                      "other managerial responsibilities"}));
  // Semicolons win over commas.
  EXPECT_EQ(texts(by_id(*credentials_, "cip2020:01.0000").at("competencies"), "text"),
            (std::vector<std::string>{"basic animal, plant, and soil science",
                                      "animal husbandry and plant cultivation", "soil conservation",
                                      "agricultural operations such as farming, ranching, and "
                                      "agricultural business"}));
  // "e.g." inside parentheses neither ends the sentence nor splits the item.
  const auto animal = texts(by_id(*credentials_, "cip2020:01.0505").at("competencies"), "text");
  ASSERT_EQ(animal.size(), 4u);
  EXPECT_TRUE(contains(animal[3],
                       "caregiving (e.g., seeing-eye dogs), search and rescue, and "
                       "police/security work"))
      << animal[3];
  for (const json& c : by_id(*credentials_, "cip2020:01.0505").at("competencies")) {
    EXPECT_EQ(c.at("kind"), "teaches");
  }
}

TEST_F(ConvertCip, UsesTheFirstSentenceWhenThereIsNoTopicList) {
  EXPECT_EQ(texts(by_id(*credentials_, "cip2020:11.0101").at("competencies"), "text"),
            (std::vector<std::string>{"A general program that focuses on computing, computer "
                                      "science, and information science and systems."}));
  // Spaced initials do not end a sentence.
  EXPECT_EQ(texts(by_id(*credentials_, "cip2020:22.0202").at("competencies"), "text"),
            (std::vector<std::string>{"A program that prepares lawyers educated outside the United "
                                      "States to understand U. S. or Canadian law and "
                                      "jurisprudence."}));
}

// --- Whole-run properties and errors ---------------------------------------------------

TEST(ConvertOutput, IsByteIdenticalAcrossRunsWithAZeroGzipTimestamp) {
  const std::string a = fresh_dir("det_a");
  const std::string b = fresh_dir("det_b");
  for (const std::string& out : {a, b}) {
    for (const std::string kind : {"esco", "carpentries", "cip"}) {
      const RunResult r =
          run_convert(kind + " --src \"" + kRaw + "/" + kind + "\" --out \"" + out + "\"");
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }
  for (const char* name : {"skills_esco.jsonl.gz", "occupations_esco.jsonl.gz",
                           "credentials_carpentries.jsonl.gz", "credentials_cip.jsonl.gz"}) {
    const std::string bytes = file_bytes(a + "/" + name);
    ASSERT_GT(bytes.size(), 10u) << name;
    EXPECT_EQ(bytes, file_bytes(b + "/" + name)) << name;
    EXPECT_EQ(bytes.substr(0, 2), "\x1f\x8b") << name;
    EXPECT_EQ(bytes.substr(4, 4), std::string(4, '\0')) << name << ": gzip mtime is not 0";
  }
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(ConvertErrors, MalformedCodeStopsWithFileAndLine) {
  const std::string out = fresh_dir("bad_cip");
  const RunResult r = run_convert("cip --src \"" + kRaw + "/bad/cip\" --out \"" + out + "\"");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.output, "bad/cip/CIPCode2020.csv:5: CIPCode: malformed code")) << r.output;
  EXPECT_TRUE(fs::is_empty(out)) << "a failed run must leave no output file";
  fs::remove_all(out);
}

TEST(ConvertErrors, MissingColumnStopsWithFileAndLine) {
  const std::string out = fresh_dir("bad_carpentries");
  const RunResult r =
      run_convert("carpentries --src \"" + kRaw + "/bad/carpentries\" --out \"" + out + "\"");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(
      contains(r.output, "bad/carpentries/lessons.tsv:1: header: missing column 'total_min'"))
      << r.output;
  fs::remove_all(out);
}

TEST(ConvertErrors, MissingSourceFolderIsRejected) {
  const std::string out = fresh_dir("bad_src");
  const RunResult r = run_convert("cip --src \"" + kRaw + "/no-such-dir\" --out \"" + out + "\"");
  EXPECT_NE(r.exit_code, 0) << r.output;
  fs::remove_all(out);
}

// --- Shipped data ----------------------------------------------------------------------

TEST(ConvertShippedData, FilesParseAndHoldTheExpectedRecords) {
  const std::string dir = CREDMATCH_SHIPPED_DATA_DIR;
  struct Expect {
    const char* file;
    size_t records;
    const char* title_field;
  };
  for (const Expect& e : {Expect{"skills_esco.jsonl.gz", 13896, "label"},
                          Expect{"occupations_esco.jsonl.gz", 3007, "title"},
                          Expect{"credentials_carpentries.jsonl.gz", 40, "title"},
                          Expect{"credentials_cip.jsonl.gz", 2173, "title"}}) {
    SCOPED_TRACE(e.file);
    const std::vector<json> records = read_jsonl_gz(dir + "/" + e.file);
    EXPECT_EQ(records.size(), e.records);
    std::set<std::string> ids;
    for (const json& r : records) {
      ASSERT_TRUE(r.is_object());
      ASSERT_TRUE(r.at("id").is_string());
      EXPECT_TRUE(ids.insert(r.at("id").get<std::string>()).second) << "duplicate " << r.at("id");
      EXPECT_FALSE(r.at(e.title_field).get<std::string>().empty()) << r.at("id");
      for (const json& c : r.value("competencies", json::array())) {
        EXPECT_FALSE(c.at("text").get<std::string>().empty()) << r.at("id");
        const std::string kind = c.at("kind");
        EXPECT_TRUE(kind == "teaches" || kind == "requires") << r.at("id");
      }
      for (const json& q : r.value("requirements", json::array())) {
        EXPECT_FALSE(q.at("text").get<std::string>().empty()) << r.at("id");
        const std::string importance = q.at("importance");
        EXPECT_TRUE(importance == "essential" || importance == "optional") << r.at("id");
      }
    }
  }
}

}  // namespace
}  // namespace credmatch
