// Real-data quality: builds the shipped default catalog (ESCO + Carpentries + CIP 2020) once,
// then checks that for real ESCO occupations the matcher ranks credentials whose competencies
// name the occupation's skills above credentials from unrelated fields. Slow (builds the whole
// default catalog, about a minute on 2 cores): ctest label "slow".
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "catalog/build.h"
#include "catalog/loaded_catalog.h"
#include "store/ingest.h"
#include "match/matcher.h"

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
    auto report = build_catalog(*dir_, inputs, BuildOptions{});
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

}  // namespace
}  // namespace credmatch::engine
