#include "index/hnswlib_index.h"

// hnswlib.h defines non-inline functions (cpuid, AVXCapable): include it in this file only.
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <limits>
#include <queue>
#include <thread>

#include "base/binary_file.h"
#include "base/error.h"
#include "index/index_options.h"
#include "index/kernels/scan_kernels.h"
#include "index/query_batch.h"

namespace credmatch::index {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr int kMaxM = 256;

// What a distance function needs: the row length and the kernels picked for this CPU.
struct DistParam {
  int dim = 0;
  const scan::Kernels* kernels = nullptr;
};

float ip_distance_fp32(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const DistParam*>(param);
  return 1.0f -
         p->kernels->dot_fp32(static_cast<const float*>(a), static_cast<const float*>(b), p->dim);
}

// An int8 element is dim codes followed by its float scale (unaligned: read with memcpy).
float ip_distance_int8(const void* a, const void* b, const void* param) {
  const auto* p = static_cast<const DistParam*>(param);
  const auto* ca = static_cast<const int8_t*>(a);
  const auto* cb = static_cast<const int8_t*>(b);
  float sa, sb;
  std::memcpy(&sa, ca + p->dim, sizeof sa);
  std::memcpy(&sb, cb + p->dim, sizeof sb);
  return 1.0f - sa * sb * static_cast<float>(p->kernels->dot_int8(ca, cb, p->dim));
}

class IpSpace : public hnswlib::SpaceInterface<float> {
 public:
  IpSpace(int dim, bool int8) : int8_(int8) {
    param_.dim = dim;
    param_.kernels = &scan::active_kernels();
    bytes_ = int8 ? static_cast<size_t>(dim) + sizeof(float) : static_cast<size_t>(dim) * 4;
  }
  size_t get_data_size() override { return bytes_; }
  hnswlib::DISTFUNC<float> get_dist_func() override {
    return int8_ ? ip_distance_int8 : ip_distance_fp32;
  }
  void* get_dist_func_param() override { return &param_; }

 private:
  bool int8_;
  size_t bytes_;
  DistParam param_;
};

using HnswGraph = hnswlib::HierarchicalNSW<float>;
using Queue = std::priority_queue<std::pair<float, hnswlib::tableint>,
                                  std::vector<std::pair<float, hnswlib::tableint>>,
                                  HnswGraph::CompareByFirst>;

// Vectors whose every cache line is prefetched ahead of the one being scored: all of a level-0
// neighbourhood at M 16. On the 1M x 1,280-d int8 graph (M 16), 20 searches at ef 256 on 2
// threads took a median 8.5-9.9 ms with 32, 12-15 ms with 2 or 6 (as hnswlib's own search,
// which prefetches the first line of the next vector only), 19-20 ms with none: the search
// waits on memory, and only many vectors in flight hide it.
constexpr int kPrefetchVectors = 32;
// With this many vectors of an expansion left to score, the likely next expansion's unvisited
// neighbours are prefetched too, so memory stays busy across expansions (the next node is the
// best candidate then, and usually still is when this expansion ends). In one process,
// alternating per 20-query batch on the 1M graph (ef 256): median 4.58-4.72 ms against
// 4.81-4.93 without (a quarter of the batches each way).
constexpr size_t kSpeculateBefore = 4;

void prefetch_vector(const HnswGraph& h, hnswlib::tableint id) {
  const char* p = h.getDataByInternalId(id);
  for (size_t line = 0; line < h.data_size_; line += 64) {
    __builtin_prefetch(p + line, /*rw=*/0, /*locality=*/3);
  }
}

// Calls visit(ids[i]) for i < size, in order, with the vectors of up to kPrefetchVectors ids
// ahead being prefetched.
template <typename Visit>
void visit_prefetched(const HnswGraph& h, const hnswlib::tableint* ids, size_t size, Visit visit) {
  for (size_t i = 0; i < std::min<size_t>(size, kPrefetchVectors); ++i) prefetch_vector(h, ids[i]);
  for (size_t i = 0; i < size; ++i) {
    if (i + kPrefetchVectors < size) prefetch_vector(h, ids[i + kPrefetchVectors]);
    visit(ids[i]);
  }
}

// hnswlib 0.6.2's searchKnn for a graph without deletions, with the same results (the same
// distances, heap operations and order), rewritten for large vectors: each expansion first
// marks its unvisited neighbours, then scores them in order while prefetching every cache
// line of the vectors up to kPrefetchVectors ahead (hnswlib prefetches the first line of the
// next one only, and a 1,280-d int8 vector spans 21 lines); and it updates no metric counters
// (atomics that every searching thread would write). Returns the up to `ef` nearest, as a
// max-heap by distance of (distance, internal id).
Queue search_graph(const HnswGraph& h, const void* query, size_t ef) {
  Queue top;
  if (h.cur_element_count == 0) return top;
  const hnswlib::DISTFUNC<float> dist = h.fstdistfunc_;
  void* param = h.dist_func_param_;
  hnswlib::tableint current = h.enterpoint_node_;
  float current_dist = dist(query, h.getDataByInternalId(current), param);
  std::vector<hnswlib::tableint> fresh;
  for (int level = h.maxlevel_; level > 0; level--) {
    for (bool changed = true; changed;) {
      changed = false;
      hnswlib::linklistsizeint* list = h.get_linklist(current, level);
      const size_t size = h.getListCount(list);
      const auto* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
      visit_prefetched(h, ids, size, [&](hnswlib::tableint id) {
        CREDMATCH_CHECK(id < h.max_elements_, "hnsw graph: neighbour id " << id);
        const float d = dist(query, h.getDataByInternalId(id), param);
        if (d < current_dist) {
          current_dist = d;
          current = id;
          changed = true;
        }
      });
    }
  }

  hnswlib::VisitedList* visited_list = h.visited_list_pool_->getFreeVisitedList();
  hnswlib::vl_type* visited = visited_list->mass;
  const hnswlib::vl_type tag = visited_list->curV;
  Queue candidates;
  float lower_bound = dist(query, h.getDataByInternalId(current), param);
  top.emplace(lower_bound, current);
  candidates.emplace(-lower_bound, current);
  visited[current] = tag;
  while (!candidates.empty()) {
    const std::pair<float, hnswlib::tableint> next = candidates.top();
    if (-next.first > lower_bound) break;
    candidates.pop();
    // The likely next expansion's link list (3 lines at M 16) loads while this one's
    // neighbours are scored: otherwise every expansion starts with a wait on memory.
    if (!candidates.empty()) {
      const char* next_list =
          reinterpret_cast<const char*>(h.get_linklist0(candidates.top().second));
      for (size_t line = 0; line < h.size_links_level0_; line += 64) {
        __builtin_prefetch(next_list + line, /*rw=*/0, /*locality=*/3);
      }
    }
    hnswlib::linklistsizeint* list = h.get_linklist0(next.second);
    const size_t size = h.getListCount(list);
    fresh.clear();
    for (size_t j = 1; j <= size; j++) {
      const hnswlib::tableint id = list[j];
      if (visited[id] == tag) continue;
      visited[id] = tag;
      fresh.push_back(id);
    }
    const size_t speculate_at =
        fresh.size() > kSpeculateBefore ? fresh.size() - kSpeculateBefore : 0;
    size_t scored = 0;
    visit_prefetched(h, fresh.data(), fresh.size(), [&](hnswlib::tableint id) {
      if (scored++ == speculate_at && !candidates.empty()) {
        hnswlib::linklistsizeint* likely = h.get_linklist0(candidates.top().second);
        for (size_t j = 1; j <= h.getListCount(likely); j++) {
          if (visited[likely[j]] != tag) prefetch_vector(h, likely[j]);
        }
      }
      const float d = dist(query, h.getDataByInternalId(id), param);
      if (top.size() < ef || lower_bound > d) {
        candidates.emplace(-d, id);
        top.emplace(d, id);
        if (top.size() > ef) top.pop();
        if (!top.empty()) lower_bound = top.top().first;
      }
    });
  }
  h.visited_list_pool_->releaseVisitedList(visited_list);
  return top;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HnswConfig

HnswConfig HnswConfig::parse(std::string_view spec) {
  HnswConfig c;
  constexpr int64_t kIntMin = std::numeric_limits<int>::min();
  constexpr int64_t kIntMax = std::numeric_limits<int>::max();
  for (const IndexOption& o : parse_index_options(spec, "hnsw")) {
    if (o.key == "M") {
      c.m = static_cast<int>(o.integer("hnsw", kIntMin, kIntMax));
    } else if (o.key == "efc") {
      c.ef_construction = static_cast<int>(o.integer("hnsw", kIntMin, kIntMax));
    } else if (o.key == "ef") {
      c.ef_search = static_cast<int>(o.integer("hnsw", kIntMin, kIntMax));
    } else if (o.is_flag("int8")) {
      c.int8 = true;
    } else if (o.is_flag("fp32")) {
      c.int8 = false;
    } else {
      throw_unknown_option(o, "hnsw", spec,
                           "M=N, efc=N, ef=N, fp32, int8 (and through make_index() rerank=N, "
                           "ondisk: index/rerank_index.h)");
    }
  }
  c.validate();
  return c;
}

void HnswConfig::validate() const {
  CREDMATCH_CHECK(m >= 2 && m <= kMaxM, "hnsw M=" << m << ": expected 2 <= M <= " << kMaxM);
  CREDMATCH_CHECK(ef_construction >= 1, "hnsw efc=" << ef_construction << ": expected >= 1");
  CREDMATCH_CHECK(ef_search >= 1, "hnsw ef=" << ef_search << ": expected >= 1");
}

std::string HnswConfig::spec() const {
  return "M=" + std::to_string(m) + ",efc=" + std::to_string(ef_construction) +
         ",ef=" + std::to_string(ef_search) + (int8 ? ",int8" : "");
}

// ---------------------------------------------------------------------------------------------
// HnswlibIndex

struct HnswlibIndex::Graph {
  // The space outlives the graph, which keeps pointers into it.
  IpSpace space;
  hnswlib::HierarchicalNSW<float> hnsw;

  Graph(int dim, const HnswConfig& c, size_t capacity)
      : space(dim, c.int8),
        hnsw(&space, capacity, static_cast<size_t>(c.m), static_cast<size_t>(c.ef_construction),
             /*random_seed=*/100) {
    hnsw.setEf(1);  // every search passes its own ef as the result count
  }
};

HnswlibIndex::HnswlibIndex(int dim, const std::string& spec)
    : dim_(dim), config_(HnswConfig::parse(spec)) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
  graph_ = std::make_unique<Graph>(dim_, config_, /*capacity=*/1);
}

HnswlibIndex::~HnswlibIndex() = default;

std::string HnswlibIndex::factory_string() const {
  return std::string(kPrefix) + config_.spec();
}

void HnswlibIndex::encode(const float* vector, std::vector<char>& element) const {
  if (!config_.int8) {
    element.resize(static_cast<size_t>(dim_) * sizeof(float));
    std::memcpy(element.data(), vector, element.size());
    return;
  }
  std::vector<int8_t> codes;
  std::vector<float> scales;
  scan::quantize_int8(vector, 1, dim_, codes, scales);
  element.resize(static_cast<size_t>(dim_) + sizeof(float));
  std::memcpy(element.data(), codes.data(), static_cast<size_t>(dim_));
  std::memcpy(element.data() + dim_, scales.data(), sizeof(float));
}

void HnswlibIndex::reserve(int64_t capacity) {
  hnswlib::HierarchicalNSW<float>& h = graph_->hnsw;
  if (static_cast<size_t>(capacity) <= h.max_elements_) return;
  // Grow geometrically so many small add() calls stay linear overall.
  const size_t grown =
      std::max(static_cast<size_t>(capacity), h.max_elements_ + h.max_elements_ / 2);
  h.resizeIndex(grown);
}

void HnswlibIndex::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim_, n, vectors);
  if (n == 0) return;
  reserve(size_ + n);
  const int64_t first = size_;
  std::atomic<int64_t> next{0};
  // Every core of the thread pool (base/thread_pool.h), each taking the next vector.
  const int64_t threads = std::clamp<int64_t>(pool_workers() + 1, 1, std::max<int64_t>(1, n / 64));
  run_parallel(threads, [&](int64_t) {
    std::vector<char> element;
    try {
      for (int64_t i = next++; i < n; i = next++) {
        encode(vectors.data() + i * dim_, element);
        graph_->hnsw.addPoint(element.data(), static_cast<hnswlib::labeltype>(first + i));
      }
    } catch (...) {
      next = n;  // stop the other workers early; run_parallel rethrows
      throw;
    }
  });
  size_ += n;
}

SearchResult HnswlibIndex::search(int64_t n, std::span<const float> queries, int k,
                                  const SearchParams& params) const {
  check_search_args(dim_, n, queries, k);
  SearchResult result = SearchResult::padded(n, k);
  if (size_ == 0) return result;
  const int ef = params.ef_search > 0 ? params.ef_search : config_.ef_search;
  const auto count = static_cast<size_t>(std::max(k, ef));
  // A batch (e.g. a job's requirements) is split over the scan worker pool.
  struct Scratch {
    std::vector<char> element;
    std::vector<std::pair<float, int64_t>> hits;  // (score, id)
  };
  for_each_query<Scratch>(n, params.threads, [&](int64_t q, Scratch& s) {
    const float* query = queries.data() + q * dim_;
    const void* probe = query;
    if (config_.int8) {
      encode(query, s.element);
      probe = s.element.data();
    }
    // (distance, label), worst first: the max-heap searchKnn returns.
    std::priority_queue<std::pair<float, hnswlib::labeltype>> found;
    if (graph_->hnsw.num_deleted_ == 0 && !reference_search_) {
      Queue nearest = search_graph(graph_->hnsw, probe, count);  // at most count
      for (; !nearest.empty(); nearest.pop()) {
        found.emplace(nearest.top().first, graph_->hnsw.getExternalLabel(nearest.top().second));
      }
    } else {
      found = graph_->hnsw.searchKnn(probe, count);
    }
    s.hits.clear();
    while (!found.empty()) {
      float score = 1.0f - found.top().first;
      if (score != score) score = kNegInf;  // NaN ranks below every number
      s.hits.emplace_back(score, static_cast<int64_t>(found.top().second));
      found.pop();
    }
    // The queue pops worst first: best first after reversing (what write_best() sorts fastest).
    std::reverse(s.hits.begin(), s.hits.end());
    write_best(s.hits, k, result.ids.data() + q * k, result.scores.data() + q * k);
  });
  return result;
}

int64_t HnswlibIndex::memory_bytes() const {
  const hnswlib::HierarchicalNSW<float>& h = graph_->hnsw;
  int64_t bytes = static_cast<int64_t>(h.cur_element_count * h.size_data_per_element_);
  for (size_t i = 0; i < h.cur_element_count; ++i) {
    bytes += static_cast<int64_t>(h.element_levels_[i]) *
             static_cast<int64_t>(h.size_links_per_element_);
  }
  return bytes;
}

std::string HnswlibIndex::serialize() const {
  const hnswlib::HierarchicalNSW<float>& h = graph_->hnsw;
  ByteWriter w;
  w.u32(static_cast<uint32_t>(dim_));
  w.u64(static_cast<uint64_t>(size_));
  w.u32(static_cast<uint32_t>(config_.m));
  w.u32(static_cast<uint32_t>(config_.ef_construction));
  w.u32(static_cast<uint32_t>(config_.ef_search));
  w.u32(config_.int8 ? 1u : 0u);
  w.u32(0);  // formerly the re-rank factor (see the header)
  w.u64(static_cast<uint64_t>(h.size_data_per_element_));
  w.u32(static_cast<uint32_t>(h.maxlevel_));  // -1 (all ones) when empty
  w.u32(static_cast<uint32_t>(h.enterpoint_node_));
  w.raw(h.data_level0_memory_, h.cur_element_count * h.size_data_per_element_);
  for (size_t i = 0; i < h.cur_element_count; ++i) {
    const auto bytes = static_cast<uint32_t>(h.element_levels_[i] * h.size_links_per_element_);
    w.u32(bytes);
    if (bytes > 0) w.raw(h.linkLists_[i], bytes);
  }
  return std::move(w.buffer());
}

Result<std::unique_ptr<HnswlibIndex>> HnswlibIndex::deserialize(const std::string& spec,
                                                                std::string_view bytes) {
  const std::string what = "hnsw:" + spec + " index";
  HnswConfig parsed;
  try {
    parsed = HnswConfig::parse(spec);
  } catch (const Error& e) {
    return Status::mismatch("unknown hnsw index spec '" + spec + "': " + e.what());
  }
  ByteReader r(bytes);
  uint32_t dim = 0, m = 0, efc = 0, ef = 0, int8 = 0, former_rerank_factor = 0, maxlevel = 0,
           entry = 0;
  uint64_t n = 0, element_bytes = 0;
  if (!r.u32(&dim) || !r.u64(&n) || !r.u32(&m) || !r.u32(&efc) || !r.u32(&ef) || !r.u32(&int8) ||
      !r.u32(&former_rerank_factor) || !r.u64(&element_bytes) || !r.u32(&maxlevel) ||
      !r.u32(&entry)) {
    return Status::corruption(what + ": truncated header (" + std::to_string(bytes.size()) +
                              " bytes)");
  }
  if (dim == 0 || dim > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return Status::corruption(what + ": invalid dim " + std::to_string(dim));
  }
  if (m != static_cast<uint32_t>(parsed.m) ||
      efc != static_cast<uint32_t>(parsed.ef_construction) ||
      ef != static_cast<uint32_t>(parsed.ef_search) || (int8 != 0) != parsed.int8) {
    return Status::corruption(what + ": payload says M=" + std::to_string(m) +
                              ", efc=" + std::to_string(efc) + ", ef=" + std::to_string(ef) +
                              ", int8=" + std::to_string(int8) + ", the factory string disagrees");
  }
  auto index = std::make_unique<HnswlibIndex>(static_cast<int>(dim), spec);
  hnswlib::HierarchicalNSW<float>& h = index->graph_->hnsw;
  if (element_bytes != h.size_data_per_element_) {
    return Status::corruption(what + ": graph elements of " + std::to_string(element_bytes) +
                              " bytes, expected " + std::to_string(h.size_data_per_element_));
  }
  if (n > r.remaining() / element_bytes) {
    return Status::corruption(what + ": header says n=" + std::to_string(n) + ", payload holds " +
                              std::to_string(r.remaining()) + " bytes");
  }
  const std::string_view level0 = r.take(n * element_bytes);
  // Upper-level link lists, checked before anything is handed to hnswlib.
  std::vector<int> levels(n, 0);
  std::vector<std::string_view> upper(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t size = 0;
    if (!r.u32(&size)) return Status::corruption(what + ": truncated link lists");
    if (size % h.size_links_per_element_ != 0) {
      return Status::corruption(what + ": node " + std::to_string(i) + " has a link block of " +
                                std::to_string(size) + " bytes");
    }
    levels[i] = static_cast<int>(size / h.size_links_per_element_);
    upper[i] = r.take(size);
    if (r.failed()) return Status::corruption(what + ": truncated link lists");
  }
  if (r.remaining() != 0) {
    return Status::corruption(what + ": " + std::to_string(r.remaining()) +
                              " bytes after the graph, expected none");
  }
  // Every link must point at a node that exists on that level; labels must be 0 .. n-1.
  auto check_list = [&](const char* list, size_t max_links, int level) -> bool {
    uint32_t header;
    std::memcpy(&header, list, sizeof header);
    if ((header >> 16) != 0 || (header & 0xffffu) > max_links) return false;  // no delete marks
    for (uint32_t j = 0; j < (header & 0xffffu); ++j) {
      uint32_t id;
      std::memcpy(&id, list + sizeof(uint32_t) * (1 + j), sizeof id);
      if (id >= n || levels[id] < level) return false;
    }
    return true;
  };
  std::vector<bool> seen(n, false);
  for (uint64_t i = 0; i < n; ++i) {
    const char* element = level0.data() + i * element_bytes;
    hnswlib::labeltype label;
    std::memcpy(&label, element + h.label_offset_, sizeof label);
    if (label >= n || seen[label]) {
      return Status::corruption(what + ": node " + std::to_string(i) + " has label " +
                                std::to_string(label));
    }
    seen[label] = true;
    bool ok = check_list(element, h.maxM0_, 0);
    for (int l = 1; ok && l <= levels[i]; ++l) {
      ok = check_list(upper[i].data() + (l - 1) * h.size_links_per_element_, h.maxM_, l);
    }
    if (!ok) return Status::corruption(what + ": node " + std::to_string(i) + " has bad links");
  }
  const int max_level = static_cast<int>(maxlevel);
  if (n == 0 ? (max_level != -1 || entry != std::numeric_limits<uint32_t>::max())
             : (entry >= n || levels[entry] != max_level)) {
    return Status::corruption(what + ": entry point " + std::to_string(entry) + " at level " +
                              std::to_string(max_level) + " is not a node of that level");
  }
  // Valid: hand everything to hnswlib.
  if (n > 0) {
    index->reserve(static_cast<int64_t>(n));
    std::memcpy(h.data_level0_memory_, level0.data(), level0.size());
    for (uint64_t i = 0; i < n; ++i) {
      h.element_levels_[i] = levels[i];
      if (levels[i] > 0) {
        h.linkLists_[i] = static_cast<char*>(std::malloc(upper[i].size()));
        if (h.linkLists_[i] == nullptr) throw std::bad_alloc();
        std::memcpy(h.linkLists_[i], upper[i].data(), upper[i].size());
      } else {
        h.linkLists_[i] = nullptr;
      }
      h.cur_element_count = i + 1;  // the destructor frees lists of counted nodes only
      hnswlib::labeltype label;
      std::memcpy(&label, level0.data() + i * element_bytes + h.label_offset_, sizeof label);
      h.label_lookup_[label] = static_cast<hnswlib::tableint>(i);
    }
    h.maxlevel_ = max_level;
    h.enterpoint_node_ = entry;
  }
  index->size_ = static_cast<int64_t>(n);
  return index;
}

}  // namespace credmatch::index
