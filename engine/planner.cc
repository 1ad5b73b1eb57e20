#include "engine/planner.h"

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

// Coverage bookkeeping shared by the searches: per-requirement credit reached so far.
struct Cover {
  const std::vector<PlanRequirement>* reqs = nullptr;
  const std::vector<PlanCandidate>* cands = nullptr;
  double total_weight = 0.0;

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
  CREDMATCH_CHECK(exact_max_candidates >= 0 && exact_max_candidates <= 40,
                  "exact_max_candidates=" << exact_max_candidates);
}

double plan_coverage(const std::vector<PlanRequirement>& requirements,
                     const std::vector<PlanCandidate>& candidates, const std::vector<int>& chosen) {
  Cover cover{&requirements, &candidates, 0.0};
  std::vector<double> cov;
  for (const auto& r : requirements) {
    cover.total_weight += r.weight;
    cov.push_back(r.current);
  }
  for (int c : chosen) cover.add(cov, c);
  return cover.value(cov);
}

Plan plan_path(const std::vector<PlanRequirement>& reqs, const std::vector<PlanCandidate>& cands,
               const PlanConfig& config) {
  config.validate();
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
  // Closures (c and its transitive prerequisites), in topological order: prerequisites first.
  std::vector<std::vector<int>> closure(static_cast<size_t>(n));
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
      visit(c, closure[size_t(c)], seen);
    }
  }

  Plan plan;
  const ProfileConstraints& lim = config.limits;
  // 1. Allowed candidates: language, and known values for the limits that are set.
  std::vector<char> allowed(size_t(n), 1);
  for (int c = 0; c < n; ++c) {
    const auto& k = cands[size_t(c)];
    if ((!lim.language.empty() && k.language != lim.language) || (lim.max_hours && !k.hours) ||
        (lim.max_cost && !k.cost)) {
      allowed[size_t(c)] = 0;
    }
  }
  for (int c = 0; c < n; ++c) {
    bool ok = true;
    for (int p : closure[size_t(c)]) ok = ok && allowed[size_t(p)];
    if (!ok) plan.excluded.push_back(c);
  }
  for (int c : plan.excluded) allowed[size_t(c)] = 0;

  // 2. Objective, with fallback to counting when values are unknown.
  plan.objective = config.objective;
  int unknown = 0, n_allowed = 0;
  for (int c = 0; c < n; ++c) {
    if (!allowed[size_t(c)]) continue;
    ++n_allowed;
    if (config.objective == PlanObjective::kHours && !cands[size_t(c)].hours) ++unknown;
    if (config.objective == PlanObjective::kCost && !cands[size_t(c)].cost) ++unknown;
  }
  if (unknown > 0) {
    plan.objective_note = std::string(to_string(config.objective)) + " unknown for " +
                          std::to_string(unknown) + " of " + std::to_string(n_allowed) +
                          " candidate credentials; minimising the number of credentials instead";
    plan.objective = PlanObjective::kCount;
  }
  std::vector<double> unit(size_t(n), 1.0);
  for (int c = 0; c < n; ++c) {
    if (plan.objective == PlanObjective::kHours) unit[size_t(c)] = cands[size_t(c)].hours.value_or(0);
    if (plan.objective == PlanObjective::kCost) unit[size_t(c)] = cands[size_t(c)].cost.value_or(0);
  }

  // 3. Target.
  Cover cover{&reqs, &cands, 0.0};
  std::vector<double> start(n_req);
  for (size_t r = 0; r < n_req; ++r) {
    cover.total_weight += reqs[r].weight;
    start[r] = reqs[r].current;
  }
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
    return plan;
  }
  if (plan.coverage_before >= plan.target - kEps) {
    plan.status = PlanStatus::kNothingToDo;
    return plan;
  }

  // 4. Relevant candidates: useful ones and their prerequisites; then dominance pruning among
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

  // Shared helpers for both searches.
  auto fits = [&](const Totals& t) {
    return (!lim.max_hours || t.hours <= *lim.max_hours + kEps) &&
           (!lim.max_cost || t.cost <= *lim.max_cost + kEps) &&
           (!lim.max_credentials || t.count <= *lim.max_credentials);
  };
  auto added = [&](Totals t, const std::vector<int>& items) {
    for (int c : items) {
      t.objective += unit[size_t(c)];
      t.hours += cands[size_t(c)].hours.value_or(0);
      t.cost += cands[size_t(c)].cost.value_or(0);
      t.count += 1;
    }
    return t;
  };
  auto missing_closure = [&](int c, const std::vector<char>& selected) {
    std::vector<int> out;
    for (int p : closure[size_t(c)]) if (!selected[size_t(p)]) out.push_back(p);
    return out;
  };
  // Fractional-knapsack lower bound on the cost still needed to reach the target, using
  // candidates in `pool` that are not selected or excluded; kInf if even all cannot reach it.
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

  // 5a. Greedy (also the incumbent of the exact search).
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
        const std::vector<int> items = missing_closure(c, greedy_sel);
        const double g = cover.gain(cov, items);
        if (g <= kEps) continue;
        const Totals t2 = added(t, items);
        if (!fits(t2)) continue;
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
      for (int p : missing_closure(best, greedy_sel)) {
        greedy_sel[size_t(p)] = 1;
        cover.add(cov, p);
        order.push_back(p);
      }
      t = Totals{};
      for (int c = 0; c < n; ++c) if (greedy_sel[size_t(c)]) t = added(t, {c});
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
        std::vector<int> rest;
        for (int o = 0; o < n; ++o) if (greedy_sel[size_t(o)]) rest.push_back(o);
        std::vector<double> cov2 = start;
        for (int o : rest) cover.add(cov2, o);
        if (cover.value(cov2) < plan.target - kEps) greedy_sel[size_t(c)] = 1;
      }
    }
  }

  std::vector<char> chosen(size_t(n), 0);
  const std::vector<char> none(size_t(n), 0);
  plan.lower_bound = bound(start, none, none);
  if (static_cast<int>(decide.size()) <= config.exact_max_candidates) {
    // 5b. Branch and bound over `decide`, best ratio first.
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
      best = added(Totals{}, [&] {
               std::vector<int> v;
               for (int c = 0; c < n; ++c) if (greedy_sel[size_t(c)]) v.push_back(c);
               return v;
             }()).objective;
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
      const std::vector<int> items = missing_closure(c, selected);
      bool blocked = false;
      for (int p : items) blocked = blocked || excluded[size_t(p)];
      const Totals t2 = added(t, items);
      if (!blocked && fits(t2)) {
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
      for (size_t r = 0; r < n_req; ++r) improves += cands[size_t(c)].credit[r] > start[r];
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
    std::string limits;
    if (lim.max_hours) limits += " max_hours=" + fmt(*lim.max_hours);
    if (lim.max_cost) limits += " max_cost=" + fmt(*lim.max_cost);
    if (lim.max_credentials) limits += " max_credentials=" + std::to_string(*lim.max_credentials);
    plan.message = "no set of credentials within the limits (" +
                   (limits.empty() ? std::string("none") : limits.substr(1)) +
                   ") reaches coverage " + percent(plan.target) +
                   (plan.algorithm == "greedy" ? " (greedy search; an exact search might)" : "") +
                   "; relax a limit or lower the target";
    return plan;
  }

  // 6. Order the chosen set: repeatedly the best gain per cost (with its missing prerequisites,
  // prerequisites first).
  std::vector<char> done(size_t(n), 0);
  std::vector<double> cov = start;
  Totals t;
  for (;;) {
    int best = -1;
    double best_ratio = -1;
    for (int c = 0; c < n; ++c) {
      if (!chosen[size_t(c)] || done[size_t(c)]) continue;
      const std::vector<int> items = missing_closure(c, done);
      const double cost = added(Totals{}, items).objective;
      const double g = cover.gain(cov, items);
      const double ratio = cost <= 0 ? kInf : g / cost;
      if (ratio > best_ratio) {
        best = c;
        best_ratio = ratio;
      }
    }
    if (best < 0) break;
    for (int p : missing_closure(best, done)) {
      PlanStep step;
      step.candidate = p;
      step.prerequisite_only = p != best && cover.gain(cov, {p}) <= kEps;
      for (size_t r = 0; r < n_req; ++r) {
        if (cands[size_t(p)].credit[r] > cov[r] + kEps) step.improved.push_back(static_cast<int>(r));
      }
      cover.add(cov, p);
      done[size_t(p)] = 1;
      step.coverage_after = cover.value(cov);
      t = added(t, {p});
      plan.steps.push_back(std::move(step));
    }
  }
  plan.objective_value = t.objective;
  plan.total_hours = t.hours;
  plan.total_cost = t.cost;
  plan.coverage_after = cover.value(cov);
  return plan;
}

}  // namespace credmatch::engine
