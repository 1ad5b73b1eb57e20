// Ground truth for recall at scale: the exact top-k of a set of queries over a base that is
// never held in memory at once. StreamingExactTopK takes the base chunk by chunk (as
// credmatch-synth encodes it) and keeps each query's best k, so a 10M x 1,280 base (51 GB as
// fp32) gets exact answers while only one chunk is in memory. The result is the same as
// FlatIndex over the whole base: same kernels, ties broken by the smaller id.
//
// Files: kind "truth:knn" in the container of base/binary_file.h; dim = k, count = queries,
// payload: ids (queries x k, i64), then scores (queries x k, f32), little endian. The queries
// themselves go in a vectors file next to it (index/vector_file.h).
//
// Usage:
//   StreamingExactTopK truth(queries, nq, dim, 10);
//   for (each chunk) truth.add(chunk_n, chunk);           // ids continue from chunk to chunk
//   CREDMATCH_RETURN_IF_ERROR(save_ground_truth("truth.knn", truth.result(), encoder_id));
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "index/vector_index.h"

namespace credmatch::index {

inline constexpr char kTruthFileKind[] = "truth:knn";
inline constexpr uint32_t kTruthFormatVersion = 1;

class StreamingExactTopK {
 public:
  /// queries: nq * dim floats (copied). Throws credmatch::Error for k <= 0, dim <= 0 or a size
  /// that is not nq * dim.
  StreamingExactTopK(std::span<const float> queries, int64_t nq, int dim, int k);

  /// Scores the next n base vectors (ids size() .. size() + n - 1) against every query.
  void add(int64_t n, std::span<const float> vectors);
  int64_t size() const { return size_; }

  /// The best k per query so far, best first (padded with -1 / -infinity below k vectors).
  const SearchResult& result() const { return best_; }

 private:
  std::vector<float> queries_;
  int64_t nq_;
  int dim_;
  int k_;
  int64_t size_ = 0;
  SearchResult best_;
};

/// Writes `truth` (n queries x truth.k) atomically.
Status save_ground_truth(const std::string& path, const SearchResult& truth,
                         const std::string& encoder_id);
/// Reads a file written by save_ground_truth(); kCorruption/kMismatch as for vectors files.
Result<SearchResult> load_ground_truth(const std::string& path, const std::string& expected_encoder_id);

}  // namespace credmatch::index
