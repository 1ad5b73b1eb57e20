#include "index/faiss_index.h"

#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <vector>

#include "base/error.h"

namespace credmatch::index {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Unwraps pre-transforms ("PCA64,IVF256,Flat") to the index that holds the vectors.
const faiss::Index* innermost(const faiss::Index* index) {
  while (const auto* pre = dynamic_cast<const faiss::IndexPreTransform*>(index)) index = pre->index;
  return index;
}

// faiss::SearchParameters for one call, mirroring the index's nesting. Unset knobs take the
// index's current values so that passing parameters never changes the defaults.
class CallParams {
 public:
  CallParams(const faiss::Index* index, const SearchParams& p) : top_(build(index, p)) {}
  const faiss::SearchParameters* get() const { return top_; }

 private:
  faiss::SearchParameters* build(const faiss::Index* index, const SearchParams& p) {
    if (const auto* pre = dynamic_cast<const faiss::IndexPreTransform*>(index)) {
      faiss::SearchParameters* inner = build(pre->index, p);
      if (inner == nullptr) return nullptr;
      auto* params = own(std::make_unique<faiss::SearchParametersPreTransform>());
      params->index_params = inner;
      return params;
    }
    if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index)) {
      auto* params = own(std::make_unique<faiss::SearchParametersIVF>());
      params->nprobe = p.nprobe > 0 ? static_cast<size_t>(p.nprobe) : ivf->nprobe;
      params->max_codes = ivf->max_codes;
      params->quantizer_params = build(ivf->quantizer, p);
      return params;
    }
    if (const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(index)) {
      auto* params = own(std::make_unique<faiss::SearchParametersHNSW>());
      params->efSearch = p.ef_search > 0 ? p.ef_search : hnsw->hnsw.efSearch;
      params->check_relative_distance = hnsw->hnsw.check_relative_distance;
      return params;
    }
    return nullptr;
  }

  template <typename T>
  T* own(std::unique_ptr<T> params) {
    T* raw = params.get();
    owned_.push_back(std::move(params));
    return raw;
  }

  std::vector<std::unique_ptr<faiss::SearchParameters>> owned_;
  faiss::SearchParameters* top_;
};

// Appends Faiss's serialized bytes straight to a string (no intermediate vector copy).
struct StringWriter : faiss::IOWriter {
  std::string data;
  size_t operator()(const void* ptr, size_t size, size_t nitems) override {
    if (size * nitems > 0) data.append(static_cast<const char*>(ptr), size * nitems);
    return nitems;
  }
};

// Reads from a borrowed buffer; short reads are reported to Faiss, which then throws.
struct ViewReader : faiss::IOReader {
  explicit ViewReader(std::string_view d) : data(d) {}
  std::string_view data;
  size_t pos = 0;
  size_t operator()(void* ptr, size_t size, size_t nitems) override {
    if (size == 0) return nitems;
    const size_t n = std::min(nitems, (data.size() - pos) / size);
    if (n > 0) std::memcpy(ptr, data.data() + pos, n * size);  // Faiss passes null for empty
    pos += n * size;
    return n;
  }
};

[[noreturn]] void rethrow(const std::string& context, const faiss::FaissException& e) {
  throw Error(context + ": " + e.what());
}

}  // namespace

FaissIndex::FaissIndex(int dim, const std::string& spec) : dim_(dim), spec_(spec) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
  try {
    index_.reset(faiss::index_factory(dim, spec.c_str(), faiss::METRIC_INNER_PRODUCT));
  } catch (const faiss::FaissException& e) {
    rethrow("faiss index_factory(" + std::to_string(dim) + ", \"" + spec + "\")", e);
  }
}

FaissIndex::FaissIndex(std::string spec, std::unique_ptr<faiss::Index> index)
    : dim_(static_cast<int>(index->d)), spec_(std::move(spec)), index_(std::move(index)) {}

FaissIndex::~FaissIndex() = default;

int64_t FaissIndex::size() const {
  return index_->ntotal;
}

void FaissIndex::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim_, n, vectors);
  if (n == 0) return;
  if (!index_->is_trained) {
    if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(innermost(index_.get()))) {
      CREDMATCH_CHECK(static_cast<size_t>(n) >= ivf->nlist,
                      "faiss:" << spec_ << " trains on the first add(): it needs at least "
                               << ivf->nlist << " vectors (one per list), got n=" << n);
    }
    try {
      index_->train(n, vectors.data());
    } catch (const faiss::FaissException& e) {
      rethrow("faiss:" + spec_ + ": training on the first add() with n=" + std::to_string(n) +
                  " vectors failed",
              e);
    }
  }
  try {
    index_->add(n, vectors.data());
  } catch (const faiss::FaissException& e) {
    rethrow("faiss:" + spec_ + ": add(n=" + std::to_string(n) + ")", e);
  }
}

SearchResult FaissIndex::search(int64_t n, std::span<const float> queries, int k,
                                const SearchParams& params) const {
  check_search_args(dim_, n, queries, k);
  SearchResult result = SearchResult::padded(n, k);
  if (n == 0 || index_->ntotal == 0) return result;
  // Faiss 1.7.3 sizes HNSW's candidate queue by max(index efSearch, k), ignoring the per-call
  // efSearch, so a larger per-call value would have no effect. Asking for max(k, ef) results
  // makes the queue ef long (the paper's W), and the best k of them are the answer.
  int64_t faiss_k = k;
  if (const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(innermost(index_.get()))) {
    faiss_k = std::max<int64_t>(k, params.ef_search > 0 ? params.ef_search : hnsw->hnsw.efSearch);
  }
  std::vector<float> wide_scores;
  std::vector<faiss::Index::idx_t> wide_ids;
  if (faiss_k != k) {
    wide_scores.resize(static_cast<size_t>(n * faiss_k));
    wide_ids.resize(static_cast<size_t>(n * faiss_k));
  }
  try {
    const CallParams call_params(index_.get(), params);
    index_->search(n, queries.data(), faiss_k,
                   faiss_k == k ? result.scores.data() : wide_scores.data(),
                   faiss_k == k ? result.ids.data() : wide_ids.data(), call_params.get());
  } catch (const faiss::FaissException& e) {
    rethrow("faiss:" + spec_ + ": search(n=" + std::to_string(n) + ", k=" + std::to_string(k) + ")",
            e);
  }
  if (faiss_k != k) {
    for (int64_t i = 0; i < n; ++i) {
      std::copy_n(wide_scores.begin() + i * faiss_k, k, result.scores.begin() + i * k);
      std::copy_n(wide_ids.begin() + i * faiss_k, k, result.ids.begin() + i * k);
    }
  }
  for (size_t i = 0; i < result.ids.size(); ++i) {
    if (result.ids[i] < 0) {
      result.ids[i] = -1;
      result.scores[i] = kNegInf;
    }
  }
  return result;
}

std::string FaissIndex::serialize() const {
  StringWriter writer;
  try {
    faiss::write_index(index_.get(), &writer);
  } catch (const faiss::FaissException& e) {
    rethrow("faiss:" + spec_ + ": write_index", e);
  }
  return std::move(writer.data);
}

Result<std::unique_ptr<FaissIndex>> FaissIndex::deserialize(const std::string& spec,
                                                            std::string_view bytes) {
  ViewReader reader(bytes);
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(&reader));
  } catch (const faiss::FaissException& e) {
    return Status::corruption("faiss:" + spec + ": cannot read index: " + e.what());
  } catch (const std::bad_alloc&) {
    return Status::corruption("faiss:" + spec + ": cannot read index: implausible sizes");
  } catch (const std::length_error&) {
    return Status::corruption("faiss:" + spec + ": cannot read index: implausible sizes");
  }
  if (index == nullptr || index->d <= 0) {
    return Status::corruption("faiss:" + spec + ": read an index with no dimension");
  }
  if (index->metric_type != faiss::METRIC_INNER_PRODUCT) {
    return Status::corruption("faiss:" + spec + ": stored index uses metric " +
                              std::to_string(static_cast<int>(index->metric_type)) +
                              ", expected inner product");
  }
  if (reader.pos != bytes.size()) {
    return Status::corruption("faiss:" + spec + ": " + std::to_string(bytes.size() - reader.pos) +
                              " unexpected bytes after the index");
  }
  return std::unique_ptr<FaissIndex>(new FaissIndex(spec, std::move(index)));
}

}  // namespace credmatch::index
