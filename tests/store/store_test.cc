// Tests of CatalogStore (store/catalog_store.h): schema, reads, title lookup, connection pool.
// Longer than our usual file because it is one class's whole surface; ingest has its own file
// (tests/store/ingest_test.cc).
#include "store/catalog_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "store/splits.h"

namespace credmatch::engine {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(CREDMATCH_TEST_DATA_DIR) + "/ingest/";
const std::string kShell = "carpentries:swcarpentry/shell-novice";
const std::string kGit = "carpentries:swcarpentry/git-novice";
const std::string kAec = "csfoy:aec-analyse-donnees";
const std::string kAnalyst = "http://data.europa.eu/esco/occupation/data-analyst";

InputFile in(RecordKind kind, const std::string& name) { return {kind, kData + name}; }
const std::vector<InputFile> kJsonlCatalog = {
    in(RecordKind::kCredentials, "credentials.jsonl"), in(RecordKind::kSkills, "skills.jsonl"),
    in(RecordKind::kJobs, "jobs.jsonl"), in(RecordKind::kRequirements, "requirements.csv")};

class Store : public testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("credmatch_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string db_path(const std::string& name = "catalog.db") const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream((dir_ / name), std::ios::binary) << bytes;
    return (dir_ / name).string();
  }

  std::unique_ptr<CatalogStore> open(const std::string& name = "catalog.db") {
    auto store = CatalogStore::open(db_path(name), /*create=*/true);
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    return store.is_ok() ? std::move(*store) : nullptr;
  }
  // A store holding the JSON Lines fixtures (plus requirements.csv).
  std::unique_ptr<CatalogStore> open_loaded(const std::string& name = "catalog.db") {
    auto store = open(name);
    IngestStats stats;
    Status s = store->ingest(kJsonlCatalog, &stats);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return store;
  }

  fs::path dir_;
};

void expect_same_credential(const Credential& a, const Credential& b) {
  SCOPED_TRACE(a.id);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.provider, b.provider);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.language, b.language);
  EXPECT_EQ(a.hours, b.hours);
  EXPECT_EQ(a.cost, b.cost);
  EXPECT_EQ(a.currency, b.currency);
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.prerequisites, b.prerequisites);
  EXPECT_EQ(a.source, b.source);
  ASSERT_EQ(a.competencies.size(), b.competencies.size());
  for (size_t i = 0; i < a.competencies.size(); ++i) {
    EXPECT_EQ(a.competencies[i].id, b.competencies[i].id);
    EXPECT_EQ(a.competencies[i].credential_id, b.competencies[i].credential_id);
    EXPECT_EQ(a.competencies[i].text, b.competencies[i].text);
    EXPECT_EQ(a.competencies[i].kind, b.competencies[i].kind);
    EXPECT_EQ(a.competencies[i].skill_id, b.competencies[i].skill_id);
  }
}

void expect_same_counts(const CatalogCounts& a, const CatalogCounts& b) {
  EXPECT_EQ(a.credentials, b.credentials);
  EXPECT_EQ(a.competencies, b.competencies);
  EXPECT_EQ(a.matchable_competencies, b.matchable_competencies);
  EXPECT_EQ(a.skills, b.skills);
  EXPECT_EQ(a.jobs, b.jobs);
  EXPECT_EQ(a.requirements, b.requirements);
}

TEST_F(Store, IngestsAndReadsBackFieldByField) {
  auto store = open();
  IngestStats stats;
  ASSERT_TRUE(store->ingest(kJsonlCatalog, &stats).is_ok());
  EXPECT_EQ(stats.credentials, 3);
  EXPECT_EQ(stats.competencies, 10);
  EXPECT_EQ(stats.skills, 4);
  EXPECT_EQ(stats.jobs, 4);
  EXPECT_EQ(stats.requirements, 9);

  const CatalogCounts c = store->counts();
  EXPECT_EQ(c.credentials, 3);
  EXPECT_EQ(c.competencies, 10);
  EXPECT_EQ(c.matchable_competencies, 8);
  EXPECT_EQ(c.skills, 4);
  EXPECT_EQ(c.jobs, 4);
  EXPECT_EQ(c.requirements, 9);

  auto shell = store->credential(kShell);
  ASSERT_TRUE(shell.is_ok());
  EXPECT_EQ(shell->title, "The Unix Shell");
  EXPECT_EQ(shell->provider, "The Carpentries");
  EXPECT_EQ(shell->kind, "short course");
  EXPECT_NE(shell->description.find("tasks.\nThis lesson"), std::string::npos);
  EXPECT_EQ(shell->hours, 4.5);
  EXPECT_EQ(shell->cost, 0.0);
  EXPECT_EQ(shell->currency, "USD");
  EXPECT_EQ(shell->source, "The Carpentries lessons (CC BY 4.0)");
  ASSERT_EQ(shell->competencies.size(), 4u);
  EXPECT_EQ(shell->competencies[0].id, kShell + "#1");
  EXPECT_EQ(shell->competencies[0].credential_id, kShell);
  EXPECT_EQ(shell->competencies[1].skill_id, "http://data.europa.eu/esco/skill/unix-shell");
  EXPECT_EQ(shell->competencies[2].kind, CompetencyKind::kAssesses);
  EXPECT_EQ(shell->competencies[3].kind, CompetencyKind::kRequires);

  auto aec = store->credential(kAec);
  ASSERT_TRUE(aec.is_ok());
  EXPECT_EQ(aec->title, "AEC en analyse de données");
  EXPECT_EQ(aec->language, "fr");
  EXPECT_EQ(aec->hours, 1290.0);
  EXPECT_FALSE(aec->cost.has_value());
  EXPECT_EQ(aec->currency, "CAD");
  EXPECT_EQ(aec->prerequisites, (std::vector<std::string>{kShell, kGit}));
  EXPECT_EQ(aec->competencies[3].text, "Diplôme d'études secondaires (DES) ou l'équivalent");

  auto missing = store->credential("nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  auto skill = store->skill("http://data.europa.eu/esco/skill/unix-shell");
  ASSERT_TRUE(skill.is_ok());
  EXPECT_EQ(skill->label, "use Unix shell");
  EXPECT_EQ(skill->alt_labels, (std::vector<std::string>{"bash scripting", "command-line interface"}));
  EXPECT_EQ(skill->description, "Work with files and programs from a Unix command-line shell.");
  EXPECT_EQ(skill->type, "skill/competence");
  EXPECT_EQ(skill->language, "en");
  EXPECT_EQ(skill->label_fr, "utiliser un interpréteur de commandes Unix");
  EXPECT_EQ(skill->alt_labels_fr, (std::vector<std::string>{"programmation de scripts bash"}));
  EXPECT_EQ(store->skill("nope").status().code(), StatusCode::kNotFound);

  auto analyst = store->find_job(kAnalyst);
  ASSERT_TRUE(analyst.is_ok());
  EXPECT_EQ(analyst->title, "data analyst");
  EXPECT_EQ(analyst->alt_titles, (std::vector<std::string>{"data analysts", "data specialist"}));
  EXPECT_EQ(analyst->title_fr, "analyste de données");
  EXPECT_EQ(analyst->alt_titles_fr,
            (std::vector<std::string>{"analyste des données", "spécialiste des données"}));
  EXPECT_EQ(analyst->code, "2511.4");
  EXPECT_EQ(analyst->source, "ESCO v1.1.1");
  EXPECT_NE(analyst->description.find("Data analysts import"), std::string::npos);
  ASSERT_EQ(analyst->requirements.size(), 4u);  // 3 nested + 1 from requirements.csv
  EXPECT_EQ(analyst->requirements[0].skill_id, "http://data.europa.eu/esco/skill/unix-shell");
  EXPECT_EQ(analyst->requirements[1].importance, Importance::kEssential);
  EXPECT_EQ(analyst->requirements[2].importance, Importance::kOptional);
  EXPECT_EQ(analyst->requirements[3].text, "communicate analytical insights, clearly");
}

TEST_F(Store, JsonlAndCsvGiveIdenticalCatalogs) {
  auto a = open_loaded("a.db");
  auto b = open("b.db");
  // The competencies file comes first on purpose: files load parents first.
  Status s = b->ingest({in(RecordKind::kCompetencies, "competencies.csv"),
                        in(RecordKind::kCredentials, "credentials.csv"),
                        in(RecordKind::kSkills, "skills.jsonl"), in(RecordKind::kJobs, "jobs.jsonl"),
                        in(RecordKind::kRequirements, "requirements.csv")},
                       nullptr);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  expect_same_counts(a->counts(), b->counts());
  for (const std::string& id : {kShell, kGit, kAec}) {
    auto ca = a->credential(id);
    auto cb = b->credential(id);
    ASSERT_TRUE(ca.is_ok() && cb.is_ok());
    expect_same_credential(*ca, *cb);
  }
  const auto ma = a->matchable_competencies();
  const auto mb = b->matchable_competencies();
  ASSERT_EQ(ma.size(), mb.size());
  for (size_t i = 0; i < ma.size(); ++i) {
    EXPECT_EQ(ma[i].id, mb[i].id);
    EXPECT_EQ(ma[i].text, mb[i].text);
  }
  EXPECT_EQ(a->corpus_texts(), b->corpus_texts());
}

TEST_F(Store, ListsMatchableCompetenciesInCredentialThenFileOrder) {
  auto store = open_loaded();
  const auto m = store->matchable_competencies();
  ASSERT_EQ(m.size(), 8u);
  // Ordered by credential id: carpentries:...git-novice < carpentries:...shell-novice < csfoy:...
  EXPECT_EQ(m[0].id, "git-novice:configure");
  EXPECT_EQ(m[0].credential_id, kGit);
  EXPECT_EQ(m[1].id, kGit + "#2");
  EXPECT_EQ(m[1].kind, CompetencyKind::kAssesses);
  EXPECT_EQ(m[2].id, kShell + "#1");
  EXPECT_EQ(m[4].id, kShell + "#3");  // #4 is a "requires" competency: not matchable
  EXPECT_EQ(m[5].id, kAec + "#1");
  EXPECT_EQ(m[7].id, kAec + "#3");
  for (const auto& c : m) EXPECT_NE(c.kind, CompetencyKind::kRequires);
}

TEST_F(Store, ListsCredentialSummariesWithoutCompetencies) {
  auto store = open_loaded();
  const auto all = store->credentials_summary();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, kGit);
  EXPECT_EQ(all[0].prerequisites, (std::vector<std::string>{kShell}));
  EXPECT_EQ(all[1].id, kShell);
  EXPECT_TRUE(all[1].prerequisites.empty());
  EXPECT_EQ(all[2].prerequisites, (std::vector<std::string>{kShell, kGit}));
  for (const auto& c : all) EXPECT_TRUE(c.competencies.empty());
}

TEST_F(Store, CorpusHoldsEveryKindOfTextOnce) {
  auto store = open_loaded();
  const auto texts = store->corpus_texts();
  auto has = [&](const std::string& t) {
    return std::find(texts.begin(), texts.end(), t) != texts.end();
  };
  EXPECT_TRUE(has("Configure git the first time it is used on a computer."));  // competency
  EXPECT_TRUE(has("The Unix Shell"));                                          // credential title
  EXPECT_TRUE(has("use Unix shell"));                                          // skill label
  EXPECT_TRUE(has("bash scripting"));                                          // alt label
  EXPECT_TRUE(has("programmation de scripts bash"));                           // French alt label
  EXPECT_TRUE(has("present visual data"));
  EXPECT_TRUE(has("Work with files and programs from a Unix command-line shell."));
  EXPECT_TRUE(has("analyste de données"));                                     // French job title
  EXPECT_TRUE(has("DBA"));                                                     // alt job title
  EXPECT_TRUE(has("Data scientists find and interpret rich data sources."));   // job description
  EXPECT_TRUE(has("write clean code"));                                        // requirement
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "SQL"), 1);  // label and requirement
  EXPECT_TRUE(std::is_sorted(texts.begin(), texts.end()));
  EXPECT_FALSE(has(""));
}

TEST_F(Store, CorpusLeavesOutHeldOutAlternativeLabelsAndJobDescriptions) {
  // held-out-4 and occupation/held-out-2 hash to the eval split, held-out-3 to calibration
  // (store/splits.h); their alternative labels and descriptions are queries of credmatch eval
  // and calibrate-gap, so no fitted statistic may see them. Their preferred labels are targets.
  ASSERT_EQ(split_of("http://example.org/skill/held-out-4"), Split::kEval);
  ASSERT_EQ(split_of("http://example.org/skill/held-out-3"), Split::kCalibration);
  ASSERT_EQ(split_of("http://example.org/occupation/held-out-2"), Split::kEval);
  auto store = open_loaded();
  const std::string skills = write(
      "skills_held_out.jsonl",
      R"({"id": "http://example.org/skill/held-out-4", "label": "prune fruit trees", "alt_labels": ["orchard pruning"], "description": "Cut branches of fruit trees.", "labels_fr": {"label": "tailler les arbres fruitiers", "alt_labels": ["taille de verger"]}})"
      "\n"
      R"({"id": "http://example.org/skill/held-out-3", "label": "grade timber", "alt_labels": ["lumber grading"]})"
      "\n");
  const std::string jobs = write(
      "jobs_held_out.jsonl",
      R"({"id": "http://example.org/occupation/held-out-2", "title": "orchard worker", "alt_titles": ["fruit picker"], "description": "Orchard workers tend fruit trees.", "requirements": [{"text": "prune fruit trees"}]})"
      "\n");
  IngestStats stats;
  ASSERT_TRUE(store->ingest({{RecordKind::kSkills, skills}, {RecordKind::kJobs, jobs}}, &stats)
                  .is_ok());
  const auto texts = store->corpus_texts();
  auto has = [&](const std::string& t) {
    return std::find(texts.begin(), texts.end(), t) != texts.end();
  };
  EXPECT_TRUE(has("prune fruit trees"));             // preferred label: a target
  EXPECT_TRUE(has("tailler les arbres fruitiers"));  // French preferred label
  EXPECT_TRUE(has("Cut branches of fruit trees."));  // skill description: not a query
  EXPECT_TRUE(has("orchard worker"));                // occupation title: a target
  EXPECT_FALSE(has("orchard pruning"));              // eval alternative label: a query
  EXPECT_FALSE(has("taille de verger"));             // French one too
  EXPECT_FALSE(has("lumber grading"));               // calibration alternative label
  EXPECT_FALSE(has("Orchard workers tend fruit trees."));  // eval occupation description
  EXPECT_TRUE(has("bash scripting"));                // training-split alternative label
  EXPECT_TRUE(std::is_sorted(texts.begin(), texts.end()));
}

TEST_F(Store, BrokenSecondFileLeavesTheCatalogExactlyAsItWas) {
  auto store = open_loaded();
  const CatalogCounts before = store->counts();
  const Credential shell_before = *store->credential(kShell);
  const Job analyst_before = *store->find_job(kAnalyst);
  const auto corpus_before = store->corpus_texts();

  // File 1 adds a credential and replaces shell-novice; file 2 replaces data-analyst on line 1
  // and breaks on line 3.
  IngestStats stats;
  Status s = store->ingest({in(RecordKind::kCredentials, "bad/credentials_extra.jsonl"),
                            in(RecordKind::kJobs, "bad/jobs_bad_importance.jsonl")},
                           &stats);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message(), kData + "bad/jobs_bad_importance.jsonl:3: requirements[2].importance: "
                                 "must be \"essential\" or \"optional\", got \"nice\"");
  expect_same_counts(store->counts(), before);
  expect_same_credential(*store->credential(kShell), shell_before);
  EXPECT_EQ(store->credential("carpentries:swcarpentry/python-novice-inflammation").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store->find_job(kAnalyst)->title, analyst_before.title);
  EXPECT_EQ(store->find_job(kAnalyst)->requirements.size(), analyst_before.requirements.size());
  EXPECT_EQ(store->corpus_texts(), corpus_before);

  // The store still works after the rollback.
  ASSERT_TRUE(store->ingest({in(RecordKind::kCredentials, "bad/credentials_extra.jsonl")}, &stats)
                  .is_ok());
  EXPECT_EQ(store->counts().credentials, before.credentials + 1);
}

TEST_F(Store, ReportsUnknownParentsWithTheirLine) {
  auto store = open_loaded();
  const CatalogCounts before = store->counts();
  Status s = store->ingest({in(RecordKind::kCompetencies, "bad/competencies_unknown_credential.csv")},
                           nullptr);
  EXPECT_EQ(s.message(), kData + "bad/competencies_unknown_credential.csv:3: credential_id: "
                                 "unknown credential \"carpentries:swcarpentry/sql-novice\"");
  s = store->ingest({in(RecordKind::kCredentials, "bad/credentials_unknown_prerequisite.jsonl")},
                    nullptr);
  EXPECT_EQ(s.message(), kData + "bad/credentials_unknown_prerequisite.jsonl:2: prerequisites: "
                                 "unknown credential \"example:intermediate\"");
  const std::string reqs = write("requirements.csv", "job_id,text\nhttp://x/nope,SQL\n");
  s = store->ingest({{RecordKind::kRequirements, reqs}}, nullptr);
  EXPECT_EQ(s.message(), reqs + ":2: job_id: unknown job \"http://x/nope\"");
  expect_same_counts(store->counts(), before);
}

TEST_F(Store, PrerequisitesMayNameCredentialsLoadedLater) {
  auto store = open();
  const std::string a = write("credentials_a.jsonl",
                              R"({"id": "adv", "title": "Advanced", "prerequisites": ["intro"]})");
  const std::string b = write("credentials_b.jsonl", R"({"id": "intro", "title": "Intro"})");
  Status s = store->ingest({{RecordKind::kCredentials, a}, {RecordKind::kCredentials, b}}, nullptr);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(store->credential("adv")->prerequisites, (std::vector<std::string>{"intro"}));
}

TEST_F(Store, UpsertReplacesARecordWithItsChildren) {
  auto store = open_loaded();
  const std::string creds = write(
      "credentials.jsonl",
      R"({"id": "carpentries:swcarpentry/shell-novice", "title": "The Unix Shell, 2nd edition", "competencies": [{"text": "Pipe commands together"}]})");
  const std::string jobs = write(
      "jobs.jsonl",
      R"({"id": "http://data.europa.eu/esco/occupation/data-analyst", "title": "data analyst", "alt_titles": ["numbers person"], "requirements": [{"text": "Excel"}]})");
  IngestStats stats;
  ASSERT_TRUE(store->ingest({{RecordKind::kCredentials, creds}, {RecordKind::kJobs, jobs}}, &stats)
                  .is_ok());
  EXPECT_EQ(stats.credentials, 1);
  EXPECT_EQ(stats.competencies, 1);
  auto shell = store->credential(kShell);
  EXPECT_EQ(shell->title, "The Unix Shell, 2nd edition");
  EXPECT_FALSE(shell->hours.has_value());
  ASSERT_EQ(shell->competencies.size(), 1u);
  EXPECT_EQ(shell->competencies[0].id, kShell + "#1");
  EXPECT_EQ(shell->competencies[0].text, "Pipe commands together");
  const CatalogCounts c = store->counts();
  EXPECT_EQ(c.credentials, 3);
  EXPECT_EQ(c.competencies, 7);  // 10 - 4 + 1
  // Other credentials' prerequisites on the replaced one survive.
  EXPECT_EQ(store->credential(kGit)->prerequisites, (std::vector<std::string>{kShell}));

  auto analyst = store->find_job(kAnalyst);
  EXPECT_EQ(analyst->requirements.size(), 1u);
  EXPECT_TRUE(analyst->title_fr.empty());
  EXPECT_EQ(store->find_job("numbers person")->id, kAnalyst);
  EXPECT_EQ(store->find_job("analyste de données").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.requirements, 9 - 4 + 1);
}

TEST_F(Store, CompetencyFileRowsAddOrReplaceByExplicitId) {
  auto store = open_loaded();
  const std::string comps = write(
      "competencies.csv",
      "credential_id,text,kind,id\n"
      "carpentries:swcarpentry/git-novice,Resolve merge conflicts,teaches,\n"
      "carpentries:swcarpentry/git-novice,Configure git once per machine,teaches,git-novice:configure\n");
  IngestStats stats;
  Status s = store->ingest({{RecordKind::kCompetencies, comps}}, &stats);
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(stats.competencies, 2);
  auto git = store->credential(kGit);
  ASSERT_EQ(git->competencies.size(), 3u);
  EXPECT_EQ(git->competencies[0].text, "Configure git once per machine");  // replaced in place
  EXPECT_EQ(git->competencies[2].id, kGit + "#3");                         // appended
  EXPECT_EQ(git->competencies[2].text, "Resolve merge conflicts");

  const std::string nested = write(
      "credentials_2.jsonl",
      R"({"id": "other", "title": "Other", "competencies": [{"text": "x", "id": "git-novice:configure"}]})");
  s = store->ingest({{RecordKind::kCredentials, nested}}, &stats);
  EXPECT_EQ(s.message(), nested + ":1: competencies[0].id: competency id \"git-novice:configure\" "
                                  "already belongs to credential \"" + kGit + "\"");

  const std::string stolen = write("competencies_2.csv",
                                   "credential_id,text,id\n" + kShell + ",x,git-novice:configure\n");
  s = store->ingest({{RecordKind::kCompetencies, stolen}}, &stats);
  EXPECT_EQ(s.message(), stolen + ":2: id: competency id \"git-novice:configure\" already belongs "
                                  "to credential \"" + kGit + "\"");
}

TEST_F(Store, FindsJobsByIdTitleAltTitleAndFrenchTitle) {
  auto store = open_loaded();
  for (const std::string& query :
       {kAnalyst, std::string("data analyst"), std::string("Data Analyst"),
        std::string("  data   ANALYST "), std::string("data specialist"),
        std::string("analyste de données"), std::string("Analyste de Données"),
        std::string("analyste de donnees"), std::string("ANALYSTE DES DONNÉES"),
        std::string("Spécialiste des données")}) {
    auto job = store->find_job(query);
    ASSERT_TRUE(job.is_ok()) << query << ": " << job.status().to_string();
    EXPECT_EQ(job->id, kAnalyst) << query;
  }
  EXPECT_EQ(store->find_job("DBA")->title, "database administrator");
  EXPECT_EQ(store->find_job("développeur de logiciels/développeuse de logiciels")->title,
            "software developer");
  // Each form of a French "masculine/feminine" title finds the job too.
  EXPECT_EQ(store->find_job("Développeuse de logiciels")->title, "software developer");
  EXPECT_EQ(store->find_job("administrateur de base de donnees")->title, "database administrator");
  // ... without showing up as an alternative title.
  EXPECT_TRUE(store->find_job("software developer")->alt_titles_fr.empty());
  // An id is matched exactly, not by its normalised form.
  EXPECT_FALSE(store->find_job("HTTP://DATA.EUROPA.EU/ESCO/OCCUPATION/DATA-ANALYST").is_ok());
}

TEST_F(Store, MissSuggestsCloseTitles) {
  auto store = open_loaded();
  auto miss = store->find_job("data analist");
  ASSERT_FALSE(miss.is_ok());
  EXPECT_EQ(miss.status().code(), StatusCode::kNotFound);
  const std::string& msg = miss.status().message();
  EXPECT_EQ(msg.rfind("no occupation matches \"data analist\"; did you mean: data analyst, ", 0), 0u)
      << msg;
  EXPECT_NE(msg.find("data scientist"), std::string::npos) << msg;
  EXPECT_NE(msg.find("data analysts"), std::string::npos) << msg;
  size_t commas = std::count(msg.begin(), msg.end(), ',');
  EXPECT_LE(commas, 4u) << msg;  // at most 5 suggestions

  auto french = store->find_job("analyste donnees");
  ASSERT_FALSE(french.is_ok());
  EXPECT_NE(french.status().message().find("did you mean: analyste de données"), std::string::npos)
      << french.status().message();

  auto nothing = store->find_job("zzzz qqqq");
  EXPECT_EQ(nothing.status().message(), "no occupation matches \"zzzz qqqq\"");
}

TEST_F(Store, ReopenedDatabaseKeepsEverything) {
  CatalogCounts before;
  std::vector<std::string> corpus;
  {
    auto store = open_loaded();
    ASSERT_TRUE(store->set_meta("encoder", "tfidf-v1").is_ok());
    ASSERT_TRUE(store->set_meta("encoder", "tfidf-v2").is_ok());
    before = store->counts();
    corpus = store->corpus_texts();
  }
  auto reopened = CatalogStore::open(db_path(), /*create=*/false);
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  auto& store = **reopened;
  expect_same_counts(store.counts(), before);
  EXPECT_EQ(store.corpus_texts(), corpus);
  EXPECT_EQ(store.meta("encoder"), "tfidf-v2");
  EXPECT_FALSE(store.meta("missing").has_value());
  EXPECT_EQ(store.credential(kAec)->title, "AEC en analyse de données");
  EXPECT_EQ(store.find_job("Analyste de Données")->id, kAnalyst);
}

TEST_F(Store, OpenWithoutCreateNeedsAnExistingCatalog) {
  auto missing = CatalogStore::open(db_path("missing.db"), /*create=*/false);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(db_path("missing.db")));
  const std::string garbage = write("garbage.db", std::string(4096, 'x'));
  auto bad = CatalogStore::open(garbage, /*create=*/false);
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().to_string();
  // An empty file is refused and left empty: reading never writes a schema.
  const std::string empty = write("empty.db", "");
  auto none = CatalogStore::open(empty, /*create=*/false);
  EXPECT_EQ(none.status().code(), StatusCode::kMismatch) << none.status().to_string();
  EXPECT_NE(none.status().message().find("not a credmatch catalog"), std::string::npos);
  EXPECT_EQ(fs::file_size(empty), 0u);
}

TEST_F(Store, RefusesANewerSchemaVersion) {
  { auto store = open(); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 7", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = CatalogStore::open(db_path(), /*create=*/false);
  ASSERT_FALSE(store.is_ok());
  EXPECT_EQ(store.status().code(), StatusCode::kMismatch);
  EXPECT_NE(store.status().message().find("schema version 7 is newer"), std::string::npos)
      << store.status().message();
}

TEST_F(Store, RefusesAForeignSqliteDatabase) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path("other.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = CatalogStore::open(db_path("other.db"), /*create=*/false);
  EXPECT_EQ(store.status().code(), StatusCode::kMismatch);
}

// The header's claim: another connection sees the old or the new catalog, never a mix.
TEST_F(Store, ConcurrentReaderSeesOldOrNewCatalog) {
  auto writer = open_loaded();
  const int64_t old_credentials = writer->counts().credentials;
  auto reader_store = CatalogStore::open(db_path(), /*create=*/false);
  ASSERT_TRUE(reader_store.is_ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0};
  std::thread reader([&] {
    auto& r = **reader_store;
    while (!done) {
      const int64_t n = r.counts().credentials;
      if (n != old_credentials && n != old_credentials + 1) ++bad_reads;
    }
  });
  for (int i = 0; i < 10; ++i) {
    // Broken batches: must never be seen.
    (void)writer->ingest({in(RecordKind::kCredentials, "bad/credentials_extra.jsonl"),
                          in(RecordKind::kJobs, "bad/jobs_bad_importance.jsonl")},
                         nullptr);
  }
  ASSERT_TRUE(
      writer->ingest({in(RecordKind::kCredentials, "bad/credentials_extra.jsonl")}, nullptr).is_ok());
  done = true;
  reader.join();
  EXPECT_EQ(bad_reads, 0);
  EXPECT_EQ((*reader_store)->counts().credentials, old_credentials + 1);
}

// Not a benchmark, a guard: the real default data (~20k competencies, ~124k requirements) must
// ingest in seconds. Prints the time; fails only if it is absurdly slow.
// One store, many threads, no caller lock: every read leases its own connection.
TEST_F(Store, OneStoreServesConcurrentReadersWithoutLocks) {
  auto store = open_loaded();
  ASSERT_NE(store, nullptr);
  const Job analyst = *store->find_job(kAnalyst);
  const Credential shell = *store->credential(kShell);
  const CatalogCounts counts = store->counts();
  const auto skills = store->skill_summaries();
  const auto occupations = store->occupation_summaries();
  ASSERT_FALSE(skills.empty());
  ASSERT_FALSE(occupations.empty());
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto job = store->find_job(kAnalyst);
        auto cred = store->credential(kShell);
        const bool same = job.is_ok() && job->requirements.size() == analyst.requirements.size() &&
                          cred.is_ok() && cred->competencies.size() == shell.competencies.size() &&
                          store->counts().competencies == counts.competencies &&
                          store->skill_summaries().size() == skills.size() &&
                          store->occupation_summaries().size() == occupations.size() &&
                          !store->find_job("no such occupation at all").is_ok();
        if (!same) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(occupations.front().requirements,
            int64_t(store->find_job(occupations.front().id)->requirements.size()));
}

TEST_F(Store, IngestsAHundredThousandCompetenciesQuickly) {
  std::string creds, jobs;
  for (int c = 0; c < 5000; ++c) {
    creds += R"({"id": "cred)" + std::to_string(c) + R"(", "title": "Credential )" +
             std::to_string(c) + R"(", "hours": 10, "competencies": [)";
    for (int k = 0; k < 20; ++k) {
      creds += std::string(k ? ", " : "") + R"({"text": "Competency )" + std::to_string(k) +
               " of credential " + std::to_string(c) + R"( about data analysis"})";
    }
    creds += "]}\n";
  }
  for (int j = 0; j < 3000; ++j) {
    jobs += R"({"id": "job)" + std::to_string(j) + R"(", "title": "occupation )" +
            std::to_string(j) + R"(", "alt_titles": ["alt one )" + std::to_string(j) +
            R"(", "alt two )" + std::to_string(j) + R"("], "title_fr": "métier )" +
            std::to_string(j) + R"(", "requirements": [)";
    for (int k = 0; k < 40; ++k) {
      jobs += std::string(k ? ", " : "") + R"({"text": "skill )" + std::to_string(k * 37 % 500) +
              R"(", "importance": "optional"})";
    }
    jobs += "]}\n";
  }
  const std::string creds_path = write("credentials_big.jsonl", creds);
  const std::string jobs_path = write("jobs_big.jsonl", jobs);
  auto store = open();
  const auto start = std::chrono::steady_clock::now();
  IngestStats stats;
  Status s = store->ingest({{RecordKind::kCredentials, creds_path}, {RecordKind::kJobs, jobs_path}},
                           &stats);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(s.is_ok()) << s.to_string();
  EXPECT_EQ(stats.competencies, 100000);
  EXPECT_EQ(stats.requirements, 120000);
  EXPECT_EQ(store->matchable_competencies().size(), 100000u);
  std::printf("ingest: 5000 credentials, 100000 competencies, 3000 jobs, 120000 requirements in "
              "%.2f s\n", seconds);
  RecordProperty("ingest_seconds", std::to_string(seconds));
  EXPECT_LT(seconds, 60.0);
}

}  // namespace
}  // namespace credmatch::engine
