#include "match/rescoring.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>

#include "base/thread_pool.h"

namespace credmatch::engine {

bool TopList::better(const ScoredCredential& a, const ScoredCredential& b) const {
  if (a.score != b.score) return a.score > b.score;
  const Credential& ca = credentials_[size_t(a.credential)];
  const Credential& cb = credentials_[size_t(b.credential)];
  const double ha = ca.hours.value_or(std::numeric_limits<double>::infinity());
  const double hb = cb.hours.value_or(std::numeric_limits<double>::infinity());
  if (ha != hb) return ha < hb;  // equal coverage: the shorter credential first
  return a.credential < b.credential;
}

void TopList::keep(ScoredCredential s) {
  if (s.score <= 0.0) return;
  kept_.push_back(std::move(s));
  std::sort(kept_.begin(), kept_.end(),
            [this](const ScoredCredential& a, const ScoredCredential& b) { return better(a, b); });
  if (kept_.size() > top_) kept_.pop_back();
}

bool TopList::settled(double next_bound) const {
  return kept_.size() == top_ && kept_.back().score > next_bound;
}

namespace {

// One rescoring run: the top list, which credentials were taken, how many were scored.
class ThresholdAlgorithm {
 public:
  ThresholdAlgorithm(const ExactSimilarity& exact, const CoverageScore& score,
                     const std::vector<Credential>& credentials, int top, int64_t threads)
      : exact_(exact),
        score_(score),
        threads_(threads),
        list_(credentials, top),
        scored_(credentials.size(), 0) {}

  Rescored run(CandidateBounds& candidates);

 private:
  ScoredCredential rescore(int32_t c) const {
    ScoredCredential s;
    s.credential = c;
    s.best = exact_.best_of(c);
    s.score = score_.score(s.best.best);
    return s;
  }
  void keep(ScoredCredential s) {
    ++rescored_;
    list_.keep(std::move(s));
  }
  void rescore_in_order(const BoundOrder& order);

  const ExactSimilarity& exact_;
  const CoverageScore& score_;
  const int64_t threads_;
  TopList list_;
  std::vector<char> scored_;  // per credential: taken by rescore_in_order
  int64_t rescored_ = 0;
};

Rescored ThresholdAlgorithm::run(CandidateBounds& candidates) {
  for (;;) {
    // The index route: credentials never retrieved can still matter when a requirement's list
    // was cut above the threshold (its last score still earns credit); deepen() searches
    // those requirements deeper and rescoring goes on. When the unseen bound is above the
    // score the list will likely end on, the deeper search comes first: every bound is at
    // least the unseen bound, so rescoring now would go through nearly every credential
    // retrieved (at 1M with 64 neighbours, 920 instead of 540) and settle nothing. The full
    // scan's unseen bound is 0: one pass.
    const double unseen = candidates.unseen_bound();
    if (!(unseen > 0.0 && unseen >= candidates.likely_last())) {
      rescore_in_order(candidates.order());
      if (unseen <= 0.0 || list_.settled(unseen)) break;
    }
    if (!candidates.deepen()) {
      // Every competency was asked for: what is left is scored exactly.
      for (size_t c = 0; c < scored_.size(); ++c) {
        if (!scored_[c]) keep(rescore(static_cast<int32_t>(c)));
      }
      break;
    }
  }
  return {std::move(list_.entries()), rescored_};
}

// Rescoring runs in bound order. With more than one thread, the threads take the next
// credential in that order as they finish one (a thread that is descheduled or slow holds
// back no fixed share of the work) and merge into the list under a lock. A thread stops at the
// first bound the current last score kept settles; that score only grows, so every credential
// skipped scores below the final list and the result is the serial one. Only rescored_ may
// vary: a credential taken just before the list settled is still rescored.
void ThresholdAlgorithm::rescore_in_order(const BoundOrder& order) {
  const int64_t tasks = std::min<int64_t>(threads_, int64_t(order.size()));
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex list_mutex;
  auto work = [&](int64_t) {
    while (!stop.load(std::memory_order_relaxed)) {
      const size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= order.size()) break;
      const auto [bound, c] = order[i];
      {
        std::lock_guard<std::mutex> lock(list_mutex);
        if (bound <= 0.0 || list_.settled(bound)) {
          stop = true;
          break;
        }
        if (scored_[size_t(c)]) continue;
        scored_[size_t(c)] = 1;
      }
      ScoredCredential s = rescore(c);
      std::lock_guard<std::mutex> lock(list_mutex);
      keep(std::move(s));
    }
  };
  if (tasks <= 1) {
    work(0);
  } else {
    run_parallel(tasks, work);
  }
}

}  // namespace

Rescored rescore_until_settled(CandidateBounds& candidates, const ExactSimilarity& exact,
                               const CoverageScore& score,
                               const std::vector<Credential>& credentials, int top,
                               int64_t threads) {
  return ThresholdAlgorithm(exact, score, credentials, top, threads).run(candidates);
}

}  // namespace credmatch::engine
