#include "plan/planner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <sstream>

#include "base/error.h"

namespace credmatch::engine {
namespace {

constexpr double kEps = 1e-9;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Node budget of the exact best-within-limits search; past it the answer is the best found.
constexpr int64_t kMaxWithinLimitsNodes = 2'000'000;

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

double harmonic(int d) {
  double h = 0.0;
  for (int i = 1; i <= d; ++i) h += 1.0 / i;
  return h;
}

std::string fmt(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

std::string percent(double v) {
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

void check_input(const std::vector<PlanRequirement>& reqs, const std::vector<PlanCandidate>& cands) {
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

Prepared prepare(const std::vector<PlanCandidate>& cands, const PlanConfig& config) {
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

Totals added(Totals t, const std::vector<int>& items, const std::vector<PlanCandidate>& cands,
             const Prepared& prep) {
  for (int c : items) {
    t.objective += prep.unit[size_t(c)];
    t.hours += cands[size_t(c)].hours.value_or(0);
    t.cost += cands[size_t(c)].cost.value_or(0);
    t.count += 1;
  }
  return t;
}

bool fits(const Totals& t, const ProfileConstraints& lim) {
  return (!lim.max_hours || t.hours <= *lim.max_hours + kEps) &&
         (!lim.max_cost || t.cost <= *lim.max_cost + kEps) &&
         (!lim.max_credentials || t.count <= *lim.max_credentials);
}

std::string limits_text(const ProfileConstraints& lim) {
  std::string limits;
  if (lim.max_hours) limits += " max_hours=" + fmt(*lim.max_hours);
  if (lim.max_cost) limits += " max_cost=" + fmt(*lim.max_cost);
  if (lim.max_credentials) limits += " max_credentials=" + std::to_string(*lim.max_credentials);
  if (!lim.language.empty()) limits += " language=" + lim.language;
  return limits.empty() ? std::string("none") : limits.substr(1);
}

// Minimum cost set reaching coverage >= target (config.target_coverage or the reachable
// coverage) within the limits: dominance pruning, greedy, and branch and bound when few
// candidates remain. Fills the plan's status, algorithm, bounds, target and coverage figures;
// returns the chosen set (empty unless kOptimal or kGreedy).
std::vector<char> solve_to_target(const std::vector<PlanRequirement>& reqs,
                                  const std::vector<PlanCandidate>& cands, const PlanConfig& config,
                                  const Prepared& prep, Plan& plan) {
  const size_t n_req = reqs.size();
  const int n = static_cast<int>(cands.size());
  const ProfileConstraints& lim = config.limits;
  const auto& allowed = prep.allowed;
  const auto& closure = prep.closure;
  const auto& unit = prep.unit;
  std::vector<char> chosen(size_t(n), 0);

  const Cover cover(reqs, cands);
  const std::vector<double> start = cover.start();
  plan.coverage_before = plan.coverage_after = cover.value(start);
  {
    std::vector<double> all = start;
    for (int c = 0; c < n; ++c) if (allowed[size_t(c)]) cover.add(all, c);
    plan.reachable = cover.value(all);
  }
  plan.target = config.target_coverage.value_or(plan.reachable);
  if (plan.target > plan.reachable + kEps) {
    plan.status = PlanStatus::kInfeasible;
    plan.message = "target coverage " + percent(plan.target) + " exceeds the " +
                   percent(plan.reachable) + " that the allowed candidate credentials can reach";
    return chosen;
  }
  if (plan.coverage_before >= plan.target - kEps) {
    plan.status = PlanStatus::kNothingToDo;
    return chosen;
  }

  // Relevant candidates: useful ones and their prerequisites; then dominance pruning among
  // those that neither have nor are prerequisites.
  std::vector<char> relevant(size_t(n), 0), is_prereq(size_t(n), 0);
  for (int c = 0; c < n; ++c) {
    if (!allowed[size_t(c)] || cover.gain(start, {c}) <= kEps) continue;
    for (int p : closure[size_t(c)]) relevant[size_t(p)] = 1;
  }
  for (int c = 0; c < n; ++c) {
    if (!relevant[size_t(c)]) continue;
    for (int p : closure[size_t(c)]) if (p != c) is_prereq[size_t(p)] = 1;
  }
  auto simple = [&](int c) { return cands[size_t(c)].prerequisites.empty() && !is_prereq[size_t(c)]; };
  auto dominates = [&](int b, int a) {  // b at least as good as a everywhere, tie → lower index
    const auto& kb = cands[size_t(b)];
    const auto& ka = cands[size_t(a)];
    bool strict = false;
    for (size_t r = 0; r < n_req; ++r) {
      if (reqs[r].weight <= 0) continue;
      const double vb = std::max(start[r], kb.credit[r]), va = std::max(start[r], ka.credit[r]);
      if (vb < va) return false;
      strict = strict || vb > va;
    }
    auto le = [&](double x, double y) {
      if (x > y) return false;
      strict = strict || x < y;
      return true;
    };
    if (!le(unit[size_t(b)], unit[size_t(a)])) return false;
    if (lim.max_hours && !le(*kb.hours, *ka.hours)) return false;
    if (lim.max_cost && !le(*kb.cost, *ka.cost)) return false;
    return strict || b < a;
  };
  std::vector<int> decide;
  for (int a = 0; a < n; ++a) {
    if (!relevant[size_t(a)]) continue;
    bool dominated = false;
    if (simple(a)) {
      for (int b = 0; b < n && !dominated; ++b) {
        dominated = b != a && relevant[size_t(b)] && simple(b) && dominates(b, a);
      }
    }
    if (!dominated) decide.push_back(a);
  }

  // Fractional-knapsack lower bound on the cost still needed to reach the target, using
  // candidates of `decide` that are not selected or excluded; kInf if even all cannot reach it.
  auto bound = [&](const std::vector<double>& cov, const std::vector<char>& selected,
                   const std::vector<char>& excluded) {
    double deficit = plan.target - cover.value(cov);
    if (deficit <= kEps) return 0.0;
    std::vector<std::pair<double, double>> items;  // (gain, cost)
    double total_gain = 0.0;
    for (int c : decide) {
      if (selected[size_t(c)] || excluded[size_t(c)]) continue;
      const double g = cover.gain(cov, {c});
      if (g <= 0) continue;
      items.emplace_back(g, unit[size_t(c)]);
      total_gain += g;
    }
    if (total_gain < deficit - kEps) return kInf;
    std::sort(items.begin(), items.end(), [](const auto& x, const auto& y) {
      return x.first * y.second > y.first * x.second;  // gain/cost descending, cost 0 first
    });
    double lb = 0.0;
    for (const auto& [g, cost] : items) {
      if (g >= deficit) return lb + cost * deficit / g;
      lb += cost;
      deficit -= g;
    }
    return lb;
  };

  // Greedy (also the incumbent of the exact search).
  std::vector<char> greedy_sel(size_t(n), 0);
  bool greedy_ok = false;
  {
    std::vector<double> cov = start;
    Totals t;
    std::vector<int> order;
    while (cover.value(cov) < plan.target - kEps) {
      int best = -1;
      double best_ratio = -1, best_cost = kInf;
      for (int c : decide) {
        if (greedy_sel[size_t(c)]) continue;
        const std::vector<int> items = prep.missing_closure(c, greedy_sel);
        const double g = cover.gain(cov, items);
        if (g <= kEps) continue;
        const Totals t2 = added(t, items, cands, prep);
        if (!fits(t2, lim)) continue;
        const double cost = t2.objective - t.objective;
        const double ratio = cost <= 0 ? kInf : g / cost;
        if (ratio > best_ratio || (ratio == best_ratio && cost < best_cost)) {
          best = c;
          best_ratio = ratio;
          best_cost = cost;
        }
      }
      ++plan.nodes;
      if (best < 0) break;
      for (int p : prep.missing_closure(best, greedy_sel)) {
        greedy_sel[size_t(p)] = 1;
        cover.add(cov, p);
        order.push_back(p);
      }
      t = Totals{};
      for (int c = 0; c < n; ++c) if (greedy_sel[size_t(c)]) t = added(t, {c}, cands, prep);
    }
    greedy_ok = cover.value(cov) >= plan.target - kEps;
    // Reverse delete: drop picks that are no longer needed (never a needed prerequisite).
    if (greedy_ok) {
      for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const int c = *it;
        bool needed = false;
        for (int o = 0; o < n && !needed; ++o) {
          if (o == c || !greedy_sel[size_t(o)]) continue;
          for (int p : closure[size_t(o)]) needed = needed || p == c;
        }
        if (needed) continue;
        greedy_sel[size_t(c)] = 0;
        std::vector<double> cov2 = start;
        for (int o = 0; o < n; ++o) if (greedy_sel[size_t(o)]) cover.add(cov2, o);
        if (cover.value(cov2) < plan.target - kEps) greedy_sel[size_t(c)] = 1;
      }
    }
  }

  const std::vector<char> none(size_t(n), 0);
  plan.lower_bound = bound(start, none, none);
  if (static_cast<int>(decide.size()) <= config.exact_max_candidates) {
    // Branch and bound over `decide`, best ratio first.
    plan.algorithm = "exact (branch and bound)";
    std::vector<int> order = decide;
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      const double ga = cover.gain(start, {a}), gb = cover.gain(start, {b});
      return ga * unit[size_t(b)] > gb * unit[size_t(a)] || (ga * unit[size_t(b)] == gb * unit[size_t(a)] && a < b);
    });
    double best = kInf;
    std::vector<char> best_sel;
    if (greedy_ok) {
      best_sel = greedy_sel;
      Totals t;
      for (int c = 0; c < n; ++c) if (greedy_sel[size_t(c)]) t = added(t, {c}, cands, prep);
      best = t.objective;
    }
    std::vector<char> selected(size_t(n), 0), excluded(size_t(n), 0);
    std::vector<double> cov = start;
    std::function<void(size_t, const Totals&)> dfs = [&](size_t pos, const Totals& t) {
      ++plan.nodes;
      if (cover.value(cov) >= plan.target - kEps) {
        if (t.objective < best - kEps) {
          best = t.objective;
          best_sel = selected;
        }
        return;
      }
      if (pos == order.size()) return;
      const double lb = bound(cov, selected, excluded);
      if (lb == kInf || t.objective + lb >= best - kEps) return;
      const int c = order[pos];
      if (selected[size_t(c)]) {
        dfs(pos + 1, t);
        return;
      }
      const std::vector<int> items = prep.missing_closure(c, selected);
      bool blocked = false;
      for (int p : items) blocked = blocked || excluded[size_t(p)];
      const Totals t2 = added(t, items, cands, prep);
      if (!blocked && fits(t2, lim)) {
        const std::vector<double> saved = cov;
        for (int p : items) {
          selected[size_t(p)] = 1;
          cover.add(cov, p);
        }
        dfs(pos + 1, t2);
        for (int p : items) selected[size_t(p)] = 0;
        cov = saved;
      }
      excluded[size_t(c)] = 1;
      dfs(pos + 1, t);
      excluded[size_t(c)] = 0;
    };
    dfs(0, Totals{});
    if (best == kInf) {
      plan.status = PlanStatus::kInfeasible;
    } else {
      plan.status = PlanStatus::kOptimal;
      chosen = best_sel;
      plan.lower_bound = best;
    }
  } else {
    plan.algorithm = "greedy";
    int d = 0;
    for (int c : decide) {
      int improves = 0;
      for (size_t r = 0; r < n_req; ++r) improves += reqs[r].weight > 0 && cands[size_t(c)].credit[r] > start[r];
      d = std::max(d, improves);
    }
    plan.greedy_bound = harmonic(d);
    if (greedy_ok) {
      plan.status = PlanStatus::kGreedy;
      chosen = greedy_sel;
    } else {
      plan.status = PlanStatus::kInfeasible;
    }
  }
  if (plan.status == PlanStatus::kInfeasible) {
    plan.message = "no set of credentials within the limits (" + limits_text(lim) +
                   ") reaches coverage " + percent(plan.target) +
                   (plan.algorithm == "greedy" ? " (greedy search; an exact search might)" : "");
  }
  return chosen;
}

// The most coverage within the limits, then the least cost: greedy (gain per unit cost), then,
// with at most exact_max_candidates useful candidates, an exhaustive branch and bound seeded
// with it (upper bound: current coverage plus each remaining candidate's own gain, valid as
// coverage is submodular). Returns the set; sets plan.best_within_limits_exact.
std::vector<char> best_within_limits(const std::vector<PlanRequirement>& reqs,
                                     const std::vector<PlanCandidate>& cands,
                                     const PlanConfig& config, const Prepared& prep, Plan& plan) {
  const int n = static_cast<int>(cands.size());
  const ProfileConstraints& lim = config.limits;
  const Cover cover(reqs, cands);
  const std::vector<double> start = cover.start();
  std::vector<int> pool;
  for (int c = 0; c < n; ++c) {
    if (prep.allowed[size_t(c)] && cover.gain(start, prep.closure[size_t(c)]) > kEps) pool.push_back(c);
  }
  std::vector<char> best_sel(size_t(n), 0);
  double best_val = cover.value(start), best_obj = 0.0;
  {  // greedy
    std::vector<char> sel(size_t(n), 0);
    std::vector<double> cov = start;
    Totals t;
    for (;;) {
      int best = -1;
      double best_ratio = -1;
      for (int c : pool) {
        if (sel[size_t(c)]) continue;
        const std::vector<int> items = prep.missing_closure(c, sel);
        const double g = cover.gain(cov, items);
        const Totals t2 = added(t, items, cands, prep);
        if (g <= kEps || !fits(t2, lim)) continue;
        const double cost = t2.objective - t.objective;
        const double ratio = cost <= 0 ? kInf : g / cost;
        if (ratio > best_ratio) {
          best = c;
          best_ratio = ratio;
        }
      }
      ++plan.nodes;
      if (best < 0) break;
      const std::vector<int> items = prep.missing_closure(best, sel);
      t = added(t, items, cands, prep);
      for (int p : items) {
        sel[size_t(p)] = 1;
        cover.add(cov, p);
      }
    }
    best_sel = sel;
    best_val = cover.value(cov);
    best_obj = t.objective;
  }
  plan.best_within_limits_exact = false;
  if (static_cast<int>(pool.size()) <= config.exact_max_candidates) {
    std::vector<int> order = pool;
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      const double ga = cover.gain(start, {a}), gb = cover.gain(start, {b});
      return ga * prep.unit[size_t(b)] > gb * prep.unit[size_t(a)] ||
             (ga * prep.unit[size_t(b)] == gb * prep.unit[size_t(a)] && a < b);
    });
    std::vector<char> selected(size_t(n), 0);
    std::vector<double> cov = start;
    int64_t nodes = 0;
    std::function<void(size_t, const Totals&)> dfs = [&](size_t pos, const Totals& t) {
      if (++nodes > kMaxWithinLimitsNodes) return;
      const double val = cover.value(cov);
      if (val > best_val + kEps || (val > best_val - kEps && t.objective < best_obj - kEps)) {
        best_val = val;
        best_obj = t.objective;
        best_sel = selected;
      }
      if (pos == order.size()) return;
      double ub = val;
      for (size_t i = pos; i < order.size(); ++i) {
        if (!selected[size_t(order[i])]) ub += cover.gain(cov, prep.missing_closure(order[i], selected));
      }
      if (ub < best_val - kEps || (ub <= best_val + kEps && t.objective >= best_obj - kEps)) return;
      const int c = order[pos];
      if (!selected[size_t(c)]) {
        const std::vector<int> items = prep.missing_closure(c, selected);
        const Totals t2 = added(t, items, cands, prep);
        if (fits(t2, lim)) {
          const std::vector<double> saved = cov;
          for (int p : items) {
            selected[size_t(p)] = 1;
            cover.add(cov, p);
          }
          dfs(pos + 1, t2);
          for (int p : items) selected[size_t(p)] = 0;
          cov = saved;
        }
      }
      dfs(pos + 1, t);
    };
    dfs(0, Totals{});
    plan.nodes += nodes;
    plan.best_within_limits_exact = nodes <= kMaxWithinLimitsNodes;
  }
  return best_sel;
}

// Orders the chosen set into steps: repeatedly the best coverage gain per cost (with its
// missing prerequisites, prerequisites first); fills steps, totals and coverage_after.
void order_steps(const std::vector<PlanRequirement>& reqs, const std::vector<PlanCandidate>& cands,
                 const Prepared& prep, const std::vector<char>& chosen, Plan& plan) {
  const int n = static_cast<int>(cands.size());
  const size_t n_req = reqs.size();
  const Cover cover(reqs, cands);
  std::vector<char> done(size_t(n), 0);
  std::vector<double> cov = cover.start();
  Totals t;
  plan.steps.clear();
  for (;;) {
    int best = -1;
    double best_ratio = -1;
    for (int c = 0; c < n; ++c) {
      if (!chosen[size_t(c)] || done[size_t(c)]) continue;
      const std::vector<int> items = prep.missing_closure(c, done);
      const double cost = added(Totals{}, items, cands, prep).objective;
      const double g = cover.gain(cov, items);
      const double ratio = cost <= 0 ? kInf : g / cost;
      if (ratio > best_ratio) {
        best = c;
        best_ratio = ratio;
      }
    }
    if (best < 0) break;
    for (int p : prep.missing_closure(best, done)) {
      PlanStep step;
      step.candidate = p;
      step.prerequisite_only = p != best && cover.gain(cov, {p}) <= kEps;
      for (size_t r = 0; r < n_req; ++r) {
        if (cands[size_t(p)].credit[r] > cov[r] + kEps) step.improved.push_back(static_cast<int>(r));
      }
      cover.add(cov, p);
      done[size_t(p)] = 1;
      step.coverage_after = cover.value(cov);
      t = added(t, {p}, cands, prep);
      plan.steps.push_back(std::move(step));
    }
  }
  plan.objective_value = t.objective;
  plan.total_hours = t.hours;
  plan.total_cost = t.cost;
  plan.coverage_after = cover.value(cov);
}

bool any_chosen(const std::vector<char>& chosen) {
  return std::find(chosen.begin(), chosen.end(), 1) != chosen.end();
}

}  // namespace

std::string_view to_string(PlanObjective objective) {
  switch (objective) {
    case PlanObjective::kHours: return "hours";
    case PlanObjective::kCost: return "cost";
    case PlanObjective::kCount: return "count";
  }
  return "?";
}

std::optional<PlanObjective> parse_plan_objective(std::string_view s) {
  if (s == "hours") return PlanObjective::kHours;
  if (s == "cost") return PlanObjective::kCost;
  if (s == "count") return PlanObjective::kCount;
  return std::nullopt;
}

std::string_view to_string(PlanStatus status) {
  switch (status) {
    case PlanStatus::kOptimal: return "optimal";
    case PlanStatus::kGreedy: return "greedy";
    case PlanStatus::kNothingToDo: return "nothing to do";
    case PlanStatus::kInfeasible: return "infeasible";
    case PlanStatus::kBestWithinLimits: return "best within limits";
  }
  return "?";
}

std::string_view to_string(PlanGoal goal) {
  switch (goal) {
    case PlanGoal::kCloseRequirements: return "close requirements";
    case PlanGoal::kCoverage: return "coverage";
  }
  return "?";
}

void PlanConfig::validate() const {
  CREDMATCH_CHECK(!limits.max_hours || *limits.max_hours >= 0, "max_hours=" << *limits.max_hours);
  CREDMATCH_CHECK(!limits.max_cost || *limits.max_cost >= 0, "max_cost=" << *limits.max_cost);
  CREDMATCH_CHECK(!limits.max_credentials || *limits.max_credentials >= 0,
                  "max_credentials=" << *limits.max_credentials);
  CREDMATCH_CHECK(!target_coverage || (*target_coverage >= 0 && *target_coverage <= 1),
                  "target_coverage=" << *target_coverage);
  CREDMATCH_CHECK(min_gain > 0 && min_gain <= 1, "min_gain=" << min_gain);
  CREDMATCH_CHECK(exact_max_candidates >= 0 && exact_max_candidates <= 40,
                  "exact_max_candidates=" << exact_max_candidates);
}

double plan_coverage(const std::vector<PlanRequirement>& requirements,
                     const std::vector<PlanCandidate>& candidates, const std::vector<int>& chosen) {
  const Cover cover(requirements, candidates);
  std::vector<double> cov = cover.start();
  for (int c : chosen) cover.add(cov, c);
  return cover.value(cov);
}

Plan plan_path(const std::vector<PlanRequirement>& reqs, const std::vector<PlanCandidate>& cands,
               const PlanConfig& config) {
  config.validate();
  check_input(reqs, cands);
  const Prepared prep = prepare(cands, config);
  Plan plan;
  plan.excluded = prep.excluded;
  plan.objective = prep.objective;
  plan.objective_note = prep.objective_note;
  const bool closing = config.goal == PlanGoal::kCloseRequirements && !config.target_coverage;
  plan.goal = closing ? PlanGoal::kCloseRequirements : PlanGoal::kCoverage;
  const int n = static_cast<int>(cands.size());
  const size_t n_req = reqs.size();

  if (!closing) {
    std::vector<char> chosen = solve_to_target(reqs, cands, config, prep, plan);
    if (plan.status == PlanStatus::kInfeasible && plan.target <= plan.reachable + kEps) {
      chosen = best_within_limits(reqs, cands, config, prep, plan);
      if (any_chosen(chosen)) {
        plan.status = PlanStatus::kBestWithinLimits;
        plan.message += "; best plan within the limits shown";
      }
    }
    if (any_chosen(chosen)) order_steps(reqs, cands, prep, chosen, plan);
    if (plan.status == PlanStatus::kBestWithinLimits && plan.coverage_after >= plan.target - kEps) {
      plan.status = PlanStatus::kGreedy;  // the greedy target search missed a plan; this one reaches it
      plan.message.clear();
    }
    return plan;
  }

  // Close requirements: a 0/1 set cover. best_r is the best credit an allowed candidate gives r.
  std::vector<double> best(n_req, 0.0);
  for (int c = 0; c < n; ++c) {
    if (!prep.allowed[size_t(c)]) continue;
    for (size_t r = 0; r < n_req; ++r) best[r] = std::max(best[r], cands[size_t(c)].credit[r]);
  }
  std::vector<PlanRequirement> reqs01(n_req);
  std::vector<PlanCandidate> cands01 = cands;
  std::vector<double> level(n_req, kInf);
  for (size_t r = 0; r < n_req; ++r) {
    const bool improvable = best[r] >= reqs[r].current + config.min_gain - kEps;
    if (!improvable && reqs[r].current < 1.0 - kEps) plan.not_improvable.push_back(int(r));
    const bool required = improvable && reqs[r].weight > 0 && (reqs[r].essential || config.close_optional);
    if (!required) {
      reqs01[r].weight = 0.0;
      continue;
    }
    plan.to_close.push_back(int(r));
    level[r] = best[r] - config.min_gain;
    reqs01[r].weight = 1.0;  // unweighted set cover: greedy's H(d) bound holds
    reqs01[r].current = reqs[r].current >= level[r] - kEps ? 1.0 : 0.0;
  }
  for (auto& k : cands01) {
    for (size_t r = 0; r < n_req; ++r) k.credit[r] = k.credit[r] >= level[r] - kEps ? 1.0 : 0.0;
  }
  PlanConfig config01 = config;
  config01.goal = PlanGoal::kCoverage;
  config01.target_coverage.reset();
  std::vector<char> chosen = solve_to_target(reqs01, cands01, config01, prep, plan);
  if (plan.status == PlanStatus::kInfeasible) {  // target = reachable, so the limits are the cause
    chosen = best_within_limits(reqs01, cands01, config01, prep, plan);
    plan.status = any_chosen(chosen) ? PlanStatus::kBestWithinLimits : PlanStatus::kInfeasible;
  }
  // Report in the real coverage model.
  const Cover cover(reqs, cands);
  {
    std::vector<double> all = cover.start();
    for (int c = 0; c < n; ++c) if (prep.allowed[size_t(c)]) cover.add(all, c);
    plan.reachable = cover.value(all);
    std::vector<double> goal = cover.start();
    for (int r : plan.to_close) goal[size_t(r)] = std::max(goal[size_t(r)], level[size_t(r)]);
    plan.target = cover.value(goal);
  }
  plan.coverage_before = plan.coverage_after = cover.value(cover.start());
  plan.steps.clear();
  plan.objective_value = plan.total_hours = plan.total_cost = 0.0;
  if (any_chosen(chosen)) order_steps(reqs, cands, prep, chosen, plan);
  std::vector<double> final_credit = cover.start();
  for (const auto& s : plan.steps) cover.add(final_credit, s.candidate);
  for (int r : plan.to_close) {
    if (final_credit[size_t(r)] < level[size_t(r)] - kEps) plan.left_open.push_back(r);
  }
  if (plan.status == PlanStatus::kBestWithinLimits && plan.left_open.empty()) {
    plan.status = PlanStatus::kGreedy;  // the greedy cover missed a plan; this one closes all
  }
  const std::string limits = limits_text(config.limits);
  if (plan.status == PlanStatus::kBestWithinLimits) {
    plan.message = "the limits (" + limits + ") allow closing " +
                   std::to_string(plan.to_close.size() - plan.left_open.size()) + " of the " +
                   std::to_string(plan.to_close.size()) + " requirements the catalog can close; " +
                   std::to_string(plan.left_open.size()) + " left open" +
                   (plan.best_within_limits_exact ? " (best possible within the limits)"
                                                  : " (greedy; a better plan within the limits may exist)");
  } else if (plan.status == PlanStatus::kInfeasible) {
    plan.message = "no credential within the limits (" + limits + ") closes any of the " +
                   std::to_string(plan.to_close.size()) + " requirements the catalog can close";
  }
  return plan;
}

}  // namespace credmatch::engine
