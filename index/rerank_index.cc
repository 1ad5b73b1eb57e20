#include "index/rerank_index.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "base/error.h"
#include "index/kernels/scan_kernels.h"
#include "index/query_batch.h"

namespace credmatch::index {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// Multiply-adds of a batch's re-scoring (queries x candidates x dim) from which it goes to the
// thread pool: a pool wake-up costs tens of microseconds, more than re-scoring a 20-query
// batch of 40 candidates of 256 dims on one thread (bench_index BM_Hnswlib_SearchBatch: 4-5 %
// slower with it). Rows read from disk always go to the pool (each read waits on pread).
constexpr int64_t kParallelRescoreWork = int64_t{1} << 20;

}  // namespace

RerankIndex::RerankIndex(std::unique_ptr<VectorIndex> base, const RerankOptions& options)
    : RerankIndex(std::move(base), options, {}) {
  CREDMATCH_CHECK(base_->size() == 0, "RerankIndex: the base " << base_->factory_string()
                                                               << " already holds " << base_->size()
                                                               << " vectors");
}

RerankIndex::RerankIndex(std::unique_ptr<VectorIndex> base, const RerankOptions& options,
                         std::vector<float> rows)
    : base_(std::move(base)), options_(options), rows_(std::move(rows)) {
  CREDMATCH_CHECK(base_ != nullptr, "RerankIndex: no base index");
  CREDMATCH_CHECK(
      options.factor >= 1 && options.factor <= RerankOptions::kMaxFactor,
      "RerankIndex: factor " << options.factor << ", expected 1 .. " << RerankOptions::kMaxFactor);
}

std::string RerankIndex::factory_string() const {
  return base_->factory_string() + options_.spec();
}

void RerankIndex::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim(), n, vectors);
  base_->add(n, vectors);
  if (!options_.ondisk) rows_.insert(rows_.end(), vectors.begin(), vectors.end());
}

SearchResult RerankIndex::search(int64_t n, std::span<const float> queries, int k,
                                 const SearchParams& params) const {
  check_search_args(dim(), n, queries, k);
  SearchResult result = SearchResult::padded(n, k);
  if (n == 0 || size() == 0) return result;
  CREDMATCH_CHECK(!options_.ondisk || file_ != nullptr,
                  factory_string() << ": re-ranks from disk but no vectors file is attached "
                                      "(attach_vectors, attach_vectors_file)");
  // No index returns more than size() neighbours: asking for more would only pad.
  const auto candidates = static_cast<int>(
      std::min<int64_t>({int64_t{k} * options_.factor, size(), std::numeric_limits<int>::max()}));
  const SearchResult found = base_->search(n, queries, candidates, params);
  const int d = dim();
  struct Scratch {
    std::vector<std::pair<float, int64_t>> hits;  // (exact score, id)
    std::vector<float> row;                       // ondisk: the row read
  };
  const bool parallel = options_.ondisk || n * candidates * d >= kParallelRescoreWork;
  for_each_query<Scratch>(n, parallel ? params.threads : 1, [&](int64_t q, Scratch& s) {
    const float* query = queries.data() + q * d;
    const int64_t* ids = found.ids.data() + q * candidates;
    s.hits.clear();
    for (int64_t j = 0; j < candidates; ++j) {
      const int64_t id = ids[j];
      if (id < 0) continue;  // padding: the base found fewer
      const float* x = nullptr;
      if (options_.ondisk) {
        s.row.resize(static_cast<size_t>(d));
        file_->read(id, s.row.data());
        x = s.row.data();
      } else {
        x = rows_.data() + id * d;
      }
      float score = scan::dot(query, x, d);
      if (score != score) score = kNegInf;  // NaN ranks below every number
      s.hits.emplace_back(score, id);
    }
    write_best(s.hits, k, result.ids.data() + q * k, result.scores.data() + q * k);
  });
  return result;
}

std::string RerankIndex::serialize() const {
  std::string bytes = base_->serialize();
  const size_t base_size = bytes.size();
  bytes.resize(base_size + rows_.size() * sizeof(float));
  if (!rows_.empty())
    std::memcpy(bytes.data() + base_size, rows_.data(), rows_.size() * sizeof(float));
  return bytes;
}

void RerankIndex::attach_vectors(std::shared_ptr<const VectorRows> rows) {
  CREDMATCH_CHECK(rows != nullptr && rows->dim() == dim() && rows->size() == size(),
                  factory_string()
                      << " attach_vectors: " << (rows ? rows->path() : std::string("(null)"))
                      << " holds " << (rows ? rows->size() : 0) << " x " << (rows ? rows->dim() : 0)
                      << ", the index " << size() << " x " << dim());
  file_ = std::move(rows);
}

int64_t RerankIndex::memory_bytes() const {
  const auto* base_memory = dynamic_cast<const ReportsMemory*>(base_.get());
  return (base_memory != nullptr ? base_memory->memory_bytes() : 0) +
         static_cast<int64_t>(rows_.size() * sizeof(float));
}

Result<std::vector<float>> RerankIndex::take_rows(std::string& payload, size_t offset,
                                                  const RerankOptions& options, uint32_t dim,
                                                  uint64_t count) {
  std::vector<float> rows;
  if (options.ondisk) return rows;
  const uint64_t available = offset <= payload.size() ? payload.size() - offset : 0;
  const uint64_t row_bytes = uint64_t{dim} * sizeof(float);
  // Compared by division so that an absurd count cannot overflow.
  if (row_bytes == 0 || count > available / row_bytes) {
    return Status::corruption("re-ranking index: " + std::to_string(count) + " fp32 vectors of " +
                              std::to_string(dim) + " dims after the base index, but the " +
                              "payload holds " + std::to_string(available) + " bytes");
  }
  const size_t bytes = static_cast<size_t>(count * row_bytes);
  rows.resize(static_cast<size_t>(count) * dim);
  if (bytes > 0) std::memcpy(rows.data(), payload.data() + payload.size() - bytes, bytes);
  payload.resize(payload.size() - bytes);
  return rows;
}

Result<std::unique_ptr<RerankIndex>> RerankIndex::from_parts(std::unique_ptr<VectorIndex> base,
                                                             const RerankOptions& options,
                                                             std::vector<float> rows) {
  const uint64_t want =
      options.ondisk ? 0 : static_cast<uint64_t>(base->size()) * static_cast<uint64_t>(base->dim());
  if (rows.size() != want) {
    return Status::corruption(base->factory_string() + options.spec() +
                              " index: " + std::to_string(rows.size()) + " re-ranking floats for " +
                              std::to_string(base->size()) + " vectors of " +
                              std::to_string(base->dim()) + " dims");
  }
  if (options.factor < 1 || options.factor > RerankOptions::kMaxFactor) {
    return Status::corruption("re-ranking index: factor " + std::to_string(options.factor));
  }
  return std::unique_ptr<RerankIndex>(new RerankIndex(std::move(base), options, std::move(rows)));
}

}  // namespace credmatch::index
