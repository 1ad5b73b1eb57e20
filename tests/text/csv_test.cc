#include "text/csv.h"
#include "text/line_reader.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace credmatch::engine {
namespace {

std::string write_temp(const std::string& name, const std::string& bytes) {
  auto path = testing_util::unique_temp_path("csv_" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

TEST(CsvRecord, SplitsPlainFields) {
  auto r = parse_csv_record("a,b,,d");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"a", "b", "", "d"}));
}

TEST(CsvRecord, UnquotesEscapedQuotesAndSeparators) {
  auto r = parse_csv_record(R"("say ""hi""","a,b",="01.0000")");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"say \"hi\"", "a,b", "=\"01.0000\""}));
}

TEST(CsvRecord, RejectsTextAfterClosingQuote) {
  auto r = parse_csv_record(R"("abc"def,x)");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("column 1"), std::string::npos);
}

TEST(CsvReader, ReadsMultiLineFieldsCrlfAndBom) {
  const std::string path = write_temp(
      "multi.csv",
      "\xEF\xBB\xBFid,labels,note\r\n1,\"first\r\nsecond\r\nthird\",x\r\n2,single,\"y\"\r\n");
  auto reader = CsvReader::open(path);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  auto& csv = **reader;
  EXPECT_EQ(csv.header(), (std::vector<std::string>{"id", "labels", "note"}));
  EXPECT_EQ(csv.column("labels"), 1u);
  EXPECT_FALSE(csv.column("missing").has_value());
  std::vector<std::string> row;
  ASSERT_TRUE(csv.next(&row));
  EXPECT_EQ(csv.record_line(), 2);
  EXPECT_EQ(row, (std::vector<std::string>{"1", "first\nsecond\nthird", "x"}));
  ASSERT_TRUE(csv.next(&row));
  EXPECT_EQ(csv.record_line(), 5);
  EXPECT_EQ(row, (std::vector<std::string>{"2", "single", "y"}));
  EXPECT_FALSE(csv.next(&row));
  EXPECT_TRUE(csv.status().is_ok());
}

TEST(CsvReader, ReportsUnterminatedQuoteWithItsLine) {
  const std::string path = write_temp("unterminated.csv", "a,b\n1,2\n3,\"open\n4,5\n");
  auto reader = CsvReader::open(path);
  ASSERT_TRUE(reader.is_ok());
  std::vector<std::string> row;
  ASSERT_TRUE((*reader)->next(&row));
  EXPECT_FALSE((*reader)->next(&row));
  ASSERT_FALSE((*reader)->status().is_ok());
  EXPECT_NE((*reader)->status().message().find(":3:"), std::string::npos)
      << (*reader)->status().message();
}

TEST(CsvReader, EmptyFileHasNoHeader) {
  auto reader = CsvReader::open(write_temp("empty.csv", ""));
  ASSERT_FALSE(reader.is_ok());
  EXPECT_NE(reader.status().message().find("header"), std::string::npos);
}

TEST(LineReader, MissingFileIsNotFound) {
  auto reader = LineReader::open("/nonexistent/credmatch.csv");
  ASSERT_FALSE(reader.is_ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound);
}

TEST(LineReader, ReadsLongLinesCrLfAndALastLineWithoutItsEnd) {
  const std::string long_line(200000, 'x');  // several read-ahead chunks
  auto reader = LineReader::open(write_temp("lines.txt", "\xEF\xBB\xBF" "first\r\n" + long_line + "\n\nlast"));
  ASSERT_TRUE(reader.is_ok());
  std::string line;
  std::vector<std::string> lines;
  while ((*reader)->next(&line)) lines.push_back(line);
  ASSERT_TRUE((*reader)->status().is_ok()) << (*reader)->status().to_string();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "first");
  EXPECT_EQ(lines[1], long_line);
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "last");
  EXPECT_EQ((*reader)->line_number(), 4);
}

TEST(LineReader, ANulByteStopsWithFileAndLineInsteadOfCuttingTheLine) {
  auto reader = LineReader::open(write_temp("nul.txt", std::string("ok\nA\0B\nC\n", 9)));
  ASSERT_TRUE(reader.is_ok());
  std::string line;
  ASSERT_TRUE((*reader)->next(&line));
  EXPECT_EQ(line, "ok");
  EXPECT_FALSE((*reader)->next(&line));
  EXPECT_EQ((*reader)->status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE((*reader)->status().message().find("nul.txt:2: contains a NUL byte"), std::string::npos)
      << (*reader)->status().message();
}

}  // namespace
}  // namespace credmatch::engine
