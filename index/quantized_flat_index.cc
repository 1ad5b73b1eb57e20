#include "index/quantized_flat_index.h"

#include <algorithm>
#include <limits>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/index_options.h"

namespace credmatch::index {
namespace {

// Parses "fp16" / "int8" (index/index_options.h syntax: exactly one of the two flags).
scan::Storage parse_storage(std::string_view spec) {
  std::vector<IndexOption> items = parse_index_options(spec, "Flat");
  CREDMATCH_CHECK(items.size() == 1 && (items[0].is_flag("fp16") || items[0].is_flag("int8")),
                  "Flat:" << spec
                          << ": expected \"Flat:fp16\" or \"Flat:int8\" (re-ranking, "
                             "\",rerank=N\", is make_index()'s: index/rerank_index.h)");
  return items[0].is_flag("fp16") ? scan::Storage::kFp16 : scan::Storage::kInt8;
}

}  // namespace

QuantizedFlatIndex::QuantizedFlatIndex(int dim, const std::string& spec)
    : dim_(dim), storage_(parse_storage(spec)) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
}

std::string QuantizedFlatIndex::factory_string() const {
  return std::string(kPrefix) + (storage_ == scan::Storage::kFp16 ? "fp16" : "int8");
}

void QuantizedFlatIndex::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim_, n, vectors);
  if (storage_ == scan::Storage::kFp16) {
    halves_.reserve(halves_.size() + vectors.size());
    for (float x : vectors) halves_.push_back(scan::float_to_half(x));
  } else {
    scan::quantize_int8(vectors.data(), n, dim_, codes_, scales_);
  }
  size_ += n;
}

int64_t QuantizedFlatIndex::memory_bytes() const {
  return static_cast<int64_t>(halves_.size() * sizeof(uint16_t) + codes_.size() +
                              scales_.size() * sizeof(float));
}

scan::ScanBase QuantizedFlatIndex::scan_base() const {
  scan::ScanBase base;
  base.storage = storage_;
  base.n = size_;
  base.dim = dim_;
  if (storage_ == scan::Storage::kFp16) {
    base.data = halves_.data();
  } else {
    base.data = codes_.data();
    base.scales = scales_.data();
  }
  return base;
}

SearchResult QuantizedFlatIndex::search(int64_t n, std::span<const float> queries, int k,
                                        const SearchParams& params) const {
  check_search_args(dim_, n, queries, k);
  SearchResult result = SearchResult::padded(n, k);
  const int64_t cap = std::min<int64_t>(k, size_);
  if (cap == 0 || n == 0) return result;
  scan::scan_top_k(scan_base(), queries.data(), n, cap, k, result.ids.data(),
                   result.scores.data(), {.max_threads = std::max(0, params.threads)});
  return result;
}

std::string QuantizedFlatIndex::serialize() const {
  ByteWriter w;
  w.buffer().reserve(24 + static_cast<size_t>(memory_bytes()));
  w.u32(static_cast<uint32_t>(dim_));
  w.u64(static_cast<uint64_t>(size_));
  w.u32(storage_ == scan::Storage::kFp16 ? 0u : 1u);
  w.u32(0);  // formerly the re-rank factor (see the header)
  if (!halves_.empty()) w.raw(halves_.data(), halves_.size() * sizeof(uint16_t));
  if (!codes_.empty()) w.raw(codes_.data(), codes_.size());
  if (!scales_.empty()) w.raw(scales_.data(), scales_.size() * sizeof(float));
  return std::move(w.buffer());
}

Result<std::unique_ptr<QuantizedFlatIndex>> QuantizedFlatIndex::deserialize(
    const std::string& spec, std::string_view bytes) {
  scan::Storage want{};
  try {
    want = parse_storage(spec);
  } catch (const Error&) {
    return Status::mismatch("unknown quantized flat index spec '" + spec + "'");
  }
  ByteReader r(bytes);
  uint32_t dim = 0, storage = 0, former_rerank_factor = 0;
  uint64_t n = 0;
  if (!r.u32(&dim) || !r.u64(&n) || !r.u32(&storage) || !r.u32(&former_rerank_factor)) {
    return Status::corruption("Flat:" + spec + " index: truncated header (" +
                              std::to_string(bytes.size()) + " bytes)");
  }
  if (dim == 0 || dim > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return Status::corruption("Flat:" + spec + " index: invalid dim " + std::to_string(dim));
  }
  const uint32_t want_storage = want == scan::Storage::kFp16 ? 0u : 1u;
  if (storage != want_storage) {
    return Status::corruption("Flat:" + spec + " index: payload says storage " +
                              std::to_string(storage) + ", the factory string says storage " +
                              std::to_string(want_storage));
  }
  // Bytes per vector; compared by division so a huge n cannot overflow.
  const uint64_t row_bytes = storage == 0 ? uint64_t{dim} * 2 : uint64_t{dim} + 4;
  if (r.remaining() % row_bytes != 0 || r.remaining() / row_bytes != n) {
    return Status::corruption("Flat:" + spec + " index: header says n=" + std::to_string(n) +
                              " vectors of " + std::to_string(row_bytes) +
                              " bytes, payload holds " + std::to_string(r.remaining()) + " bytes");
  }
  auto index = std::make_unique<QuantizedFlatIndex>(static_cast<int>(dim), spec);
  const size_t count = static_cast<size_t>(n) * dim;
  bool ok = true;
  if (storage == 0) {
    index->halves_.resize(count);
    ok = ok && (count == 0 || r.raw(index->halves_.data(), count * sizeof(uint16_t)));
  } else {
    index->codes_.resize(count);
    index->scales_.resize(static_cast<size_t>(n));
    ok = ok && (count == 0 || r.raw(index->codes_.data(), count));
    ok = ok && (n == 0 || r.raw(index->scales_.data(), n * sizeof(float)));
  }
  if (!ok) return Status::corruption("Flat:" + spec + " index: truncated vectors");
  index->size_ = static_cast<int64_t>(n);
  return index;
}

}  // namespace credmatch::index
