// Ranking-quality metrics for labelled retrieval tasks (`credmatch eval`): one ranked list of
// target ids per query, scored against that query's set of relevant ids.
//
// Definitions (rank r is 1-based; "relevant" has no duplicates; ids < 0 in a list are padding
// and never relevant):
//   reciprocal rank      1 / r of the first relevant id in the list, 0 if none
//   average precision@k  Σ_{r ≤ k, id_r relevant} precision@r / min(k, |relevant|)
//   R-precision@k        (relevant ids in the top k) / min(k, |relevant|)  (Decorte et al. 2022)
//   recall@k             (relevant ids in the top k) / |relevant|
//   precision@k          (relevant ids in the top k) / k
//   nDCG@k               DCG@k / ideal DCG@k with binary gains (Järvelin & Kekäläinen 2002):
//                        DCG@k = Σ_{r ≤ k, id_r relevant} 1 / log2(r + 1), ideal: the
//                        min(k, |relevant|) relevant ids at ranks 1, 2, ...
// A list shorter than k counts as if padded with non-relevant ids.
//
// Thread safety: the functions are pure; MetricsAccumulator is not thread safe.
//
// Usage:
//   MetricsAccumulator acc;
//   for (query q) acc.add(ranked_ids(q), relevant_ids(q));
//   RankingMetrics m = acc.mean();   // m.mrr, m.map_at_100, ...
#pragma once

#include <cstdint>
#include <span>

namespace credmatch::engine {

/// Each function throws credmatch::Error if `relevant` is empty or k <= 0.
double reciprocal_rank(std::span<const int64_t> ranked, std::span<const int64_t> relevant);
double average_precision_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant,
                            int k);
double r_precision_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k);
double recall_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k);
double precision_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k);
double ndcg_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k);

/// Means over queries, each in [0, 1].
struct RankingMetrics {
  int64_t queries = 0;
  double mrr = 0;            // mean reciprocal rank (whole list)
  double map_at_100 = 0;     // mean average precision@100
  double rp_at_5 = 0;        // mean R-precision@5
  double rp_at_10 = 0;       // mean R-precision@10
  double recall_at_100 = 0;  // mean recall@100
  double p_at_3 = 0;         // mean precision@3
  double recall_at_20 = 0;   // mean recall@20
  double ndcg_at_10 = 0;     // mean nDCG@10 (binary gains)
};

class MetricsAccumulator {
 public:
  /// Adds one query. Throws credmatch::Error if `relevant` is empty.
  void add(std::span<const int64_t> ranked, std::span<const int64_t> relevant);
  /// The means so far; all zero before the first add().
  RankingMetrics mean() const;

 private:
  RankingMetrics sum_;
};

}  // namespace credmatch::engine
