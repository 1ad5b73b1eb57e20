// The employer task (eval/employer_task.h) on the small fixture catalog with a hand-written
// labelled jobs file: every ranker is reported, the model is fitted and calibrated, the run is
// deterministic, and relevant ids missing from the catalog are counted.
#include "eval/employer_task.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/fixture_catalog.h"
#include "tests/fixture_labelled_jobs.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

TEST(EmployerTask, ReportsEveryRankerAndFitsADeterministicModel) {
  const std::string dir = testing_util::unique_temp_path("employer_cat").string();
  auto catalog = testing_util::build_fixture_catalog(dir);
  ASSERT_NE(catalog, nullptr);
  EmployerTaskConfig config;
  config.jobs_path = testing_util::write_fixture_labelled_jobs("employer_jobs.jsonl");
  config.variants = {{"dense_tt", "char_ww"}};
  auto r = run_employer_task(*catalog, config);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->jobs, 10);
  EXPECT_EQ(r->credentials, 10);
  EXPECT_EQ(r->dropped_ids, 2);
  EXPECT_EQ(r->dropped_jobs, 1);
  EXPECT_EQ(r->fold_sizes, (std::vector<int64_t>{2, 2, 2, 2, 2}));
  std::vector<std::string> names;
  for (const EmployerRow& row : r->rows) names.push_back(row.name);
  ASSERT_EQ(names.size(), 7u);
  EXPECT_EQ(names[0], "matcher");
  EXPECT_EQ(names[4], "relevance (out-of-fold)");
  EXPECT_EQ(names[6], "relevance variant (out-of-fold): dense_tt char_ww");
  for (const EmployerRow& row : r->rows) {
    EXPECT_EQ(row.metrics.queries, 10) << row.name;
    EXPECT_GT(row.metrics.mrr, 0.3) << row.name;  // the titles say which course it is
  }
  EXPECT_EQ(r->model.features.size(), 8u);
  EXPECT_EQ(r->model.encoder_id, catalog->encoder().id());
  EXPECT_EQ(r->fold_models.size(), 5u);
  EXPECT_EQ(r->fusion_weights.size(), 5u);
  EXPECT_FALSE(r->abstention.empty());
  const std::string text = format_employer_report(*r);
  EXPECT_NE(text.find("| relevance (out-of-fold) |"), std::string::npos) << text;
  EXPECT_NE(text.find("| dense_tt |"), std::string::npos) << text;

  auto again = run_employer_task(*catalog, config);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->model.to_json(), r->model.to_json());

  // The fitted model scores the catalog's credentials as the in-fold row did.
  const CredentialProfiles profiles = CredentialProfiles::build(
      credential_texts(*catalog), catalog->encoder(), credential_competency_vectors(*catalog));
  const RelevanceScorer scorer(profiles, r->model);
  Job job;
  job.title = "Database Administrators";
  job.requirements = {{"Write SQL queries", Importance::kEssential, ""},
                      {"Design database tables", Importance::kEssential, ""}};
  const std::vector<float> s = scorer.score_all(make_job_profile(job, catalog->encoder()));
  EXPECT_EQ(rank_by_score(s, 1)[0], *catalog->find_credential("t:sql"));

  config.jobs_path = "/nonexistent/jobs.jsonl";
  EXPECT_FALSE(run_employer_task(*catalog, config).is_ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace credmatch::engine
