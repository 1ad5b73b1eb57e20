// Tests of the learners, the fit and the model file (relevance/listwise.h,
// relevance/training.h, relevance/relevance_model.h).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "relevance/listwise.h"
#include "relevance/relevance_model.h"
#include "relevance/training.h"
#include "store/splits.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

// A synthetic problem: `jobs` jobs over `n` credentials; dense_tt carries the signal (relevant
// credentials score 1 + noise, others noise), char_ww is pure noise, tcov_ct_in_jt is a weak
// copy of the signal.
struct Synthetic {
  std::vector<PairFeatures> tables;
  std::vector<std::vector<int32_t>> relevant;
  std::vector<int> folds;
};

Synthetic synthetic(int jobs, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  Synthetic s;
  for (int j = 0; j < jobs; ++j) {
    std::vector<int32_t> rel;
    const int k = 1 + j % 3;
    for (int i = 0; i < k; ++i) rel.push_back(int32_t((j * 7 + i * 13) % n));
    std::sort(rel.begin(), rel.end());
    rel.erase(std::unique(rel.begin(), rel.end()), rel.end());
    PairFeatures t;
    t.names = {"dense_tt", "char_ww", "tcov_ct_in_jt"};
    t.credentials = n;
    t.values.resize(3 * size_t(n));
    for (int c = 0; c < n; ++c) {
      const bool r = std::find(rel.begin(), rel.end(), c) != rel.end();
      t.values[size_t(c)] = (r ? 1.0f : 0.0f) + noise(rng);
      t.values[size_t(n + c)] = noise(rng);
      t.values[size_t(2 * n + c)] = (r ? 0.3f : 0.0f) + noise(rng);
    }
    s.tables.push_back(std::move(t));
    s.relevant.push_back(std::move(rel));
    s.folds.push_back(j % 5);
  }
  return s;
}

RelevanceFitConfig synthetic_config() {
  RelevanceFitConfig c;
  c.features = {"dense_tt", "char_ww", "tcov_ct_in_jt"};
  c.candidates = 20;
  return c;
}

double mrr(const std::vector<std::vector<float>>& scores,
           const std::vector<std::vector<int32_t>>& relevant) {
  double sum = 0;
  for (size_t j = 0; j < scores.size(); ++j) {
    const std::vector<int32_t> order = rank_by_score(scores[j]);
    for (size_t r = 0; r < order.size(); ++r) {
      if (std::find(relevant[j].begin(), relevant[j].end(), order[r]) != relevant[j].end()) {
        sum += 1.0 / double(r + 1);
        break;
      }
    }
  }
  return sum / double(scores.size());
}

TEST(Listwise, GradientMatchesFiniteDifferences) {
  std::mt19937 rng(7);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<ListwiseQuery> qs(3);
  for (size_t i = 0; i < qs.size(); ++i) {
    qs[i].n = 6;
    for (int k = 0; k < 6 * 3; ++k) qs[i].x.push_back(g(rng));
    qs[i].relevant = {1, 0, uint8_t(i == 1), 0, 0, 0};
  }
  const std::vector<double> w = {0.3, -0.7, 1.1};
  std::vector<double> grad(3), tmp(3);
  listwise_set_loss(qs, w, 0.05, grad);
  for (size_t k = 0; k < 3; ++k) {
    auto wp = w, wm = w;
    wp[k] += 1e-6;
    wm[k] -= 1e-6;
    const double numeric =
        (listwise_set_loss(qs, wp, 0.05, tmp) - listwise_set_loss(qs, wm, 0.05, tmp)) / 2e-6;
    EXPECT_NEAR(grad[k], numeric, 1e-6) << k;
  }
}

TEST(Listwise, LogisticRegressionRecoversTheGeneratingParameters) {
  std::mt19937 rng(11);
  std::normal_distribution<double> g(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> x;
  std::vector<uint8_t> y;
  for (int i = 0; i < 20000; ++i) {
    const double v = 2.0 * g(rng);
    x.push_back(v);
    y.push_back(u(rng) < 1.0 / (1.0 + std::exp(-(1.5 * v - 0.5))) ? 1 : 0);
  }
  const std::vector<double> t = fit_logistic(x, 1, y);
  EXPECT_NEAR(t[0], 1.5, 0.1);
  EXPECT_NEAR(t[1], -0.5, 0.1);
}

TEST(RelevanceFit, RecoversTheRankingOfASeparableProblem) {
  const Synthetic s = synthetic(60, 40, 1);
  std::vector<int64_t> rows(s.tables.size());
  std::iota(rows.begin(), rows.end(), 0);
  const RelevanceModel m = fit_relevance_weights(s.tables, s.relevant, rows, synthetic_config());
  ASSERT_EQ(m.features.size(), 3u);
  EXPECT_GT(m.features[0].standardised_weight, 1.0);
  EXPECT_GT(m.features[0].standardised_weight, 5 * std::abs(m.features[1].standardised_weight));
  std::vector<std::vector<float>> scores;
  for (const PairFeatures& t : s.tables) scores.push_back(m.score_table(t));
  EXPECT_GT(mrr(scores, s.relevant), 0.9);
  // The raw-scale weights reproduce the standardised score: a·f + b = w·(f − mean)/sd.
  const PairFeatures& t = s.tables[0];
  std::vector<double> f = {t.column(0)[3], t.column(1)[3], t.column(2)[3]};
  double z = 0;
  for (size_t k = 0; k < 3; ++k) {
    z += m.features[k].standardised_weight * (f[k] - m.features[k].mean) / m.features[k].sd;
  }
  EXPECT_NEAR(m.score(f), z, 1e-9);
}

TEST(RelevanceFit, TwoFitsGiveIdenticalJson) {
  const Synthetic s = synthetic(50, 30, 2);
  const CrossValidatedFit a = fit_cross_validated(s.tables, s.relevant, s.folds, synthetic_config());
  const CrossValidatedFit b = fit_cross_validated(s.tables, s.relevant, s.folds, synthetic_config());
  EXPECT_EQ(a.model.to_json(), b.model.to_json());
  EXPECT_EQ(a.model.fingerprint(), b.model.fingerprint());
  EXPECT_EQ(a.oof_scores, b.oof_scores);
  ASSERT_EQ(a.fold_models.size(), 5u);
  EXPECT_EQ(a.fold_models[0].training.jobs, 40);
  EXPECT_EQ(a.model.training.jobs, 50);
  // The out-of-fold scores of a job come from the model that did not see it.
  EXPECT_EQ(a.oof_scores[3], a.fold_models[3].score_table(s.tables[3]));
  // Calibration fitted: better-scored pairs are more probably relevant.
  EXPECT_GT(a.model.pair_a, 0.0);
  EXPECT_LT(a.model.probability(-5.0), a.model.probability(5.0));
}

TEST(RelevanceModel, SaveLoadGivesIdenticalScoresAndJson) {
  const Synthetic s = synthetic(50, 30, 3);
  const CrossValidatedFit fit = fit_cross_validated(s.tables, s.relevant, s.folds, synthetic_config());
  RelevanceModel m = fit.model;
  m.encoder_id = "test-bow-16";
  m.training.data = "synthetic";
  const std::string path = testing_util::unique_temp_path("model.json").string();
  ASSERT_TRUE(m.save(path).is_ok());
  auto back = RelevanceModel::load(path);
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->to_json(), m.to_json());
  EXPECT_EQ(back->encoder_id, "test-bow-16");
  for (const PairFeatures& t : s.tables) EXPECT_EQ(back->score_table(t), m.score_table(t));
  EXPECT_EQ(back->top1_probability(2.0, 1.0), m.top1_probability(2.0, 1.0));

  // An edited weight no longer matches the fingerprint; other formats and junk are refused.
  std::string text = testing_util::slurp(path);
  const size_t at = text.find("\"bias\": ");
  ASSERT_NE(at, std::string::npos);
  const size_t comma = text.find(',', at);
  text.replace(at + 8, comma - (at + 8), "12.5");
  auto edited = RelevanceModel::from_json(text, "edited.json");
  ASSERT_FALSE(edited.is_ok());
  EXPECT_EQ(edited.status().code(), StatusCode::kMismatch) << edited.status().to_string();
  EXPECT_FALSE(RelevanceModel::from_json("[1, 2]", "x").is_ok());
  EXPECT_FALSE(RelevanceModel::from_json(R"({"format": "other", "version": 1})", "x").is_ok());
  auto missing = RelevanceModel::load("/nonexistent/model.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  std::filesystem::remove(path);
}

TEST(RelevanceFit, RefusesUnknownFeaturesAndEmptyFolds) {
  Synthetic s = synthetic(10, 10, 4);
  RelevanceFitConfig c = synthetic_config();
  c.features = {"dense_zz"};
  EXPECT_THROW(c.validate(), Error);
  for (int& f : s.folds) f = 0;
  EXPECT_THROW(fit_cross_validated(s.tables, s.relevant, s.folds, synthetic_config()), Error);
}

TEST(RelevanceFit, FoldsAreTheFnvHashOfTheSocCode) {
  // fnv1a64("fold:" + soc) % 5, the prototype's folds
  EXPECT_EQ(fold_of_group("29-2061", 5), int(fnv1a64("fold:29-2061") % 5));
  EXPECT_THROW(fold_of_group("x", 0), Error);
}

TEST(LabelledJobs, ReadsRecordsAndNamesTheLineOfABadOne) {
  const std::string path = testing_util::unique_temp_path("jobs.jsonl").string();
  {
    std::ofstream out(path);
    out << R"({"id": "onet:1", "soc": "11-1011", "title": "Chief Executives", "requirements": ["Direct budgets.", "Confer with boards."], "relevant": ["cip2020:52.0101"]})"
        << "\n\n"
        << R"({"id": "onet:2", "soc": "11-1021", "title": "Managers", "requirements": [], "relevant": ["x"]})"
        << "\n";
  }
  auto r = load_labelled_jobs(path);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find(":3: requirements"), std::string::npos) << r.status().to_string();
  {
    std::ofstream out(path);
    out << R"({"id": "onet:1", "soc": "11-1011", "title": "Chief Executives", "requirements": ["Direct budgets.", "Confer with boards."], "relevant": ["cip2020:52.0101"]})"
        << "\n";
  }
  r = load_labelled_jobs(path);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].group, "11-1011");
  EXPECT_EQ((*r)[0].job.requirements.size(), 2u);
  EXPECT_EQ((*r)[0].relevant_ids, (std::vector<std::string>{"cip2020:52.0101"}));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace credmatch::engine
