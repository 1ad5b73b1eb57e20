// service/api.h: request validation (errors name the field), the JSON of match / gap / path on
// the fixture catalog, the CLI's --json being the same JSON, reload and ingest.
#include "service/api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::engine::api {
namespace {

using testing_util::unique_temp_path;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(unique_temp_path("api_catalog").string());
    ASSERT_NE(testing_util::build_fixture_catalog(*dir_), nullptr);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    auto s = Service::open(*dir_, Limits{}, testing_util::fixture_build_options());
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    service_ = std::move(*s);
  }

  // The ApiError a call throws (status 0 when it throws none).
  template <typename F>
  static ApiError error_of(F f) {
    try {
      f();
    } catch (const ApiError& e) {
      return e;
    }
    return ApiError(0, "", "no error");
  }

  static std::string* dir_;
  std::unique_ptr<Service> service_;
};
std::string* ApiTest::dir_ = nullptr;

const json kAnalystJob = json::parse(R"({"title": "analyst",
  "requirements": [{"text": "Write SQL queries to select and filter records in a relational database"},
                   {"text": "Analyse tabular data with pandas in Python"},
                   {"text": "Track changes to files with Git version control", "importance": "optional"}]})");

TEST_F(ApiTest, MatchRanksTheCredentialThatTeachesTheRequirement) {
  const json out = service_->match({{"job", {{"title", "t"}, {"requirements", {{{"text", "Write SQL queries to select and filter records in a relational database"}}}}}}});
  ASSERT_FALSE(out["results"].empty());
  EXPECT_EQ(out["results"][0]["credential"]["id"], "t:sql");
  EXPECT_EQ(out["results"][0]["rank"], 1);
  EXPECT_TRUE(out["results"][0]["evidence"][0]["covered"].get<bool>());
  EXPECT_EQ(out["job"]["requirements"].size(), 1u);
  EXPECT_TRUE(out["job"]["requirements"][0]["covered_by_catalog"].get<bool>());
  EXPECT_EQ(out["config"]["top"], 10);
}

TEST_F(ApiTest, MatchAcceptsAnOccupationTitleAndFreeText) {
  const json occ = service_->match({{"occupation", "Data Analyst"}, {"top", 2}});
  EXPECT_EQ(occ["job"]["id"], "job:analyst");
  EXPECT_EQ(occ["job"]["requirements"].size(), 4u);
  EXPECT_LE(occ["results"].size(), 2u);
  const json text = service_->match({{"text", "Requirements:\n- write SQL queries\n- track changes with git"}});
  EXPECT_EQ(text["job"]["requirements"].size(), 2u);
  EXPECT_EQ(text["job"]["title"], "");  // no title line
  const json titled = service_->match(
      {{"text", "Data Analyst - Northwind Inc.\n\nRequirements:\n- write SQL queries\n\n"
                "We offer a pension plan. Northwind is an equal opportunity employer."}});
  EXPECT_EQ(titled["job"]["title"], "Data Analyst");
  ASSERT_EQ(titled["job"]["requirements"].size(), 1u);
  EXPECT_EQ(titled["job"]["requirements"][0]["text"], "write SQL queries");
}

TEST_F(ApiTest, ValidationErrorsNameTheField) {
  struct Case {
    json request;
    int status;
    std::string field;
  };
  json four = kAnalystJob;
  four["requirements"].push_back({{"text", ""}});
  const std::vector<Case> cases = {
      {{{"job", four}}, 400, "job.requirements[3].text"},
      {{{"job", kAnalystJob}, {"topp", 3}}, 400, "topp"},
      {{{"job", kAnalystJob}, {"top", 0}}, 400, "top"},
      {{{"job", kAnalystJob}, {"top", 2.5}}, 400, "top"},
      {{{"job", kAnalystJob}, {"threshold", "high"}}, 400, "threshold"},
      {{{"job", kAnalystJob}, {"threshold", 3}}, 400, "threshold"},
      {{{"neighbours", 5}}, 400, "job"},
      {{{"job", kAnalystJob}, {"text", "write SQL"}}, 400, "job"},
      {{{"job", "write SQL"}}, 400, "job"},
      {{{"job", {{"title", "t"}, {"requirements", json::array()}}}}, 400, "job.requirements"},
      {{{"job", {{"title", "t"}, {"requirements", {{{"text", "sql"}, {"importance", "vital"}}}}}}}, 400,
       "job.requirements[0].importance"},
      {{{"job", {{"title", "t"}, {"requirements", {{{"text", "sql"}}}}, {"colour", "red"}}}}, 400, "job.colour"},
      {{{"text", "   "}}, 400, "text"},
      {{{"occupation", "astronaut"}}, 404, "occupation"},
  };
  for (const auto& c : cases) {
    const ApiError e = error_of([&] { (void)service_->match(c.request); });
    EXPECT_EQ(e.status(), c.status) << c.request.dump() << ": " << e.message();
    EXPECT_EQ(e.field(), c.field) << c.request.dump() << ": " << e.message();
    EXPECT_EQ(e.message().rfind(c.field + ": ", 0), 0u) << e.message();
    EXPECT_EQ(e.to_json()["error"]["field"], c.field);
  }
}

TEST_F(ApiTest, LimitsAreEnforced) {
  Limits small;
  small.max_requirements = 2;
  small.max_text_bytes = 20;
  small.max_top = 5;
  auto s = Service::open(*dir_, small);
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(error_of([&] { (void)(*s)->match({{"job", kAnalystJob}}); }).field(), "job.requirements");
  EXPECT_EQ(error_of([&] {
              (void)(*s)->match({{"job", {{"title", "t"}, {"requirements", {{{"text", std::string(21, 'x')}}}}}}});
            }).field(),
            "job.requirements[0].text");
  EXPECT_EQ(error_of([&] { (void)(*s)->match({{"text", "write SQL queries\nbuild dashboards\nanalyse survey data"}}); }).field(), "text");
  json one = {{"job", {{"title", "t"}, {"requirements", {{{"text", "sql"}}}}}}, {"top", 6}};
  EXPECT_EQ(error_of([&] { (void)(*s)->match(one); }).field(), "top");
  EXPECT_EQ(error_of([&] { (void)(*s)->search("sql", 500); }).field(), "k");
}

TEST_F(ApiTest, ParseBodyRejectsOversizeMalformedAndNonObjects) {
  EXPECT_EQ(error_of([] { (void)parse_body(std::string(100, ' '), 50); }).status(), 413);
  EXPECT_EQ(error_of([] { (void)parse_body("{\"job\": ", 1000); }).status(), 400);
  EXPECT_EQ(error_of([] { (void)parse_body("[1, 2]", 1000); }).status(), 400);
  EXPECT_EQ(error_of([] { (void)parse_body("{\"a\": \"\xff\"}", 1000); }).status(), 400);
  EXPECT_EQ(parse_body(R"({"top": 3})", 1000)["top"], 3);
}

TEST_F(ApiTest, GapClassifiesRequirementsAndNamesProfileFields) {
  const json out = service_->gap({{"occupation", "job:analyst"},
                                  {"skills", {"write SQL queries to extract data"}},
                                  {"with", {"t:python"}}});
  EXPECT_EQ(out["job"]["id"], "job:analyst");
  const json& reqs = out["gap"]["requirements"];
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0]["status"], "covered");
  EXPECT_EQ(reqs[3]["status"], "missing");
  EXPECT_GT(out["with"]["gap"]["coverage"].get<double>(), out["gap"]["coverage"].get<double>());

  auto field_of = [&](const json& req) { return error_of([&] { (void)service_->gap(req); }).field(); };
  EXPECT_EQ(field_of({{"occupation", "job:analyst"}}), "profile");
  EXPECT_EQ(field_of({{"occupation", "job:analyst"}, {"skills", json::array({"sql", ""})}}), "skills[1]");
  EXPECT_EQ(field_of({{"occupation", "job:analyst"}, {"skills", 3}}), "skills");
  EXPECT_EQ(field_of({{"occupation", "job:analyst"}, {"profile", {{"skills", json::array({"sql", ""})}}}}),
            "profile.skills[1]");
  EXPECT_EQ(field_of({{"occupation", "job:analyst"}, {"profile", {{"completed", {"t:nope"}}}}}),
            "profile.completed[0]");
  EXPECT_EQ(field_of({{"occupation", "job:analyst"}, {"skills", "sql"}, {"with", {"t:nope"}}}),
            "with[0]");
  EXPECT_EQ(field_of({{"occupation", "job:analyst"}, {"skills", "sql"}, {"partial_threshold", 0.9},
                      {"covered_threshold", 0.5}}),
            "partial_threshold");
}

TEST_F(ApiTest, PathOrdersStepsWithCoverageAfterEach) {
  const json out = service_->path({{"job", kAnalystJob}, {"skills", ""}, {"explain", true}});
  EXPECT_NE(out["status"], "infeasible");
  ASSERT_FALSE(out["steps"].empty());
  double last = out["coverage_before"].get<double>();
  std::vector<std::string> ids;
  for (const auto& s : out["steps"]) {
    EXPECT_GE(s["coverage_after"].get<double>(), last);
    last = s["coverage_after"].get<double>();
    ids.push_back(s["credential_id"]);
  }
  EXPECT_NE(std::find(ids.begin(), ids.end(), "t:sql"), ids.end());
  EXPECT_DOUBLE_EQ(out["coverage_after"].get<double>(), last);
  EXPECT_TRUE(out.contains("explain"));
  EXPECT_EQ(error_of([&] {
              (void)service_->path({{"job", kAnalystJob}, {"skills", ""}, {"objective", "fun"}});
            }).field(),
            "objective");
  EXPECT_EQ(error_of([&] {
              (void)service_->path({{"job", kAnalystJob}, {"skills", ""}, {"max_hours", -1}});
            }).field(),
            "max_hours");
}

TEST_F(ApiTest, CredentialSearchAndHealth) {
  const json c = service_->credential("t:sql");
  EXPECT_EQ(c["title"], "Databases and SQL");
  EXPECT_EQ(c["competencies"].size(), 4u);
  const ApiError missing = error_of([&] { (void)service_->credential("t:nope"); });
  EXPECT_EQ(missing.status(), 404);
  EXPECT_EQ(missing.field(), "id");

  const json s = service_->search("SQL queries", 3);
  ASSERT_FALSE(s["competencies"].empty());
  EXPECT_EQ(s["competencies"][0]["credential_id"], "t:sql");
  ASSERT_FALSE(s["skills"].empty());
  EXPECT_EQ(s["skills"][0]["id"], "s:sql");
  EXPECT_FALSE(s.contains("occupations") && !s["occupations"].is_array());
  const json only = service_->search("nurse", 5, {"occupations"});
  EXPECT_FALSE(only.contains("competencies"));
  ASSERT_FALSE(only["occupations"].empty());
  EXPECT_EQ(only["occupations"][0]["id"], "job:nurse");
  EXPECT_EQ(error_of([&] { (void)service_->search("", 3); }).field(), "q");
  EXPECT_EQ(error_of([&] { (void)service_->search("x", 3, {"planets"}); }).field(), "kinds");

  const json occ = service_->occupations("analist", 5);  // a typo still finds it
  ASSERT_FALSE(occ["occupations"].empty());
  EXPECT_EQ(occ["occupations"][0]["id"], "job:analyst");
  EXPECT_EQ(occ["occupations"][0]["requirements"], 4);

  const json h = service_->health();
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["counts"]["credentials"], 10);
  EXPECT_EQ(h["counts"]["occupations"], 2);
  EXPECT_EQ(h["generation"], 1);
}

#ifdef CREDMATCH_CLI_PATH
// The CLI's --json and the service answer with the same JSON (timings aside).
TEST_F(ApiTest, CliJsonIsTheServiceJson) {
  const auto job_file = unique_temp_path("api_job.json");
  std::ofstream(job_file) << kAnalystJob.dump();
  auto strip = [](json j) {
    j.erase("milliseconds");
    return j;
  };
  auto cli = testing_util::run_cli("match --json --catalog " + *dir_ + " --job " + job_file.string());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(strip(json::parse(cli.out)), strip(service_->match({{"job", kAnalystJob}})));

  cli = testing_util::run_cli("gap --json --catalog " + *dir_ + " --job " + job_file.string() +
                              " --skills 'write SQL queries' --with t:git");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out),
            service_->gap({{"job", kAnalystJob}, {"skills", "write SQL queries"}, {"with", {"t:git"}}}));

  cli = testing_util::run_cli("path --json --explain --catalog " + *dir_ + " --job " +
                              job_file.string() + " --skills 'write SQL queries' --objective count");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out), service_->path({{"job", kAnalystJob},
                                                  {"skills", "write SQL queries"},
                                                  {"objective", "count"},
                                                  {"explain", true}}));
  std::filesystem::remove(job_file);
}
#endif

TEST_F(ApiTest, ReloadSwapsTheCatalogWhileRequestsRun) {
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, failed{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 3; ++t) {
    workers.emplace_back([&] {
      while (!stop) {
        try {
          const json out = service_->match({{"job", kAnalystJob}});
          if (out["results"].empty()) ++failed;
          ++answered;
        } catch (...) {
          ++failed;
        }
      }
    });
  }
  for (int i = 0; i < 5; ++i) {
    const Status st = service_->reload();
    ASSERT_TRUE(st.is_ok()) << st.to_string();
  }
  while (answered < 20) std::this_thread::yield();
  stop = true;
  for (auto& w : workers) w.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(service_->generation(), 6);
}

TEST_F(ApiTest, IngestAddsCredentialsAndReportsTheBadLine) {
  // A private copy: ingest rewrites the catalog directory.
  const std::string copy = unique_temp_path("api_ingest_catalog").string();
  std::filesystem::remove_all(copy);
  std::filesystem::copy(*dir_, copy, std::filesystem::copy_options::recursive);
  auto opened = Service::open(copy, Limits{}, testing_util::fixture_build_options());
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  Service& s = **opened;
  const json out = s.ingest_credentials(
      R"({"id": "t:pivot", "title": "Spreadsheets with Excel", "hours": 2, "competencies": [{"text": "Build pivot tables in Excel spreadsheets"}]})"
      "\n");
  EXPECT_EQ(out["ingested"]["credentials"], 1);
  EXPECT_EQ(out["generation"], 2);
  EXPECT_EQ(s.credential("t:pivot")["competencies"].size(), 1u);
  EXPECT_EQ(s.health()["counts"]["credentials"], 11);

  const ApiError e = error_of([&] {
    (void)s.ingest_credentials("{\"id\": \"t:a\", \"title\": \"A\"}\n{\"id\": \"t:b\", \"title\": 7}\n");
  });
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.field().rfind("body:2", 0), 0u) << e.message();
  EXPECT_EQ(e.message().find("/tmp"), std::string::npos) << e.message();
  EXPECT_EQ(s.health()["counts"]["credentials"], 11);  // unchanged
  EXPECT_EQ(error_of([&] { (void)s.ingest_credentials("  \n"); }).status(), 400);
  std::filesystem::remove_all(copy);
}

}  // namespace
}  // namespace credmatch::engine::api
