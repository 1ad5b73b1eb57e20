// Helpers for the indexes that answer the queries of a batch one at a time (HnswlibIndex,
// RerankIndex): the batch split over the thread pool, and a query's hits ranked into its row of
// a SearchResult.
//
// Thread safety: both are safe from several threads at once; for_each_query() runs `body` on
// several threads at once (each with its own Scratch).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "base/thread_pool.h"

namespace credmatch::index {

/// Calls body(q, scratch) for every query q < n: on the calling thread when n == 1 or
/// threads == 1, else on min(n, threads, hardware_concurrency()) pool tasks (threads <= 0: no
/// cap but the cores), each with its own default-constructed Scratch (buffers reused across
/// its queries). Queries are taken one at a time as a task finishes one, not split in fixed
/// shares: query costs vary (a 20-query job on the 1M hnsw graph ranged over 2x), and a thread
/// the scheduler pauses then holds back one query, not half the batch.
template <typename Scratch, typename Body>
void for_each_query(int64_t n, int threads, Body&& body) {
  std::atomic<int64_t> next{0};
  auto run = [&] {
    Scratch scratch;
    for (int64_t q = next++; q < n; q = next++) body(q, scratch);
  };
  if (n == 1 || threads == 1) {
    run();
    return;
  }
  const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  const int64_t tasks =
      std::min<int64_t>(n, threads > 0 ? std::min<int64_t>(threads, cores) : cores);
  run_parallel(tasks, [&](int64_t) { run(); });
}

/// Ranks (score, id) hits best first (higher score, then smaller id) and writes the best
/// min(hits.size(), k) to ids[0..] and scores[0..] (a query's row of a SearchResult; the rest
/// of the row is left as it is). Reorders `hits`.
inline void write_best(std::vector<std::pair<float, int64_t>>& hits, int k, int64_t* ids,
                       float* scores) {
  const size_t keep = std::min(hits.size(), static_cast<size_t>(k));
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(keep), hits.end(),
                    [](const auto& a, const auto& b) {
                      return a.first > b.first || (a.first == b.first && a.second < b.second);
                    });
  for (size_t j = 0; j < keep; ++j) {
    ids[j] = hits[j].second;
    scores[j] = hits[j].first;
  }
}

}  // namespace credmatch::index
