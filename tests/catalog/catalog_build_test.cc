// build_catalog's errors for a person (catalog/build.h): what a user's small catalog gets.
#include "catalog/build.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/ingest.h"
#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

TEST(CatalogBuild, ACatalogOfAFewCoursesSaysInWordsWhatItNeeds) {
  const std::string dir = testing_util::unique_temp_path("tiny_cat").string();
  // Three courses of the fixture, as a user's own first catalog.
  const std::string three = testing_util::unique_temp_path("credentials_three.jsonl").string();
  {
    std::ifstream src(testing_util::kFixtureDir + "credentials.jsonl");
    std::ofstream out(three);
    std::string line;
    for (int i = 0; i < 3 && std::getline(src, line); ++i) out << line << "\n";
  }
  auto in = classify_input("credentials=" + three);
  ASSERT_TRUE(in.is_ok()) << in.status().to_string();
  BuildOptions options;  // the default encoder: 256 semantic dimensions
  auto r = build_catalog(dir, {*in}, options);
  ASSERT_FALSE(r.is_ok());
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("the catalog holds too little text to fit an encoder of 256 dimensions"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find("build it on top of more records"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("check failed"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(".cc:"), std::string::npos) << msg;  // no source path
  EXPECT_FALSE(std::filesystem::exists(dir));

  // With the dimensions it suggests, the catalog builds, and the note says in words why the
  // encoder is the untrained one.
  const size_t at = msg.find("ask for at most ");
  ASSERT_NE(at, std::string::npos) << msg;
  options.encoder.semantic_dim = std::stoi(msg.substr(at + 16));
  auto ok = build_catalog(dir, {*in}, options);
  ASSERT_TRUE(ok.is_ok()) << ok.status().to_string();
  EXPECT_NE(ok->encoder_note.find("taxonomy pairs"), std::string::npos) << ok->encoder_note;
  EXPECT_EQ(ok->encoder_note.find("check failed"), std::string::npos) << ok->encoder_note;
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".lock");
  std::filesystem::remove(three);
}

}  // namespace
}  // namespace credmatch::engine
