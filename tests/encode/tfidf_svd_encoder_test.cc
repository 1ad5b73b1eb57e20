#include "encode/tfidf_svd_encoder.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

#include <cmath>
#include <filesystem>

#include "base/error.h"
#include "tests/encoder_test_util.h"

namespace credmatch::engine {
namespace {

using testing_util::encode;
using testing_util::row_dot;

// A small corpus with topical clusters, so the SVD has structure to find.
std::vector<std::string> corpus() {
  std::vector<std::string> docs;
  const std::vector<std::string> topics[] = {
      {"write sql queries", "relational database design", "query a database with sql",
       "database administration", "join tables in sql", "manage database systems"},
      {"plot data with python", "data visualisation with matplotlib", "python programming",
       "analyse data with pandas in python", "write python scripts", "visualise data"},
      {"care for patients", "administer medication to patients", "patient hygiene",
       "nursing care plans", "monitor patient health", "assist patients with mobility"},
      {"prune fruit trees", "operate a tractor", "harvest crops", "apply fertiliser to crops",
       "maintain farm machinery", "plant trees and crops"}};
  for (int rep = 0; rep < 6; ++rep) {
    for (const auto& topic : topics) {
      for (const auto& d : topic) docs.push_back(d + (rep ? " " + std::to_string(rep % 3) : ""));
    }
  }
  return docs;
}

TfidfSvdConfig small_config() {
  TfidfSvdConfig c;
  c.semantic_dim = 16;
  c.lexical_dim = 32;
  c.min_df = 1;
  c.oversampling = 8;
  return c;
}

TEST(TfidfSvdEncoder, FittingTwiceGivesTheSameModel) {
  const auto docs = corpus();
  auto a = TfidfSvdEncoder::fit(docs, small_config());
  auto b = TfidfSvdEncoder::fit(docs, small_config());
  EXPECT_EQ(a->id(), b->id());
  EXPECT_EQ(a->serialize(), b->serialize());
  EXPECT_EQ(encode(*a, {"sql database"}), encode(*b, {"sql database"}));
}

TEST(TfidfSvdEncoder, ProducesUnitVectorsOrZeroForUnknownText) {
  auto enc = TfidfSvdEncoder::fit(corpus(), small_config());
  const auto v = encode(*enc, {"Write SQL queries", "zzqx", ""});
  const int d = enc->dim();
  EXPECT_NEAR(row_dot(v, 0, 0, d), 1.0f, 1e-4f);
  EXPECT_EQ(row_dot(v, 1, 1, d), 0.0f);
  EXPECT_EQ(row_dot(v, 2, 2, d), 0.0f);
}

TEST(TfidfSvdEncoder, PlacesRelatedStatementsCloserThanUnrelatedOnes) {
  auto enc = TfidfSvdEncoder::fit(corpus(), small_config());
  const auto v = encode(*enc, {"SQL databases", "database queries", "caring for patients",
                               "Requêtes SQL sur une base de données"});
  const int d = enc->dim();
  EXPECT_GT(row_dot(v, 0, 1, d), row_dot(v, 0, 2, d) + 0.3f);
  EXPECT_GT(row_dot(v, 3, 0, d), row_dot(v, 3, 2, d));  // French shares "sql", "donnees"? at least sql
}

TEST(TfidfSvdEncoder, SurvivesSaveAndLoad) {
  auto enc = TfidfSvdEncoder::fit(corpus(), small_config());
  const auto path = testing_util::unique_temp_path("encoder_test.bin").string();
  ASSERT_TRUE(save_encoder(path, *enc).is_ok());
  auto loaded = load_encoder(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ((*loaded)->id(), enc->id());
  const std::vector<std::string> texts = {"python plots", "harvest crops", "x"};
  EXPECT_EQ(encode(**loaded, texts), encode(*enc, texts));
  std::filesystem::remove(path);
}

TEST(TfidfSvdEncoder, RejectsBadConfigAndTinyCorpus) {
  TfidfSvdConfig bad = small_config();
  bad.semantic_dim = 0;
  EXPECT_THROW(TfidfSvdEncoder::fit(corpus(), bad), Error);
  TfidfSvdConfig big = small_config();
  big.semantic_dim = 4000;
  EXPECT_THROW(TfidfSvdEncoder::fit(corpus(), big), Error);
}

TEST(TfidfSvdEncoder, EncodeChecksOutputSize) {
  auto enc = TfidfSvdEncoder::fit(corpus(), small_config());
  std::vector<std::string> texts = {"a", "b"};
  std::vector<float> out(3);
  EXPECT_THROW(enc->encode(texts, out), Error);
}

TEST(TfidfSvdEncoder, CorruptPayloadIsReportedNotCrashing) {
  auto enc = TfidfSvdEncoder::fit(corpus(), small_config());
  std::string payload = enc->serialize();
  EXPECT_FALSE(TfidfSvdEncoder::deserialize(payload.substr(0, payload.size() / 2)).is_ok());
  EXPECT_FALSE(TfidfSvdEncoder::deserialize("").is_ok());
  payload[0] = '\xff';  // dim = huge
  EXPECT_FALSE(TfidfSvdEncoder::deserialize(payload).is_ok());
}

}  // namespace
}  // namespace credmatch::engine
