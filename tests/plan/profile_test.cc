// WorkerProfile parsing: the JSON form (docs/paths.md), inline --skills text, taxonomy ids.
#include "plan/profile.h"

#include <gtest/gtest.h>

namespace credmatch::engine {
namespace {

TEST(Profile, ParsesEveryField) {
  auto p = parse_profile_json(R"({"skills": [" stock control ", "cash handling"],
      "skill_ids": ["s:sql"], "completed": ["t:git"], "language": "fr",
      "constraints": {"max_hours": 40, "max_cost": 500.5, "max_credentials": 3,
                      "language": "en"}})",
                              "p.json");
  ASSERT_TRUE(p.is_ok()) << p.status().to_string();
  EXPECT_EQ(p->skills, (std::vector<std::string>{"stock control", "cash handling"}));
  EXPECT_EQ(p->skill_ids, std::vector<std::string>{"s:sql"});
  EXPECT_EQ(p->completed, std::vector<std::string>{"t:git"});
  EXPECT_EQ(p->language, "fr");
  EXPECT_EQ(p->constraints.max_hours, 40.0);
  EXPECT_EQ(p->constraints.max_cost, 500.5);
  EXPECT_EQ(p->constraints.max_credentials, 3);
  EXPECT_EQ(p->constraints.language, "en");
  EXPECT_FALSE(p->empty());
}

TEST(Profile, EmptyObjectIsAnEmptyProfile) {
  auto p = parse_profile_json("{}", "p.json");
  ASSERT_TRUE(p.is_ok());
  EXPECT_TRUE(p->empty());
  EXPECT_FALSE(p->constraints.max_hours.has_value());
}

TEST(Profile, ErrorsNameTheField) {
  auto expect_error = [](const char* text, const std::string& needle) {
    auto p = parse_profile_json(text, "p.json");
    ASSERT_FALSE(p.is_ok()) << text;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(needle), std::string::npos) << p.status().message();
  };
  expect_error("[1]", "p.json: expected a JSON object");
  expect_error("{", "p.json: invalid JSON");
  expect_error(R"({"skills": "sql"})", "p.json: skills: must be an array");
  expect_error(R"({"skills": ["sql", " "]})", "skills[1]: must be a non-empty string");
  expect_error(R"({"completed": [3]})", "completed[0]: must be a non-empty string");
  expect_error(R"({"skils": []})", "skils: unknown field");
  expect_error(R"({"constraints": {"max_hours": -1}})", "constraints.max_hours: must be a number >= 0");
  expect_error(R"({"constraints": {"max_cost": "ten"}})", "constraints.max_cost: must be a number");
  expect_error(R"({"constraints": {"max_credentials": 1.5}})", "constraints.max_credentials: must be a whole number");
  expect_error(R"({"constraints": {"hours": 1}})", "constraints.hours: unknown field");
  expect_error(R"({"constraints": 3})", "constraints: must be an object");
  const std::string deep = R"({"skills": )" + std::string(60000, '[') + std::string(60000, ']') + "}";
  expect_error(deep.c_str(), "p.json: invalid JSON: arrays and objects nest deeper than 64 levels");
}

TEST(Profile, SplitsInlineSkillsOnSemicolonsAndLines) {
  const WorkerProfile p = profile_from_skills_text("stock control; customer service\n cash handling ;;\n");
  EXPECT_EQ(p.skills, (std::vector<std::string>{"stock control", "customer service", "cash handling"}));
  EXPECT_TRUE(profile_from_skills_text(" ; \n").empty());
}

}  // namespace
}  // namespace credmatch::engine
