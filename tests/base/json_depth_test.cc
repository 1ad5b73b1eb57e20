#include "base/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace credmatch {
namespace {

TEST(JsonDepth, AcceptsNestingUpToTheLimit) {
  EXPECT_EQ(json_too_deep_at("{}", 1), std::nullopt);
  EXPECT_EQ(json_too_deep_at(R"({"a": [1, {"b": []}], "c": {}})", 4), std::nullopt);
  EXPECT_EQ(json_too_deep_at(std::string(64, '[') + std::string(64, ']')), std::nullopt);
  EXPECT_EQ(json_too_deep_at(""), std::nullopt);
}

TEST(JsonDepth, ReportsTheBracketThatGoesTooDeep) {
  EXPECT_EQ(json_too_deep_at(R"({"a": [1, {"b": []}]})", 2), 10u);
  EXPECT_EQ(json_too_deep_at(std::string(60000, '[') + std::string(60000, ']')), 64u);
  // Siblings do not add up: depth is nesting, not a count of brackets.
  std::string siblings = "[";
  for (int i = 0; i < 1000; ++i) siblings += "[[]],";
  siblings += "[]]";
  EXPECT_EQ(json_too_deep_at(siblings, 3), std::nullopt);
}

TEST(JsonDepth, IgnoresBracketsInsideStrings) {
  const std::string in_string = R"({"text": ")" + std::string(100, '[') + R"("})";
  EXPECT_EQ(json_too_deep_at(in_string, 1), std::nullopt);
  // An escaped quote does not end the string; an escaped backslash before the quote does.
  EXPECT_EQ(json_too_deep_at(R"(["a\"[[[", 1])", 1), std::nullopt);
  EXPECT_EQ(json_too_deep_at(R"(["a\\", [[1]]])", 2), 9u);
}

}  // namespace
}  // namespace credmatch
