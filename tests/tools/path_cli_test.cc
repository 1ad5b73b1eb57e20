// End-to-end tests of `credmatch gap` and `credmatch path` on the fixture catalog
// (tests/data/match): outputs, what-if, limits, and bad input giving a clear message.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace {
namespace fs = std::filesystem;

using credmatch::testing_util::CliRun;
using credmatch::testing_util::slurp;
CliRun run(const std::string& args) { return credmatch::testing_util::run_cli(args); }


class PathCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    catalog_ = new std::string(credmatch::testing_util::build_fixture_catalog_with_cli("pathcli_catalog"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*catalog_);
    delete catalog_;
  }
  static std::string cat() { return "--catalog " + *catalog_ + " "; }
  static inline std::string* catalog_ = nullptr;
};

TEST_F(PathCliTest, GapClassifiesEveryRequirementWithEvidence) {
  CliRun r = run(cat() + "gap --json --occupation \"data analyst\" --skills \"write SQL queries\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& reqs = j["gap"]["requirements"];
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0]["status"], "covered");
  EXPECT_EQ(reqs[0]["evidence"]["text"], "write SQL queries");
  EXPECT_EQ(reqs[3]["status"], "missing");
  EXPECT_GT(j["gap"]["coverage"].get<double>(), 0.0);
  // The fixture catalog was built without the shipped ESCO data: not calibrated, and it says so.
  EXPECT_TRUE(j["thresholds"]["provisional"].get<bool>());
  EXPECT_FALSE(j["thresholds"]["calibrated"].get<bool>());
  EXPECT_NE(j["thresholds"]["source"].get<std::string>().find("calibrate-gap"), std::string::npos);
}

TEST_F(PathCliTest, CalibrateGapNamesMissingDataAndFlagsOverrideThresholds) {
  CliRun r = run(cat() + "calibrate-gap --data /nonexistent/data");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/data/skills_esco.jsonl.gz"), std::string::npos) << r.err;
  CliRun g = run(cat() + "gap --json --occupation \"data analyst\" --skills sql --covered-threshold 0.7 --partial-threshold 0.2");
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const auto j = nlohmann::json::parse(g.out);
  EXPECT_FLOAT_EQ(j["thresholds"]["covered"].get<float>(), 0.7f);
  EXPECT_FLOAT_EQ(j["thresholds"]["partial"].get<float>(), 0.2f);
  EXPECT_NE(j["thresholds"]["source"].get<std::string>().find("command line"), std::string::npos);
  CliRun bad = run(cat() + "gap --occupation \"data analyst\" --skills sql --covered-threshold 0.3 --partial-threshold 0.5");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("must not exceed"), std::string::npos) << bad.err;
}

TEST_F(PathCliTest, EmptyProfileGivesZeroCoverage) {
  const fs::path p = credmatch::testing_util::unique_temp_path("pathcli_empty.json");
  std::ofstream(p) << "{}";
  CliRun r = run(cat() + "gap --occupation \"practical nurse\" --profile " + p.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Coverage 0% weighted"), std::string::npos) << r.out;
  fs::remove(p);
}

TEST_F(PathCliTest, GapWithACredentialRecomputesCoverage) {
  CliRun r = run(cat() + "gap --json --occupation \"practical nurse\" --skills \"\" --with t:nursing");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["gap"]["coverage"].get<double>(), 0.0);
  EXPECT_GT(j["with"]["gap"]["coverage"].get<double>(), 0.5);
}

TEST_F(PathCliTest, PathClosesTheGapWithAnOptimalPlan) {
  CliRun r = run(cat() + "path --json --occupation \"data analyst\" --skills \"write SQL queries\" --explain");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "optimal");
  EXPECT_EQ(j["objective"], "hours");
  EXPECT_EQ(j["goal"], "close requirements");
  EXPECT_FALSE(j["to_close"].empty());
  EXPECT_TRUE(j["left_open"].empty());
  ASSERT_FALSE(j["steps"].empty());
  EXPECT_GT(j["coverage_after"].get<double>(), j["coverage_before"].get<double>());
  double previous = j["coverage_before"].get<double>();
  for (const auto& s : j["steps"]) {
    EXPECT_GE(s["coverage_after"].get<double>(), previous);
    previous = s["coverage_after"].get<double>();
  }
  EXPECT_FALSE(j["explain"].empty());
  // Shipped weights on this catalog's own encoder are not calibrated: the index route.
  EXPECT_EQ(j["candidates_source"], "index");
  // Totals say what is known; each raised requirement names the competency behind it.
  EXPECT_NE(j["hours_text"].get<std::string>().find(" h"), std::string::npos);
  EXPECT_EQ(j["steps_unknown_hours"], 0);
  for (const auto& s : j["steps"]) {
    ASSERT_EQ(s["evidence"].size(), s["improves"].size());
    for (const auto& e : s["evidence"]) {
      EXPECT_TRUE(e["competency"].is_string()) << e.dump();
      EXPECT_GT(e["credit"].get<double>(), 0.0);
    }
    EXPECT_TRUE(s["relevance"].is_null());
  }
  CliRun text = run(cat() + "path --occupation \"data analyst\" --skills \"write SQL queries\"");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("exact (branch and bound), optimal"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("          <- \""), std::string::npos) << text.out;
  CliRun refused = run(cat() + "path --occupation \"data analyst\" --skills sql --candidates relevance");
  if (refused.exit_code != 0) {
    EXPECT_NE(refused.err.find("no relevance model"), std::string::npos) << refused.err;
  }
}

TEST_F(PathCliTest, ImpossibleLimitsSayWhy) {
  CliRun r = run(cat() + "path --occupation \"practical nurse\" --skills \"\" --max-hours 1");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("No plan: no credential within the limits (max_hours=1)"), std::string::npos)
      << r.out;
}

TEST_F(PathCliTest, TooTightLimitsGiveTheBestPlanWithinThemAndSayWhatIsLeft) {
  CliRun r = run(cat() + "path --json --occupation \"data analyst\" --skills \"\" --max-credentials 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "best within limits");
  EXPECT_EQ(j["steps"].size(), 1u);
  EXPECT_EQ(j["to_close"].size(), 2u);
  ASSERT_EQ(j["left_open"].size(), 1u);
  EXPECT_NE(j["message"].get<std::string>().find("max_credentials=1"), std::string::npos);
  CliRun text = run(cat() + "path --occupation \"data analyst\" --skills \"\" --max-credentials 1");
  EXPECT_NE(text.out.find("left open by the limits"), std::string::npos) << text.out;
}

TEST_F(PathCliTest, BadInputGivesAClearError) {
  const struct {
    std::string args, expected;
  } cases[] = {
      {"gap --occupation \"practical nurze\" --skills sql", "did you mean"},
      {"gap --occupation nurse", "--profile FILE or --skills"},
      {"gap --skills sql", "exactly one of --job FILE, --occupation NAME"},
      {"gap --profile /nonexistent/p.json --occupation \"data analyst\"", "/nonexistent/p.json"},
      {"gap --occupation \"data analyst\" --skills sql --with t:nope", "--with: completed"},
      {"path --occupation \"data analyst\" --skills sql --objective speed", "objective"},
      {"path --occupation \"data analyst\" --skills sql --max-hours -3", "max-hours"},
  };
  for (const auto& c : cases) {
    CliRun r = run(cat() + c.args);
    EXPECT_FALSE(r.crashed) << c.args;
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.args << ": " << r.err;
  }
}

}  // namespace
