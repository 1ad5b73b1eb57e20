// Worker paths (plan/path.h, plan/path_candidates.h) on the fixture catalog built with a fitted
// relevance model: the relevance route, its anchor, the evidence behind each credit, the index
// route, and the honest totals.
#include "plan/path.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "base/error.h"
#include "catalog/build.h"
#include "plan/gap.h"
#include "tests/fixture_catalog.h"
#include "tests/fixture_labelled_jobs.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

namespace fs = std::filesystem;

class PathTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing_util::unique_temp_path("path_suite").string());
    BuildOptions o = testing_util::fixture_build_options();
    o.relevance.labelled_jobs = testing_util::write_fixture_labelled_jobs("path_jobs.jsonl");
    o.relevance.min_jobs = 5;
    catalog_ = testing_util::build_and_open_catalog(*dir_, testing_util::fixture_inputs(), o).release();
    ASSERT_NE(catalog_, nullptr);
    // Fitted here (not the shipped weights): the model carries this catalog's encoder.
    ASSERT_NE(catalog_->relevance(), nullptr);
    ASSERT_EQ(catalog_->relevance()->model().encoder_id, catalog_->encoder().id());
  }
  static void TearDownTestSuite() {
    delete catalog_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static Job data_job() {
    Job job;
    job.id = "j";
    job.title = "Data Analyst";
    for (const char* r : {"Write SQL queries", "Analyse data with pandas in Python", "Plot data"}) {
      job.requirements.push_back({r, Importance::kEssential, ""});
    }
    return job;
  }
  static PathOutcome plan(const Job& job, const PathOptions& o, const WorkerProfile& worker = {}) {
    const GapConfig config;
    auto report = GapAnalyzer(*catalog_, config).analyze(job, worker);
    EXPECT_TRUE(report.is_ok()) << report.status().to_string();
    return compute_path(*catalog_, job, worker, *report, config, o);
  }
  static inline std::string* dir_ = nullptr;
  static inline LoadedCatalog* catalog_ = nullptr;
};

TEST_F(PathTest, RelevanceRouteHoldsRelatedCredentialsAndStartsWithTheMostRelated) {
  const PathOutcome out = plan(data_job(), PathOptions{});
  const PathProblem& pp = out.problem;
  EXPECT_EQ(pp.source, PathCandidateSource::kRelevance);  // auto: the model was fitted here
  EXPECT_EQ(pp.considered, 10);
  ASSERT_FALSE(pp.candidates.empty());
  const PathCandidateConfig defaults;
  double most = -1;
  for (size_t i = 0; i < pp.candidates.size(); ++i) {
    ASSERT_TRUE(pp.relevance[i].has_value()) << pp.candidates[i].id;  // no prerequisites here
    EXPECT_GE(*pp.relevance[i], defaults.fallback_relevance) << pp.candidates[i].id;
    most = std::max(most, *pp.relevance[i]);
  }
  EXPECT_LE(pp.candidates.size(), size_t(defaults.max_relevant));
  ASSERT_GE(out.anchor, 0);
  EXPECT_EQ(*pp.relevance[size_t(out.anchor)], most);
  ASSERT_FALSE(out.plan.steps.empty());
  EXPECT_EQ(out.plan.steps.front().candidate, out.anchor);
  // The SQL and Python courses are what a data analyst needs here; nursing or farming are not
  // candidates at all (the index route would take any near competency).
  std::vector<std::string> ids;
  for (const PlanCandidate& c : pp.candidates) ids.push_back(c.id);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "t:sql"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "t:python"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "t:nursing"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "t:farm"), ids.end());
  double previous = out.plan.coverage_before;
  for (const PlanStep& s : out.plan.steps) {
    EXPECT_GE(s.coverage_after, previous);
    previous = s.coverage_after;
    // Every raised credit has its competency, and the credit is that similarity's.
    for (int r : s.improved) {
      const CreditEvidence& e = pp.evidence[size_t(s.candidate)][size_t(r)];
      ASSERT_GE(e.competency, 0);
      EXPECT_EQ(pp.candidates[size_t(s.candidate)].credit[size_t(r)], gap_credit(e.similarity, GapConfig{}));
    }
  }
  EXPECT_EQ(out.plan.coverage_after, previous);
}

TEST_F(PathTest, IndexRouteKnowsNoRelevanceAndHasNoAnchor) {
  PathOptions o;
  o.candidates.source = PathCandidateSource::kIndex;
  const PathOutcome out = plan(data_job(), o);
  EXPECT_EQ(out.problem.source, PathCandidateSource::kIndex);
  EXPECT_EQ(out.anchor, -1);
  for (const auto& r : out.problem.relevance) EXPECT_FALSE(r.has_value());
  EXPECT_FALSE(out.plan.steps.empty());
}

TEST_F(PathTest, TheAnchorGivesWayToLimitsAndCanBeTurnedOff) {
  PathOptions o;
  o.max_credentials = 0;
  EXPECT_EQ(plan(data_job(), o).anchor, -1);
  o.max_credentials = 1;  // room for the anchor only
  const PathOutcome one = plan(data_job(), o);
  ASSERT_GE(one.anchor, 0);
  ASSERT_EQ(one.plan.steps.size(), 1u);
  EXPECT_EQ(one.plan.steps[0].candidate, one.anchor);
  if (one.plan.status == PlanStatus::kBestWithinLimits) {
    EXPECT_NE(one.plan.message.find("max_credentials=1"), std::string::npos) << one.plan.message;
  }
  o = PathOptions{};
  o.anchor = false;
  const PathOutcome free = plan(data_job(), o);
  EXPECT_EQ(free.anchor, -1);
  o.language = "fr";  // the fixture's credentials are in English
  const PathOutcome fr = plan(data_job(), o);
  EXPECT_EQ(fr.anchor, -1);
  EXPECT_TRUE(fr.plan.steps.empty());
}

TEST_F(PathTest, TheWorkersLanguageIsRespectedUnlessAnotherIsAsked) {
  WorkerProfile fr;
  fr.language = "fr";
  const PathOutcome out = plan(data_job(), PathOptions{}, fr);
  EXPECT_EQ(out.languages, (std::vector<std::string>{"fr", "en"}));
  EXPECT_FALSE(out.problem.candidates.empty());  // the fixture's English courses stay
  WorkerProfile es;
  es.language = "es";
  PathOptions o;
  o.candidates.languages = {"es"};  // only Spanish: the fixture has none
  const PathOutcome none = plan(data_job(), o, es);
  EXPECT_TRUE(none.problem.candidates.empty());
  o = PathOptions{};
  o.language = "en";  // an explicit language wins over the worker's
  EXPECT_TRUE(plan(data_job(), o, es).languages.empty());
}

TEST_F(PathTest, CompletedCredentialsAreNeverCandidates) {
  WorkerProfile worker;
  worker.completed = {"t:sql"};
  const PathOutcome out = plan(data_job(), PathOptions{}, worker);
  for (const PlanCandidate& c : out.problem.candidates) EXPECT_NE(c.id, "t:sql");
}

TEST_F(PathTest, AnExplicitRelevanceRouteWithoutAModelIsRefused) {
  const std::string dir = testing_util::unique_temp_path("path_nomodel").string();
  auto plain = testing_util::build_fixture_catalog(dir);
  ASSERT_NE(plain, nullptr);
  const Job job = data_job();
  auto report = GapAnalyzer(*plain, GapConfig{}).analyze(job, {});
  ASSERT_TRUE(report.is_ok());
  PathCandidateConfig c;
  const PathProblem automatic = build_path_problem(*plain, job, {}, *report, GapConfig{}, c);
  if (plain->relevance() == nullptr) {
    EXPECT_EQ(automatic.source, PathCandidateSource::kIndex);
    c.source = PathCandidateSource::kRelevance;
    EXPECT_THROW(build_path_problem(*plain, job, {}, *report, GapConfig{}, c), Error);
  } else {  // shipped weights, fitted with another encoder: not calibrated here
    EXPECT_EQ(automatic.source, PathCandidateSource::kIndex);
  }
  fs::remove_all(dir);
}

TEST(PlanTotals, SayWhatIsUnknownInsteadOfSummingTheKnownAlone) {
  PlanTotals t;
  t.steps = 3;
  t.hours = 7.4;
  t.unknown_hours = 2;
  EXPECT_EQ(hours_text(t), "7.4 h + 2 credentials of unknown length");
  t.unknown_hours = 0;
  EXPECT_EQ(hours_text(t), "7.4 h");
  t.unknown_hours = 3;
  EXPECT_EQ(hours_text(t), "length unknown (3 credentials)");
  t.currency = "CAD";
  t.cost = 120;
  t.unknown_cost = 1;
  EXPECT_EQ(cost_text(t), "120 CAD + 1 credential of unknown cost");
  t.mixed_currencies = true;
  EXPECT_EQ(cost_text(t), "costs in several currencies");
}

}  // namespace
}  // namespace credmatch::engine
