#include "match/candidates.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <mutex>

#include "index/kernels/scan_kernels.h"

namespace credmatch::engine {
namespace {

// max_i a[i] in 8 independent running maxima: one running maximum (std::max, which takes
// references) is a chain of dependent loads and stores, 10x slower over 10k rows.
float max_of(const float* a, int64_t n) {
  constexpr int kLanes = 8;
  float m[kLanes];
  std::fill(m, m + kLanes, -std::numeric_limits<float>::infinity());
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) m[l] = a[i + l] > m[l] ? a[i + l] : m[l];
  }
  for (; i < n; ++i) m[0] = std::max(m[0], a[i]);
  return *std::max_element(m, m + kLanes);
}

constexpr size_t kMaxPooled = 8;
std::mutex pool_mutex;
std::vector<std::unique_ptr<PooledScanBuffers::Buffers>> pool_free;

}  // namespace

PooledScanBuffers::PooledScanBuffers() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  if (!pool_free.empty()) {
    buffers_ = std::move(pool_free.back());
    pool_free.pop_back();
  }
  if (!buffers_) buffers_ = std::make_unique<Buffers>();
}

PooledScanBuffers::~PooledScanBuffers() {
  std::lock_guard<std::mutex> lock(pool_mutex);
  if (pool_free.size() < kMaxPooled) pool_free.push_back(std::move(buffers_));
}

void CandidateBounds::sort_order() {
  std::sort(order_.begin(), order_.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
}

// ---- Full scan ----

FullScanCandidates::FullScanCandidates(const LoadedCatalog& catalog,
                                       const index::BoundedInt8Scan& scan,
                                       const RequirementVectors& queries,
                                       const CoverageScore& score, int threads,
                                       bool requirements_only)
    : CandidateBounds(queries.n),
      catalog_(catalog),
      scan_(scan),
      queries_(queries),
      distinct_(scan.distinct()) {
  PooledScanBuffers::Buffers& b = buffers_.get();
  b.lower.resize(size_t(queries.n * distinct_));
  b.upper.resize(b.lower.size());
  scan_.score(queries.data, queries.n, b.lower.data(), b.upper.data(), threads);
  if (requirements_only) {
    for (int64_t r = 0; r < queries.n; ++r) find_catalog_best(r, score.threshold());
    return;
  }
  // Every entry is written by bound_credentials_for().
  b.credential_upper.resize(size_t(queries.n) * catalog_.credentials().size());
  for (int64_t r = 0; r < queries.n; ++r) {
    bound_credentials_for(r);
    find_catalog_best(r, score.threshold());
  }
  order_credentials(score);
  sort_order();
}

// credential_upper[r * n_cred + c]: the most any competency of c can score for r.
void FullScanCandidates::bound_credentials_for(int64_t r) {
  const size_t n_cred = catalog_.credentials().size();
  const float* up = upper(r);
  float* cu = buffers_.get().credential_upper.data() + r * int64_t(n_cred);
  for (size_t c = 0; c < n_cred; ++c) {
    float u = kNoSimilarity;
    for (int32_t v : catalog_.full_scan_rows_of(static_cast<int32_t>(c))) u = std::max(u, up[v]);
    cu[c] = u;
  }
}

// The catalog's best competency for r, exactly: only the distinct vectors whose upper bound
// reaches the best lower bound are computed (the best competency scores at least that).
void FullScanCandidates::find_catalog_best(int64_t r, float threshold) {
  const float* up = upper(r);
  const float floor = max_of(lower(r), distinct_);
  const int d = queries_.dim;
  RequirementSummary& sum = requirements_[size_t(r)];
  sum.best_score = kNoSimilarity;
  for (int64_t v = 0; v < distinct_; ++v) {
    if (up[v] < floor) continue;
    const int64_t m = scan_.first_row(int32_t(v));
    const float s = index::scan::dot(queries_.row(r), catalog_.competency_vector(m), d);
    if (s > sum.best_score || (s == sum.best_score && m < sum.best_competency)) {
      sum.best_score = s;
      sum.best_competency = m;
    }
  }
  sum.covered_by_catalog = sum.best_score >= threshold;
}

void FullScanCandidates::order_credentials(const CoverageScore& score) {
  const size_t n_cred = catalog_.credentials().size();
  const float* credential_upper = buffers_.get().credential_upper.data();
  for (size_t c = 0; c < n_cred; ++c) {
    const double bound = score.upper_bound(credential_upper + c, n_cred);
    if (bound > 0.0) order_.emplace_back(bound, static_cast<int32_t>(c));
  }
}

// ---- Index ----

IndexCandidates::IndexCandidates(const LoadedCatalog& catalog, const RequirementVectors& queries,
                                 const CoverageScore& score, const MatchConfig& config)
    : CandidateBounds(queries.n),
      catalog_(catalog),
      queries_(queries),
      score_(score),
      config_(config),
      n_comp_(catalog.index().size()),
      hits_of_(size_t(queries.n)),
      depth_(size_t(queries.n), 0),
      unseen_bound_of_(size_t(queries.n), kNoSimilarity) {
  std::vector<int64_t> all(size_t(queries.n));
  for (size_t r = 0; r < all.size(); ++r) all[r] = int64_t(r);
  search(all, int(std::min<int64_t>(config_.neighbours, n_comp_)));
  bound_retrieved();
  index_searches_ = 1;
  sort_order();
}

bool IndexCandidates::deepen() {
  std::vector<int64_t> deeper;
  int64_t k = 0;
  for (size_t r = 0; r < depth_.size(); ++r) {
    if (score_.earns_credit(unseen_bound_of_[r]) && depth_[r] < n_comp_) {
      deeper.push_back(int64_t(r));
      k = std::max(k, std::min(depth_[r] * 4, n_comp_));
    }
  }
  if (deeper.empty()) return false;
  ++index_searches_;
  search(deeper, int(k));
  bound_retrieved();
  sort_order();
  return true;
}

// Searches requirements `which` for their k nearest competencies each.
void IndexCandidates::search(const std::vector<int64_t>& which, int k) {
  const int d = queries_.dim;
  std::vector<float> rows(which.size() * size_t(d));
  for (size_t i = 0; i < which.size(); ++i) {
    std::copy_n(queries_.row(which[i]), d, rows.data() + i * size_t(d));
  }
  const index::SearchResult hits =
      catalog_.index().search(int64_t(which.size()), rows, k, config_.search);
  for (size_t i = 0; i < which.size(); ++i) {
    const size_t r = size_t(which[i]);
    hits_of_[r].clear();
    for (int j = 0; j < k; ++j) {
      const int64_t id = hits.ids[i * size_t(k) + size_t(j)];
      if (id >= 0) hits_of_[r].emplace_back(id, hits.scores[i * size_t(k) + size_t(j)]);
    }
    depth_[r] = k;
    unseen_bound_of_[r] =
        k < n_comp_ ? snap(hits.scores[i * size_t(k) + size_t(k - 1)]) : kNoSimilarity;
    RequirementSummary& sum = requirements_[r];
    if (!hits_of_[r].empty()) {
      sum.best_score = hits_of_[r][0].second;
      sum.best_competency = hits_of_[r][0].first;
      sum.covered_by_catalog = sum.best_score >= score_.threshold();
    }
  }
}

// Bounds from the requirements' hits: order_, unseen_bound_ and likely_last_.
void IndexCandidates::bound_retrieved() {
  const size_t n_req = hits_of_.size();
  order_.clear();
  // The credentials retrieved, in first-seen order, and for each its best retrieved score per
  // requirement (seen_best[slot * n_req + r]); slot_of maps a credential to its slot. Flat
  // arrays: a hash map of per-credential vectors cost ~0.6 ms for 20 x 256 hits.
  std::vector<int32_t> slot_of(catalog_.credentials().size(), -1);
  std::vector<int32_t> seen;
  std::vector<float> seen_best;
  for (size_t r = 0; r < n_req; ++r) {
    for (const auto& [id, s] : hits_of_[r]) {
      const int32_t c = catalog_.credential_of(id);
      int32_t& slot = slot_of[size_t(c)];
      if (slot < 0) {
        slot = int32_t(seen.size());
        seen.push_back(c);
        seen_best.resize(seen_best.size() + n_req, kNoSimilarity);
      }
      float& best = seen_best[size_t(slot) * n_req + r];
      best = std::max(best, snap(s));
    }
  }
  unseen_bound_ = score_.upper_bound(unseen_bound_of_);
  order_.reserve(seen.size());
  std::vector<double> retrieved_scores;
  retrieved_scores.reserve(seen.size());
  std::vector<float> upper(n_req);
  for (size_t slot = 0; slot < seen.size(); ++slot) {
    const float* best = seen_best.data() + slot * n_req;
    for (size_t r = 0; r < n_req; ++r) upper[r] = std::max(best[r], unseen_bound_of_[r]);
    order_.emplace_back(score_.upper_bound(upper), seen[slot]);
    retrieved_scores.push_back(score_.score(best));
  }
  // The top-th best score from the retrieved scores alone: about the last score the list
  // will keep (0 when fewer credentials were retrieved).
  likely_last_ = 0.0;
  if (retrieved_scores.size() >= size_t(config_.top)) {
    std::nth_element(retrieved_scores.begin(), retrieved_scores.begin() + (config_.top - 1),
                     retrieved_scores.end(), std::greater<>());
    likely_last_ = retrieved_scores[size_t(config_.top - 1)];
  }
}

}  // namespace credmatch::engine
