#include "match/job_text.h"

#include <gtest/gtest.h>

namespace credmatch::engine {
namespace {

TEST(SplitRequirements, SplitsBulletsSentencesAndSemicolons) {
  const auto reqs = split_requirements(
      "Requirements:\n"
      "- Write SQL queries; build dashboards.\n"
      "• Experience with Python. Knowledge of statistics\n"
      "\n"
      "Nice to have:\n"
      "1. French language skills\n"
      "Familiarity with Docker is an asset.\n");
  ASSERT_EQ(reqs.size(), 6u);
  EXPECT_EQ(reqs[0].text, "Write SQL queries");
  EXPECT_EQ(reqs[1].text, "build dashboards");
  EXPECT_EQ(reqs[2].text, "Experience with Python");
  EXPECT_EQ(reqs[3].text, "Knowledge of statistics");
  EXPECT_EQ(reqs[4].text, "French language skills");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(reqs[size_t(i)].importance, Importance::kEssential) << i;
  EXPECT_EQ(reqs[4].importance, Importance::kOptional);
  EXPECT_EQ(reqs[5].importance, Importance::kOptional);
}

TEST(SplitRequirements, HandlesFrenchPostingsAndDropsEmptyFragments) {
  const auto reqs = split_requirements("Gérer une base de données ; rédiger des rapports.  ...\n- \n");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].text, "Gérer une base de données");
  EXPECT_EQ(reqs[1].text, "rédiger des rapports");
}

}  // namespace
}  // namespace credmatch::engine
