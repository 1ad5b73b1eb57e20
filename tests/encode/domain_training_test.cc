#include "encode/domain_training.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/error.h"
#include "encode/hybrid_encoder.h"
#include "tests/encoder_test_util.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

using testing_util::encode;
using testing_util::row_dot;

// Two vocabularies for the same four topics: the LSA base cannot know that "automobile" and
// "car" mean the same, since they never share a statement; the training pairs say so.
std::vector<std::string> corpus() {
  std::vector<std::string> docs;
  const char* a[] = {"automobile engine repair", "automobile brake service", "automobile tyre fitting",
                     "bake sourdough bread", "bake pastry dough", "bake rye loaves",
                     "irrigate vineyard rows", "irrigate orchard trees", "irrigate greenhouse beds",
                     "audit ledger accounts", "audit payroll records", "audit expense claims"};
  const char* b[] = {"car motor fixing", "car stopping system check", "car wheel change",
                     "oven bread making", "oven cake making", "oven biscuit making",
                     "water grapevines", "water fruit plantation", "water glasshouse plants",
                     "bookkeeping verification", "salary bookkeeping checks", "bookkeeping of costs"};
  for (int rep = 0; rep < 3; ++rep) {
    for (const char* d : a) docs.push_back(d);
    for (const char* d : b) docs.push_back(d);
  }
  return docs;
}

std::vector<TrainingPair> pairs() {
  const auto docs = corpus();
  std::vector<TrainingPair> out;
  for (int i = 0; i < 12; ++i) out.push_back({docs[size_t(i)], docs[size_t(12 + i)], -1, i / 3});
  return out;
}

TfidfSvdConfig small_config() {
  TfidfSvdConfig c;
  c.semantic_dim = 8;
  c.lexical_dim = 16;
  c.lexical_weight = 0.2f;
  c.min_df = 1;
  c.oversampling = 8;
  return c;
}

DomainTrainingConfig train_config() {
  DomainTrainingConfig c;
  c.epochs = 60;
  c.batch_size = 12;
  c.temperature = 0.1f;
  c.learning_rate = 0.05f;
  return c;
}

// Mean similarity of the pairs minus mean similarity of statements of different topics.
double margin(const Encoder& e) {
  const auto docs = corpus();
  const std::vector<std::string> texts(docs.begin(), docs.begin() + 24);
  const auto v = encode(e, texts);
  double pos = 0, neg = 0;
  int n_neg = 0;
  for (size_t i = 0; i < 12; ++i) {
    pos += row_dot(v, i, 12 + i, e.dim());
    for (size_t j = 0; j < 12; ++j) {
      if (j / 3 != i / 3) {
        neg += row_dot(v, i, 12 + j, e.dim());
        ++n_neg;
      }
    }
  }
  return pos / 12 - neg / n_neg;
}

TEST(DomainTraining, PullsTrainingPairsTogetherAndLowersTheLoss) {
  auto base = TfidfSvdEncoder::fit(corpus(), small_config());
  const auto p = pairs();
  DomainTrainingReport report;
  auto trained = train_domain_encoder(*base, p, train_config(), &report);
  EXPECT_EQ(trained->name(), "domain");
  EXPECT_EQ(report.pairs, 12);
  ASSERT_EQ(report.epoch_loss.size(), 60u);
  EXPECT_LT(report.epoch_loss.back(), 0.5 * report.epoch_loss.front());
  EXPECT_GT(margin(*trained), margin(*base) + 0.2);
}

TEST(DomainTraining, IsDeterministicAndSurvivesSaveAndLoad) {
  auto base = TfidfSvdEncoder::fit(corpus(), small_config());
  const auto p = pairs();
  auto a = train_domain_encoder(*base, p, train_config());
  auto b = train_domain_encoder(*base, p, train_config());
  EXPECT_EQ(a->id(), b->id());
  EXPECT_NE(a->id(), base->id());
  const std::string path = testing_util::unique_temp_path("domain.bin").string();
  ASSERT_TRUE(save_encoder(path, *a).is_ok());
  auto loaded = load_encoder(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ((*loaded)->name(), "domain");
  EXPECT_EQ((*loaded)->id(), a->id());
  const auto docs = corpus();
  EXPECT_EQ(encode(**loaded, docs), encode(*a, docs));
  std::filesystem::remove(path);
}

TEST(DomainTraining, RefusesBadConfigAndPairsWithoutFeatures) {
  auto base = TfidfSvdEncoder::fit(corpus(), small_config());
  DomainTrainingConfig bad = train_config();
  bad.temperature = 0;
  EXPECT_THROW(train_domain_encoder(*base, pairs(), bad), Error);
  const std::vector<TrainingPair> unknown = {{"zzqx", "wwvy", -1, -1}};
  EXPECT_THROW(train_domain_encoder(*base, unknown, train_config()), Error);
}

TEST(HybridEncoder, InnerProductIsTheWeightedSumOfPartCosines) {
  const auto docs = corpus();
  auto lsa = TfidfSvdEncoder::fit(docs, small_config());
  TfidfSvdConfig other = small_config();
  other.semantic_dim = 4;
  other.lexical_weight = 0.9f;
  auto lex = TfidfSvdEncoder::fit(docs, other);
  const auto va = encode(*lsa, docs), vb = encode(*lex, docs);
  std::vector<HybridEncoder::Part> parts;
  parts.push_back({TfidfSvdEncoder::fit(docs, small_config()), 3.0f});
  parts.push_back({TfidfSvdEncoder::fit(docs, other), 1.0f});
  HybridEncoder hybrid(std::move(parts));
  EXPECT_EQ(hybrid.dim(), lsa->dim() + lex->dim());
  const auto vh = encode(hybrid, docs);
  for (size_t i : {0u, 5u, 13u}) {
    for (size_t j : {1u, 12u, 20u}) {
      const float expected = 0.75f * row_dot(va, i, j, lsa->dim()) + 0.25f * row_dot(vb, i, j, lex->dim());
      EXPECT_NEAR(row_dot(vh, i, j, hybrid.dim()), expected, 1e-5f);
    }
  }
}

TEST(HybridEncoder, SurvivesSaveAndLoadAndRefusesCorruptPayloads) {
  const auto docs = corpus();
  std::vector<HybridEncoder::Part> parts;
  parts.push_back({TfidfSvdEncoder::fit(docs, small_config()), 0.4f});
  parts.push_back({train_domain_encoder(*TfidfSvdEncoder::fit(docs, small_config()), pairs(),
                                        train_config()),
                   0.6f});
  HybridEncoder hybrid(std::move(parts));
  const std::string path = testing_util::unique_temp_path("hybrid.bin").string();
  ASSERT_TRUE(save_encoder(path, hybrid).is_ok());
  auto loaded = load_encoder(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ((*loaded)->id(), hybrid.id());
  EXPECT_EQ(encode(**loaded, docs), encode(hybrid, docs));
  std::filesystem::remove(path);

  const std::string payload = hybrid.serialize();
  EXPECT_FALSE(HybridEncoder::deserialize(payload.substr(0, payload.size() / 2)).is_ok());
  EXPECT_FALSE(HybridEncoder::deserialize(payload + "x").is_ok());
  EXPECT_FALSE(deserialize_encoder("no-such-family", payload).is_ok());
  EXPECT_THROW(HybridEncoder(std::vector<HybridEncoder::Part>{}), Error);
}

TEST(HybridEncoder, RenormalisesWhenAPartHasNoFeature) {
  const auto docs = corpus();
  std::vector<HybridEncoder::Part> parts;
  parts.push_back({TfidfSvdEncoder::fit(docs, small_config()), 0.5f});
  parts.push_back({TfidfSvdEncoder::fit(docs, small_config()), 0.5f});
  HybridEncoder hybrid(std::move(parts));
  const auto v = encode(hybrid, {"automobile", "zzqx"});
  EXPECT_NEAR(row_dot(v, 0, 0, hybrid.dim()), 1.0f, 1e-5f);
  EXPECT_EQ(row_dot(v, 1, 1, hybrid.dim()), 0.0f);
}

}  // namespace
}  // namespace credmatch::engine
