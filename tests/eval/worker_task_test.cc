// The worker task (eval/worker_task.h) on the fixture catalog with the fixture's labelled
// jobs: every route and the peer are reported for every (job, profile), the relevance route
// finds the linked courses, and a malformed profiles file names the field.
#include "eval/worker_task.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/fixture_catalog.h"
#include "tests/fixture_labelled_jobs.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string path = testing_util::unique_temp_path(name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(WorkerTask, ReportsEveryRouteForEveryPlan) {
  const std::string dir = testing_util::unique_temp_path("worker_cat").string();
  auto catalog = testing_util::build_fixture_catalog(dir);
  ASSERT_NE(catalog, nullptr);
  WorkerTaskConfig config;
  config.jobs_path = testing_util::write_fixture_labelled_jobs("worker_jobs.jsonl");
  config.profiles_path = write("worker_profiles.json", R"({"profiles": [
      {"name": "cook", "skills": ["prepare dishes in a kitchen"]},
      {"name": "nobody", "skills": []}]})");
  auto r = run_worker_task(*catalog, config);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->jobs, 10);
  EXPECT_EQ(r->profiles, 2);
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0].name, "path, index candidates (before)");
  EXPECT_EQ(r->rows[1].name, "path, relevance candidates (out-of-fold models)");
  for (const WorkerRow& row : r->rows) {
    EXPECT_EQ(row.plans, 20) << row.name;
    EXPECT_GE(row.precision(), 0.0);
    EXPECT_LE(row.precision(), 1.0);
    EXPECT_LE(row.relevant, row.judged);
    EXPECT_LE(row.judged, row.steps);
  }
  EXPECT_EQ(r->rows[2].mean_length(), 3.0);  // the peer's top 3
  EXPECT_FALSE(r->rows[2].has_coverage);
  // The fixture's titles say which course a job needs.
  EXPECT_GT(r->rows[1].hit_rate(), 0.5);
  EXPECT_GE(r->rows[1].precision(), r->rows[0].precision());
  ASSERT_EQ(r->per_profile.size(), 2u);
  EXPECT_EQ(r->per_profile[0].name, "cook");
  const std::string text = format_worker_report(*r);
  EXPECT_NE(text.find("| path, relevance candidates (out-of-fold models) |"), std::string::npos) << text;
  auto again = run_worker_task(*catalog, config);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->rows[1].relevant, r->rows[1].relevant);
  EXPECT_EQ(again->rows[1].steps, r->rows[1].steps);
  std::filesystem::remove_all(dir);
}

TEST(WorkerTask, MalformedProfilesNameTheField) {
  auto missing = load_worker_profiles("/nonexistent/profiles.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  const std::string no_name = write("wp_bad1.json", R"({"profiles": [{"skills": ["x"]}]})");
  auto a = load_worker_profiles(no_name);
  ASSERT_FALSE(a.is_ok());
  EXPECT_NE(a.status().message().find("profiles[0]: name"), std::string::npos) << a.status().message();
  const std::string bad_skill = write("wp_bad2.json", R"({"profiles": [{"name": "a", "skills": [""]}]})");
  auto b = load_worker_profiles(bad_skill);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("profiles[0]"), std::string::npos) << b.status().message();
  EXPECT_NE(b.status().message().find("skills[0]"), std::string::npos) << b.status().message();
}

}  // namespace
}  // namespace credmatch::engine
