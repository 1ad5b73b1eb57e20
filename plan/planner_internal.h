// Internal to plan/: the bookkeeping the planner's searches (plan/plan_search.cc) and its
// step ordering and public functions (plan/planner.cc) share.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "plan/planner.h"

namespace credmatch::engine::plan_detail {

inline constexpr double kEps = 1e-9;
inline constexpr double kInf = std::numeric_limits<double>::infinity();
// Node budget of the exact best-within-limits search; past it the answer is the best found.
inline constexpr int64_t kMaxWithinLimitsNodes = 2'000'000;

// Coverage bookkeeping shared by the searches: per-requirement credit reached so far.
struct Cover {
  const std::vector<PlanRequirement>* reqs = nullptr;
  const std::vector<PlanCandidate>* cands = nullptr;
  double total_weight = 0.0;

  Cover(const std::vector<PlanRequirement>& r, const std::vector<PlanCandidate>& c)
      : reqs(&r), cands(&c) {
    for (const auto& q : r) total_weight += q.weight;
  }
  std::vector<double> start() const {
    std::vector<double> cov;
    for (const auto& q : *reqs) cov.push_back(q.current);
    return cov;
  }
  double value(const std::vector<double>& cov) const {
    if (total_weight <= 0.0) return 0.0;
    double s = 0.0;
    for (size_t r = 0; r < cov.size(); ++r) s += (*reqs)[r].weight * cov[r];
    return s / total_weight;
  }
  // Coverage gain of adding `items` to `cov` (cov unchanged).
  double gain(const std::vector<double>& cov, const std::vector<int>& items) const {
    if (total_weight <= 0.0) return 0.0;
    double g = 0.0;
    for (size_t r = 0; r < cov.size(); ++r) {
      double best = cov[r];
      for (int c : items) best = std::max(best, (*cands)[size_t(c)].credit[r]);
      g += (*reqs)[r].weight * (best - cov[r]);
    }
    return g / total_weight;
  }
  void add(std::vector<double>& cov, int c) const {
    for (size_t r = 0; r < cov.size(); ++r) cov[r] = std::max(cov[r], (*cands)[size_t(c)].credit[r]);
  }
};

struct Totals {
  double objective = 0, hours = 0, cost = 0;
  int count = 0;
};

inline double harmonic(int d) {
  double h = 0.0;
  for (int i = 1; i <= d; ++i) h += 1.0 / i;
  return h;
}

inline std::string fmt(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

inline std::string percent(double v) {
  std::ostringstream o;
  o.precision(3);
  o << v * 100.0 << "%";
  return o.str();
}

// What both goals share: prerequisite closures, allowed candidates, the objective's unit costs.
struct Prepared {
  std::vector<std::vector<int>> closure;  // c and its transitive prerequisites, prerequisites first
  std::vector<char> allowed;
  std::vector<int> excluded;
  PlanObjective objective = PlanObjective::kHours;
  std::string objective_note;
  std::vector<double> unit;

  std::vector<int> missing_closure(int c, const std::vector<char>& selected) const {
    std::vector<int> out;
    for (int p : closure[size_t(c)]) if (!selected[size_t(p)]) out.push_back(p);
    return out;
  }
};

inline void check_input(const std::vector<PlanRequirement>& reqs, const std::vector<PlanCandidate>& cands) {
  const size_t n_req = reqs.size();
  const int n = static_cast<int>(cands.size());
  for (size_t r = 0; r < n_req; ++r) {
    CREDMATCH_CHECK(reqs[r].weight >= 0 && std::isfinite(reqs[r].weight),
                    "requirements[" << r << "].weight=" << reqs[r].weight);
    CREDMATCH_CHECK(reqs[r].current >= 0 && reqs[r].current <= 1,
                    "requirements[" << r << "].current=" << reqs[r].current);
  }
  for (int c = 0; c < n; ++c) {
    const auto& k = cands[size_t(c)];
    CREDMATCH_CHECK(k.credit.size() == n_req, "candidates[" << c << "].credit.size()="
                                                  << k.credit.size() << " requirements=" << n_req);
    for (double v : k.credit) CREDMATCH_CHECK(v >= 0 && v <= 1, "candidates[" << c << "].credit=" << v);
    CREDMATCH_CHECK(!k.hours || *k.hours >= 0, "candidates[" << c << "].hours=" << *k.hours);
    CREDMATCH_CHECK(!k.cost || *k.cost >= 0, "candidates[" << c << "].cost=" << *k.cost);
    for (int p : k.prerequisites) {
      CREDMATCH_CHECK(p >= 0 && p < n && p != c, "candidates[" << c << "].prerequisites: " << p);
    }
  }
}

inline Prepared prepare(const std::vector<PlanCandidate>& cands, const PlanConfig& config) {
  const int n = static_cast<int>(cands.size());
  Prepared prep;
  prep.closure.resize(size_t(n));
  {
    std::vector<int> state(size_t(n), 0);  // 0 new, 1 on stack, 2 done
    std::function<void(int, std::vector<int>&, std::vector<char>&)> visit =
        [&](int c, std::vector<int>& out, std::vector<char>& seen) {
          if (seen[size_t(c)]) return;
          CREDMATCH_CHECK(state[size_t(c)] != 1, "prerequisite cycle through candidates[" << c << "] ("
                                                       << cands[size_t(c)].id << ")");
          state[size_t(c)] = 1;
          for (int p : cands[size_t(c)].prerequisites) visit(p, out, seen);
          state[size_t(c)] = 2;
          seen[size_t(c)] = 1;
          out.push_back(c);
        };
    for (int c = 0; c < n; ++c) {
      std::vector<char> seen(size_t(n), 0);
      std::fill(state.begin(), state.end(), 0);
      visit(c, prep.closure[size_t(c)], seen);
    }
  }
  // Allowed candidates: language, and known values for the limits that are set.
  const ProfileConstraints& lim = config.limits;
  prep.allowed.assign(size_t(n), 1);
  for (int c = 0; c < n; ++c) {
    const auto& k = cands[size_t(c)];
    if ((!lim.language.empty() && k.language != lim.language) || (lim.max_hours && !k.hours) ||
        (lim.max_cost && !k.cost)) {
      prep.allowed[size_t(c)] = 0;
    }
  }
  for (int c = 0; c < n; ++c) {
    bool ok = true;
    for (int p : prep.closure[size_t(c)]) ok = ok && prep.allowed[size_t(p)];
    if (!ok) prep.excluded.push_back(c);
  }
  for (int c : prep.excluded) prep.allowed[size_t(c)] = 0;
  // Objective, with fallback to counting when values are unknown.
  prep.objective = config.objective;
  int unknown = 0, n_allowed = 0;
  for (int c = 0; c < n; ++c) {
    if (!prep.allowed[size_t(c)]) continue;
    ++n_allowed;
    if (config.objective == PlanObjective::kHours && !cands[size_t(c)].hours) ++unknown;
    if (config.objective == PlanObjective::kCost && !cands[size_t(c)].cost) ++unknown;
  }
  if (unknown > 0) {
    prep.objective_note = std::string(to_string(config.objective)) + " unknown for " +
                          std::to_string(unknown) + " of " + std::to_string(n_allowed) +
                          " candidate credentials; minimising the number of credentials instead";
    prep.objective = PlanObjective::kCount;
  }
  prep.unit.assign(size_t(n), 1.0);
  for (int c = 0; c < n; ++c) {
    if (prep.objective == PlanObjective::kHours) prep.unit[size_t(c)] = cands[size_t(c)].hours.value_or(0);
    if (prep.objective == PlanObjective::kCost) prep.unit[size_t(c)] = cands[size_t(c)].cost.value_or(0);
  }
  return prep;
}

inline Totals added(Totals t, const std::vector<int>& items, const std::vector<PlanCandidate>& cands,
             const Prepared& prep) {
  for (int c : items) {
    t.objective += prep.unit[size_t(c)];
    t.hours += cands[size_t(c)].hours.value_or(0);
    t.cost += cands[size_t(c)].cost.value_or(0);
    t.count += 1;
  }
  return t;
}

inline bool fits(const Totals& t, const ProfileConstraints& lim) {
  return (!lim.max_hours || t.hours <= *lim.max_hours + kEps) &&
         (!lim.max_cost || t.cost <= *lim.max_cost + kEps) &&
         (!lim.max_credentials || t.count <= *lim.max_credentials);
}

inline std::string limits_text(const ProfileConstraints& lim) {
  std::string limits;
  if (lim.max_hours) limits += " max_hours=" + fmt(*lim.max_hours);
  if (lim.max_cost) limits += " max_cost=" + fmt(*lim.max_cost);
  if (lim.max_credentials) limits += " max_credentials=" + std::to_string(*lim.max_credentials);
  if (!lim.language.empty()) limits += " language=" + lim.language;
  return limits.empty() ? std::string("none") : limits.substr(1);
}

/// Minimum cost set reaching coverage >= target (config.target_coverage or the reachable
/// coverage) within the limits (plan/plan_search.cc).
std::vector<char> solve_to_target(const std::vector<PlanRequirement>& reqs,
                                  const std::vector<PlanCandidate>& cands, const PlanConfig& config,
                                  const Prepared& prep, Plan& plan);
/// The most coverage within the limits, then the least cost (plan/plan_search.cc).
std::vector<char> best_within_limits(const std::vector<PlanRequirement>& reqs,
                                     const std::vector<PlanCandidate>& cands,
                                     const PlanConfig& config, const Prepared& prep, Plan& plan);

}  // namespace credmatch::engine::plan_detail
