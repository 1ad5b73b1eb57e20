#include "store/ingest.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace credmatch::engine {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(CREDMATCH_TEST_DATA_DIR) + "/ingest/";

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("credmatch_ingest_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

Status parse(RecordKind kind, const std::string& path, RecordCollector* out) {
  return parse_input({kind, path}, *out);
}

TEST(IngestJsonl, ReadsCredentialsFieldByField) {
  RecordCollector r;
  ASSERT_TRUE(parse(RecordKind::kCredentials, kData + "credentials.jsonl", &r).is_ok());
  ASSERT_EQ(r.credentials.size(), 3u);
  EXPECT_EQ(r.lines, (std::vector<int64_t>{1, 3, 4}));  // the blank line 2 is skipped

  const Credential& shell = r.credentials[0];
  EXPECT_EQ(shell.id, "carpentries:swcarpentry/shell-novice");
  EXPECT_EQ(shell.title, "The Unix Shell");
  EXPECT_EQ(shell.provider, "The Carpentries");
  EXPECT_EQ(shell.kind, "short course");
  EXPECT_NE(shell.description.find("tasks.\nThis lesson"), std::string::npos);
  EXPECT_EQ(shell.language, "en");
  EXPECT_EQ(shell.hours, 4.5);
  EXPECT_EQ(shell.cost, 0.0);
  EXPECT_EQ(shell.currency, "USD");
  EXPECT_EQ(shell.url, "https://swcarpentry.github.io/shell-novice");
  EXPECT_TRUE(shell.prerequisites.empty());
  ASSERT_EQ(shell.competencies.size(), 4u);
  EXPECT_EQ(shell.competencies[0].id, "carpentries:swcarpentry/shell-novice#1");
  EXPECT_EQ(shell.competencies[0].credential_id, shell.id);
  EXPECT_EQ(shell.competencies[1].skill_id, "http://data.europa.eu/esco/skill/unix-shell");
  EXPECT_EQ(shell.competencies[2].kind, CompetencyKind::kAssesses);
  EXPECT_EQ(shell.competencies[3].kind, CompetencyKind::kRequires);
  EXPECT_EQ(shell.competencies[3].text, "Basic familiarity with a text editor");

  const Credential& git = r.credentials[1];
  EXPECT_EQ(git.language, "en");  // default
  EXPECT_EQ(git.prerequisites, (std::vector<std::string>{"carpentries:swcarpentry/shell-novice"}));
  EXPECT_EQ(git.competencies[0].id, "git-novice:configure");  // explicit id kept
  EXPECT_EQ(git.competencies[0].kind, CompetencyKind::kTeaches);  // default kind
  EXPECT_EQ(git.competencies[1].id, "carpentries:swcarpentry/git-novice#2");
  EXPECT_NE(git.competencies[1].text.find("\"undo\""), std::string::npos);

  const Credential& aec = r.credentials[2];
  EXPECT_EQ(aec.title, "AEC en analyse de données");
  EXPECT_EQ(aec.provider, "Cégep de Sainte-Foy");
  EXPECT_EQ(aec.language, "fr");
  EXPECT_EQ(aec.hours, 1290.0);
  EXPECT_FALSE(aec.cost.has_value());  // null = unknown
  EXPECT_EQ(aec.currency, "CAD");      // default
  EXPECT_EQ(aec.competencies[2].text, "Évaluer la qualité des données d'une organisation");
}

TEST(IngestCsv, ReadsTheSameCredentialsAsJsonl) {
  RecordCollector jsonl, csv, comps;
  ASSERT_TRUE(parse(RecordKind::kCredentials, kData + "credentials.jsonl", &jsonl).is_ok());
  Status s = parse(RecordKind::kCredentials, kData + "credentials.csv", &csv);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  s = parse(RecordKind::kCompetencies, kData + "competencies.csv", &comps);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  ASSERT_EQ(csv.credentials.size(), jsonl.credentials.size());
  EXPECT_EQ(csv.lines, (std::vector<int64_t>{2, 4, 5}));  // record 1 spans lines 2-3
  for (size_t i = 0; i < csv.credentials.size(); ++i) {
    const Credential& a = jsonl.credentials[i];
    const Credential& b = csv.credentials[i];
    SCOPED_TRACE(a.id);
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.title, a.title);
    EXPECT_EQ(b.provider, a.provider);
    EXPECT_EQ(b.kind, a.kind);
    EXPECT_EQ(b.description, a.description);
    EXPECT_EQ(b.language, a.language);
    EXPECT_EQ(b.hours, a.hours);
    EXPECT_EQ(b.cost, a.cost);
    EXPECT_EQ(b.currency, a.currency);
    EXPECT_EQ(b.url, a.url);
    EXPECT_EQ(b.prerequisites, a.prerequisites);
    EXPECT_EQ(b.source, a.source);
  }
  ASSERT_EQ(comps.competencies.size(), 10u);
  EXPECT_EQ(comps.competencies[0].id, "");  // the store assigns CREDENTIAL_ID#N
  EXPECT_EQ(comps.competencies[4].id, "git-novice:configure");
  EXPECT_EQ(comps.competencies[5].text, jsonl.credentials[1].competencies[1].text);
  EXPECT_EQ(comps.competencies[9].kind, CompetencyKind::kRequires);
}

TEST(IngestJsonl, ReadsSkillsWithFrenchLabels) {
  RecordCollector r;
  ASSERT_TRUE(parse(RecordKind::kSkills, kData + "skills.jsonl", &r).is_ok());
  ASSERT_EQ(r.skills.size(), 4u);
  const Skill& shell = r.skills[0];
  EXPECT_EQ(shell.label, "use Unix shell");
  EXPECT_EQ(shell.alt_labels, (std::vector<std::string>{"bash scripting", "command-line interface"}));
  EXPECT_EQ(shell.type, "skill/competence");
  EXPECT_EQ(shell.label_fr, "utiliser un interpréteur de commandes Unix");
  EXPECT_EQ(shell.alt_labels_fr, (std::vector<std::string>{"programmation de scripts bash"}));
  EXPECT_EQ(r.skills[2].label_fr, "présenter des données visuelles");
  EXPECT_TRUE(r.skills[2].alt_labels_fr.empty());
}

TEST(IngestJsonl, ReadsJobsWithNestedRequirements) {
  RecordCollector r;
  ASSERT_TRUE(parse(RecordKind::kJobs, kData + "jobs.jsonl", &r).is_ok());
  ASSERT_EQ(r.jobs.size(), 4u);
  const Job& analyst = r.jobs[0];
  EXPECT_EQ(analyst.title_fr, "analyste de données");
  EXPECT_EQ(analyst.alt_titles_fr.size(), 2u);
  EXPECT_EQ(analyst.code, "2511.4");
  ASSERT_EQ(analyst.requirements.size(), 3u);
  EXPECT_EQ(analyst.requirements[1].importance, Importance::kEssential);  // default
  EXPECT_EQ(analyst.requirements[2].importance, Importance::kOptional);
  EXPECT_TRUE(r.jobs[3].requirements.empty());
}

TEST(IngestCsv, ReadsRequirementsRows) {
  RecordCollector r;
  ASSERT_TRUE(parse(RecordKind::kRequirements, kData + "requirements.csv", &r).is_ok());
  ASSERT_EQ(r.requirements.size(), 3u);
  EXPECT_EQ(r.requirements[0].requirement.text, "communicate analytical insights, clearly");
  EXPECT_EQ(r.requirements[0].requirement.importance, Importance::kOptional);
  EXPECT_EQ(r.requirements[2].requirement.importance, Importance::kEssential);
}

TEST(IngestCsv, ReadsSkillAndJobListsAndFrenchColumns) {
  TempDir dir;
  RecordCollector r;
  const std::string skills = dir.write(
      "skills.csv",
      "id,label,alt_labels,description,type,language,label_fr,alt_labels_fr\n"
      "s1,SQL,structured query language | SQL language,,knowledge,,langage SQL,requêtes SQL\n");
  ASSERT_TRUE(parse(RecordKind::kSkills, skills, &r).is_ok());
  EXPECT_EQ(r.skills[0].alt_labels,
            (std::vector<std::string>{"structured query language", "SQL language"}));
  EXPECT_EQ(r.skills[0].language, "en");
  EXPECT_EQ(r.skills[0].label_fr, "langage SQL");
  EXPECT_EQ(r.skills[0].alt_labels_fr, (std::vector<std::string>{"requêtes SQL"}));
  const std::string jobs = dir.write(
      "jobs.csv", "title,id,alt_titles,title_fr\nplumber,j1,pipe fitter|,plombier\n");
  ASSERT_TRUE(parse(RecordKind::kJobs, jobs, &r).is_ok());
  EXPECT_EQ(r.jobs[0].id, "j1");  // columns by name, in any order
  EXPECT_EQ(r.jobs[0].alt_titles, (std::vector<std::string>{"pipe fitter"}));
  EXPECT_EQ(r.jobs[0].title_fr, "plombier");
}

TEST(IngestJsonl, ReadsGzipFiles) {
  TempDir dir;
  const std::string path = dir.path("skills.jsonl.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  const std::string text = "{\"id\": \"s1\", \"label\": \"SQL\"}\n{\"id\": \"s2\", \"label\": \"R\"}\n";
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  RecordCollector r;
  ASSERT_TRUE(parse(RecordKind::kSkills, path, &r).is_ok());
  ASSERT_EQ(r.skills.size(), 2u);
  EXPECT_EQ(r.skills[1].label, "R");
}

TEST(IngestJsonl, StopsWhenTheVisitorFails) {
  struct FailSecond : RecordCollector {
    Status on_skill(const Skill& s, const SourceLocation& where) override {
      if (skills.size() == 1) return Status::invalid_argument(located_message(where, "id", "stop"));
      return RecordCollector::on_skill(s, where);
    }
  } visitor;
  Status s = parse_input({RecordKind::kSkills, kData + "skills.jsonl"}, visitor);
  EXPECT_EQ(s.message(), kData + "skills.jsonl:2: id: stop");
  EXPECT_EQ(visitor.skills.size(), 1u);
}

// --- Malformed input: every case names FILE:LINE: FIELD.

struct BadCase {
  const char* name;
  RecordKind kind;
  const char* file;
  std::string bytes;
  std::string expected;  // the message after the directory
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.name; }

class IngestRejects : public testing::TestWithParam<BadCase> {};

TEST_P(IngestRejects, WithFileLineAndField) {
  const BadCase& c = GetParam();
  TempDir dir;
  const std::string path = dir.write(c.file, c.bytes);
  RecordCollector r;
  Status s = parse(c.kind, path, &r);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), dir.path(c.expected));
}

const std::string kCred = R"({"id": "c1", "title": "T")";
const std::string kJob = R"({"id": "j1", "title": "T")";

INSTANTIATE_TEST_SUITE_P(
    Ingest, IngestRejects,
    testing::Values(
        BadCase{"HoursNotANumber", RecordKind::kCredentials, "creds.jsonl",
                kCred + "}\n\n" + R"({"id": "c2", "title": "T", "hours": "ten"})" + "\n",
                R"(creds.jsonl:3: hours: must be a number >= 0, got "ten")"},
        BadCase{"NegativeCost", RecordKind::kCredentials, "creds.jsonl", kCred + R"(, "cost": -5})",
                "creds.jsonl:1: cost: must be a number >= 0, got -5"},
        BadCase{"BadImportance", RecordKind::kJobs, "jobs.jsonl",
                kJob + R"(, "requirements": [{"text": "a"}, {"text": "b"}, {"text": "c", "importance": "nice"}]})",
                R"(jobs.jsonl:1: requirements[2].importance: must be "essential" or "optional", got "nice")"},
        BadCase{"BadCompetencyKind", RecordKind::kCredentials, "creds.jsonl",
                kCred + R"(, "competencies": [{"text": "x", "kind": "learns"}]})",
                R"(creds.jsonl:1: competencies[0].kind: must be "teaches", "assesses" or "requires", got "learns")"},
        BadCase{"InvalidJson", RecordKind::kCredentials, "x.jsonl", kCred + "}\n{\"id\": \"c2\",}\n",
                "x.jsonl:2: invalid JSON: column 13: syntax error while parsing object key - "
                "unexpected '}'; expected string literal"},
        // 60,000 nested arrays once exhausted the stack of `credmatch build` (no message).
        BadCase{"NestedTooDeep", RecordKind::kCredentials, "creds.jsonl",
                kCred + "}\n" + R"({"id": "c2", "title": "T", "competencies": )" +
                    std::string(60000, '[') + std::string(60000, ']') + "}\n",
                "creds.jsonl:2: invalid JSON: arrays and objects nest deeper than 64 levels (at "
                "byte 107)"},
        BadCase{"NotAnObject", RecordKind::kSkills, "skills.jsonl", "[1, 2]\n",
                "skills.jsonl:1: expected a JSON object, got an array"},
        BadCase{"MissingTitle", RecordKind::kCredentials, "creds.jsonl", R"({"id": "c1"})",
                "creds.jsonl:1: title: missing required field"},
        BadCase{"EmptyId", RecordKind::kCredentials, "creds.jsonl", R"({"id": "  ", "title": "T"})",
                "creds.jsonl:1: id: must not be empty"},
        BadCase{"WrongType", RecordKind::kCredentials, "creds.jsonl", R"({"id": 42, "title": "T"})",
                "creds.jsonl:1: id: must be a string, got 42"},
        BadCase{"EmptyCompetencyText", RecordKind::kCredentials, "creds.jsonl",
                kCred + R"(, "competencies": [{"text": "ok"}, {"text": ""}]})",
                "creds.jsonl:1: competencies[1].text: must not be empty"},
        BadCase{"UnknownField", RecordKind::kCredentials, "creds.jsonl", kCred + R"(, "hour": 4})",
                "creds.jsonl:1: hour: unknown field (known: id, title, provider, kind, description, "
                "language, hours, cost, currency, url, prerequisites, source, competencies)"},
        BadCase{"UnknownNestedField", RecordKind::kJobs, "jobs.jsonl",
                kJob + R"(, "requirements": [{"txt": "SQL"}]})",
                "jobs.jsonl:1: requirements[0].txt: unknown field (known: text, importance, skill_id)"},
        BadCase{"DuplicateId", RecordKind::kCredentials, "creds.jsonl",
                kCred + "}\n" + R"({"id": "c2", "title": "T"})" + "\n" + kCred + "}\n",
                R"(creds.jsonl:3: id: duplicate id "c1" (first on line 1))"},
        BadCase{"DuplicateCompetencyId", RecordKind::kCredentials, "creds.jsonl",
                kCred + R"(, "competencies": [{"text": "a", "id": "c1#2"}, {"text": "b"}]})",
                R"(creds.jsonl:1: competencies[1].id: duplicate competency id "c1#2" (first on line 1))"},
        BadCase{"SelfPrerequisite", RecordKind::kCredentials, "creds.jsonl",
                kCred + R"(, "prerequisites": ["c1"]})",
                "creds.jsonl:1: prerequisites: a credential cannot be its own prerequisite"},
        BadCase{"PrerequisitesNotArray", RecordKind::kCredentials, "creds.jsonl",
                kCred + R"(, "prerequisites": "c0"})",
                R"(creds.jsonl:1: prerequisites: must be an array of strings, got "c0")"},
        BadCase{"AltLabelNotString", RecordKind::kSkills, "skills.jsonl",
                R"({"id": "s", "label": "L", "alt_labels": ["a", 7]})",
                "skills.jsonl:1: alt_labels[1]: must be a string, got 7"},
        BadCase{"FrenchLabelsTypo", RecordKind::kSkills, "skills.jsonl",
                R"({"id": "s", "label": "L", "labels_fr": {"lable": "x"}})",
                "skills.jsonl:1: labels_fr.lable: unknown field (known: label, alt_labels)"},
        BadCase{"InvalidUtf8Jsonl", RecordKind::kCredentials, "creds.jsonl",
                "{\"id\": \"c1\", \"title\": \"caf\xC3\x28\"}",
                R"(creds.jsonl:1: invalid UTF-8 at byte 27 (after "id\": \"c1\", \"title\": \"caf"))"},
        BadCase{"CompetencyFileMissingCredential", RecordKind::kCompetencies, "comps.jsonl",
                R"({"text": "x"})", "comps.jsonl:1: credential_id: missing required field"},
        BadCase{"RequirementFileBadImportance", RecordKind::kRequirements, "reqs.jsonl",
                R"({"job_id": "j", "text": "x", "importance": 1})",
                R"(reqs.jsonl:1: importance: must be "essential" or "optional", got 1)"},
        BadCase{"CsvMissingColumn", RecordKind::kCredentials, "credentials.csv",
                "title,hours\nT,1\n", "credentials.csv:1: header: missing required column 'id'"},
        BadCase{"CsvUnknownColumn", RecordKind::kRequirements, "requirements.csv",
                "job_id,text,importanse\nj,t,optional\n",
                "requirements.csv:1: header: unknown column \"importanse\" (known: job_id, text, "
                "importance, skill_id)"},
        BadCase{"CsvBadHours", RecordKind::kCredentials, "credentials.csv",
                "id,title,hours\nc1,T,4\nc2,\"multi\nline\",ten\n",
                R"(credentials.csv:3: hours: must be a number >= 0, got "ten")"},
        BadCase{"CsvWrongWidth", RecordKind::kCompetencies, "competencies.csv",
                "credential_id,text\nc1,a\nc1,b,extra\n",
                "competencies.csv:3: expected 2 fields as in the header, got 3"},
        BadCase{"CsvEmptyTitle", RecordKind::kJobs, "jobs.csv", "id,title\nj1,\n",
                "jobs.csv:2: title: must not be empty"},
        BadCase{"CsvDuplicateId", RecordKind::kSkills, "skills.csv", "id,label\ns,a\ns,b\n",
                R"(skills.csv:3: id: duplicate id "s" (first on line 2))"},
        BadCase{"CsvBadKind", RecordKind::kCompetencies, "competencies.csv",
                "credential_id,text,kind\nc1,a,Teaches\n",
                R"(competencies.csv:2: kind: must be "teaches", "assesses" or "requires", got "Teaches")"},
        BadCase{"CsvInvalidUtf8", RecordKind::kSkills, "skills.csv",
                "id,label,description\ns,SQL,bad \xFF byte\n",
                "skills.csv:2: description: invalid UTF-8 at byte 5 (after \"bad \")"},
        BadCase{"CsvNulByte", RecordKind::kSkills, "skills.csv",
                std::string("id,label,description\ns,SQL,A\0B\n", 31),
                "skills.csv:2: contains a NUL byte (binary file?)"},
        BadCase{"JsonNulEscape", RecordKind::kSkills, "skills.jsonl",
                R"({"id": "s", "label": "A\u0000B"})" "\n",
                "skills.jsonl:1: label: contains a NUL byte, which text cannot hold"},
        BadCase{"CsvUnterminatedQuote", RecordKind::kSkills, "skills.csv",
                "id,label\ns,\"open\n",
                "skills.csv:2: unterminated quoted field (runs to end of file)"}),
    [](const testing::TestParamInfo<BadCase>& c) { return std::string(c.param.name); });

TEST(IngestFiles, RejectFixturesWithTheirLine) {
  struct Case {
    RecordKind kind;
    const char* file;
    std::string expected;
  };
  const Case cases[] = {
      {RecordKind::kJobs, "bad/jobs_bad_importance.jsonl",
       R"(bad/jobs_bad_importance.jsonl:3: requirements[2].importance: must be "essential" or "optional", got "nice")"},
      {RecordKind::kCredentials, "bad/credentials_missing_id.csv",
       "bad/credentials_missing_id.csv:1: header: missing required column 'id'"},
      {RecordKind::kSkills, "bad/skills_typo.jsonl",
       "bad/skills_typo.jsonl:2: lable: unknown field (known: id, label, alt_labels, description, "
       "type, language, labels_fr)"},
  };
  for (const Case& c : cases) {
    RecordCollector r;
    Status s = parse(c.kind, kData + c.file, &r);
    EXPECT_EQ(s.message(), kData + c.expected);
  }
}

TEST(IngestFiles, ReportsAMissingFileAndAnUnknownFormat) {
  RecordCollector r;
  Status missing = parse(RecordKind::kSkills, kData + "no_such_skills.jsonl", &r);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  Status format = parse(RecordKind::kSkills, kData + "skills.json", &r);
  EXPECT_EQ(format.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(format.message().find("unsupported format"), std::string::npos);
}

// --- classify_input

TEST(IngestClassify, TakesTheKindFromTheFileName) {
  auto a = classify_input("data/credentials_carpentries.jsonl.gz");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->kind, RecordKind::kCredentials);
  EXPECT_EQ(a->path, "data/credentials_carpentries.jsonl.gz");
  EXPECT_EQ(classify_input("/x/occupations_esco.jsonl.gz")->kind, RecordKind::kJobs);
  EXPECT_EQ(classify_input("Competencies.CSV")->kind, RecordKind::kCompetencies);
  EXPECT_EQ(classify_input("requirements.csv.gz")->kind, RecordKind::kRequirements);
  EXPECT_EQ(classify_input("/a=b/skills.jsonl")->kind, RecordKind::kSkills);  // '=' in a path
}

TEST(IngestClassify, TakesAnExplicitKind) {
  auto a = classify_input("credentials=my_courses.csv");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->kind, RecordKind::kCredentials);
  EXPECT_EQ(a->path, "my_courses.csv");
  EXPECT_EQ(classify_input("occupations=/tmp/x.jsonl")->kind, RecordKind::kJobs);
}

TEST(IngestClassify, RejectsUnknownKindsNamesAndFormats) {
  auto unknown = classify_input("courses=my.csv");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("unknown kind 'courses'"), std::string::npos);
  auto unnamed = classify_input("my_courses.csv");
  ASSERT_FALSE(unnamed.is_ok());
  EXPECT_NE(unnamed.status().message().find("credentials=my_courses.csv"), std::string::npos);
  EXPECT_FALSE(classify_input("skills.json").is_ok());
  EXPECT_FALSE(classify_input("skills=").is_ok());
}

// --- parse_job_json

TEST(IngestJobJson, ParsesAMultiLineJobWithoutId) {
  auto job = parse_job_json(
      "{\n  \"title\": \"data analyst\",\n  \"requirements\": [{\"text\": \"SQL\"}]\n}\n",
      "job.json", /*require_id=*/false);
  ASSERT_TRUE(job.is_ok()) << job.status().to_string();
  EXPECT_EQ(job->id, "");
  EXPECT_EQ(job->requirements.size(), 1u);
  auto missing = parse_job_json(R"({"title": "x"})", "job.json", /*require_id=*/true);
  EXPECT_EQ(missing.status().message(), "job.json: id: missing required field");
  auto deep = parse_job_json(R"({"title": "x", "requirements": )" + std::string(60000, '[') +
                                 std::string(60000, ']') + "}",
                             "job.json", false);
  EXPECT_EQ(deep.status().message(),
            "job.json: invalid JSON: arrays and objects nest deeper than 64 levels (at byte 95)");
  auto bad = parse_job_json("{\n\"title\": }", "job.json", false);
  EXPECT_NE(bad.status().message().find("job.json: invalid JSON: parse error at line 2"),
            std::string::npos);
}

}  // namespace
}  // namespace credmatch::engine
