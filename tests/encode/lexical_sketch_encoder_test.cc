#include "encode/lexical_sketch_encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/error.h"
#include "text/feature_hash.h"
#include "text/lexical.h"
#include "encode/lexical_fusion.h"
#include "tests/encoder_test_util.h"
#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

using testing_util::encode;
using testing_util::row_dot;

TEST(FeatureTable, FindsEveryKeyAndNothingElse) {
  // FNV hashes of real n-grams (what the encoders store) plus adversarial keys that share their
  // low bits or are consecutive, so probing runs across long clusters and the array's end.
  std::vector<uint64_t> keys;
  for (const char* gram : {"<da", "dat", "ata", "ta>", "<sq", "sql", "ql>", "é", ""}) {
    keys.push_back(feature_hash('c', gram));
  }
  for (uint64_t i = 0; i < 300; ++i) keys.push_back(i << 40);  // 0 included
  for (uint64_t i = 0; i < 300; ++i) keys.push_back(~uint64_t{0} - i);
  FeatureTable table;
  ASSERT_TRUE(table.assign(keys));
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(table.find(keys[i]), int32_t(i)) << i;
  for (uint64_t i = 1; i < 2000; ++i) {
    const uint64_t absent = feature_hash('w', std::to_string(i));
    if (std::find(keys.begin(), keys.end(), absent) == keys.end()) {
      EXPECT_EQ(table.find(absent), -1);
    }
  }
  EXPECT_EQ(table.find(uint64_t{1} << 39), -1);
}

TEST(FeatureTable, EmptyAndDuplicateKeys) {
  FeatureTable empty;
  EXPECT_EQ(empty.find(42), -1);
  ASSERT_TRUE(empty.assign({}));
  EXPECT_EQ(empty.find(0), -1);
  FeatureTable table;
  const std::vector<uint64_t> duplicate = {7, 8, 7};
  EXPECT_FALSE(table.assign(duplicate));
  EXPECT_EQ(table.find(7), -1);  // left empty, not half built
  EXPECT_EQ(table.find(8), -1);
}

// Real-ish competency statements and job-ad sentences, English and French.
std::vector<std::string> corpus() {
  return {"write SQL queries to select, filter and join data",
          "relational database design and administration",
          "query databases with SQL",
          "manage database systems",
          "clean and reshape tabular data with Python (pandas)",
          "create plots and visualisations of data",
          "analyse data with statistical software",
          "track changes to code with version control (Git)",
          "You will maintain our PostgreSQL databases and write complex queries.",
          "Experience with Python, pandas and data visualisation libraries is required.",
          "care for patients and administer medication",
          "monitor patient health and keep records",
          "operate a tractor and maintain farm machinery",
          "harvest crops and apply fertiliser",
          "prune fruit trees in the orchard",
          "L'analyse des données statistiques",
          "gérer les bases de données relationnelles",
          "rédiger des requêtes SQL",
          "soigner les patients à l'hôpital",
          "conduire un tracteur agricole",
          "communicate with customers and handle complaints",
          "provide customer service in a retail store",
          "use spreadsheet software such as Excel",
          "develop web applications with JavaScript and React",
          "design user interfaces for mobile applications",
          "teach mathematics to secondary school students",
          "prepare lesson plans and assess students' progress",
          "install and repair electrical wiring",
          "weld metal parts following safety procedures",
          "negotiate contracts with suppliers"};
}

LexicalSketchConfig char_config(int dim) {
  LexicalSketchConfig c;
  c.dim = dim;
  return c;
}

// Exact cosine of two sparse unit vectors sorted by hash.
float sparse_dot(const std::vector<std::pair<uint64_t, float>>& a,
                 const std::vector<std::pair<uint64_t, float>>& b) {
  float s = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].first < b[j].first) {
      ++i;
    } else if (b[j].first < a[i].first) {
      ++j;
    } else {
      s += a[i++].second * b[j++].second;
    }
  }
  return s;
}

TEST(LexicalSketchEncoder, ExactFeaturesGiveTheCharTfidfRankersCosine) {
  const auto docs = corpus();
  auto enc = LexicalSketchEncoder::fit(docs, char_config(64));
  const CharTfidfRanker ranker(docs);
  for (size_t q : {0u, 8u, 15u, 19u}) {
    const RankedList r = ranker.search(docs[q], static_cast<int>(docs.size()));
    const auto fq = enc->features(docs[q]);
    for (size_t i = 0; i < r.ids.size(); ++i) {
      const auto ft = enc->features(docs[size_t(r.ids[i])]);
      EXPECT_NEAR(sparse_dot(fq, ft), r.scores[i], 1e-5f) << docs[q] << " vs " << r.ids[i];
    }
  }
}

TEST(LexicalSketchEncoder, SketchCosineApproximatesTheExactCharTfidfCosine) {
  const auto docs = corpus();
  for (int dim : {256, 4096}) {
    auto enc = LexicalSketchEncoder::fit(docs, char_config(dim));
    const auto v = encode(*enc, docs);
    double sum_err = 0, max_err = 0;
    int pairs = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      EXPECT_NEAR(row_dot(v, i, i, dim), 1.0f, 1e-5f);
      const auto fi = enc->features(docs[i]);
      for (size_t j = i + 1; j < docs.size(); ++j) {
        const double err = std::abs(row_dot(v, i, j, dim) - sparse_dot(fi, enc->features(docs[j])));
        sum_err += err;
        max_err = std::max(max_err, err);
        ++pairs;
      }
    }
    // Standard deviation of a sketched cosine is about 1/sqrt(dim): 0.0625 and 0.016.
    const double mean_err = sum_err / pairs;
    EXPECT_LT(mean_err, 1.2 / std::sqrt(double(dim))) << "dim " << dim;
    EXPECT_LT(max_err, 6.0 / std::sqrt(double(dim))) << "dim " << dim;
  }
}

TEST(LexicalSketchEncoder, NormalisesFrenchAccentsElisionsAndCase) {
  const auto docs = corpus();
  auto enc = LexicalSketchEncoder::fit(docs, char_config(128));
  const auto v = encode(*enc, {"L\u2019analyse des données", "analyse des donnees",
                               "ANALYSE DES DONNÉES", "gestion de projet"});
  EXPECT_NEAR(row_dot(v, 0, 1, 128), 1.0f, 1e-5f);
  EXPECT_NEAR(row_dot(v, 0, 2, 128), 1.0f, 1e-5f);
  EXPECT_LT(row_dot(v, 0, 3, 128), 0.5f);

  LexicalSketchConfig words;
  words.analyzer = "word";
  words.dim = 128;
  auto wenc = LexicalSketchEncoder::fit(docs, words);
  EXPECT_EQ(wenc->name(), "word-sketch");
  const auto w = encode(*wenc, {"the relational databases", "relational database", "zzqx"});
  EXPECT_NEAR(row_dot(w, 0, 1, 128), 1.0f, 1e-5f);  // stop word dropped, plural stemmed
  EXPECT_EQ(row_dot(w, 2, 2, 128), 0.0f);           // no known feature: all-zero row
}

TEST(LexicalSketchEncoder, IsDeterministicAndSurvivesSaveAndLoadBitForBit) {
  auto docs = corpus();
  auto a = LexicalSketchEncoder::fit(docs, char_config(256));
  std::reverse(docs.begin(), docs.end());  // corpus order must not matter
  auto b = LexicalSketchEncoder::fit(docs, char_config(256));
  EXPECT_EQ(a->serialize(), b->serialize());
  EXPECT_EQ(a->id(), b->id());
  EXPECT_EQ(encode(*a, docs), encode(*b, docs));

  const std::string path = testing_util::unique_temp_path("char_sketch.bin").string();
  ASSERT_TRUE(save_encoder(path, *a).is_ok());
  auto loaded = load_encoder(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ((*loaded)->name(), "char-sketch");
  EXPECT_EQ((*loaded)->id(), a->id());
  EXPECT_EQ((*loaded)->serialize(), a->serialize());
  const auto va = encode(*a, docs), vl = encode(**loaded, docs);
  ASSERT_EQ(va.size(), vl.size());
  EXPECT_EQ(0, std::memcmp(va.data(), vl.data(), va.size() * sizeof(float)));

  // Another seed hashes differently; another dim changes the id.
  LexicalSketchConfig seeded = char_config(256);
  seeded.seed = 7;
  EXPECT_NE(encode(*LexicalSketchEncoder::fit(docs, seeded), docs), va);
  EXPECT_NE(LexicalSketchEncoder::fit(docs, char_config(128))->id(), a->id());
}

TEST(LexicalSketchEncoder, EncodeIsSafeFromSeveralThreads) {
  const auto docs = corpus();
  auto enc = LexicalSketchEncoder::fit(docs, char_config(128));
  const auto expected = encode(*enc, docs);
  std::vector<std::vector<float>> got(4);
  std::vector<std::thread> pool;
  for (auto& g : got) pool.emplace_back([&] { g = encode(*enc, docs); });
  for (auto& t : pool) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

TEST(LexicalSketchEncoder, RefusesBadConfigsAndCorruptPayloads) {
  const auto docs = corpus();
  LexicalSketchConfig bad = char_config(0);
  EXPECT_THROW(LexicalSketchEncoder::fit(docs, bad), Error);
  bad = char_config(64);
  bad.analyzer = "bytes";
  EXPECT_THROW(LexicalSketchEncoder::fit(docs, bad), Error);
  EXPECT_THROW(LexicalSketchEncoder::fit(std::vector<std::string>{"", "  "}, char_config(8)),
               Error);

  auto enc = LexicalSketchEncoder::fit(docs, char_config(64));
  const std::string payload = enc->serialize();
  EXPECT_TRUE(deserialize_encoder("char-sketch", payload).is_ok());
  EXPECT_FALSE(deserialize_encoder("word-sketch", payload).is_ok());
  EXPECT_FALSE(
      LexicalSketchEncoder::deserialize(payload.substr(0, payload.size() - 3), "char-sketch")
          .is_ok());
  EXPECT_FALSE(LexicalSketchEncoder::deserialize(payload + "x", "char-sketch").is_ok());
  std::string unsorted = payload;
  // Swap the first two feature hashes (after the 4 + 4 + 4 + 16 + 24 byte header).
  const size_t at = 4 + 4 + 4 + 16 + 24;
  std::swap_ranges(unsorted.begin() + at, unsorted.begin() + at + 8, unsorted.begin() + at + 8);
  EXPECT_FALSE(LexicalSketchEncoder::deserialize(unsorted, "char-sketch").is_ok());
}

TEST(LexicalFusion, ScoreIsTheConfiguredMixOfDenseAndSketchCosines) {
  FusionConfig bad;
  bad.char_weight = 0.6f;
  bad.word_dim = 32;
  bad.word_weight = 0.5f;
  EXPECT_THROW(bad.validate(), Error);

  const auto docs = corpus();
  TfidfSvdConfig dc;
  dc.semantic_dim = 8;
  dc.lexical_dim = 16;
  dc.min_df = 1;
  dc.oversampling = 4;
  auto dense = TfidfSvdEncoder::fit(docs, dc);
  FusionConfig fc;
  fc.char_dim = 64;
  fc.char_weight = 0.3f;
  fc.word_dim = 32;
  fc.word_weight = 0.2f;
  fc.dense_lexical_weight = 0.5f;
  const FittedSketches sketches = fit_sketches(docs, fc);
  auto hybrid = fuse_lexical(*dense, sketches, fc);
  ASSERT_EQ(hybrid->dim(), 8 + 16 + 64 + 32);
  const auto vd = encode(*dense->with_lexical_weight(0.5f), docs);
  const auto vc = encode(*sketches.chars, docs), vw = encode(*sketches.words, docs);
  const auto vh = encode(*hybrid, docs);
  for (size_t i : {0u, 4u, 16u}) {
    for (size_t j : {2u, 9u, 17u}) {
      const float expected =
          0.5f * row_dot(vd, i, j, 24) + 0.3f * row_dot(vc, i, j, 64) + 0.2f * row_dot(vw, i, j, 32);
      EXPECT_NEAR(row_dot(vh, i, j, hybrid->dim()), expected, 1e-5f);
    }
  }
}

TEST(LexicalFusion, BuildCatalogMakesAHybridCatalogThatFindsItsOwnStatements) {
  const std::string dir = testing_util::unique_temp_path("hybrid_catalog").string();
  std::filesystem::remove_all(dir);
  BuildOptions options = testing_util::fixture_build_options();
  options.encoder_family = "hybrid";
  options.training.epochs = 1;
  options.fusion.char_dim = 64;
  options.fusion.char_weight = 0.3f;
  options.fusion.word_dim = 32;
  options.fusion.word_weight = 0.1f;
  auto report = build_catalog(dir, testing_util::fixture_inputs(), options);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->encoder_id.rfind("hybrid-128-", 0), 0u) << report->encoder_id;
  auto cat = LoadedCatalog::open(dir);
  ASSERT_TRUE(cat.is_ok()) << cat.status().to_string();
  const Encoder& enc = (*cat)->encoder();
  EXPECT_EQ(enc.name(), "hybrid");
  EXPECT_EQ(enc.dim(), 16 + 16 + 64 + 32);
  const auto comps = (*cat)->competencies();
  ASSERT_GT(comps.size(), 3u);
  int found = 0;
  for (size_t i = 0; i < comps.size(); ++i) {
    std::vector<float> q(size_t(enc.dim()));
    enc.encode(std::vector<std::string>{comps[i].text}, q);
    const auto r = (*cat)->index().search(1, q, 1, {});
    found += std::abs(row_dot(q, 0, 0, enc.dim()) - 1.0f) < 1e-4f &&
             (comps[size_t(r.ids[0])].text == comps[i].text);
  }
  EXPECT_EQ(found, static_cast<int>(comps.size()));
  std::filesystem::remove_all(dir);

  options.fusion.char_weight = 0.95f;  // with word_weight 0.1: sums above 1
  EXPECT_FALSE(build_catalog(dir, testing_util::fixture_inputs(), options).is_ok());
}

}  // namespace
}  // namespace credmatch::engine
