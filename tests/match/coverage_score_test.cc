// CoverageScore, the matcher's scoring stage, on hand-made similarities.
#include "match/coverage_score.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "match/similarity.h"

namespace credmatch::engine {
namespace {

Job job_of(const std::vector<Importance>& importance) {
  Job job;
  job.title = "hand-made";
  for (size_t i = 0; i < importance.size(); ++i) {
    job.requirements.push_back({"requirement " + std::to_string(i), importance[i], ""});
  }
  return job;
}

constexpr Importance kE = Importance::kEssential;
constexpr Importance kO = Importance::kOptional;

TEST(CoverageScore, AveragesTheWeightedCreditOfEachRequirement) {
  MatchConfig config;  // threshold 0.35, essential 1, optional 0.5
  const CoverageScore score(job_of({kE, kO, kE}), config);
  ASSERT_EQ(score.requirements(), 3);
  const std::vector<float> best = {0.8f, 0.5f, 0.2f};  // the last is below the threshold
  const double expected = (1.0 * double(0.8f) + 0.5 * double(0.5f) + 1.0 * 0.0) / 2.5;
  EXPECT_EQ(score.score(best), expected);
}

TEST(CoverageScore, CreditsASimilarityAtTheThresholdAndNothingBelowIt) {
  MatchConfig config;
  config.threshold = 0.4f;
  const CoverageScore score(job_of({kE}), config);
  EXPECT_EQ(score.threshold(), 0.4f);
  EXPECT_EQ(score.no_credit_below(), 0.4f);
  EXPECT_EQ(score.credit(0.4f), double(0.4f));
  EXPECT_EQ(score.credit(std::nextafter(0.4f, 0.0f)), 0.0);
  EXPECT_EQ(score.credit(kNoSimilarity), 0.0);
  EXPECT_TRUE(score.earns_credit(0.4f));
  EXPECT_FALSE(score.earns_credit(0.39f));
  // A requirement the credential has no competency for counts as uncovered.
  EXPECT_EQ(score.score(std::vector<float>{kNoSimilarity}), 0.0);
  EXPECT_EQ(score.score(std::vector<float>{1.0f}), 1.0);
}

TEST(CoverageScore, AZeroSimilarityEarnsNoCreditEvenAtThresholdZero) {
  MatchConfig config;
  config.threshold = 0.0f;
  const CoverageScore score(job_of({kE}), config);
  EXPECT_FALSE(score.earns_credit(0.0f));  // credit 0: searching deeper cannot help
  EXPECT_TRUE(score.earns_credit(0.01f));
}

TEST(CoverageScore, OnlyOptionalRequirementsAtWeightZeroScoreZero) {
  MatchConfig config;
  config.optional_weight = 0.0f;
  const CoverageScore score(job_of({kO, kO}), config);
  EXPECT_EQ(score.score(std::vector<float>{0.9f, 0.9f}), 0.0);
}

TEST(CoverageScore, ReadsStridedSimilarities) {
  const CoverageScore score(job_of({kE, kO, kE}), MatchConfig{});
  // Column 1 of a requirements x 4 matrix.
  const std::vector<float> matrix = {0, 0.9f, 0, 0,  //
                                     0, 0.3f, 0, 0,  //
                                     0, 0.6f, 0, 0};
  EXPECT_EQ(score.score(matrix.data() + 1, 4), score.score(std::vector<float>{0.9f, 0.3f, 0.6f}));
  EXPECT_EQ(score.upper_bound(matrix.data() + 1, 4),
            score.upper_bound(std::vector<float>{0.9f, 0.3f, 0.6f}));
}

// The threshold algorithm is exact only if upper_bound(u) >= score(s) whenever s <= u.
TEST(CoverageScore, UpperBoundIsAtLeastTheScoreOfAnySmallerSimilarities) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> sim(-0.2f, 1.0f), gap(0.0f, 0.3f);
  for (float threshold : {0.0f, 0.2f, 0.35f, 0.6f}) {
    MatchConfig config;
    config.threshold = threshold;
    const CoverageScore score(job_of({kE, kO, kE, kE, kO}), config);
    for (int trial = 0; trial < 1000; ++trial) {
      std::vector<float> s(5), u(5);
      for (size_t r = 0; r < s.size(); ++r) {
        s[r] = trial % 7 == 0 && r == 2 ? kNoSimilarity : sim(rng);
        u[r] = std::max(s[r], sim(rng) - gap(rng));
      }
      EXPECT_GE(score.upper_bound(u), score.score(s)) << "threshold " << threshold;
    }
  }
}

}  // namespace
}  // namespace credmatch::engine
