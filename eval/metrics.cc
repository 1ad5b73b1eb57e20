#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "base/error.h"

namespace credmatch::engine {
namespace {

std::unordered_set<int64_t> as_set(std::span<const int64_t> relevant) {
  CREDMATCH_CHECK(!relevant.empty(), "a query needs at least one relevant id");
  return {relevant.begin(), relevant.end()};
}

size_t head(std::span<const int64_t> ranked, int k) {
  CREDMATCH_CHECK(k > 0, "k=" << k);
  return std::min(ranked.size(), static_cast<size_t>(k));
}

// Relevant ids among the first n of the list, each counted once.
double hits(std::span<const int64_t> ranked, const std::unordered_set<int64_t>& rel, size_t n) {
  std::unordered_set<int64_t> found;
  for (size_t i = 0; i < n; ++i) {
    if (ranked[i] >= 0 && rel.count(ranked[i])) found.insert(ranked[i]);
  }
  return static_cast<double>(found.size());
}

}  // namespace

double reciprocal_rank(std::span<const int64_t> ranked, std::span<const int64_t> relevant) {
  const auto rel = as_set(relevant);
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (ranked[i] >= 0 && rel.count(ranked[i])) return 1.0 / static_cast<double>(i + 1);
  }
  return 0.0;
}

double average_precision_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant,
                            int k) {
  const auto rel = as_set(relevant);
  const size_t n = head(ranked, k);
  std::unordered_set<int64_t> found;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (ranked[i] < 0 || !rel.count(ranked[i]) || !found.insert(ranked[i]).second) continue;
    sum += static_cast<double>(found.size()) / static_cast<double>(i + 1);
  }
  return sum / static_cast<double>(std::min(rel.size(), static_cast<size_t>(k)));
}

double r_precision_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k) {
  const auto rel = as_set(relevant);
  const size_t n = head(ranked, k);
  return hits(ranked, rel, n) / static_cast<double>(std::min(rel.size(), static_cast<size_t>(k)));
}

double recall_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k) {
  const auto rel = as_set(relevant);
  return hits(ranked, rel, head(ranked, k)) / static_cast<double>(rel.size());
}

double precision_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k) {
  const auto rel = as_set(relevant);
  return hits(ranked, rel, head(ranked, k)) / static_cast<double>(k);
}

double ndcg_at(std::span<const int64_t> ranked, std::span<const int64_t> relevant, int k) {
  const auto rel = as_set(relevant);
  const size_t n = head(ranked, k);
  std::unordered_set<int64_t> found;
  double dcg = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (ranked[i] < 0 || !rel.count(ranked[i]) || !found.insert(ranked[i]).second) continue;
    dcg += 1.0 / std::log2(static_cast<double>(i + 2));
  }
  double ideal = 0.0;
  const size_t best = std::min(rel.size(), static_cast<size_t>(k));
  for (size_t i = 0; i < best; ++i) ideal += 1.0 / std::log2(static_cast<double>(i + 2));
  return dcg / ideal;
}

void MetricsAccumulator::add(std::span<const int64_t> ranked, std::span<const int64_t> relevant) {
  const double rr = reciprocal_rank(ranked, relevant);  // throws before anything is counted
  sum_.queries += 1;
  sum_.mrr += rr;
  sum_.map_at_100 += average_precision_at(ranked, relevant, 100);
  sum_.rp_at_5 += r_precision_at(ranked, relevant, 5);
  sum_.rp_at_10 += r_precision_at(ranked, relevant, 10);
  sum_.recall_at_100 += recall_at(ranked, relevant, 100);
  sum_.p_at_3 += precision_at(ranked, relevant, 3);
  sum_.recall_at_20 += recall_at(ranked, relevant, 20);
  sum_.ndcg_at_10 += ndcg_at(ranked, relevant, 10);
}

RankingMetrics MetricsAccumulator::mean() const {
  RankingMetrics m;
  m.queries = sum_.queries;
  if (sum_.queries == 0) return m;
  const double n = static_cast<double>(sum_.queries);
  m.mrr = sum_.mrr / n;
  m.map_at_100 = sum_.map_at_100 / n;
  m.rp_at_5 = sum_.rp_at_5 / n;
  m.rp_at_10 = sum_.rp_at_10 / n;
  m.recall_at_100 = sum_.recall_at_100 / n;
  m.p_at_3 = sum_.p_at_3 / n;
  m.recall_at_20 = sum_.recall_at_20 / n;
  m.ndcg_at_10 = sum_.ndcg_at_10 / n;
  return m;
}

}  // namespace credmatch::engine
