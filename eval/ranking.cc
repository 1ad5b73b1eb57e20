#include "eval/ranking.h"

#include <algorithm>

#include "base/thread_pool.h"

namespace credmatch::engine {

std::unique_ptr<LexicalRanker> make_lexical_ranker(std::string_view name,
                                                   std::span<const std::string> targets) {
  if (name == "bm25") return std::make_unique<Bm25Ranker>(targets);
  if (name == "tfidf-char") return std::make_unique<CharTfidfRanker>(targets);
  return nullptr;
}

std::vector<std::vector<int64_t>> rank_lexical(const LexicalRanker& ranker,
                                               std::span<const std::string> queries, int k) {
  std::vector<std::vector<int64_t>> out(queries.size());
  run_parallel(int64_t(queries.size()),
               [&](int64_t i) { out[size_t(i)] = ranker.search(queries[size_t(i)], k).ids; });
  return out;
}

DenseRanker::DenseRanker(const Encoder& encoder, std::span<const std::string> targets)
    : encoder_(encoder), index_(encoder.dim()) {
  const size_t dim = size_t(encoder.dim());
  std::vector<float> buf;
  for (size_t start = 0; start < targets.size(); start += kRankBatch) {
    const size_t n = std::min(kRankBatch, targets.size() - start);
    buf.assign(n * dim, 0.0f);
    encoder_.encode(targets.subspan(start, n), buf);
    index_.add(int64_t(n), buf);
  }
}

std::vector<RankedList> DenseRanker::rank(std::span<const std::string> queries, int k) const {
  std::vector<RankedList> out(queries.size());
  if (queries.empty() || index_.size() == 0) return out;
  const size_t dim = size_t(encoder_.dim());
  const int kk = int(std::min<int64_t>(k, index_.size()));
  std::vector<float> buf;
  for (size_t start = 0; start < queries.size(); start += kRankBatch) {
    const size_t n = std::min(kRankBatch, queries.size() - start);
    buf.assign(n * dim, 0.0f);
    encoder_.encode(queries.subspan(start, n), buf);
    const index::SearchResult r = index_.search(int64_t(n), buf, kk, index::SearchParams{});
    for (size_t i = 0; i < n; ++i) {
      for (int j = 0; j < kk; ++j) {
        const size_t at = i * size_t(kk) + size_t(j);
        if (r.ids[at] < 0) break;
        out[start + i].ids.push_back(r.ids[at]);
        out[start + i].scores.push_back(r.scores[at]);
      }
    }
  }
  return out;
}

}  // namespace credmatch::engine
