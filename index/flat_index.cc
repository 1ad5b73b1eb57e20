#include "index/flat_index.h"

#include <algorithm>
#include <limits>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/kernels/scan_kernels.h"

namespace credmatch::index {

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
                               const SearchParams& params) const {
  check_search_args(dim_, n, queries, k);
  SearchResult result = SearchResult::padded(n, k);
  const int64_t cap = std::min<int64_t>(k, size_);
  if (cap == 0 || n == 0) return result;

  const scan::ScanBase base{.storage = scan::Storage::kFp32,
                            .data = vectors_.data(),
                            .n = size_,
                            .dim = dim_};
  scan::scan_top_k(base, queries.data(), n, cap, k, result.ids.data(), result.scores.data(),
                   {.max_threads = std::max(0, params.threads)});
  return result;
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
