// Matcher and catalog-directory tests on a small fixture catalog (tests/data/match).
#include "match/matcher.h"

#include <gtest/gtest.h>

#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "base/error.h"

#include "catalog/build.h"
#include "catalog/loaded_catalog.h"
#include "store/ingest.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {
namespace fs = std::filesystem;

using testing_util::fixture_inputs;
BuildOptions small_options() { return testing_util::fixture_build_options(); }

std::string fresh_dir(const std::string& name) {
  const fs::path p = testing_util::unique_temp_path("matcher_" + name);
  fs::remove_all(p);
  fs::remove_all(p.string() + ".staging");
  return p.string();
}

class MatcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(fresh_dir("suite"));
    catalog_ = testing_util::build_fixture_catalog(*dir_).release();
    ASSERT_NE(catalog_, nullptr);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static Job job(const std::string& query) {
    auto j = catalog_->store().find_job(query);
    EXPECT_TRUE(j.is_ok()) << j.status().to_string();
    return *j;
  }
  static inline std::string* dir_ = nullptr;
  static inline LoadedCatalog* catalog_ = nullptr;
};

TEST_F(MatcherTest, RanksTheCredentialsThatTeachTheRequirementsFirst) {
  Matcher matcher(*catalog_, MatchConfig{});
  auto r = matcher.match(job("practical nurse"));
  ASSERT_TRUE(r.is_ok());
  ASSERT_FALSE(r->credentials.empty());
  EXPECT_EQ(catalog_->credentials()[size_t(r->credentials[0].credential)].id, "t:nursing");
  EXPECT_EQ(r->credentials[0].essential_covered, 3);
}

TEST_F(MatcherTest, GivesEvidenceForEveryRequirement) {
  MatchConfig config;
  config.top = 20;
  Matcher matcher(*catalog_, config);
  const Job analyst = job("data analyst");
  auto r = matcher.match(analyst);
  ASSERT_TRUE(r.is_ok());
  ASSERT_FALSE(r->credentials.empty());
  for (const auto& m : r->credentials) {
    ASSERT_EQ(m.evidence.size(), analyst.requirements.size());
    for (size_t i = 0; i < m.evidence.size(); ++i) {
      const Evidence& e = m.evidence[i];
      EXPECT_EQ(e.requirement, int(i));
      EXPECT_FALSE(e.why.empty());
      EXPECT_EQ(e.covered, e.score >= config.threshold && e.competency >= 0);
      if (e.competency >= 0) {
        EXPECT_EQ(catalog_->competencies()[size_t(e.competency)].credential_id,
                  catalog_->credentials()[size_t(m.credential)].id);
      }
    }
  }
  const std::string sql_course = catalog_->credentials()[size_t(r->credentials[0].credential)].id;
  EXPECT_TRUE(sql_course == "t:sql" || sql_course == "t:python") << sql_course;
  // "requires" competencies never count: the credential with only a prerequisite is absent.
  for (const auto& m : r->credentials) {
    EXPECT_NE(catalog_->credentials()[size_t(m.credential)].id, "t:empty");
  }
}

// The top list must equal scoring every credential by brute force, whatever `neighbours` is.
TEST_F(MatcherTest, TopListEqualsBruteForceScoring) {
  const std::vector<std::vector<std::string>> jobs = {
      {"write SQL queries", "plot data", "use git"},
      {"operate farm machinery", "care for patients", "cook hot meals"},
      {"automate tasks with shell scripts", "organise spreadsheet data", "regression in R",
       "track changes with version control", "harvest crops"},
      // Enough statements for the matcher to encode them on two threads.
      {"write SQL queries", "plot data", "use git", "operate farm machinery", "care for patients",
       "cook hot meals", "automate tasks with shell scripts", "organise spreadsheet data",
       "regression in R"}};
  ASSERT_NE(catalog_->full_scan(), nullptr);  // a Flat catalog: kAuto is the full scan
  for (int neighbours : {0, 1, 2, 5, 64, 256}) {  // 0: the full scan
    for (float threshold : {0.0f, 0.3f, 0.5f}) {
      MatchConfig config;
      config.top = 4;
      config.neighbours = std::max(neighbours, 1);
      config.candidates = neighbours == 0 ? CandidateSource::kAuto : CandidateSource::kIndex;
      config.threshold = threshold;
      Matcher matcher(*catalog_, config);
      for (const auto& texts : jobs) {
        Job j;
        j.title = "t";
        for (size_t i = 0; i < texts.size(); ++i) {
          j.requirements.push_back({texts[i], i % 2 ? Importance::kOptional : Importance::kEssential, ""});
        }
        auto r = matcher.match(j);
        ASSERT_TRUE(r.is_ok());
        if (neighbours == 0) {
          EXPECT_EQ(r->index_searches, 0);
        } else if (neighbours == 1 && threshold == 0.0f) {
          // The one retrieved score earns credit, so unretrieved credentials may still beat the
          // top list: the index must be searched deeper.
          EXPECT_GT(r->index_searches, 1);
        } else {
          EXPECT_GE(r->index_searches, 1);
        }
        // Brute force over every credential.
        const int d = catalog_->encoder().dim();
        std::vector<float> q(texts.size() * size_t(d));
        catalog_->encoder().encode(texts, q);
        std::vector<std::pair<double, int32_t>> expected;
        for (size_t c = 0; c < catalog_->credentials().size(); ++c) {
          double score = 0, total = 0;
          for (size_t i = 0; i < texts.size(); ++i) {
            float best = -2;
            for (int64_t p : catalog_->competencies_of(int32_t(c))) {
              float s = 0;
              for (int k = 0; k < d; ++k) s += q[i * size_t(d) + size_t(k)] * catalog_->competency_vector(p)[k];
              best = std::max(best, s);
            }
            const double w = i % 2 ? config.optional_weight : config.essential_weight;
            total += w;
            if (best >= threshold) score += w * best;
          }
          if (score > 0) expected.emplace_back(score / total, int32_t(c));
        }
        std::sort(expected.begin(), expected.end(), [](auto a, auto b) { return a.first > b.first; });
        const size_t n = std::min<size_t>(expected.size(), size_t(config.top));
        ASSERT_EQ(r->credentials.size(), n) << "neighbours " << neighbours;
        for (size_t i = 0; i < n; ++i) {
          EXPECT_NEAR(r->credentials[i].score, expected[i].first, 1e-5)
              << "rank " << i << " neighbours " << neighbours << " threshold " << threshold;
        }
      }
    }
  }
}

// The full scan's bounds prune, but never change a result: credentials, scores, evidence and
// the per-requirement summaries equal the index route's on jobs made of the catalog's own
// statements (exact and near ties) and of other text.
TEST_F(MatcherTest, FullScanAndIndexRoutesGiveIdenticalResults) {
  ASSERT_NE(catalog_->full_scan(), nullptr);
  std::mt19937 rng(7);
  const auto comps = catalog_->competencies();
  std::uniform_int_distribution<size_t> pick(0, comps.size() - 1);
  const std::vector<std::string> other = {"write SQL queries", "care for patients",
                                          "gérer une équipe", "plot data", "weld steel pipes"};
  for (int trial = 0; trial < 40; ++trial) {
    Job j;
    j.title = "random " + std::to_string(trial);
    const int n = 1 + trial % 12;
    for (int i = 0; i < n; ++i) {
      std::string text = (i + trial) % 3 ? comps[pick(rng)].text : other[size_t(i) % other.size()];
      j.requirements.push_back({text, i % 3 ? Importance::kEssential : Importance::kOptional, ""});
    }
    for (float threshold : {0.2f, 0.35f, 0.6f}) {
      MatchConfig full;
      full.top = 1 + trial % 7;
      full.threshold = threshold;
      MatchConfig by_index = full;
      by_index.candidates = CandidateSource::kIndex;
      by_index.neighbours = 1000000;  // every competency: the index route is exhaustive here
      auto a = Matcher(*catalog_, full).match(j);
      auto b = Matcher(*catalog_, by_index).match(j);
      ASSERT_TRUE(a.is_ok() && b.is_ok());
      SCOPED_TRACE("trial " + std::to_string(trial) + " threshold " + std::to_string(threshold));
      ASSERT_EQ(a->credentials.size(), b->credentials.size());
      for (size_t k = 0; k < a->credentials.size(); ++k) {
        const CredentialMatch& x = a->credentials[k];
        const CredentialMatch& y = b->credentials[k];
        EXPECT_EQ(x.credential, y.credential) << "rank " << k;
        EXPECT_EQ(x.score, y.score) << "rank " << k;
        ASSERT_EQ(x.evidence.size(), y.evidence.size());
        for (size_t r = 0; r < x.evidence.size(); ++r) {
          EXPECT_EQ(x.evidence[r].competency, y.evidence[r].competency) << "rank " << k << " req " << r;
          EXPECT_EQ(x.evidence[r].score, y.evidence[r].score) << "rank " << k << " req " << r;
          EXPECT_EQ(x.evidence[r].why, y.evidence[r].why);
        }
      }
      ASSERT_EQ(a->requirements.size(), b->requirements.size());
      for (size_t r = 0; r < a->requirements.size(); ++r) {
        EXPECT_NEAR(a->requirements[r].best_score, b->requirements[r].best_score, 1e-5) << r;
        EXPECT_EQ(a->requirements[r].covered_by_catalog, b->requirements[r].covered_by_catalog);
      }
      // Pruning: the full scan rescores fewer credentials than there are.
      EXPECT_LE(a->candidates_rescored, int64_t(catalog_->credentials().size()));
    }
  }
}

// The catalog's cache of competency words: the same words as content_words(), one entry per
// competency however many threads ask at once, and a reference that stays valid.
TEST_F(MatcherTest, CompetencyWordsAreCachedOnceAndStayValid) {
  const int64_t n = int64_t(catalog_->competencies().size());
  std::vector<const std::vector<std::string>*> seen(size_t(n), nullptr);
  std::vector<std::thread> threads;
  std::vector<std::vector<const std::vector<std::string>*>> got(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t p = 0; p < n; ++p) got[size_t(t)].push_back(&catalog_->competency_words(p));
    });
  }
  for (auto& th : threads) th.join();
  for (int64_t p = 0; p < n; ++p) {
    const auto* first = got[0][size_t(p)];
    for (int t = 1; t < 4; ++t) EXPECT_EQ(got[size_t(t)][size_t(p)], first) << p;
    EXPECT_EQ(*first, content_words(catalog_->competencies()[size_t(p)].text)) << p;
  }
  EXPECT_THROW(catalog_->competency_words(n), Error);
}

TEST_F(MatcherTest, RejectsAJobWithoutRequirements) {
  Matcher matcher(*catalog_, MatchConfig{});
  Job empty;
  empty.title = "nothing";
  auto r = matcher.match(empty);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("requirements"), std::string::npos);
  Job blank = empty;
  blank.requirements.push_back({"   ", Importance::kEssential, ""});
  EXPECT_FALSE(matcher.match(blank).is_ok());
}

TEST_F(MatcherTest, ReportsRequirementsNoCredentialCovers) {
  Matcher matcher(*catalog_, MatchConfig{});
  Job j;
  j.title = "pilot";
  j.requirements.push_back({"zzyzx qwvx", Importance::kEssential, ""});
  j.requirements.push_back({"Join tables in SQL", Importance::kEssential, ""});
  auto r = matcher.match(j);
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->requirements[0].covered_by_catalog);
  EXPECT_TRUE(r->requirements[1].covered_by_catalog) << r->requirements[1].best_score;
}

TEST(MatcherConfig, RejectsInvalidValues) {
  MatchConfig c;
  c.top = 0;
  EXPECT_THROW(c.validate(), Error);
  c = MatchConfig{};
  c.threshold = 1.5f;
  EXPECT_THROW(c.validate(), Error);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CatalogDir, FailedBuildLeavesTheCatalogUntouched) {
  const std::string dir = fresh_dir("atomic");
  ASSERT_TRUE(build_catalog(dir, fixture_inputs(), small_options()).is_ok());
  std::map<std::string, std::string> before;
  for (const auto& e : fs::directory_iterator(dir)) before[e.path().filename()] = read_file(e.path());

  const fs::path bad = testing_util::unique_temp_path("bad_inputs") / "credentials_bad.jsonl";
  fs::create_directories(bad.parent_path());
  std::ofstream(bad) << R"({"id": "new:1", "title": "Fine", "competencies": [{"text": "ok"}]})" "\n"
                     << R"({"id": "new:2", "title": "Broken", "hours": "ten"})" "\n";
  auto in = classify_input(bad.string());
  ASSERT_TRUE(in.is_ok());
  auto result = build_catalog(dir, {*in}, small_options());
  ASSERT_FALSE(result.is_ok());
  EXPECT_NE(result.status().message().find(":2: hours"), std::string::npos) << result.status().message();

  std::map<std::string, std::string> after;
  for (const auto& e : fs::directory_iterator(dir)) after[e.path().filename()] = read_file(e.path());
  EXPECT_EQ(before, after);
  EXPECT_FALSE(fs::exists(dir + ".staging"));
  auto cat = LoadedCatalog::open(dir);
  ASSERT_TRUE(cat.is_ok());
  EXPECT_FALSE((*cat)->find_credential("new:1").has_value());
  fs::remove_all(dir);
  fs::remove_all(bad.parent_path());
}

TEST(CatalogDir, RebuildAddsRecordsAndKeepsOldOnes) {
  const std::string dir = fresh_dir("add");
  ASSERT_TRUE(build_catalog(dir, fixture_inputs(), small_options()).is_ok());
  // `credmatch build` writes calibrated gap thresholds next to the catalog: a rebuild (the
  // README's "add your own", the quick start run twice) once refused the directory for it.
  std::ofstream(dir + "/" + kGapThresholdsFile) << "{\"calibrated\": \"kept\"}";
  const fs::path extra = testing_util::unique_temp_path("extra_inputs") / "credentials_extra.jsonl";
  fs::create_directories(extra.parent_path());
  std::ofstream(extra) << R"({"id": "new:1", "title": "Docker", "competencies": [{"text": "Build container images with Docker"}]})" "\n";
  auto in = classify_input(extra.string());
  ASSERT_TRUE(in.is_ok());
  auto report = build_catalog(dir, {*in}, small_options());
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  auto cat = LoadedCatalog::open(dir);
  ASSERT_TRUE(cat.is_ok());
  EXPECT_TRUE((*cat)->find_credential("new:1").has_value());
  EXPECT_TRUE((*cat)->find_credential("t:sql").has_value());
  EXPECT_EQ(read_file(dir + "/" + kGapThresholdsFile), "{\"calibrated\": \"kept\"}");
  fs::remove_all(dir);
  fs::remove_all(extra.parent_path());
}

TEST(CatalogDir, RefusesToReplaceADirectoryThatIsNotACatalog) {
  const std::string dir = fresh_dir("foreign");
  fs::create_directories(dir);
  std::ofstream(dir + "/notes.txt") << "precious";
  auto result = build_catalog(dir, fixture_inputs(), small_options());
  ASSERT_FALSE(result.is_ok());
  EXPECT_NE(result.status().message().find("notes.txt"), std::string::npos);
  EXPECT_EQ(read_file(dir + "/notes.txt"), "precious");
  fs::remove_all(dir);
}

TEST(CatalogDir, OpenRejectsAnIndexFromAnotherCatalog) {
  const std::string a = fresh_dir("a"), b = fresh_dir("b");
  ASSERT_TRUE(build_catalog(a, fixture_inputs(), small_options()).is_ok());
  BuildOptions other = small_options();
  other.encoder.semantic_dim = 12;
  ASSERT_TRUE(build_catalog(b, fixture_inputs(), other).is_ok());
  fs::copy_file(fs::path(b) / kIndexFile, fs::path(a) / kIndexFile, fs::copy_options::overwrite_existing);
  auto cat = LoadedCatalog::open(a);
  ASSERT_FALSE(cat.is_ok());
  EXPECT_EQ(cat.status().code(), StatusCode::kMismatch) << cat.status().to_string();
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(CatalogDir, OpenReportsAMissingCatalog) {
  auto cat = LoadedCatalog::open(fresh_dir("missing"));
  ASSERT_FALSE(cat.is_ok());
  EXPECT_EQ(cat.status().code(), StatusCode::kNotFound);
  EXPECT_NE(cat.status().message().find("credmatch build"), std::string::npos);
}

}  // namespace
}  // namespace credmatch::engine
