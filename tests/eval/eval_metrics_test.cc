// Tests of the ranking metrics (eval/metrics.h) against values computed by hand.
#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "base/error.h"

namespace credmatch::engine {
namespace {

using Ids = std::vector<int64_t>;

TEST(EvalMetrics, ReciprocalRankIsOneOverTheFirstRelevantRank) {
  EXPECT_DOUBLE_EQ(reciprocal_rank(Ids{5, 3, 7}, Ids{7, 3}), 0.5);
  EXPECT_DOUBLE_EQ(reciprocal_rank(Ids{7, 3}, Ids{7}), 1.0);
  EXPECT_DOUBLE_EQ(reciprocal_rank(Ids{1, 2}, Ids{9}), 0.0);
  EXPECT_DOUBLE_EQ(reciprocal_rank(Ids{-1, 9}, Ids{9}), 0.5);  // padding still takes a rank
}

TEST(EvalMetrics, AveragePrecisionDividesByMinOfKAndRelevant) {
  // Relevant at ranks 1 and 3 of {1, 2, 3}: (1/1 + 2/3) / 2.
  EXPECT_NEAR(average_precision_at(Ids{1, 9, 2, 8}, Ids{1, 2}, 100), (1.0 + 2.0 / 3.0) / 2.0,
              1e-12);
  // Three relevant, one found at rank 2: (1/2) / 3.
  EXPECT_NEAR(average_precision_at(Ids{9, 1}, Ids{1, 2, 3}, 100), 0.5 / 3.0, 1e-12);
  // Cut at k = 2 with 3 relevant: denominator min(2, 3) = 2; rank 3 does not count.
  EXPECT_NEAR(average_precision_at(Ids{1, 9, 2}, Ids{1, 2, 3}, 2), 0.5, 1e-12);
  // A repeated id counts once.
  EXPECT_NEAR(average_precision_at(Ids{1, 1}, Ids{1, 2}, 100), 0.5, 1e-12);
}

TEST(EvalMetrics, RPrecisionDividesByMinOfKAndRelevant) {
  // 2 relevant, both in the top 5: 2 / min(5, 2) = 1.
  EXPECT_DOUBLE_EQ(r_precision_at(Ids{9, 8, 1, 7, 2, 6}, Ids{1, 2}, 5), 1.0);
  // 7 relevant, 3 in the top 5: 3 / 5.
  EXPECT_DOUBLE_EQ(r_precision_at(Ids{1, 2, 3, 90, 91, 4}, Ids{1, 2, 3, 4, 5, 6, 7}, 5), 0.6);
  // 7 relevant, 4 in the top 10 (list shorter than k): 4 / 7.
  EXPECT_DOUBLE_EQ(r_precision_at(Ids{1, 2, 3, 90, 91, 4}, Ids{1, 2, 3, 4, 5, 6, 7}, 10),
                   4.0 / 7.0);
}

TEST(EvalMetrics, RecallCountsRelevantInTheTopK) {
  EXPECT_DOUBLE_EQ(recall_at(Ids{1, 9, 2}, Ids{1, 2, 3, 4}, 100), 0.5);
  EXPECT_DOUBLE_EQ(recall_at(Ids{1, 9, 2}, Ids{1, 2, 3, 4}, 2), 0.25);
}

TEST(EvalMetrics, PrecisionDividesByK) {
  EXPECT_DOUBLE_EQ(precision_at(Ids{1, 9, 2}, Ids{1, 2}, 3), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(precision_at(Ids{1}, Ids{1, 2}, 3), 1.0 / 3.0);  // short list: padded
  EXPECT_DOUBLE_EQ(precision_at(Ids{1, 1, 1}, Ids{1}, 3), 1.0 / 3.0);  // a repeat counts once
  EXPECT_THROW(precision_at(Ids{1}, Ids{1}, 0), Error);
}

TEST(EvalMetrics, NdcgUsesBinaryGainsAndTheIdealOrder) {
  // Relevant at ranks 2 and 3 of 2 relevant: (1/log2(3) + 1/log2(4)) / (1 + 1/log2(3)).
  const double dcg = 1.0 / std::log2(3.0) + 0.5;
  EXPECT_NEAR(ndcg_at(Ids{9, 1, 2}, Ids{1, 2}, 10), dcg / (1.0 + 1.0 / std::log2(3.0)), 1e-12);
  EXPECT_DOUBLE_EQ(ndcg_at(Ids{1, 2, 9}, Ids{1, 2}, 10), 1.0);
  // 12 relevant, k = 10: the ideal has 10 relevant ids; a relevant id at rank 11 does not count.
  Ids many, ranked;
  for (int64_t i = 0; i < 12; ++i) many.push_back(i);
  for (int64_t i = 0; i < 10; ++i) ranked.push_back(100 + i);
  ranked.push_back(0);
  EXPECT_DOUBLE_EQ(ndcg_at(ranked, many, 10), 0.0);
  EXPECT_DOUBLE_EQ(ndcg_at(many, many, 10), 1.0);
}

TEST(EvalMetrics, AccumulatorAveragesOverQueries) {
  MetricsAccumulator acc;
  EXPECT_EQ(acc.mean().queries, 0);
  acc.add(Ids{1, 2}, Ids{1});  // rr 1, ap 1, rp 1, recall 1
  acc.add(Ids{9, 2}, Ids{2});  // rr 0.5, ap 0.5, rp 1, recall 1
  acc.add(Ids{9, 8}, Ids{3});  // all 0
  const RankingMetrics m = acc.mean();
  EXPECT_EQ(m.queries, 3);
  EXPECT_NEAR(m.mrr, 0.5, 1e-12);
  EXPECT_NEAR(m.map_at_100, 0.5, 1e-12);
  EXPECT_NEAR(m.rp_at_5, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(m.rp_at_10, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(m.recall_at_100, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(m.p_at_3, (1.0 / 3 + 1.0 / 3) / 3.0, 1e-12);
  EXPECT_NEAR(m.recall_at_20, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(m.ndcg_at_10, (1.0 + 1.0 / std::log2(3.0)) / 3.0, 1e-12);
}

TEST(EvalMetrics, RefusesEmptyRelevantSetsAndBadK) {
  EXPECT_THROW(reciprocal_rank(Ids{1}, Ids{}), credmatch::Error);
  EXPECT_THROW(r_precision_at(Ids{1}, Ids{1}, 0), credmatch::Error);
  MetricsAccumulator acc;
  EXPECT_THROW(acc.add(Ids{1}, Ids{}), credmatch::Error);
  EXPECT_EQ(acc.mean().queries, 0);
}

}  // namespace
}  // namespace credmatch::engine
