// The planner's two searches: the cheapest plan reaching the target, and the best plan within
// the limits (plan/planner.h documents the algorithms and their bounds).
#include <functional>
#include <numeric>

#include "plan/planner_internal.h"

namespace credmatch::engine::plan_detail {

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

}  // namespace credmatch::engine::plan_detail
