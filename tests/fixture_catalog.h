// The small fixture catalog (tests/data/match) several suites build and search.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "catalog/build.h"
#include "catalog/loaded_catalog.h"
#include "store/ingest.h"
#include "tests/test_util.h"

namespace credmatch::testing_util {

inline const std::string kFixtureDir = std::string(CREDMATCH_TEST_DATA_DIR) + "/match/";

/// A tiny encoder (16 + 16 dims, every feature kept) that fits the fixture's few statements:
/// the domain encoder alone (the default hybrid adds 768 sketch dimensions; its build is
/// tested in tests/lexical_sketch_encoder_test.cc).
inline engine::BuildOptions fixture_build_options() {
  engine::BuildOptions o;
  o.encoder_family = "domain";
  o.encoder.semantic_dim = 16;
  o.encoder.lexical_dim = 16;
  o.encoder.min_df = 1;
  o.encoder.oversampling = 8;
  return o;
}

/// The fixture's credentials, jobs and skills files.
inline std::vector<engine::InputFile> fixture_inputs() {
  std::vector<engine::InputFile> out;
  for (const char* f : {"credentials.jsonl", "jobs.jsonl", "skills.jsonl"}) {
    auto in = engine::classify_input(kFixtureDir + f);
    EXPECT_TRUE(in.is_ok()) << in.status().to_string();
    out.push_back(*in);
  }
  return out;
}

/// Builds `inputs` with `options` into `dir` (replacing what is there) and opens it; records
/// a test failure and returns null if either step fails.
inline std::unique_ptr<engine::LoadedCatalog> build_and_open_catalog(
    const std::string& dir, const std::vector<engine::InputFile>& inputs,
    const engine::BuildOptions& options) {
  std::filesystem::remove_all(dir);
  auto report = engine::build_catalog(dir, inputs, options);
  if (!report.is_ok()) {
    ADD_FAILURE() << report.status().to_string();
    return nullptr;
  }
  auto cat = engine::LoadedCatalog::open(dir);
  if (!cat.is_ok()) {
    ADD_FAILURE() << cat.status().to_string();
    return nullptr;
  }
  return std::move(*cat);
}

/// The fixture catalog, built into `dir` and opened (see build_and_open_catalog()).
inline std::unique_ptr<engine::LoadedCatalog> build_fixture_catalog(const std::string& dir) {
  return build_and_open_catalog(dir, fixture_inputs(), fixture_build_options());
}

#ifdef CREDMATCH_CLI_PATH
/// Builds the fixture catalog with the `credmatch build` verb into a fresh per-process
/// directory named after `name`; returns the directory, and records a failure if the build
/// does not exit 0.
inline std::string build_fixture_catalog_with_cli(const std::string& name) {
  const std::string dir = unique_temp_path(name).string();
  std::filesystem::remove_all(dir);
  const CliRun r = run_cli("build --catalog " + dir + " --dim 16 " + kFixtureDir +
                           "credentials.jsonl " + kFixtureDir + "jobs.jsonl " + kFixtureDir +
                           "skills.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return dir;
}
#endif

}  // namespace credmatch::testing_util
