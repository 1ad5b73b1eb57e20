#include "encode/sif_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <thread>

#include "base/error.h"
#include "tests/encoder_test_util.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

using testing_util::encode;

namespace fs = std::filesystem;
using testing_util::unique_temp_path;

const std::string kTinyVec = std::string(CREDMATCH_TEST_DATA_DIR) + "/vectors/tiny.vec";

const WordVectors& tiny() {
  static const WordVectors wv = [] {
    auto r = WordVectors::load(kTinyVec);
    if (!r) throw std::runtime_error(r.status().to_string());
    return std::move(*r);
  }();
  return wv;
}

std::vector<std::string> corpus() {
  return {"Write SQL queries against a database",
          "query the database with SQL",
          "analyse data with Python",
          "plot charts of the data with python",
          "programming software code in python",
          "care for patients in hospital",
          "administer medication to a patient",
          "nurse care team",
          "operate a tractor on the farm",
          "harvest crops with farm machinery",
          "prepare hot and cold dishes",
          "cooking food in a cafe",
          "manage a software project team",
          "statistics and data analysis",
          "data visualisation with plots"};
}

double dot(const float* a, const float* b, int d) {
  double s = 0;
  for (int j = 0; j < d; ++j) s += double(a[j]) * b[j];
  return s;
}

// Four 3-d words; the hand-checked numbers below follow from them.
WordVectors hand_vectors() {
  const std::vector<std::string> words = {"alpha", "beta", "gamma", "delta"};
  const std::vector<float> v = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0};
  return WordVectors::from_rows(words, v, 3);
}

TEST(SifEncoder, WeightsFollowCorpusFrequencies) {
  SifConfig c;
  c.a = 0.25f;
  c.num_components = 0;
  c.prior_weight = 0.0f;                                                    // p(w) = count / N
  const std::vector<std::string> docs = {"alpha alpha beta", "gamma zzz"};  // N = 5 tokens
  auto enc = SifEncoder::fit(hand_vectors(), docs, c);
  EXPECT_FLOAT_EQ(enc->weight("alpha"), 0.25f / (0.25f + 0.4f));
  EXPECT_FLOAT_EQ(enc->weight("beta"), 0.25f / (0.25f + 0.2f));
  EXPECT_FLOAT_EQ(enc->weight("delta"), 1.0f);  // unseen in the corpus, no prior
  EXPECT_EQ(enc->weight("zzz"), 0.0f);

  // "alpha beta" = (w_a e1 + w_b e2) / 2, normalised; "delta gamma" = (e1 + e2 + w_g e3) / 2.
  const auto out = encode(*enc, {"alpha beta", "Delta, GAMMA!"});
  const double wa = 0.25 / 0.65, wb = 0.25 / 0.45, wg = 0.25 / 0.45;
  const double n1 = std::sqrt(wa * wa + wb * wb), n2 = std::sqrt(2 + wg * wg);
  EXPECT_NEAR(out[0], wa / n1, 1e-6);
  EXPECT_NEAR(out[1], wb / n1, 1e-6);
  EXPECT_NEAR(out[2], 0.0, 1e-6);
  EXPECT_NEAR(out[3], 1 / n2, 1e-6);
  EXPECT_NEAR(out[4], 1 / n2, 1e-6);
  EXPECT_NEAR(out[5], wg / n2, 1e-6);
}

TEST(SifEncoder, RankPriorSmoothsTheCorpusEstimate) {
  SifConfig c;
  c.a = 0.1f;
  c.num_components = 0;
  c.prior_weight = 0.5f;
  const std::vector<std::string> docs = {"delta delta delta beta"};  // N = 4
  auto enc = SifEncoder::fit(hand_vectors(), docs, c);
  const double h = 1.0 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4;  // Zipf normaliser over 4 ranks
  auto expected = [&](double count, int rank) {
    const double p = 0.5 * count / 4 + 0.5 / ((rank + 1) * h);
    return float(0.1 / (0.1 + p));
  };
  EXPECT_FLOAT_EQ(enc->weight("alpha"), expected(0, 0));
  EXPECT_FLOAT_EQ(enc->weight("beta"), expected(1, 1));
  EXPECT_FLOAT_EQ(enc->weight("gamma"), expected(0, 2));
  EXPECT_FLOAT_EQ(enc->weight("delta"), expected(3, 3));
  // An empty corpus falls back to the prior alone.
  auto prior_only = SifEncoder::fit(hand_vectors(), {}, c);
  EXPECT_FLOAT_EQ(prior_only->weight("alpha"), float(0.1 / (0.1 + 1 / h)));
}

TEST(SifEncoder, RemovesTheCommonComponentAndReturnsUnitRows) {
  for (int k : {1, 2}) {
    SifConfig c;
    c.num_components = k;
    auto enc = SifEncoder::fit(tiny(), corpus(), c);
    const int d = enc->dim();
    ASSERT_EQ(d, 100);
    ASSERT_EQ(enc->components().size(), size_t(k * d));
    const float* u = enc->components().data();
    for (int a = 0; a < k; ++a) {
      for (int b = 0; b < k; ++b) {
        EXPECT_NEAR(dot(u + a * d, u + b * d, d), a == b ? 1.0 : 0.0, 1e-5);
      }
    }
    const std::vector<std::string> texts = {"sql database queries", "harvest crops", "the data",
                                            "python programming"};
    const auto out = encode(*enc, texts);
    for (size_t i = 0; i < texts.size(); ++i) {
      const float* row = out.data() + i * size_t(d);
      EXPECT_NEAR(dot(row, row, d), 1.0, 1e-5) << texts[i];
      for (int a = 0; a < k; ++a) EXPECT_NEAR(dot(row, u + a * d, d), 0.0, 1e-5) << texts[i];
    }
  }
}

TEST(SifEncoder, FirstComponentIsTheDominantDirectionOfTheCorpus) {
  SifConfig none;
  none.num_components = 0;
  SifConfig one;
  auto raw = SifEncoder::fit(tiny(), corpus(), none);
  auto enc = SifEncoder::fit(tiny(), corpus(), one);
  // The energy of the raw sentence directions along u beats that along every coordinate
  // axis and along each sentence's own direction.
  const auto docs = corpus();
  const auto x = encode(*raw, docs);  // unit rows; same direction as the averaged vectors
  const int d = enc->dim();
  auto energy = [&](const float* dir) {
    double s = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      const double p = dot(x.data() + i * size_t(d), dir, d);
      s += p * p;
    }
    return s;
  };
  const double top = energy(enc->components().data());
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_GE(top + 1e-3, energy(x.data() + i * size_t(d)));
  std::vector<float> axis(size_t(d), 0.0f);
  for (int j = 0; j < d; ++j) {
    axis[size_t(j)] = 1.0f;
    EXPECT_GT(top, energy(axis.data())) << j;
    axis[size_t(j)] = 0.0f;
  }
}

TEST(SifEncoder, UnknownOrEmptyTextGivesZeroRow) {
  SifConfig c;
  c.drop_stop_words = true;
  auto enc = SifEncoder::fit(tiny(), corpus(), c);
  const auto out = encode(*enc, {"zzzq qqxv", "", "the of and", "the tractor"});
  const int d = enc->dim();
  for (int row = 0; row < 3; ++row) {
    for (int j = 0; j < d; ++j) ASSERT_EQ(out[size_t(row * d + j)], 0.0f) << row;
  }
  EXPECT_NEAR(dot(out.data() + 3 * d, out.data() + 3 * d, d), 1.0, 1e-5);
}

TEST(SifEncoder, FrenchElisionsAccentsAndCaseMatchTheVocabulary) {
  auto enc = SifEncoder::fit(tiny(), corpus(), SifConfig{});
  const auto out = encode(*enc, {"l'analyse", "ANALYSE", "analyse", "Analysé"});
  const int d = enc->dim();
  EXPECT_NEAR(dot(out.data(), out.data(), d), 1.0, 1e-5);
  for (int row = 1; row < 4; ++row) {
    for (int j = 0; j < d; ++j) ASSERT_EQ(out[size_t(row * d + j)], out[size_t(j)]) << row;
  }
}

TEST(SifEncoder, StemBackOffFindsPlurals) {
  SifConfig c;
  auto enc = SifEncoder::fit(tiny(), corpus(), c);
  const auto out = encode(*enc, {"databases", "database"});
  const int d = enc->dim();
  EXPECT_NEAR(dot(out.data(), out.data() + d, d), 1.0, 1e-6);
  c.stem_backoff = false;
  auto strict = SifEncoder::fit(tiny(), corpus(), c);
  const auto zero = encode(*strict, {"databases"});
  for (float x : zero) ASSERT_EQ(x, 0.0f);
}

TEST(SifEncoder, RelatedStatementsAreCloser) {
  auto enc = SifEncoder::fit(tiny(), corpus(), SifConfig{});
  const auto out = encode(*enc, {"write sql queries", "query a database",
                                 "harvest crops with a tractor", "cooking hot dishes"});
  const int d = enc->dim();
  const double related = dot(out.data(), out.data() + d, d);
  EXPECT_GT(related, dot(out.data(), out.data() + 2 * d, d) + 0.1);
  EXPECT_GT(related, dot(out.data(), out.data() + 3 * d, d) + 0.1);
}

TEST(SifEncoder, KeepsCorpusWordsPlusTheMostFrequentTableWords) {
  SifConfig c;
  c.max_vocabulary = 3;  // the, of, to
  const std::vector<std::string> docs = {"tractor harvest", "tractor"};
  auto enc = SifEncoder::fit(tiny(), docs, c);
  EXPECT_EQ(enc->vocabulary_size(), 5);
  EXPECT_GT(enc->weight("of"), 0.0f);
  EXPECT_GT(enc->weight("tractor"), 0.0f);
  EXPECT_EQ(enc->weight("python"), 0.0f);
  // Without corpus counts the rank prior decides: the more frequent word weighs less.
  EXPECT_LT(enc->weight("the"), enc->weight("of"));
  // "tractor" (2 of 3 corpus tokens) weighs less than "harvest" (1 of 3).
  EXPECT_LT(enc->weight("tractor"), enc->weight("harvest"));
}

TEST(SifEncoder, SaveLoadGivesIdenticalVectorsAndId) {
  auto fitted = fit_sif_encoder(kTinyVec, corpus(), SifConfig{});
  ASSERT_TRUE(fitted) << fitted.status().to_string();
  const SifEncoder& enc = **fitted;
  EXPECT_EQ(enc.id().rfind("sif-tiny-100d-", 0), 0u) << enc.id();
  const fs::path p = unique_temp_path("sif.bin");
  ASSERT_TRUE(save_encoder(p.string(), enc).is_ok());
  auto loaded = load_encoder(p.string());
  fs::remove(p);
  ASSERT_TRUE(loaded) << loaded.status().to_string();
  EXPECT_EQ((*loaded)->name(), "sif");
  EXPECT_EQ((*loaded)->id(), enc.id());
  EXPECT_EQ((*loaded)->dim(), enc.dim());
  const std::vector<std::string> texts = {"Write SQL queries", "soins aux patients", "zzz",
                                          "harvest the crops", "l'analyse des données"};
  EXPECT_EQ(encode(**loaded, texts), encode(enc, texts));  // bit for bit
}

TEST(SifEncoder, IdIsDeterministicAndDependsOnTheModel) {
  auto a = SifEncoder::fit(tiny(), corpus(), SifConfig{});
  auto b = SifEncoder::fit(tiny(), corpus(), SifConfig{});
  EXPECT_EQ(a->id(), b->id());
  EXPECT_EQ(a->serialize(), b->serialize());
  SifConfig c;
  c.a = 1e-4f;
  EXPECT_NE(SifEncoder::fit(tiny(), corpus(), c)->id(), a->id());
  const std::vector<std::string> other = {"tractor"};
  EXPECT_NE(SifEncoder::fit(tiny(), other, SifConfig{})->id(), a->id());
}

TEST(SifEncoder, RejectsBadConfigSizesAndPayloads) {
  SifConfig c;
  c.a = 0.0f;
  EXPECT_THROW(SifEncoder::fit(tiny(), corpus(), c), Error);
  c = SifConfig{};
  c.vectors_name = "Bad Name";
  EXPECT_THROW(c.validate(), Error);
  c = SifConfig{};
  c.prior_weight = 1.5f;
  EXPECT_THROW(c.validate(), Error);

  auto enc = SifEncoder::fit(tiny(), corpus(), SifConfig{});
  std::vector<float> wrong(7);
  const std::vector<std::string> one = {"sql"};
  EXPECT_THROW(enc->encode(one, wrong), Error);

  const std::string payload = enc->serialize();
  EXPECT_FALSE(SifEncoder::deserialize(std::string_view(payload).substr(0, payload.size() - 3)));
  EXPECT_FALSE(SifEncoder::deserialize(std::string_view(payload).substr(0, 10)));
  EXPECT_FALSE(fit_sif_encoder("/nonexistent/vectors.vec", corpus(), SifConfig{}));
}

TEST(SifEncoder, EncodeIsThreadSafe) {
  auto enc = SifEncoder::fit(tiny(), corpus(), SifConfig{});
  const auto texts = corpus();
  const auto expected = encode(*enc, texts);
  std::vector<std::vector<float>> got(4);
  std::vector<std::thread> pool;
  for (auto& g : got) pool.emplace_back([&] { g = encode(*enc, texts); });
  for (auto& t : pool) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

}  // namespace
}  // namespace credmatch::engine
