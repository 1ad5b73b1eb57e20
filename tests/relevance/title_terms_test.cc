// Tests of the title terms and title coverage (relevance/title_terms.h).
#include "relevance/title_terms.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "base/error.h"

namespace credmatch::engine {
namespace {

using Terms = std::vector<std::string>;

TEST(StripExceptClause, DropsTheExclusionClauseOfOnetTitles) {
  EXPECT_EQ(strip_except_clause("Architects, Except Landscape and Naval"), "Architects");
  EXPECT_EQ(strip_except_clause("Medical Scientists, Except Epidemiologists"),
            "Medical Scientists");
  EXPECT_EQ(strip_except_clause("Chefs except cooks"), "Chefs");
  EXPECT_EQ(strip_except_clause("Chefs,EXCEPT cooks"), "Chefs");
  EXPECT_EQ(strip_except_clause("  Registered Nurses  "), "Registered Nurses");
}

TEST(StripExceptClause, KeepsTheTitleWhenNothingWouldBeLeftOrNoWholeWordMatches) {
  EXPECT_EQ(strip_except_clause("Except Something"), "Except Something");
  EXPECT_EQ(strip_except_clause("Exceptional Chefs"), "Exceptional Chefs");
  EXPECT_EQ(strip_except_clause("Chefs (nonexcept)"), "Chefs (nonexcept)");
}

TEST(TitleTerms, StemCutToFiveCharactersWithoutStopWords) {
  EXPECT_EQ(title_terms("Licensed Practical Nurses and Other Nurses"),
            (Terms{"licen", "nurse", "pract"}));
  EXPECT_EQ(title_terms("General Studies"), (Terms{"study"}));  // studies -> study
  EXPECT_EQ(title_terms("Welding Technology/Welder"), (Terms{"techn", "welde", "weldi"}));
  EXPECT_EQ(title_terms("A of the IT"), (Terms{}));  // "it" is a stop word, "a" too short
  EXPECT_EQ(title_terms("Écoles d'été"), (Terms{"ecole", "ete"}));  // normalize() strips accents
}

TEST(TitleTermIndex, CoverageIsTheIdfShareOfTheCredentialTitleFound) {
  const std::vector<std::string> titles = {"Data Analytics", "Data Science", "Welding", "All"};
  const TitleTermIndex index(titles);
  const double idf_data = std::log(5.0 / 3.0) + 1.0;  // in 2 of 4 titles
  const double idf_one = std::log(5.0 / 2.0) + 1.0;   // in 1 of 4
  EXPECT_NEAR(index.idf("data"), idf_data, 1e-12);
  EXPECT_NEAR(index.idf("analy"), idf_one, 1e-12);
  EXPECT_NEAR(index.idf("never"), std::log(5.0) + 1.0, 1e-12);
  std::vector<float> out(4);
  index.coverage(Terms{"data"}, out);
  EXPECT_NEAR(out[0], idf_data / (idf_data + idf_one), 1e-6);
  EXPECT_NEAR(out[1], idf_data / (idf_data + idf_one), 1e-6);
  EXPECT_EQ(out[2], 0.0f);
  EXPECT_EQ(out[3], 0.0f);  // a title without terms covers nothing
  index.coverage(title_terms("Data scientists and analysts"), out);  // scien, analy, data
  EXPECT_NEAR(out[0], 1.0, 1e-6);
  EXPECT_NEAR(out[1], 1.0, 1e-6);
  std::vector<float> wrong(3);
  EXPECT_THROW(index.coverage(Terms{"data"}, wrong), Error);
}

}  // namespace
}  // namespace credmatch::engine
