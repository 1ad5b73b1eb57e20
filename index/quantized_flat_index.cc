#include "index/quantized_flat_index.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "base/binary_file.h"
#include "base/error.h"

namespace credmatch::index {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr int kDefaultRerank = 4;
constexpr int kMaxRerank = 1024;

struct Spec {
  scan::Storage storage;
  int rerank_factor;
};

// Parses "fp16" / "int8" [",rerank" | ",rerankN"]; false if malformed.
bool parse_spec(std::string_view spec, Spec* out) {
  const size_t comma = spec.find(',');
  const std::string_view kind = spec.substr(0, comma);
  if (kind == "fp16") {
    out->storage = scan::Storage::kFp16;
  } else if (kind == "int8") {
    out->storage = scan::Storage::kInt8;
  } else {
    return false;
  }
  out->rerank_factor = 0;
  if (comma == std::string_view::npos) return true;
  std::string_view rest = spec.substr(comma + 1);
  if (!rest.starts_with("rerank")) return false;
  rest.remove_prefix(6);
  if (rest.empty()) {
    out->rerank_factor = kDefaultRerank;
    return true;
  }
  int factor = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), factor);
  if (ec != std::errc() || end != rest.data() + rest.size()) return false;
  if (factor < 1 || factor > kMaxRerank) return false;
  out->rerank_factor = factor;
  return true;
}

float dot(const float* a, const float* b, int dim) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int i = 0; i < dim; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

QuantizedFlatIndex::QuantizedFlatIndex(int dim, const std::string& spec) : dim_(dim) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
  Spec parsed{};
  CREDMATCH_CHECK(parse_spec(spec, &parsed),
                  "spec='" << spec
                           << "': expected \"fp16\" or \"int8\", optionally followed by "
                              "\",rerank\" or \",rerankN\" with 1 <= N <= "
                           << kMaxRerank);
  storage_ = parsed.storage;
  rerank_factor_ = parsed.rerank_factor;
}

std::string QuantizedFlatIndex::factory_string() const {
  std::string s(kPrefix);
  s += storage_ == scan::Storage::kFp16 ? "fp16" : "int8";
  if (rerank_factor_ == kDefaultRerank) s += ",rerank";
  if (rerank_factor_ != 0 && rerank_factor_ != kDefaultRerank) {
    s += ",rerank" + std::to_string(rerank_factor_);
  }
  return s;
}

void QuantizedFlatIndex::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim_, n, vectors);
  if (storage_ == scan::Storage::kFp16) {
    halves_.reserve(halves_.size() + vectors.size());
    for (float x : vectors) halves_.push_back(scan::float_to_half(x));
  } else {
    scan::quantize_int8(vectors.data(), n, dim_, codes_, scales_);
  }
  if (rerank_factor_ > 0) exact_.insert(exact_.end(), vectors.begin(), vectors.end());
  size_ += n;
}

int64_t QuantizedFlatIndex::memory_bytes() const {
  return static_cast<int64_t>(halves_.size() * sizeof(uint16_t) + codes_.size() +
                              scales_.size() * sizeof(float) + exact_.size() * sizeof(float));
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
  if (rerank_factor_ == 0) {
    scan::scan_top_k(scan_base(), queries.data(), n, cap, k, result.ids.data(),
                     result.scores.data(), {.max_threads = std::max(0, params.threads)});
    return result;
  }
  // Collect k * factor candidates per query from the quantized scan, re-score them in fp32.
  const int64_t candidates = std::min<int64_t>(cap * rerank_factor_, size_);
  std::vector<int64_t> ids(static_cast<size_t>(n * candidates));
  std::vector<float> scores(static_cast<size_t>(n * candidates));
  scan::scan_top_k(scan_base(), queries.data(), n, candidates, candidates, ids.data(),
                   scores.data(), {.max_threads = std::max(0, params.threads)});
  std::vector<std::pair<float, int64_t>> rescored(static_cast<size_t>(candidates));
  for (int64_t q = 0; q < n; ++q) {
    const float* query = queries.data() + q * dim_;
    for (int64_t j = 0; j < candidates; ++j) {
      const int64_t id = ids[static_cast<size_t>(q * candidates + j)];
      float s = dot(query, exact_.data() + id * dim_, dim_);
      if (s != s) s = kNegInf;  // NaN ranks below every number
      rescored[static_cast<size_t>(j)] = {s, id};
    }
    std::partial_sort(rescored.begin(), rescored.begin() + cap, rescored.end(),
                      [](const auto& a, const auto& b) {
                        return a.first > b.first || (a.first == b.first && a.second < b.second);
                      });
    for (int64_t j = 0; j < cap; ++j) {
      result.ids[static_cast<size_t>(q * k + j)] = rescored[static_cast<size_t>(j)].second;
      result.scores[static_cast<size_t>(q * k + j)] = rescored[static_cast<size_t>(j)].first;
    }
  }
  return result;
}

std::string QuantizedFlatIndex::serialize() const {
  ByteWriter w;
  w.buffer().reserve(24 + static_cast<size_t>(memory_bytes()));
  w.u32(static_cast<uint32_t>(dim_));
  w.u64(static_cast<uint64_t>(size_));
  w.u32(storage_ == scan::Storage::kFp16 ? 0u : 1u);
  w.u32(static_cast<uint32_t>(rerank_factor_));
  if (!halves_.empty()) w.raw(halves_.data(), halves_.size() * sizeof(uint16_t));
  if (!codes_.empty()) w.raw(codes_.data(), codes_.size());
  if (!scales_.empty()) w.raw(scales_.data(), scales_.size() * sizeof(float));
  if (!exact_.empty()) w.raw(exact_.data(), exact_.size() * sizeof(float));
  return std::move(w.buffer());
}

Result<std::unique_ptr<QuantizedFlatIndex>> QuantizedFlatIndex::deserialize(
    const std::string& spec, std::string_view bytes) {
  Spec parsed{};
  if (!parse_spec(spec, &parsed)) {
    return Status::mismatch("unknown quantized flat index spec '" + spec + "'");
  }
  ByteReader r(bytes);
  uint32_t dim = 0, storage = 0, factor = 0;
  uint64_t n = 0;
  if (!r.u32(&dim) || !r.u64(&n) || !r.u32(&storage) || !r.u32(&factor)) {
    return Status::corruption("Flat:" + spec + " index: truncated header (" +
                              std::to_string(bytes.size()) + " bytes)");
  }
  if (dim == 0 || dim > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return Status::corruption("Flat:" + spec + " index: invalid dim " + std::to_string(dim));
  }
  const uint32_t want_storage = parsed.storage == scan::Storage::kFp16 ? 0u : 1u;
  if (storage != want_storage || factor != static_cast<uint32_t>(parsed.rerank_factor)) {
    return Status::corruption("Flat:" + spec + " index: payload says storage " +
                              std::to_string(storage) + ", rerank factor " +
                              std::to_string(factor) + ", the factory string says storage " +
                              std::to_string(want_storage) + ", rerank factor " +
                              std::to_string(parsed.rerank_factor));
  }
  // Bytes per vector; compared by division so a huge n cannot overflow.
  const uint64_t row_bytes = (storage == 0 ? uint64_t{dim} * 2 : uint64_t{dim} + 4) +
                             (factor != 0 ? uint64_t{dim} * 4 : 0);
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
  if (factor != 0) {
    index->exact_.resize(count);
    ok = ok && (count == 0 || r.raw(index->exact_.data(), count * sizeof(float)));
  }
  if (!ok) return Status::corruption("Flat:" + spec + " index: truncated vectors");
  index->size_ = static_cast<int64_t>(n);
  return index;
}

}  // namespace credmatch::index
