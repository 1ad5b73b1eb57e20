#include "index/flat_index.h"

// The library links OpenMP (for Faiss), which would let Eigen split products over threads.
// The oracle stays single-threaded per call: predictable cost, and callers parallelise over
// queries themselves.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "base/binary_file.h"
#include "base/error.h"

namespace credmatch::index {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Base vectors scored per GEMM: 4096 * 256 dims * 4 bytes = 4 MiB, about an L2/L3 slice.
constexpr int64_t kBaseBlock = 4096;
// Queries per GEMM; bounds the score buffer to kQueryBlock * kBaseBlock floats (4 MiB).
constexpr int64_t kQueryBlock = 256;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Hit {
  float score;
  int64_t id;
};

// Total order: higher score first, then smaller id.
bool better(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// The `cap` best hits seen so far, as a heap whose front is the worst kept hit.
class TopK {
 public:
  explicit TopK(int64_t cap) : cap_(static_cast<size_t>(cap)) { heap_.reserve(cap_); }

  void push(float score, int64_t id) {
    if (heap_.size() < cap_) {
      // NaN would break the heap's ordering; rank it below every number.
      heap_.push_back({std::isnan(score) ? kNegInf : score, id});
      std::push_heap(heap_.begin(), heap_.end(), better);
      if (heap_.size() == cap_) threshold_ = heap_.front().score;
    } else if (score > threshold_ || (score == threshold_ && id < heap_.front().id)) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = {score, id};
      std::push_heap(heap_.begin(), heap_.end(), better);
      threshold_ = heap_.front().score;
    }
  }

  // Writes the kept hits best first; the caller has already padded the rest of the row.
  void write(int64_t* ids, float* scores) {
    std::sort_heap(heap_.begin(), heap_.end(), better);
    for (size_t j = 0; j < heap_.size(); ++j) {
      ids[j] = heap_[j].id;
      scores[j] = heap_[j].score;
    }
  }

 private:
  size_t cap_;
  float threshold_ = kNegInf;
  std::vector<Hit> heap_;
};

// `omp simd` lets the compiler reassociate the sum (and so vectorise it) without
// -ffast-math for the whole file.
float dot(const float* a, const float* b, int dim) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int i = 0; i < dim; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

FlatIndex::FlatIndex(int dim) : dim_(dim) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
}

void FlatIndex::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim_, n, vectors);
  vectors_.insert(vectors_.end(), vectors.begin(), vectors.end());
  size_ += n;
}

const float* FlatIndex::vector(int64_t id) const {
  CREDMATCH_CHECK(id >= 0 && id < size_, "id=" << id << ", size()=" << size_);
  return vectors_.data() + id * dim_;
}

SearchResult FlatIndex::search(int64_t n, std::span<const float> queries, int k,
                               const SearchParams& /*params*/) const {
  check_search_args(dim_, n, queries, k);
  SearchResult result;
  result.k = k;
  result.ids.assign(static_cast<size_t>(n) * k, -1);
  result.scores.assign(static_cast<size_t>(n) * k, kNegInf);
  const int64_t cap = std::min<int64_t>(k, size_);
  if (cap == 0 || n == 0) return result;

  if (n == 1) {
    search_one(queries.data(), cap, result.ids.data(), result.scores.data());
    return result;
  }
  for (int64_t q0 = 0; q0 < n; q0 += kQueryBlock) {
    const int64_t nq = std::min(kQueryBlock, n - q0);
    search_block(nq, queries.data() + q0 * dim_, cap, k, result.ids.data() + q0 * k,
                 result.scores.data() + q0 * k);
  }
  return result;
}

void FlatIndex::search_one(const float* query, int64_t cap, int64_t* ids, float* scores) const {
  TopK top(cap);
  const float* row = vectors_.data();
  for (int64_t i = 0; i < size_; ++i, row += dim_) top.push(dot(query, row, dim_), i);
  top.write(ids, scores);
}

// Scores nq queries against blocks of base vectors with one GEMM per block (the scores of a
// query for a block land in one contiguous row), then feeds each row to that query's top-k.
void FlatIndex::search_block(int64_t nq, const float* queries, int64_t cap, int k, int64_t* ids,
                             float* scores) const {
  std::vector<TopK> tops(static_cast<size_t>(nq), TopK(cap));
  std::vector<float> buffer(static_cast<size_t>(nq * std::min(kBaseBlock, size_)));
  const Eigen::Map<const RowMatrix> q(queries, nq, dim_);
  for (int64_t b0 = 0; b0 < size_; b0 += kBaseBlock) {
    const int64_t nb = std::min(kBaseBlock, size_ - b0);
    const Eigen::Map<const RowMatrix> base(vectors_.data() + b0 * dim_, nb, dim_);
    Eigen::Map<RowMatrix> block_scores(buffer.data(), nq, nb);
    block_scores.noalias() = q * base.transpose();
    for (int64_t i = 0; i < nq; ++i) {
      const float* row = buffer.data() + i * nb;
      TopK& top = tops[static_cast<size_t>(i)];
      for (int64_t j = 0; j < nb; ++j) top.push(row[j], b0 + j);
    }
  }
  for (int64_t i = 0; i < nq; ++i) tops[static_cast<size_t>(i)].write(ids + i * k, scores + i * k);
}

std::string FlatIndex::serialize() const {
  ByteWriter w;
  w.buffer().reserve(sizeof(uint32_t) + sizeof(uint64_t) + vectors_.size() * sizeof(float));
  w.u32(static_cast<uint32_t>(dim_));
  w.u64(static_cast<uint64_t>(size_));
  if (!vectors_.empty()) w.raw(vectors_.data(), vectors_.size() * sizeof(float));
  return std::move(w.buffer());
}

Result<std::unique_ptr<FlatIndex>> FlatIndex::deserialize(std::string_view bytes) {
  ByteReader r(bytes);
  uint32_t dim = 0;
  uint64_t n = 0;
  if (!r.u32(&dim) || !r.u64(&n)) {
    return Status::corruption("Flat index: truncated header (" + std::to_string(bytes.size()) +
                              " bytes)");
  }
  if (dim == 0 || dim > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return Status::corruption("Flat index: invalid dim " + std::to_string(dim));
  }
  // Compare in a form that cannot overflow: n * dim * 4 == remaining.
  const uint64_t row_bytes = uint64_t{dim} * sizeof(float);
  if (r.remaining() % row_bytes != 0 || r.remaining() / row_bytes != n) {
    return Status::corruption("Flat index: header says n=" + std::to_string(n) +
                              " vectors of dim " + std::to_string(dim) + " (" + std::to_string(n) +
                              " * " + std::to_string(row_bytes) + " bytes), payload holds " +
                              std::to_string(r.remaining()) + " bytes");
  }
  auto index = std::make_unique<FlatIndex>(static_cast<int>(dim));
  index->vectors_.resize(static_cast<size_t>(n) * dim);
  if (n > 0 && !r.raw(index->vectors_.data(), index->vectors_.size() * sizeof(float))) {
    return Status::corruption("Flat index: truncated vectors");
  }
  index->size_ = static_cast<int64_t>(n);
  return index;
}

}  // namespace credmatch::index
