#include "match/matcher.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "base/error.h"
#include "base/thread_pool.h"
#include "text/normalize.h"
#include "index/bounded_int8_scan.h"
#include "index/kernels/scan_kernels.h"
#include "match/candidates.h"
#include "match/coverage_score.h"
#include "match/evidence.h"
#include "match/similarity.h"

namespace credmatch::engine {
namespace {

// Encoding and exact rescoring on several threads: at most this many, encoding at least this
// many statements each (waking a thread costs about one statement's encoding).
constexpr int64_t kMaxThreads = 8;
constexpr int64_t kMinStatementsPerThread = 4;

struct Exact : BestCompetencies {
  double score = 0.0;
};

}  // namespace

void MatchConfig::validate() const {
  CREDMATCH_CHECK(top > 0, "top=" << top);
  CREDMATCH_CHECK(neighbours > 0, "neighbours=" << neighbours);
  CREDMATCH_CHECK(threshold > -1.0f && threshold <= 1.0f, "threshold=" << threshold);
  CREDMATCH_CHECK(essential_weight > 0.0f, "essential_weight=" << essential_weight);
  CREDMATCH_CHECK(optional_weight >= 0.0f, "optional_weight=" << optional_weight);
}

Matcher::Matcher(const LoadedCatalog& catalog, MatchConfig config)
    : catalog_(catalog), config_(config) {
  config_.validate();
}

Result<MatchResult> Matcher::match(const Job& job) const {
  const auto& reqs = job.requirements;
  if (reqs.empty()) {
    return Status::invalid_argument("job '" + job.title + "': requirements: must not be empty");
  }
  for (size_t r = 0; r < reqs.size(); ++r) {
    if (normalize(reqs[r].text).empty()) {
      return Status::invalid_argument("requirements[" + std::to_string(r) + "].text: is empty");
    }
  }
  const int d = catalog_.encoder().dim();
  const int64_t n_req = static_cast<int64_t>(reqs.size());
  const int64_t n_comp = catalog_.index().size();
  const size_t n_cred = catalog_.credentials().size();
  // The score of a credential from its best similarity per requirement, and its bound.
  const CoverageScore scorer(job, config_);
  const float tau = scorer.threshold();

  std::vector<std::string> texts;
  for (const auto& r : reqs) texts.push_back(r.text);
  std::vector<float> queries(reqs.size() * size_t(d));
  // Threads for encoding and exact rescoring (the index search splits its own batch).
  const int64_t threads =
      config_.search.threads == 1
          ? 1
          : std::clamp<int64_t>(config_.search.threads > 0 ? config_.search.threads
                                                             : std::thread::hardware_concurrency(),
                                1, kMaxThreads);
  // Rows encode independently: a job's statements are split over the threads (~30 us each).
  const int64_t encode_tasks = std::min<int64_t>(threads, n_req / kMinStatementsPerThread);
  if (encode_tasks <= 1) {
    catalog_.encoder().encode(texts, queries);
  } else {
    run_parallel(encode_tasks, [&](int64_t t) {
      const int64_t begin = n_req * t / encode_tasks, end = n_req * (t + 1) / encode_tasks;
      catalog_.encoder().encode(
          std::span<const std::string>(texts).subspan(size_t(begin), size_t(end - begin)),
          std::span<float>(queries).subspan(size_t(begin * d), size_t((end - begin) * d)));
    });
  }

  MatchResult result;
  result.requirements.resize(reqs.size());
  if (n_comp == 0) return result;
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();

  // 1. An upper bound on every candidate credential's score, from the full scan or the index.
  std::unique_ptr<CandidateBounds> candidates;
  const index::BoundedInt8Scan* full_scan =
      config_.candidates == CandidateSource::kIndex ? nullptr : catalog_.full_scan();
  const RequirementVectors query_rows{queries.data(), n_req, d};
  const FullScanCandidates* scanned = nullptr;
  if (full_scan != nullptr) {
    auto f = std::make_unique<FullScanCandidates>(catalog_, *full_scan, query_rows, scorer,
                                                  config_.search.threads);
    scanned = f.get();
    candidates = std::move(f);
  } else {
    candidates = std::make_unique<IndexCandidates>(catalog_, query_rows, scorer, config_);
  }

  // 2. Exact rescoring in bound order until the top list is settled. With the full scan's
  // bounds, only the pairs that can change the result are computed: a competency whose upper
  // bound is below another's lower bound is not the best, and (for the score, not for the
  // evidence) one whose upper bound is below the threshold earns no credit. The credentials
  // kept are rescored again for their evidence: the best competency and its score for every
  // requirement, covered or not.
  //
  // Index route: every requirement against every competency of the credential, scored as a
  // small matrix product (requirements in groups of kMaxQueryGroup against each run of
  // consecutive competency rows), so a competency's row is read once per group, not once per
  // requirement: pair by pair this was as slow as the 20 searches themselves at 1M.
  const index::scan::Kernels& kernels = index::scan::active_kernels();
  auto rescore_all_pairs = [&](std::span<const int64_t> comps, Exact& e) {
    const size_t m = comps.size();
    thread_local std::vector<float> scores, group;
    scores.resize(reqs.size() * m);
    for (size_t j0 = 0; j0 < m;) {
      size_t j1 = j0 + 1;
      while (j1 < m && comps[j1] == comps[j1 - 1] + 1) ++j1;
      const int64_t rows = int64_t(j1 - j0);
      const float* base = catalog_.competency_vector(comps[j0]);
      group.resize(size_t(index::scan::kMaxQueryGroup * rows));
      for (int64_t q0 = 0; q0 < n_req; q0 += index::scan::kMaxQueryGroup) {
        const int nq = int(std::min<int64_t>(index::scan::kMaxQueryGroup, n_req - q0));
        kernels.fp32(queries.data() + q0 * d, nq, base, rows, d, group.data());
        for (int a = 0; a < nq; ++a) {
          std::copy_n(group.data() + a * rows, rows, scores.data() + size_t(q0 + a) * m + j0);
        }
      }
      j0 = j1;
    }
    for (size_t r = 0; r < reqs.size(); ++r) {
      for (size_t j = 0; j < m; ++j) {
        const float s = snap(scores[r * m + j]);
        if (s > e.best[r]) {
          e.best[r] = s;
          e.argbest[r] = comps[j];
        }
      }
      // The best pair again with the pair kernel, which the full scan route uses: the blocked
      // kernel sums in another order, and the two routes give the same scores to the bit.
      if (e.argbest[r] >= 0) {
        const float* q = queries.data() + r * size_t(d);
        e.best[r] = snap(index::scan::dot(q, catalog_.competency_vector(e.argbest[r]), d));
      }
    }
    e.score = scorer.score(e.best);
  };
  auto rescore = [&](int32_t c, bool for_evidence) {
    Exact e;
    e.best.assign(reqs.size(), kNegInf);
    e.argbest.assign(reqs.size(), -1);
    const auto comps = catalog_.competencies_of(c);
    if (full_scan == nullptr) {
      rescore_all_pairs(comps, e);
      return e;
    }
    for (size_t r = 0; r < reqs.size(); ++r) {
      const float* q = queries.data() + r * size_t(d);
      // Competencies whose upper bound is below `skip_below` are not computed.
      const float* lo = scanned->lower(int64_t(r));
      const float* up = scanned->upper(int64_t(r));
      float skip_below = for_evidence ? kNegInf : scorer.no_credit_below();
      for (int64_t p : comps) skip_below = std::max(skip_below, lo[full_scan->distinct_of(p)]);
      for (int64_t p : comps) {
        if (up[full_scan->distinct_of(p)] < skip_below) continue;
        const float s = snap(index::scan::dot(q, catalog_.competency_vector(p), d));
        if (s > e.best[r]) {
          e.best[r] = s;
          e.argbest[r] = p;
        }
      }
    }
    e.score = scorer.score(e.best);
    return e;
  };
  auto better = [&](const std::pair<int32_t, Exact>& a, const std::pair<int32_t, Exact>& b) {
    if (a.second.score != b.second.score) return a.second.score > b.second.score;
    const auto& ca = catalog_.credentials()[size_t(a.first)];
    const auto& cb = catalog_.credentials()[size_t(b.first)];
    const double ha = ca.hours.value_or(std::numeric_limits<double>::infinity());
    const double hb = cb.hours.value_or(std::numeric_limits<double>::infinity());
    if (ha != hb) return ha < hb;  // equal coverage: the shorter credential first
    return a.first < b.first;
  };
  std::vector<std::pair<int32_t, Exact>> kept;  // sorted best first, at most `top`
  auto keep = [&](int32_t c, Exact e) {
    ++result.candidates_rescored;
    if (e.score <= 0.0) return;
    kept.emplace_back(c, std::move(e));
    std::sort(kept.begin(), kept.end(), better);
    if (kept.size() > size_t(config_.top)) kept.pop_back();
  };
  // Strictly above: a credential whose bound equals the last score kept may tie it and win on
  // the tie-break (shorter, then smaller id), so it is still rescored.
  auto settled = [&](double next_bound) {
    return kept.size() == size_t(config_.top) && kept.back().second.score > next_bound;
  };
  std::vector<char> scored(n_cred, 0);
  // Rescoring runs in bound order. With more than one search thread, the threads take the next
  // credential in that order as they finish one (a thread that is descheduled or slow holds
  // back no fixed share of the work) and merge into `kept` under a lock. A thread stops at the
  // first bound the current last score kept settles; that score only grows, so every credential
  // skipped scores below the final list and the result is the serial one. Only
  // candidates_rescored may vary: a credential taken just before the list settled is still
  // rescored.
  auto rescore_in_order = [&] {
    const BoundOrder& order = candidates->order();
    const int64_t tasks = std::min<int64_t>(threads, int64_t(order.size()));
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex kept_mutex;
    auto work = [&](int64_t) {
      while (!stop.load(std::memory_order_relaxed)) {
        const size_t i = next.fetch_add(1, std::memory_order_relaxed);
        if (i >= order.size()) break;
        const auto [ub, c] = order[i];
        {
          std::lock_guard<std::mutex> lock(kept_mutex);
          if (ub <= 0.0 || settled(ub)) {
            stop = true;
            break;
          }
          if (scored[size_t(c)]) continue;
          scored[size_t(c)] = 1;
        }
        Exact e = rescore(c, false);
        std::lock_guard<std::mutex> lock(kept_mutex);
        keep(c, std::move(e));
      }
    };
    if (tasks <= 1) {
      work(0);
    } else {
      run_parallel(tasks, work);
    }
  };
  for (;;) {
    // Index route: credentials never retrieved can still matter when a requirement's list was
    // cut above the threshold (its last score still earns credit). Those requirements alone
    // are searched 4x deeper (deepen(); the others' bounds earn nothing) and rescoring goes on;
    // once every competency was asked for, what is left is scored exactly. When the unseen bound
    // is above the score the list will likely end on, the deeper search comes first: every
    // bound is at least unseen_ub, so rescoring now would go through nearly every credential
    // retrieved (at 1M with 64 neighbours, 920 instead of 540) and settle nothing.
    const double unseen_ub = candidates->unseen_bound();
    if (!(unseen_ub > 0.0 && unseen_ub >= candidates->likely_last())) {
      rescore_in_order();
      if (unseen_ub <= 0.0 || settled(unseen_ub)) break;
    }
    if (!candidates->deepen()) {
      for (size_t c = 0; c < n_cred; ++c) {
        if (!scored[c]) keep(static_cast<int32_t>(c), rescore(static_cast<int32_t>(c), false));
      }
      break;
    }
  }
  result.requirements = candidates->requirements();
  result.index_searches = candidates->index_searches();
  if (full_scan != nullptr) {
    for (auto& [c, e] : kept) {
      const double score = e.score;
      e = rescore(c, true);
      e.score = score;  // the same sum (only non-crediting pairs were skipped)
    }
  }

  // 3. Evidence for the credentials kept.
  const EvidenceWriter evidence(catalog_, job, tau);
  for (const auto& [c, e] : kept) result.credentials.push_back(evidence.explain(c, e.score, e));
  return result;
}

}  // namespace credmatch::engine
