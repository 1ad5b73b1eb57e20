#include "index/ground_truth.h"

#include <algorithm>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/kernels/scan_kernels.h"
#include "index/vector_file.h"

namespace credmatch::index {

StreamingExactTopK::StreamingExactTopK(std::span<const float> queries, int64_t nq, int dim, int k)
    : queries_(queries.begin(), queries.end()), nq_(nq), dim_(dim), k_(k) {
  CREDMATCH_CHECK(dim > 0 && k > 0 && nq >= 0, "dim=" << dim << " k=" << k << " nq=" << nq);
  check_search_args(dim, nq, queries, k);
  best_ = SearchResult::padded(nq, k);
}

void StreamingExactTopK::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim_, n, vectors);
  if (n == 0 || nq_ == 0) return;
  SearchResult chunk = SearchResult::padded(nq_, k_);
  scan::scan_top_k({.storage = scan::Storage::kFp32, .data = vectors.data(), .n = n, .dim = dim_},
                   queries_.data(), nq_, k_, k_, chunk.ids.data(), chunk.scores.data(), {});
  // Merge: this chunk's ids come after every id seen so far, so on equal scores the old entry
  // (smaller id) stays first, as in one FlatIndex scan.
  std::vector<int64_t> ids(static_cast<size_t>(2 * k_));
  std::vector<float> scores(static_cast<size_t>(2 * k_));
  for (int64_t q = 0; q < nq_; ++q) {
    int a = 0, b = 0;
    const int64_t* old_ids = best_.ids.data() + q * k_;
    const float* old_scores = best_.scores.data() + q * k_;
    const int64_t* new_ids = chunk.ids.data() + q * k_;
    const float* new_scores = chunk.scores.data() + q * k_;
    for (int j = 0; j < k_; ++j) {
      const bool take_new = b < k_ && new_ids[b] >= 0 &&
                            (a >= k_ || old_ids[a] < 0 || new_scores[b] > old_scores[a]);
      if (take_new) {
        ids[j] = new_ids[b] + size_;
        scores[j] = new_scores[b++];
      } else {
        ids[j] = old_ids[a];
        scores[j] = old_scores[a++];
      }
    }
    std::copy_n(ids.begin(), k_, best_.ids.begin() + q * k_);
    std::copy_n(scores.begin(), k_, best_.scores.begin() + q * k_);
  }
  size_ += n;
}

Status save_ground_truth(const std::string& path, const SearchResult& truth,
                         const std::string& encoder_id) {
  CREDMATCH_CHECK(truth.k > 0 && truth.ids.size() == truth.scores.size() &&
                      truth.ids.size() % static_cast<size_t>(truth.k) == 0,
                  "malformed ground truth");
  FileHeader header;
  header.kind = kTruthFileKind;
  header.format_version = kTruthFormatVersion;
  header.dim = static_cast<uint32_t>(truth.k);
  header.encoder_id = encoder_id;
  header.count = truth.ids.size() / static_cast<size_t>(truth.k);
  return write_binary_file(
      path, header,
      {std::string_view(reinterpret_cast<const char*>(truth.ids.data()),
                        truth.ids.size() * sizeof(int64_t)),
       std::string_view(reinterpret_cast<const char*>(truth.scores.data()),
                        truth.scores.size() * sizeof(float))});
}

Result<SearchResult> load_ground_truth(const std::string& path,
                                       const std::string& expected_encoder_id) {
  Result<BinaryFile> file = read_binary_file(path, kTruthFileKind);
  if (!file) return file.status();
  const FileHeader& h = file->header;
  CREDMATCH_RETURN_IF_ERROR(
      check_vector_header(path, h, kTruthFormatVersion, "ground truth", 0, expected_encoder_id));
  const uint64_t entries = h.count * h.dim;
  if (h.dim == 0 || file->payload.size() != entries * (sizeof(int64_t) + sizeof(float))) {
    return Status::corruption(path + ": " + std::to_string(file->payload.size()) +
                              " payload bytes for " + std::to_string(h.count) + " queries x k=" +
                              std::to_string(h.dim));
  }
  SearchResult truth;
  truth.k = h.dim;
  truth.ids.resize(entries);
  truth.scores.resize(entries);
  ByteReader r(file->payload);
  r.raw(truth.ids.data(), entries * sizeof(int64_t));
  r.raw(truth.scores.data(), entries * sizeof(float));
  return truth;
}

}  // namespace credmatch::index
