#include "text/normalize.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace credmatch::engine
