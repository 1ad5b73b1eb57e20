#include "plan/planner.h"

#include <algorithm>
#include <cmath>

#include "plan/planner_internal.h"

namespace credmatch::engine {
namespace {

using namespace plan_detail;

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
