#include "text/normalize.h"

#include <gtest/gtest.h>

#include "match/job_text.h"

namespace credmatch::engine {
namespace {

TEST(Normalize, FoldsCaseAccentsAndTypographicPunctuation) {
  EXPECT_EQ(normalize("Gérer  l\u2019ÉQUIPE\u00a0de\tdéveloppement"), "gerer l'equipe de developpement");
  EXPECT_EQ(normalize("ﬁle ＳＱＬ"), "file sql");  // NFKC: ligature and full-width letters
  EXPECT_EQ(normalize("Straße"), "strasse");        // case folding, not just lower-casing
  EXPECT_EQ(normalize("  \n "), "");
}

TEST(Normalize, ReplacesInvalidUtf8InsteadOfFailing) {
  EXPECT_FALSE(is_valid_utf8("caf\xC3"));
  EXPECT_EQ(normalize("caf\xC3 ok"), "caf ok");
  EXPECT_TRUE(is_valid_utf8("café"));
}

TEST(Tokenize, RemovesFrenchElisionsAndKeepsLanguageNames) {
  EXPECT_EQ(tokenize(normalize("L'analyse d'une base qu'il gère")),
            (std::vector<std::string>{"analyse", "une", "base", "il", "gere"}));
  EXPECT_EQ(tokenize(normalize("C++, C# and F# (not c+++)")),
            (std::vector<std::string>{"c++", "c#", "and", "f#", "not", "c++"}));
  EXPECT_EQ(tokenize("don't"), (std::vector<std::string>{"don", "t"}));
}

TEST(StopWords, CoverEnglishAndFrenchFunctionWordsOnly) {
  for (const char* w : {"the", "and", "of", "de", "les", "pour", "avec"}) EXPECT_TRUE(is_stop_word(w)) << w;
  for (const char* w : {"use", "manage", "utiliser", "sql", "data"}) EXPECT_FALSE(is_stop_word(w)) << w;
}

TEST(LightStem, MapsPluralsToSingular) {
  EXPECT_EQ(light_stem("databases"), "database");
  EXPECT_EQ(light_stem("queries"), "query");
  EXPECT_EQ(light_stem("sandwiches"), "sandwich");
  EXPECT_EQ(light_stem("boxes"), "box");
  EXPECT_EQ(light_stem("analysis"), "analysis");
  EXPECT_EQ(light_stem("process"), "process");
  EXPECT_EQ(light_stem("status"), "status");
  EXPECT_EQ(light_stem("uses"), "uses");  // short words unchanged
}

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
