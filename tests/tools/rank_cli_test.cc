// End-to-end tests of `credmatch rank`: the run file's format for every encoder, and bad TSV
// input failing with FILE:LINE and a non-zero exit.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace {
namespace fs = std::filesystem;
using credmatch::testing_util::unique_temp_path;

using credmatch::testing_util::CliRun;
using credmatch::testing_util::slurp;
CliRun run(const std::string& args) { return credmatch::testing_util::run_cli(args); }

fs::path write_file(const std::string& name, const std::string& content) {
  const fs::path p = unique_temp_path(name);
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

struct RunRow {
  std::string query, target;
  int rank = 0;
  double score = 0;
};

std::vector<RunRow> parse_run(const fs::path& p) {
  std::vector<RunRow> rows;
  std::istringstream in(slurp(p));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, '\t')) f.push_back(cell);
    EXPECT_EQ(f.size(), 4u) << line;
    if (f.size() != 4) continue;
    rows.push_back({f[0], f[1], std::stoi(f[2]), std::stod(f[3])});
  }
  return rows;
}

const char kTargets[] =
    "sql\tWrite SQL queries to select and join data\n"
    "git\tTrack changes to code with version control (Git)\n"
    "plot\tCreate plots and visualisations of data\n"
    "nurse\tAdminister medication to patients\n";
const char kQueries[] =
    "q1\tSQL queries\n"
    "\n"  // blank lines are skipped
    "q2\tversion control with git\r\n"
    "q3\tzzz qqq\n";

// Checks the run file: k rows per query in query order, ranks 1..k, scores non-increasing,
// no target twice; returns the top target of each query.
std::map<std::string, std::string> check_run(const fs::path& out, size_t k) {
  const auto rows = parse_run(out);
  EXPECT_EQ(rows.size(), 3 * k);
  std::map<std::string, std::string> top;
  std::vector<std::string> order;
  for (size_t i = 0; i < rows.size(); ++i) {
    const RunRow& r = rows[i];
    if (order.empty() || order.back() != r.query) order.push_back(r.query);
    EXPECT_EQ(r.rank, static_cast<int>(i % k) + 1);
    if (r.rank == 1) {
      top[r.query] = r.target;
    } else {
      EXPECT_LE(r.score, rows[i - 1].score) << r.query;
      for (size_t j = i - static_cast<size_t>(r.rank) + 1; j < i; ++j) {
        EXPECT_NE(rows[j].target, r.target);
      }
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"q1", "q2", "q3"}));
  return top;
}

TEST(RankCli, WritesAValidRunFileWithEveryLexicalEncoder) {
  const fs::path targets = write_file("rank_t.tsv", kTargets);
  const fs::path queries = write_file("rank_q.tsv", kQueries);
  const fs::path out = unique_temp_path("rank_run.tsv");
  for (const std::string encoder : {"bm25", "tfidf-char"}) {
    CliRun r = run("rank --targets " + targets.string() + " --queries " + queries.string() +
                   " --k 3 --out " + out.string() + " --encoder " + encoder);
    ASSERT_EQ(r.exit_code, 0) << encoder << ": " << r.err;
    const auto top = check_run(out, 3);
    EXPECT_EQ(top.at("q1"), "sql") << encoder;
    EXPECT_EQ(top.at("q2"), "git") << encoder;
    EXPECT_FALSE(fs::exists(out.string() + ".tmp"));
  }
  // k larger than the target set: one row per target.
  CliRun r = run("rank --targets " + targets.string() + " --queries " + queries.string() +
                 " --k 50 --out " + out.string() + " --encoder bm25");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  check_run(out, 4);
  fs::remove(targets);
  fs::remove(queries);
  fs::remove(out);
}

TEST(RankCli, RanksWithTheCatalogEncoder) {
  const fs::path catalog = unique_temp_path("rank_catalog");
  fs::remove_all(catalog);
  const std::string data = std::string(CREDMATCH_TEST_DATA_DIR) + "/match/";
  CliRun b = run("build --catalog " + catalog.string() + " --dim 16 " + data +
                 "credentials.jsonl " + data + "jobs.jsonl " + data + "skills.jsonl");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const fs::path targets = write_file("rank_ct.tsv", kTargets);
  const fs::path queries = write_file("rank_cq.tsv", kQueries);
  const fs::path out = unique_temp_path("rank_crun.tsv");
  CliRun r = run("rank --catalog " + catalog.string() + " --targets " + targets.string() +
                 " --queries " + queries.string() + " --k 2 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto top = check_run(out, 2);
  EXPECT_EQ(top.at("q1"), "sql");
  CliRun missing = run("rank --catalog /nonexistent/cat --targets " + targets.string() +
                       " --queries " + queries.string() + " --out " + out.string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("credmatch build"), std::string::npos) << missing.err;
  fs::remove_all(catalog);
  fs::remove(targets);
  fs::remove(queries);
  fs::remove(out);
}

TEST(RankCli, BadInputFailsWithFileAndLine) {
  const fs::path good = write_file("rank_good.tsv", kTargets);
  const fs::path out = unique_temp_path("rank_bad_run.tsv");
  struct Case {
    const char* name;
    std::string content;
    std::string expected;  // in stderr, after the file name
  };
  const std::vector<Case> cases = {
      {"missing tab", "a\tone\nb two\n", ":2: missing tab"},
      {"empty id", "a\tone\n\ttwo\n", ":2: empty id"},
      {"empty text", "a\tone\nb\t \n", ":2: empty text"},
      {"duplicate id", "a\tone\nb\ttwo\na\tthree\n", ":3: duplicate id 'a'"},
      {"invalid UTF-8", "a\tone\nb\tt\xC3\x28o\n", ":2: invalid UTF-8"},
  };
  for (const Case& c : cases) {
    const fs::path bad = write_file("rank_bad.tsv", c.content);
    // As targets and as queries.
    for (const bool as_targets : {true, false}) {
      const fs::path& t = as_targets ? bad : good;
      const fs::path& q = as_targets ? good : bad;
      CliRun r = run("rank --encoder bm25 --targets " + t.string() + " --queries " + q.string() +
                     " --out " + out.string());
      EXPECT_FALSE(r.crashed) << c.name;
      EXPECT_NE(r.exit_code, 0) << c.name;
      EXPECT_NE(r.err.find(bad.string() + c.expected), std::string::npos)
          << c.name << (as_targets ? " (targets)" : " (queries)") << ": stderr was: " << r.err;
      EXPECT_FALSE(fs::exists(out)) << c.name;
      EXPECT_FALSE(fs::exists(out.string() + ".tmp")) << c.name;
    }
    fs::remove(bad);
  }
  const fs::path empty = write_file("rank_empty.tsv", "\n");
  CliRun r = run("rank --encoder bm25 --targets " + empty.string() + " --queries " + good.string() +
                 " --out " + out.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no targets"), std::string::npos) << r.err;
  r = run("rank --encoder bm25 --targets /nonexistent/t.tsv --queries " + good.string() +
          " --out " + out.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/t.tsv"), std::string::npos) << r.err;
  r = run("rank --encoder bogus --targets " + good.string() + " --queries " + good.string() +
          " --out " + out.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("encoder"), std::string::npos) << r.err;
  fs::remove(empty);
  fs::remove(good);
}

}  // namespace

namespace {

TEST(EvalCli, PrintsOneTablePerTaskWithTheLexicalBaselines) {
  const std::string data = CREDMATCH_SHIPPED_DATA_DIR;
  CliRun r = run("eval --data " + data + " --tasks tech_validation --encoders bm25,tfidf-char");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tech_validation"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("75 queries, 13896 targets"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| encoder | MRR | MAP@100 | RP@5 | RP@10 | R@100 |"), std::string::npos);
  EXPECT_NE(r.out.find("| bm25 | 61.8 |"), std::string::npos) << r.out;  // docs/quality.md
  EXPECT_NE(r.out.find("| tfidf-char | 52.8 |"), std::string::npos) << r.out;
  CliRun bad = run("eval --data " + data + " --tasks no_such_task --encoders bm25");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("no_such_task"), std::string::npos) << bad.err;
  bad = run("eval --data " + data + " --tasks tech_validation --encoders word2vec");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("word2vec"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

TEST(EvalCli, SweepFusionAddsHybridRowsAndRefusesBadSettings) {
  const std::string data = CREDMATCH_SHIPPED_DATA_DIR;
  const std::string fixture = std::string(CREDMATCH_TEST_DATA_DIR) + "/match/";
  const std::string dir = credmatch::testing_util::unique_temp_path("eval_fusion_cat").string();
  fs::remove_all(dir);
  CliRun built = run("build --catalog " + dir + " --dim 16 --lexical-dim 16 --encoder domain " +
                     fixture +
                     "credentials.jsonl " + fixture + "jobs.jsonl " + fixture + "skills.jsonl");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string eval = "--catalog " + dir + " eval --data " + data +
                           " --tasks tech_validation --encoders " + dir + "/encoder.bin";
  CliRun r = run(eval + " --sweep-fusion c64:0.3+w32:0.2,c64:0.5+l0.2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| domain-32-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| hybrid-128-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(fusion=c64:0.30+w32:0.20+l-1.00) |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| hybrid-96-"), std::string::npos) << r.out;  // no word part given
  EXPECT_NE(r.out.find("(fusion=c64:0.50+w0:0.00+l0.20) |"), std::string::npos) << r.out;
  for (const char* bad : {"c64:0.7+w32:0.4", "x5", "c64"}) {
    CliRun b = run(eval + " --sweep-fusion " + bad);
    EXPECT_NE(b.exit_code, 0) << bad;
    EXPECT_NE(b.err.find("--sweep-fusion: bad setting"), std::string::npos) << b.err;
  }
  fs::remove_all(dir);
}

TEST(EvalCli, SifEncoderFromWordVectorsSitsBesideTheOthers) {
  const std::string data = CREDMATCH_SHIPPED_DATA_DIR;
  const std::string fixture = std::string(CREDMATCH_TEST_DATA_DIR) + "/match/";
  const std::string vectors = std::string(CREDMATCH_TEST_DATA_DIR) + "/vectors/tiny.glove.txt";
  const std::string dir = credmatch::testing_util::unique_temp_path("eval_sif_cat").string();
  fs::remove_all(dir);
  CliRun built = run("build --catalog " + dir + " --dim 16 --lexical-dim 16 --encoder domain " +
                     fixture + "credentials.jsonl " + fixture + "jobs.jsonl " + fixture +
                     "skills.jsonl");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string eval = "--catalog " + dir + " eval --data " + data + " --tasks tech_validation";
  CliRun r = run(eval + " --encoders tfidf-char,sif:" + vectors);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| tfidf-char |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| sif-"), std::string::npos) << r.out;
  CliRun missing = run(eval + " --encoders sif:/nonexistent/vectors.txt");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("/nonexistent/vectors.txt"), std::string::npos) << missing.err;
  fs::remove_all(dir);
}

}  // namespace

namespace {

TEST(EvalCli, EmployerTaskNeedsACatalogWithTheLabelledProgramsAndKnownFeatures) {
  const std::string data = CREDMATCH_SHIPPED_DATA_DIR;
  // No catalog: the task says it needs one.
  CliRun r = run("--catalog /nonexistent/cat eval --data " + data + " --tasks employer");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("task employer ranks the credentials of a built catalog"), std::string::npos)
      << r.err;
  // --fit-out only with the employer task; unknown features are named.
  r = run("eval --data " + data + " --tasks tech_validation --encoders bm25 --fit-out /tmp/x.json");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--fit-out"), std::string::npos) << r.err;
  r = run("eval --data " + data + " --tasks employer --relevance-features dense_tt,dense_zz");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("dense_zz"), std::string::npos) << r.err;
  // The fixture catalog holds none of the crosswalk's programs.
  const std::string dir = credmatch::testing_util::build_fixture_catalog_with_cli("employer_cli_cat");
  r = run("--catalog " + dir + " eval --data " + data + " --tasks employer");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no job has a relevant credential in this catalog"), std::string::npos)
      << r.err;
  fs::remove_all(dir);
}

}  // namespace
