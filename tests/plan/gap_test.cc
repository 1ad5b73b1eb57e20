// GapAnalyzer on the small fixture catalog (tests/data/match).
#include "plan/gap.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/error.h"
#include "store/ingest.h"
#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {
namespace fs = std::filesystem;


class GapTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing_util::unique_temp_path("gap_suite").string());
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
  static GapReport analyze(const std::string& occupation, const WorkerProfile& p) {
    GapAnalyzer gap(*catalog_, GapConfig{});
    auto r = gap.analyze(job(occupation), p);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? *r : GapReport{};
  }
  static inline std::string* dir_ = nullptr;
  static inline LoadedCatalog* catalog_ = nullptr;
};

TEST_F(GapTest, EmptyProfileHasEveryRequirementMissingAndZeroCoverage) {
  const GapReport r = analyze("data analyst", WorkerProfile{});
  ASSERT_EQ(r.requirements.size(), 4u);
  EXPECT_EQ(r.missing, 4);
  EXPECT_EQ(r.covered + r.partial, 0);
  EXPECT_DOUBLE_EQ(r.coverage, 0.0);
  EXPECT_DOUBLE_EQ(r.essential_coverage, 0.0);
  for (const auto& g : r.requirements) {
    EXPECT_EQ(g.status, GapStatus::kMissing);
    EXPECT_TRUE(g.held_text.empty());
    EXPECT_GE(g.catalog_competency, 0);
  }
  // The fixture teaches these (requirement 0 scores low with the tiny 16+16-dim test encoder).
  for (int i : {1, 2, 3}) EXPECT_TRUE(r.requirements[size_t(i)].catalog_partial) << i;
  EXPECT_TRUE(r.requirements[1].catalog_covers);  // "analyse data with Python"
}

TEST_F(GapTest, WorkerStatementsCoverTheRequirementsTheySay) {
  const GapReport r =
      analyze("data analyst", profile_from_skills_text("write SQL queries; track changes with git"));
  EXPECT_EQ(r.requirements[0].status, GapStatus::kCovered);
  EXPECT_EQ(r.requirements[0].held_text, "write SQL queries");
  EXPECT_EQ(r.requirements[0].held_source, "skills[0]");
  EXPECT_GT(r.requirements[0].similarity, 0.9f);
  EXPECT_NE(r.requirements[2].status, GapStatus::kMissing);
  EXPECT_EQ(r.requirements[3].status, GapStatus::kMissing);  // administer medication
  EXPECT_GT(r.coverage, 0.0);
  EXPECT_LT(r.coverage, 1.0);
  // Weighted: essential 1, optional 0.5 (total 3); requirement 0 alone gives 1/3.
  EXPECT_GE(r.coverage, 1.0 / 3.0 - 1e-9);
}

TEST_F(GapTest, CompletedCredentialsAndTaxonomySkillsCountAsHeld) {
  WorkerProfile p;
  p.completed = {"t:nursing"};
  const GapReport nurse = analyze("practical nurse", p);
  EXPECT_EQ(nurse.requirements[0].status, GapStatus::kCovered);
  EXPECT_NE(nurse.requirements[0].held_source.find("completed t:nursing"), std::string::npos);
  EXPECT_GT(nurse.coverage, 0.5);

  WorkerProfile q;
  q.skill_ids = {"s:meds"};
  const GapReport meds = analyze("practical nurse", q);
  EXPECT_EQ(meds.requirements[0].status, GapStatus::kCovered);
  EXPECT_EQ(meds.requirements[0].held_text, "administer medication");
  EXPECT_EQ(meds.requirements[0].held_source, "skill_ids[0] (s:meds)");
}

TEST_F(GapTest, SaysWhenNoCredentialInTheCatalogCoversARequirement) {
  Job j;
  j.title = "pilot";
  j.requirements = {{"fly a commercial aircraft through turbulence", Importance::kEssential, ""},
                    {"join tables in SQL", Importance::kOptional, ""}};
  GapAnalyzer gap(*catalog_, GapConfig{});
  auto r = gap.analyze(j, WorkerProfile{});
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->requirements[0].catalog_covers);
  EXPECT_TRUE(r->requirements[1].catalog_covers);
  EXPECT_EQ(r->uncoverable, 1);
}

TEST_F(GapTest, UnknownReferencesFailNamingTheField) {
  GapAnalyzer gap(*catalog_, GapConfig{});
  WorkerProfile p;
  p.completed = {"t:git", "t:nope"};
  auto r = gap.analyze(job("data analyst"), p);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("completed[1]: unknown credential \"t:nope\""),
            std::string::npos);
  WorkerProfile q;
  q.skill_ids = {"s:nope"};
  auto r2 = gap.analyze(job("data analyst"), q);
  ASSERT_FALSE(r2.is_ok());
  EXPECT_NE(r2.status().message().find("skill_ids[0]: unknown taxonomy skill"), std::string::npos);
}

TEST_F(GapTest, InvalidConfigThrows) {
  GapConfig c;
  c.partial_threshold = 0.9f;
  c.covered_threshold = 0.5f;
  EXPECT_THROW(GapAnalyzer(*catalog_, c), Error);
}

}  // namespace
}  // namespace credmatch::engine

namespace credmatch::engine {
namespace {

TEST(GapCredit, PartialCreditRisesFromNothingToHalfAndCoveredIsFull) {
  GapConfig c;
  c.covered_threshold = 0.6f;
  c.partial_threshold = 0.2f;
  EXPECT_EQ(gap_credit(0.19f, c), 0.0);
  EXPECT_NEAR(gap_credit(0.2f, c), 0.0, 1e-6);   // just related: almost nothing
  EXPECT_NEAR(gap_credit(0.4f, c), 0.25, 1e-6);  // halfway: a quarter
  EXPECT_LT(gap_credit(0.599f, c), kPartialCreditCap);
  EXPECT_EQ(gap_credit(0.6f, c), 1.0);
  double previous = -1;
  for (float s = -1.0f; s <= 1.0f; s += 0.01f) {
    const double v = gap_credit(s, c);
    EXPECT_GE(v, previous) << s;
    previous = v;
  }
  c.partial_threshold = 0.6f;  // no partial band: covered or nothing
  EXPECT_EQ(gap_credit(0.59f, c), 0.0);
  EXPECT_EQ(gap_credit(0.6f, c), 1.0);
}

}  // namespace
}  // namespace credmatch::engine
