// Real-data quality: builds the shipped default catalog (ESCO + Carpentries + CIP 2020) once,
// then checks that for real ESCO occupations the matcher ranks credentials whose competencies
// name the occupation's skills above credentials from unrelated fields. Slow (builds the whole
// default catalog, about a minute on 2 cores): ctest label "slow".
#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "catalog/build.h"
#include "catalog/catalog_relevance.h"
#include "catalog/loaded_catalog.h"
#include "store/ingest.h"
#include "match/job_input.h"
#include "match/matcher.h"
#include "plan/gap.h"
#include "plan/gap_calibration.h"
#include "plan/path.h"
#include "plan/profile.h"

namespace credmatch::engine {
namespace {
namespace fs = std::filesystem;

class RealDataQuality : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string((fs::temp_directory_path() / "credmatch_quality_catalog").string());
    fs::remove_all(*dir_);
    std::vector<InputFile> inputs;
    for (const char* f : {"skills_esco.jsonl.gz", "occupations_esco.jsonl.gz",
                          "credentials_carpentries.jsonl.gz", "credentials_cip.jsonl.gz"}) {
      auto in = classify_input(std::string(CREDMATCH_SHIPPED_DATA_DIR) + "/" + f);
      ASSERT_TRUE(in.is_ok()) << in.status().to_string();
      inputs.push_back(*in);
    }
    BuildOptions options;  // as `credmatch build` on the shipped data
    options.relevance = shipped_relevance_options(CREDMATCH_SHIPPED_DATA_DIR);
    auto report = build_catalog(*dir_, inputs, options);
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    auto cat = LoadedCatalog::open(*dir_);
    ASSERT_TRUE(cat.is_ok()) << cat.status().to_string();
    catalog_ = cat->release();
  }
  static void TearDownTestSuite() {
    delete catalog_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  // Rank (1-based) of every credential with a non-zero score for the occupation.
  static std::map<std::string, int> ranks(const std::string& occupation) {
    auto job = catalog_->store().find_job(occupation);
    EXPECT_TRUE(job.is_ok()) << job.status().to_string();
    MatchConfig config;
    config.top = static_cast<int>(catalog_->credentials().size());
    Matcher matcher(*catalog_, config);
    auto result = matcher.match(*job);
    EXPECT_TRUE(result.is_ok());
    std::map<std::string, int> out;
    int rank = 0;
    for (const auto& m : result->credentials) {
      out[catalog_->credentials()[size_t(m.credential)].id] = ++rank;
    }
    return out;
  }

  static int rank_of(const std::map<std::string, int>& r, const std::string& id) {
    auto it = r.find(id);
    return it == r.end() ? 1 << 30 : it->second;  // unlisted = scored 0 = last
  }

  // Every relevant credential ranks above every unrelated one, and the best relevant one is in
  // the top `top_n`.
  static void expect_relevant_first(const std::string& occupation,
                                    const std::vector<std::string>& relevant,
                                    const std::vector<std::string>& unrelated, int top_n) {
    const auto r = ranks(occupation);
    int best = 1 << 30;
    for (const auto& rel : relevant) {
      ASSERT_TRUE(catalog_->find_credential(rel).has_value()) << rel;
      best = std::min(best, rank_of(r, rel));
      for (const auto& un : unrelated) {
        ASSERT_TRUE(catalog_->find_credential(un).has_value()) << un;
        EXPECT_LT(rank_of(r, rel), rank_of(r, un))
            << occupation << ": " << rel << " (rank " << rank_of(r, rel) << ") vs " << un
            << " (rank " << rank_of(r, un) << ")";
      }
    }
    EXPECT_LE(best, top_n) << occupation;
  }

  static inline std::string* dir_ = nullptr;
  static inline LoadedCatalog* catalog_ = nullptr;
};

const std::vector<std::string> kHealthAndFood = {"cip2020:51.3801", "cip2020:12.0503",
                                                  "cip2020:01.0000"};
const std::vector<std::string> kComputing = {"cip2020:11.0802", "cip2020:30.7001",
                                             "carpentries:swcarpentry/sql-novice-survey"};

TEST_F(RealDataQuality, DataAnalystGetsDataCoursesBeforeNursingCookingOrFarming) {
  expect_relevant_first("data analyst",
                        {"carpentries:datacarpentry/sql-socialsci",
                         "carpentries:datacarpentry/python-socialsci", "cip2020:30.7001",
                         "cip2020:11.0802"},
                        kHealthAndFood, 3);
}

TEST_F(RealDataQuality, DatabaseDeveloperGetsDatabaseCredentialsBeforeUnrelatedOnes) {
  expect_relevant_first("database developer",
                        {"cip2020:11.0802", "carpentries:swcarpentry/sql-novice-survey",
                         "carpentries:datacarpentry/sql-socialsci"},
                        kHealthAndFood, 15);
}

TEST_F(RealDataQuality, CookGetsCulinaryProgramsBeforeComputingOnes) {
  expect_relevant_first("cook", {"cip2020:12.0500", "cip2020:12.0503"}, kComputing, 5);
}

TEST_F(RealDataQuality, NurseGetsNursingProgramsBeforeComputingOnes) {
  // Nursing programs (registered, family practice, nursing practice, geriatric, clinical
  // specialist); the generic registered-nursing program lists only broad topics and ranks low.
  expect_relevant_first("nurse responsible for general care",
                        {"cip2020:51.3801", "cip2020:51.3805", "cip2020:51.3818", "cip2020:51.3821",
                         "cip2020:51.3813"},
                        kComputing, 5);
}

TEST_F(RealDataQuality, FrenchOccupationTitlesFindTheSameJob) {
  auto en = catalog_->store().find_job("data analyst");
  auto fr = catalog_->store().find_job("analyste de données");
  ASSERT_TRUE(en.is_ok());
  ASSERT_TRUE(fr.is_ok()) << fr.status().to_string();
  EXPECT_EQ(en->id, fr->id);
}

// tests/data/postings: realistic postings (title line, blurb, duties, benefits, EEO lines) in
// English and French, each with the programs a counsellor would propose and the rank within
// which one of them should appear. Every posting is read as the CLI and the API read it.
TEST_F(RealDataQuality, PostingsGetTheProgramsACounsellorWouldExpect) {
  std::ifstream in(std::string(CREDMATCH_TEST_DATA_DIR) + "/postings/postings.jsonl");
  ASSERT_TRUE(in) << "postings.jsonl";
  MatchConfig config;
  config.top = 20;
  const Matcher matcher(*catalog_, config);
  std::map<std::string, int> postings, met;  // by language
  std::string line, misses;
  while (std::getline(in, line)) {
    const nlohmann::json p = nlohmann::json::parse(line);
    auto job = job_from_posting(p.at("text").get<std::string>());
    ASSERT_TRUE(job.is_ok()) << job.status().to_string();
    EXPECT_FALSE(job->title.empty()) << p.at("id");
    auto result = matcher.match(*job);
    ASSERT_TRUE(result.is_ok()) << result.status().to_string();
    EXPECT_EQ(result->ranking, Ranking::kRelevance);
    int best = 1 << 30;
    for (size_t i = 0; i < result->credentials.size(); ++i) {
      const std::string& id = catalog_->credentials()[size_t(result->credentials[i].credential)].id;
      for (const auto& e : p.at("expected")) {
        if (e.get<std::string>() == id) best = std::min(best, int(i) + 1);
      }
    }
    const std::string lang = p.at("lang").get<std::string>();
    ++postings[lang];
    if (best <= p.at("top").get<int>()) {
      ++met[lang];
    } else {
      misses += " " + p.at("id").get<std::string>() + " (first expected at " +
                (best > 20 ? std::string("> 20") : std::to_string(best)) + ", first listed " +
                catalog_->credentials()[size_t(result->credentials[0].credential)].title + ")";
    }
  }
  EXPECT_EQ(postings["en"], 7);
  EXPECT_EQ(postings["fr"], 7);
  // A floor below what was measured (6 of 7 English postings; docs/quality.md), not a tuning
  // target. French postings against the English catalog are the bilingual issue's: reported.
  EXPECT_GE(met["en"], 5) << "postings whose expected program is not within its top:" << misses;
  std::printf("postings with an expected program within their top: English %d of %d, French %d "
              "of %d;%s\n", met["en"], postings["en"], met["fr"], postings["fr"],
              misses.empty() ? "" : (" missed:" + misses).c_str());
}

// The retail worker of the paths issue towards each English posting: the plan holds the
// program a counsellor would expect, and its steps are all related to the job.
TEST_F(RealDataQuality, RetailWorkerPathsHoldTheProgramOfThePosting) {
  std::ifstream in(std::string(CREDMATCH_TEST_DATA_DIR) + "/postings/postings.jsonl");
  ASSERT_TRUE(in) << "postings.jsonl";
  auto thresholds = load_gap_thresholds(catalog_->dir(), catalog_->encoder().id());
  ASSERT_TRUE(thresholds.is_ok()) << thresholds.status().to_string();
  GapConfig gap;
  gap.covered_threshold = thresholds->covered;
  gap.partial_threshold = thresholds->partial;
  const WorkerProfile retail = profile_from_skills_text(
      "operate a cash register; handle cash and card payments; customer service; stock shelves; "
      "use a computer");
  int plans = 0, holding = 0;
  std::string misses, line;
  while (std::getline(in, line)) {
    const nlohmann::json p = nlohmann::json::parse(line);
    if (p.at("lang") != "en") continue;
    auto job = job_from_posting(p.at("text").get<std::string>());
    ASSERT_TRUE(job.is_ok()) << job.status().to_string();
    auto report = GapAnalyzer(*catalog_, gap).analyze(*job, retail);
    ASSERT_TRUE(report.is_ok()) << report.status().to_string();
    const PathOutcome out = compute_path(*catalog_, *job, retail, *report, gap, PathOptions{});
    EXPECT_EQ(out.problem.source, PathCandidateSource::kRelevance);
    ++plans;
    bool hit = false;
    std::string titles;
    for (const PlanStep& s : out.plan.steps) {
      const Credential& c = catalog_->credentials()[size_t(out.problem.credential[size_t(s.candidate)])];
      titles += " " + c.title + ";";
      EXPECT_TRUE(s.prerequisite_only || out.problem.relevance[size_t(s.candidate)].has_value()) << c.id;
      for (const auto& e : p.at("expected")) hit = hit || e.get<std::string>() == c.id;
    }
    EXPECT_LE(out.plan.steps.size(), 5u) << p.at("id") << ":" << titles;
    if (hit) {
      ++holding;
    } else {
      misses += " " + p.at("id").get<std::string>() + " (" + titles + ")";
    }
  }
  EXPECT_EQ(plans, 7);
  // A floor below what was measured (docs/quality.md, "Worker task"), not a tuning target.
  EXPECT_GE(holding, 4) << "paths without the expected program:" << misses;
  std::printf("retail worker paths holding the expected program: %d of %d;%s\n", holding, plans,
              misses.empty() ? "" : (" missed:" + misses).c_str());
}

}  // namespace
}  // namespace credmatch::engine
