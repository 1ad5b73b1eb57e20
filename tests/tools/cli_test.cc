// End-to-end tests of the `credmatch` binary: every verb on a fixture catalog, and bad input
// to every verb giving a clear message and a non-zero exit (never a crash).
#include <gtest/gtest.h>

#include "tests/fixture_catalog.h"
#include "tests/test_util.h"
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {
namespace fs = std::filesystem;

using credmatch::testing_util::CliRun;
using credmatch::testing_util::slurp;
CliRun run(const std::string& args) { return credmatch::testing_util::run_cli(args); }

const std::string& kData = credmatch::testing_util::kFixtureDir;

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    catalog_ = new std::string(credmatch::testing_util::build_fixture_catalog_with_cli("cli_catalog"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*catalog_);
    delete catalog_;
  }
  static std::string cat() { return "--catalog " + *catalog_ + " "; }
  static inline std::string* catalog_ = nullptr;
};

TEST_F(CliTest, MatchesAnOccupationWithEvidence) {
  CliRun r = run(cat() + "match --occupation \"Practical Nurse\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1. Practical Nursing Certificate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("administer medication to patients"), std::string::npos) << r.out;
}

TEST_F(CliTest, MatchJsonHasEvidenceForEveryRequirement) {
  CliRun r = run(cat() + "match --json --occupation \"analyste de données\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const size_t n_req = j["job"]["requirements"].size();
  ASSERT_EQ(n_req, 4u);
  ASSERT_FALSE(j["results"].empty());
  for (const auto& result : j["results"]) {
    ASSERT_EQ(result["evidence"].size(), n_req);
    for (const auto& e : result["evidence"]) EXPECT_FALSE(e["why"].get<std::string>().empty());
  }
}

TEST_F(CliTest, MatchesFreeTextAndJobFiles) {
  CliRun text = run(cat() + "match --text \"Write SQL queries; track changes with Git\"");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("2 requirements"), std::string::npos) << text.out;

  // A posting's title line names the job and is no requirement; nor are its benefits.
  CliRun posting = run(cat() + "match --text \"Data Analyst\nNorthwind - Toronto, ON\n\n"
                               "Requirements:\n- Write SQL queries\n\nWe offer a pension plan.\"");
  ASSERT_EQ(posting.exit_code, 0) << posting.err;
  EXPECT_NE(posting.out.find("Job: Data Analyst (1 requirements"), std::string::npos) << posting.out;
  CliRun posting_json = run(cat() + "match --json --text \"Data Analyst\n\nRequirements:\n- Write SQL queries\"");
  ASSERT_EQ(posting_json.exit_code, 0) << posting_json.err;
  const auto j = nlohmann::json::parse(posting_json.out);
  EXPECT_EQ(j["job"]["title"], "Data Analyst");
  EXPECT_EQ(j["job"]["requirements"].size(), 1u);

  const fs::path job = credmatch::testing_util::unique_temp_path("cli_job.json");
  std::ofstream(job) << R"({"title": "farm hand", "requirements": [{"text": "operate a tractor"}]})";
  CliRun file = run(cat() + "match --job " + job.string());
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_NE(file.out.find("Agricultural Operations"), std::string::npos) << file.out;
  fs::remove(job);
}

TEST_F(CliTest, InfoDescribesTheCatalogHonestly) {
  CliRun r = run(cat() + "info");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Credentials  10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stand-in"), std::string::npos);
  CliRun j = run(cat() + "info --json");
  ASSERT_EQ(j.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(j.out)["counts"]["credentials"], 10);
}

TEST_F(CliTest, BuildWithEncoderFileReusesTheEncoderWithoutFitting) {
  const std::string other = credmatch::testing_util::unique_temp_path("cli_reused").string();
  fs::remove_all(other);
  // Only the credentials: fitting on them alone would give another encoder id.
  CliRun r = run("build --json --catalog " + other + " --encoder-file " + *catalog_ +
                 "/encoder.bin " + kData + "credentials.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto built = nlohmann::json::parse(r.out);
  CliRun info = run(cat() + "info --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto original = nlohmann::json::parse(info.out);
  EXPECT_EQ(built["encoder"]["id"], original["encoder"]["id"]) << r.out;
  EXPECT_NE(built["encoder"]["note"].get<std::string>().find("not fitted"), std::string::npos);
  // Same encoder, same vectors: the reused catalog matches like the original.
  CliRun a = run(cat() + "match --json --text \"administer medication to patients\"");
  CliRun b = run("--catalog " + other + " match --json --text \"administer medication to patients\"");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["results"][0]["score"],
            nlohmann::json::parse(b.out)["results"][0]["score"]);

  // A file that is not an encoder fails with its name and leaves the catalog as it was.
  CliRun bad = run("build --catalog " + other + " --encoder-file " + kData + "credentials.jsonl " +
                   kData + "credentials.jsonl");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("credentials.jsonl"), std::string::npos) << bad.err;
  CliRun still = run("--catalog " + other + " info --json");
  ASSERT_EQ(still.exit_code, 0) << still.err;
  EXPECT_EQ(nlohmann::json::parse(still.out)["encoder"]["id"], original["encoder"]["id"]);
  fs::remove_all(other);
}

TEST_F(CliTest, InvertedListsReRankingFromDiskMatchLikeTheExactIndex) {
  const std::string other = credmatch::testing_util::unique_temp_path("cli_ivf").string();
  fs::remove_all(other);
  CliRun r = run("build --catalog " + other + " --encoder-file " + *catalog_ + "/encoder.bin " +
                 "--index ivf:nlist=4,pca=16,int8,rerank=1000,ondisk " + kData + "credentials.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  CliRun info = run("--catalog " + other + " info --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("ivf:nlist=4"), std::string::npos) << info.out;
  // Every list probed (default nprobe 16 > 4 lists) and every candidate re-scored exactly.
  const std::string reused = "--catalog " + other + " ";
  CliRun exact_build = run("build --catalog " + other + "-flat --encoder-file " + *catalog_ +
                           "/encoder.bin " + kData + "credentials.jsonl");
  ASSERT_EQ(exact_build.exit_code, 0) << exact_build.err;
  CliRun a = run("--catalog " + other + "-flat match --json --text \"administer medication to patients\"");
  CliRun b = run(reused + "match --json --text \"administer medication to patients\"");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["results"], nlohmann::json::parse(b.out)["results"]);
  fs::remove_all(other);
  fs::remove_all(other + "-flat");
}

// The former spelling of re-ranking ("rerank", "rerankN") still builds, with a deprecation
// warning on stderr, the index the current spelling ("rerank=N") builds without one.
TEST_F(CliTest, DeprecatedRerankSpellingWarnsAndBuildsTheSameIndex) {
  const std::string other = credmatch::testing_util::unique_temp_path("cli_rerank").string();
  fs::remove_all(other);
  const std::string build = "build --catalog " + other + " --encoder-file " + *catalog_ +
                            "/encoder.bin " + kData + "credentials.jsonl --index ";
  CliRun old_spelling = run(build + "Flat:int8,rerank");
  ASSERT_EQ(old_spelling.exit_code, 0) << old_spelling.err;
  EXPECT_NE(old_spelling.err.find("Flat option 'rerank' is deprecated: write 'rerank=4'"),
            std::string::npos)
      << old_spelling.err;
  CliRun info = run("--catalog " + other + " info --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["index"], "Flat:int8,rerank=4") << info.out;
  const std::string match =
      "--catalog " + other + " match --json --text \"administer medication to patients\"";
  CliRun a = run(match);
  CliRun new_spelling = run(build + "Flat:int8,rerank=4");
  ASSERT_EQ(new_spelling.exit_code, 0) << new_spelling.err;
  EXPECT_EQ(new_spelling.err.find("deprecated"), std::string::npos) << new_spelling.err;
  CliRun b = run(match);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["results"], nlohmann::json::parse(b.out)["results"]);
  fs::remove_all(other);
}

struct BadCase {
  const char* name;
  std::string args;
  std::string expected_in_stderr;
};

TEST_F(CliTest, BadInputGivesAClearErrorAndNonZeroExit) {
  const fs::path bad_json = credmatch::testing_util::unique_temp_path("cli_bad.json");
  std::ofstream(bad_json) << "{\"title\": \"x\",\n \"requirements\": [{\"text\": 3}]}";
  const fs::path bad_creds = credmatch::testing_util::unique_temp_path("bad") / "credentials_cli_bad.jsonl";
  fs::create_directories(bad_creds.parent_path());
  std::ofstream(bad_creds) << "{\"id\": \"a\", \"title\": \"A\"}\n{\"id\": \"b\", \"hours\": 1}\n";
  const std::vector<BadCase> cases = {
      {"unknown occupation", cat() + "match --occupation \"practical nurze\"", "did you mean"},
      {"missing job file", cat() + "match --job /nonexistent/job.json", "/nonexistent/job.json"},
      {"malformed job file", cat() + "match --job " + bad_json.string(), "requirements[0].text"},
      {"no job source", cat() + "match", "exactly one of"},
      {"two job sources", cat() + "match --text a --occupation b", "exactly one of"},
      {"text without statements", cat() + "match --text \"... ;\"", "no requirement"},
      {"threshold out of range", cat() + "match --text sql --threshold 5", "threshold"},
      {"missing catalog", "--catalog /nonexistent/cat info", "credmatch build"},
      {"bad ingest record", cat() + "build " + bad_creds.string(), ":2: title"},
      {"unknown input kind", cat() + "build /tmp/whatever.jsonl", "whatever.jsonl"},
      {"bad index factory", cat() + "build --index Bogus " + kData + "credentials.jsonl", "Bogus"},
      {"unknown verb", "frobnicate", "subcommand"},
  };
  for (const BadCase& c : cases) {
    CliRun r = run(c.args);
    EXPECT_FALSE(r.crashed) << c.name;
    EXPECT_NE(r.exit_code, 0) << c.name;
    EXPECT_NE(r.err.find(c.expected_in_stderr), std::string::npos)
        << c.name << ": stderr was: " << r.err;
  }
  // The failed build left the catalog as it was.
  CliRun info = run(cat() + "info --json");
  ASSERT_EQ(info.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(info.out)["counts"]["credentials"], 10);
  fs::remove(bad_json);
  fs::remove_all(bad_creds.parent_path());
}

}  // namespace
