// IvfIndex (index/ivf_index.h): Faiss's IVF with our PCA, int8 and re-ranking options, its
// training, search and file format. Slightly over our usual length: the file format's reader
// and writer stay beside the layout they mirror.
#include "index/ivf_index.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/VectorTransform.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <queue>
#include <thread>
#include <utility>

#include "base/binary_file.h"
#include "base/thread_pool.h"
#include "base/error.h"
#include "index/index_options.h"
#include "index/kernels/scan_kernels.h"

namespace credmatch::index {
namespace {

// Rows per kernel call inside a list: the score buffer stays in L1.
constexpr int64_t kListBlock = 1024;
// Vectors encoded per pass of add(): bounds the rotated copy (kAddChunk * stored dim floats).
constexpr int64_t kAddChunk = 65536;

// (score, id), ordered so that the priority queue's top is the worst kept entry: the lowest
// score, and among equal scores the largest id (ties go to the smaller id).
using Entry = std::pair<float, int64_t>;
struct WorseFirst {
  bool operator()(const Entry& a, const Entry& b) const {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  }
};
using TopK = std::priority_queue<Entry, std::vector<Entry>, WorseFirst>;

void offer(TopK& top, size_t k, float score, int64_t id) {
  if (top.size() < k) {
    top.emplace(score, id);
  } else if (WorseFirst()(Entry(score, id), top.top())) {
    top.pop();
    top.emplace(score, id);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// IvfConfig

IvfConfig IvfConfig::parse(std::string_view spec) {
  IvfConfig c;
  for (const IndexOption& o : parse_index_options(spec, "ivf")) {
    if (o.key == "nlist" || o.key == "nprobe" || o.key == "pca") {
      const auto v = static_cast<int>(o.integer("ivf", 0, int64_t{1} << 24));
      (o.key == "nlist" ? c.nlist : o.key == "nprobe" ? c.nprobe : c.pca) = v;
    } else if (o.key == "train") {
      c.train = o.integer("ivf", 0, std::numeric_limits<int64_t>::max());
    } else if (o.is_flag("int8")) {
      c.int8 = true;
    } else if (o.is_flag("fp32")) {
      c.int8 = false;
    } else {
      throw_unknown_option(o, "ivf", spec,
                           "nlist=N, nprobe=N, pca=N, train=N, int8, fp32 (and through "
                           "make_index() rerank=N, ondisk: index/rerank_index.h)");
    }
  }
  CREDMATCH_CHECK(c.nlist >= 1, "ivf nlist=" << c.nlist << ": expected >= 1");
  CREDMATCH_CHECK(c.nprobe >= 1, "ivf nprobe=" << c.nprobe << ": expected >= 1");
  CREDMATCH_CHECK(c.train == 0 || c.train >= c.nlist,
                  "ivf train=" << c.train << ": expected 0 or >= nlist (" << c.nlist << ")");
  return c;
}

std::string IvfConfig::spec() const {
  std::string s = "nlist=" + std::to_string(nlist) + ",nprobe=" + std::to_string(nprobe) +
                  ",pca=" + std::to_string(pca) + (int8 ? ",int8" : ",fp32");
  if (train > 0) s += ",train=" + std::to_string(train);
  return s;
}

// ---------------------------------------------------------------------------------------------
// IvfIndex

struct IvfIndex::Impl {
  int sdim = 0;                  // stored dims: pca, or dim when pca = 0
  std::vector<float> mean;       // dim
  std::vector<float> rotation;   // sdim x dim (empty: identity)
  std::vector<float> spread;     // sdim: RMS of each rotated component in the sample
  std::vector<float> centroids;  // nlist x sdim
  std::unique_ptr<faiss::IndexFlatL2> quantizer;  // the centroids, for assignment
  // rotation with bias -rotation * mean: one BLAS sgemm centres and rotates a batch.
  std::unique_ptr<faiss::LinearTransform> centring;

  struct List {
    std::vector<float> f32;    // fp32 storage: n x sdim
    std::vector<int8_t> i8;    // int8 storage: n x sdim
    std::vector<float> scales;  // int8: n
    std::vector<int64_t> ids;
    const void* loaded = nullptr;  // codes inside `payload` (a loaded index, until an add)
  };
  std::vector<List> lists;
  std::unique_ptr<std::string> payload;  // a loaded file's bytes, which `loaded` points into

  const void* codes(const List& l, bool int8) const {
    if (l.loaded != nullptr) return l.loaded;
    return int8 ? static_cast<const void*>(l.i8.data()) : static_cast<const void*>(l.f32.data());
  }

  // The derived state, from centroids, rotation and mean: the transform, then the quantizer.
  void prepare(int dim) {
    prepare_centring(dim);
    quantizer = std::make_unique<faiss::IndexFlatL2>(sdim);
    quantizer->add(static_cast<faiss::Index::idx_t>(centroids.size() / static_cast<size_t>(sdim)),
                   centroids.data());
  }
  void prepare_centring(int dim) {
    if (rotation.empty()) return;
    centring = std::make_unique<faiss::LinearTransform>(dim, sdim, /*have_bias=*/true);
    centring->A = rotation;
    centring->b.assign(static_cast<size_t>(sdim), 0.0f);
    for (int j = 0; j < sdim; ++j) {
      double s = 0;
      for (int c = 0; c < dim; ++c) s -= double{rotation[static_cast<size_t>(j) * dim + c]} * mean[c];
      centring->b[j] = static_cast<float>(s);
    }
    centring->is_trained = true;
  }
};

IvfIndex::IvfIndex(int dim, const std::string& spec)
    : dim_(dim), config_(IvfConfig::parse(spec)), impl_(std::make_unique<Impl>()) {
  CREDMATCH_CHECK(dim > 0, "dim=" << dim);
  CREDMATCH_CHECK(config_.pca <= dim, "ivf pca=" << config_.pca << ": more than the " << dim
                                                  << " dims of the vectors");
  impl_->sdim = config_.pca > 0 ? config_.pca : dim;
  impl_->lists.resize(static_cast<size_t>(config_.nlist));
}

IvfIndex::~IvfIndex() = default;

std::string IvfIndex::factory_string() const { return std::string(kPrefix) + config_.spec(); }

std::vector<float> IvfIndex::rotate(int64_t n, const float* x, bool center) const {
  const Impl& m = *impl_;
  const int64_t sdim = m.sdim;
  std::vector<float> out(static_cast<size_t>(n * sdim));
  if (m.rotation.empty()) {
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < sdim; ++j) {
        out[i * sdim + j] = x[i * dim_ + j] - (center ? m.mean[j] : 0.0f);
      }
    }
  } else if (!center) {
    // Queries: sdim dot products each, so a query rotates to the same bits alone or in any
    // batch (an sgemm would not), and batched results equal one-by-one results.
    const scan::Kernels& kernels = scan::active_kernels();
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < sdim; ++j) {
        out[i * sdim + j] = kernels.dot_fp32(&m.rotation[j * dim_], x + i * dim_, dim_);
      }
    }
  } else {
    m.centring->apply_noalloc(n, x, out.data());
  }
  return out;
}

void IvfIndex::train(int64_t n, const float* x) {
  Impl& m = *impl_;
  CREDMATCH_CHECK(n >= config_.nlist, "ivf training: the first add() has " << n
                                          << " vectors, fewer than nlist=" << config_.nlist);
  // An evenly strided sample of at most train_cap() vectors.
  const int64_t nt = std::min(n, config_.train_cap());
  CREDMATCH_CHECK(nt >= config_.pca, "ivf training: pca=" << config_.pca << " needs at least "
                                         << config_.pca << " training vectors, the first add() "
                                         << "gives " << nt);
  std::vector<float> sample(static_cast<size_t>(nt * dim_));
  for (int64_t i = 0; i < nt; ++i) {
    const int64_t from = i * n / nt;
    std::memcpy(&sample[i * dim_], x + from * dim_, sizeof(float) * dim_);
  }
  m.mean.assign(static_cast<size_t>(dim_), 0.0f);
  {
    std::vector<double> sum(static_cast<size_t>(dim_), 0.0);
    for (int64_t i = 0; i < nt; ++i) {
      for (int j = 0; j < dim_; ++j) sum[j] += sample[i * dim_ + j];
    }
    for (int j = 0; j < dim_; ++j) m.mean[j] = static_cast<float>(sum[j] / static_cast<double>(nt));
  }
  if (config_.pca > 0) {
    faiss::PCAMatrix pca(dim_, config_.pca, /*eigen_power=*/0, /*random_rotation=*/false);
    pca.train(nt, sample.data());
    m.rotation = pca.A;
    m.rotation.resize(static_cast<size_t>(config_.pca) * dim_);
  }
  m.prepare_centring(dim_);  // rotate() below needs it; the quantizer waits for the centroids
  std::vector<float> rotated = rotate(nt, sample.data(), /*center=*/true);
  sample = {};
  m.spread.assign(static_cast<size_t>(m.sdim), 1.0f);
  for (int j = 0; j < m.sdim; ++j) {
    double s = 0;
    for (int64_t i = 0; i < nt; ++i) s += double{rotated[i * m.sdim + j]} * rotated[i * m.sdim + j];
    const double rms = std::sqrt(s / static_cast<double>(nt));
    if (rms > 0 && std::isfinite(rms)) m.spread[j] = static_cast<float>(rms);
  }
  faiss::ClusteringParameters cp;
  cp.niter = 20;
  cp.seed = 1234;
  faiss::Clustering clustering(m.sdim, config_.nlist, cp);
  faiss::IndexFlatL2 assigner(m.sdim);
  clustering.train(nt, rotated.data(), assigner);
  m.centroids = clustering.centroids;
  m.prepare(dim_);
  trained_ = true;
}

void IvfIndex::add(int64_t n, std::span<const float> vectors) {
  check_add_args(dim_, n, vectors);
  if (n == 0) return;
  Impl& m = *impl_;
  if (!trained_) train(n, vectors.data());
  if (m.payload != nullptr) {
    // A loaded index: its lists point into the file's bytes; copy them out before growing.
    for (Impl::List& l : m.lists) {
      if (l.loaded == nullptr) continue;  // fp32 lists are copied at load (alignment)
      const size_t count = l.ids.size() * static_cast<size_t>(m.sdim);
      if (config_.int8) {
        const auto* p = static_cast<const int8_t*>(l.loaded);
        l.i8.assign(p, p + count);
      } else {
        const auto* p = static_cast<const float*>(l.loaded);
        l.f32.assign(p, p + count);
      }
      l.loaded = nullptr;
    }
    m.payload.reset();
  }
  std::vector<faiss::Index::idx_t> labels;
  std::vector<float> distances, z;
  std::vector<int8_t> codes;
  std::vector<float> scales;
  for (int64_t start = 0; start < n; start += kAddChunk) {
    const int64_t len = std::min(kAddChunk, n - start);
    const std::vector<float> y = rotate(len, vectors.data() + start * dim_, /*center=*/true);
    labels.resize(static_cast<size_t>(len));
    distances.resize(static_cast<size_t>(len));
    m.quantizer->search(len, y.data(), 1, distances.data(), labels.data());
    if (config_.int8) {
      z.resize(y.size());
      for (int64_t i = 0; i < len; ++i) {
        for (int j = 0; j < m.sdim; ++j) z[i * m.sdim + j] = y[i * m.sdim + j] / m.spread[j];
      }
      codes.clear();
      scales.clear();
      scan::quantize_int8(z.data(), len, m.sdim, codes, scales);
    }
    for (int64_t i = 0; i < len; ++i) {
      const faiss::Index::idx_t label = labels[static_cast<size_t>(i)];
      CREDMATCH_CHECK(label >= 0 && label < config_.nlist,
                      "ivf add: vector " << size_ + start + i << " has no nearest list (NaN?)");
      Impl::List& l = m.lists[static_cast<size_t>(label)];
      if (config_.int8) {
        l.i8.insert(l.i8.end(), codes.begin() + i * m.sdim, codes.begin() + (i + 1) * m.sdim);
        l.scales.push_back(scales[static_cast<size_t>(i)]);
      } else {
        l.f32.insert(l.f32.end(), y.begin() + i * m.sdim, y.begin() + (i + 1) * m.sdim);
      }
      l.ids.push_back(size_ + start + i);
    }
  }
  size_ += n;
}

SearchResult IvfIndex::search(int64_t n, std::span<const float> queries, int k,
                              const SearchParams& params) const {
  check_search_args(dim_, n, queries, k);
  SearchResult result = SearchResult::padded(n, k);
  if (n == 0 || size_ == 0) return result;
  const Impl& m = *impl_;
  const int sdim = m.sdim;
  const int nprobe = std::min(params.nprobe > 0 ? params.nprobe : config_.nprobe, config_.nlist);
  const int threads = params.threads > 0
                          ? params.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // Rotated queries (not centred: q.x = q.mean + <P q, P(x - mean)>), the lists to probe
  // (highest <P q, centroid>: the list's mean score), and the per-query constant q.mean.
  std::vector<float> rotated = rotate(n, queries.data(), /*center=*/false);
  std::vector<int64_t> probes(static_cast<size_t>(n * nprobe));
  {
    std::vector<float> probe_scores(static_cast<size_t>(n * nprobe));
    scan::ScanBase centroids{.storage = scan::Storage::kFp32,
                             .data = m.centroids.data(),
                             .n = config_.nlist,
                             .dim = sdim};
    scan::scan_top_k(centroids, rotated.data(), n, nprobe, nprobe, probes.data(),
                     probe_scores.data(), {.max_threads = threads});
  }
  std::vector<float> offset(static_cast<size_t>(n), 0.0f);
  for (int64_t q = 0; q < n; ++q) {
    double s = 0;
    for (int j = 0; j < dim_; ++j) s += double{queries[q * dim_ + j]} * m.mean[j];
    offset[q] = static_cast<float>(s);
  }
  if (config_.int8) {
    for (int64_t q = 0; q < n; ++q) {
      for (int j = 0; j < sdim; ++j) rotated[q * sdim + j] *= m.spread[j];
    }
  }

  // Scans probes [from, to) of query q into `top`, which keeps the best `cap`.
  const scan::Kernels& kernels = scan::active_kernels();
  const auto cap = static_cast<size_t>(k);
  auto scan_probes = [&](int64_t q, int from, int to, TopK& top, std::vector<float>& buffer) {
    const float* query = rotated.data() + q * sdim;
    for (int p = from; p < to; ++p) {
      const int64_t list = probes[q * nprobe + p];
      if (list < 0) continue;
      const Impl::List& l = m.lists[static_cast<size_t>(list)];
      const int64_t count = static_cast<int64_t>(l.ids.size());
      const void* codes = m.codes(l, config_.int8);
      for (int64_t start = 0; start < count; start += kListBlock) {
        const int64_t len = std::min(kListBlock, count - start);
        if (config_.int8) {
          kernels.int8(query, 1, static_cast<const int8_t*>(codes) + start * sdim,
                       l.scales.data() + start, len, sdim, buffer.data());
        } else {
          kernels.fp32(query, 1, static_cast<const float*>(codes) + start * sdim, len, sdim,
                       buffer.data());
        }
        for (int64_t i = 0; i < len; ++i) offer(top, cap, buffer[i], l.ids[start + i]);
      }
    }
  };
  auto write = [&](int64_t q, TopK& top) {
    for (int64_t j = static_cast<int64_t>(top.size()) - 1; j >= 0; --j) {
      result.ids[q * k + j] = top.top().second;
      result.scores[q * k + j] = top.top().first + offset[q];
      top.pop();
    }
  };

  if (n > 1 || threads == 1) {
    // Queries split over the threads.
    const int64_t tasks = std::min<int64_t>(threads, n);
    run_parallel(tasks, [&](int64_t t) {
      std::vector<float> buffer(kListBlock);
      for (int64_t q = t * n / tasks; q < (t + 1) * n / tasks; ++q) {
        TopK top;
        scan_probes(q, 0, nprobe, top, buffer);
        write(q, top);
      }
    });
  } else {
    // One query: its probes split over the threads, then the top-k lists merged.
    const int tasks = std::min(threads, nprobe);
    std::vector<TopK> tops(static_cast<size_t>(tasks));
    run_parallel(tasks, [&](int64_t t) {
      std::vector<float> buffer(kListBlock);
      scan_probes(0, static_cast<int>(t * nprobe / tasks), static_cast<int>((t + 1) * nprobe / tasks),
                  tops[static_cast<size_t>(t)], buffer);
    });
    TopK& merged = tops[0];
    for (int t = 1; t < tasks; ++t) {
      for (; !tops[t].empty(); tops[t].pop()) {
        offer(merged, cap, tops[t].top().first, tops[t].top().second);
      }
    }
    write(0, merged);
  }
  return result;
}

int64_t IvfIndex::memory_bytes() const {
  const Impl& m = *impl_;
  int64_t bytes = static_cast<int64_t>(
      (m.mean.size() + m.rotation.size() + m.spread.size() + 2 * m.centroids.size()) *
      sizeof(float));
  const int64_t code_bytes = config_.int8 ? 1 : 4;
  for (const Impl::List& l : m.lists) {
    bytes += static_cast<int64_t>(l.ids.size()) *
             (m.sdim * code_bytes + 8 + (config_.int8 ? 4 : 0));
  }
  return bytes;
}

std::string IvfIndex::serialize() const {
  const Impl& m = *impl_;
  ByteWriter w;
  w.u32(static_cast<uint32_t>(dim_));
  w.u32(static_cast<uint32_t>(m.sdim));
  w.u32(static_cast<uint32_t>(config_.nlist));
  w.u32(static_cast<uint32_t>(config_.nprobe));
  w.u32(config_.int8 ? 1 : 0);
  w.u32(trained_ ? 1 : 0);
  w.u64(static_cast<uint64_t>(size_));
  if (!trained_) return std::move(w.buffer());
  w.buffer().reserve(static_cast<size_t>(memory_bytes()) + 1024);
  auto floats = [&](const std::vector<float>& v) { w.raw(v.data(), v.size() * sizeof(float)); };
  floats(m.mean);
  floats(m.rotation);
  floats(m.spread);
  floats(m.centroids);
  for (const Impl::List& l : m.lists) w.u64(l.ids.size());
  const size_t code_bytes = config_.int8 ? 1 : sizeof(float);
  for (const Impl::List& l : m.lists) {
    w.raw(m.codes(l, config_.int8), l.ids.size() * static_cast<size_t>(m.sdim) * code_bytes);
    if (config_.int8) w.raw(l.scales.data(), l.scales.size() * sizeof(float));
    w.raw(l.ids.data(), l.ids.size() * sizeof(int64_t));
  }
  return std::move(w.buffer());
}

Result<std::unique_ptr<IvfIndex>> IvfIndex::deserialize(const std::string& spec,
                                                        std::string&& payload, size_t offset) {
  const std::string what = "ivf:" + spec + " index";
  IvfConfig parsed;
  try {
    parsed = IvfConfig::parse(spec);
  } catch (const Error& e) {
    return Status::mismatch("unknown ivf index spec '" + spec + "': " + e.what());
  }
  if (offset > payload.size()) return Status::corruption(what + ": offset past the payload");
  // Owned from here on (before any view is taken: a short string's bytes move with it).
  auto owned = std::make_unique<std::string>(std::move(payload));
  ByteReader r(std::string_view(*owned).substr(offset));
  uint32_t dim = 0, sdim = 0, nlist = 0, nprobe = 0, int8 = 0, trained = 0;
  uint64_t n = 0;
  if (!r.u32(&dim) || !r.u32(&sdim) || !r.u32(&nlist) || !r.u32(&nprobe) || !r.u32(&int8) ||
      !r.u32(&trained) || !r.u64(&n)) {
    return Status::corruption(what + ": truncated header");
  }
  const uint32_t want_sdim = parsed.pca > 0 ? static_cast<uint32_t>(parsed.pca) : dim;
  if (dim == 0 || dim > (1u << 20) || sdim != want_sdim ||
      nlist != static_cast<uint32_t>(parsed.nlist) ||
      nprobe != static_cast<uint32_t>(parsed.nprobe) || (int8 != 0) != parsed.int8 ||
      trained > 1 || (trained == 0 && n != 0)) {
    return Status::corruption(what + ": payload says dim=" + std::to_string(dim) +
                              ", stored dim=" + std::to_string(sdim) + ", nlist=" +
                              std::to_string(nlist) + ", nprobe=" + std::to_string(nprobe) +
                              ", int8=" + std::to_string(int8) + ", trained=" +
                              std::to_string(trained) + ", n=" + std::to_string(n) +
                              "; the factory string disagrees or the header is invalid");
  }
  std::unique_ptr<IvfIndex> index;
  try {
    index = std::make_unique<IvfIndex>(static_cast<int>(dim), spec);
  } catch (const Error& e) {
    return Status::corruption(what + ": " + e.what());
  }
  if (trained == 0) return index;
  Impl& m = *index->impl_;
  auto floats = [&](std::vector<float>& v, uint64_t count) {
    if (count > r.remaining() / sizeof(float)) return false;
    v.resize(count);
    return r.raw(v.data(), count * sizeof(float));
  };
  if (!floats(m.mean, dim) || !floats(m.rotation, parsed.pca > 0 ? uint64_t{sdim} * dim : 0) ||
      !floats(m.spread, sdim) || !floats(m.centroids, uint64_t{nlist} * sdim)) {
    return Status::corruption(what + ": truncated training data");
  }
  std::vector<uint64_t> sizes(nlist);
  uint64_t total = 0;
  for (uint64_t& s : sizes) {
    if (!r.u64(&s)) return Status::corruption(what + ": truncated list sizes");
    total += s;
    if (s > n || total > n) return Status::corruption(what + ": list sizes exceed n=" + std::to_string(n));
  }
  if (total != n) {
    return Status::corruption(what + ": list sizes sum to " + std::to_string(total) +
                              ", header says n=" + std::to_string(n));
  }
  const uint64_t code_bytes = int8 != 0 ? 1 : sizeof(float);
  const uint64_t row_bytes = sdim * code_bytes + (int8 != 0 ? 4 : 0) + 8;
  if (r.remaining() != n * row_bytes) {
    return Status::corruption(what + ": " + std::to_string(r.remaining()) +
                              " bytes of lists, expected " + std::to_string(n * row_bytes));
  }
  std::vector<bool> seen(n, false);
  for (uint32_t l = 0; l < nlist; ++l) {
    Impl::List& list = m.lists[l];
    const std::string_view codes = r.take(sizes[l] * sdim * code_bytes);
    if (int8 != 0) {
      list.loaded = codes.data();  // used in place: int8 codes need no alignment
      list.scales.resize(sizes[l]);
      r.raw(list.scales.data(), sizes[l] * sizeof(float));
    } else {
      list.f32.resize(sizes[l] * sdim);  // copied: the payload offers no float alignment
      std::memcpy(list.f32.data(), codes.data(), codes.size());
    }
    list.ids.resize(sizes[l]);
    r.raw(list.ids.data(), sizes[l] * sizeof(int64_t));
    for (int64_t id : list.ids) {
      if (id < 0 || static_cast<uint64_t>(id) >= n || seen[static_cast<size_t>(id)]) {
        return Status::corruption(what + ": list " + std::to_string(l) + " holds id " +
                                  std::to_string(id) + ": outside 0.." + std::to_string(n - 1) +
                                  " or held twice");
      }
      seen[static_cast<size_t>(id)] = true;
    }
  }
  m.payload = std::move(owned);
  m.prepare(static_cast<int>(dim));
  index->trained_ = true;
  index->size_ = static_cast<int64_t>(n);
  return index;
}

}  // namespace credmatch::index
