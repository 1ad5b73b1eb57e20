// Planner property tests: on many random small instances (fixed seeds) the exact planner's
// answer equals a brute-force oracle over all subsets, the greedy planner stays within its
// bound, limits hold and impossible constraints give a clear status.
#include "plan/planner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "base/error.h"

namespace credmatch::engine {
namespace {

struct Instance {
  std::vector<PlanRequirement> reqs;
  std::vector<PlanCandidate> cands;
  PlanConfig config;
};

struct Options {
  bool prerequisites = true;
  bool limits = true;
  bool binary = false;  // 0/1 credit, integer weights, no current credit
};

Instance random_instance(std::mt19937& rng, int n_req, int n_cand, const Options& o) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Instance in;
  for (int r = 0; r < n_req; ++r) {
    PlanRequirement q;
    q.weight = o.binary ? 1.0 : (u(rng) < 0.7 ? 1.0 : 0.5);
    q.current = (!o.binary && u(rng) < 0.3) ? std::round(u(rng) * 8) / 10 : 0.0;
    in.reqs.push_back(q);
  }
  for (int c = 0; c < n_cand; ++c) {
    PlanCandidate k;
    k.id = "c" + std::to_string(c);
    k.hours = double(1 + rng() % 20);
    k.cost = double(rng() % 5) * 100;
    k.language = u(rng) < 0.8 ? "en" : "fr";
    for (int r = 0; r < n_req; ++r) {
      const double x = u(rng);
      k.credit.push_back(x < 0.6 ? 0.0 : (o.binary || x > 0.85) ? 1.0 : std::round(u(rng) * 10) / 10);
    }
    if (o.prerequisites && c > 0 && u(rng) < 0.25) {
      k.prerequisites.push_back(static_cast<int>(rng() % unsigned(c)));
    }
    in.cands.push_back(k);
  }
  in.config.goal = PlanGoal::kCoverage;  // the closing goal has its own tests below
  const int obj = static_cast<int>(rng() % 3);
  in.config.objective = obj == 0 ? PlanObjective::kHours : obj == 1 ? PlanObjective::kCost
                                                                    : PlanObjective::kCount;
  if (o.limits) {
    if (u(rng) < 0.3) in.config.limits.max_hours = double(10 + rng() % 40);
    if (u(rng) < 0.2) in.config.limits.max_cost = double(rng() % 6) * 100;
    if (u(rng) < 0.3) in.config.limits.max_credentials = static_cast<int>(1 + rng() % 4);
    if (u(rng) < 0.2) in.config.limits.language = "en";
    if (u(rng) < 0.2) in.config.target_coverage = std::round(u(rng) * 10) / 10;
  }
  return in;
}

double unit_cost(const PlanCandidate& k, PlanObjective obj) {
  return obj == PlanObjective::kHours ? *k.hours : obj == PlanObjective::kCost ? *k.cost : 1.0;
}

// Brute force over all subsets: the minimum objective of a prerequisite-closed subset within
// the limits reaching the target; nullopt when none does. Also returns the reachable coverage.
struct Oracle {
  std::optional<double> best;
  double reachable = 0.0;
  double target = 0.0;
  // Best within the limits: the most coverage, then the least objective.
  double best_coverage = 0.0;
  double best_coverage_cost = 0.0;
};

Oracle oracle(const Instance& in) {
  const int n = static_cast<int>(in.cands.size());
  const auto& lim = in.config.limits;
  auto own_ok = [&](int c) { return lim.language.empty() || in.cands[size_t(c)].language == lim.language; };
  std::vector<char> allowed(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {  // prerequisites have lower indices
    bool ok = own_ok(c);
    for (int p : in.cands[size_t(c)].prerequisites) ok = ok && allowed[size_t(p)];
    allowed[size_t(c)] = ok;
  }
  Oracle o;
  std::vector<int> all;
  for (int c = 0; c < n; ++c) if (allowed[size_t(c)]) all.push_back(c);
  o.reachable = plan_coverage(in.reqs, in.cands, all);
  o.target = in.config.target_coverage.value_or(o.reachable);
  o.best_coverage = plan_coverage(in.reqs, in.cands, {});
  if (o.target > o.reachable + 1e-9) return o;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    std::vector<int> set;
    bool ok = true;
    double obj = 0, hours = 0, cost = 0;
    for (int c = 0; c < n && ok; ++c) {
      if (!(mask >> c & 1u)) continue;
      ok = allowed[size_t(c)];
      for (int p : in.cands[size_t(c)].prerequisites) ok = ok && (mask >> p & 1u);
      set.push_back(c);
      obj += unit_cost(in.cands[size_t(c)], in.config.objective);
      hours += *in.cands[size_t(c)].hours;
      cost += *in.cands[size_t(c)].cost;
    }
    if (!ok) continue;
    if (lim.max_hours && hours > *lim.max_hours + 1e-9) continue;
    if (lim.max_cost && cost > *lim.max_cost + 1e-9) continue;
    if (lim.max_credentials && int(set.size()) > *lim.max_credentials) continue;
    const double cov = plan_coverage(in.reqs, in.cands, set);
    if (cov > o.best_coverage + 1e-9 || (cov > o.best_coverage - 1e-9 && obj < o.best_coverage_cost)) {
      o.best_coverage = cov;
      o.best_coverage_cost = obj;
    }
    if (cov < o.target - 1e-9) continue;
    if (!o.best || obj < *o.best) o.best = obj;
  }
  return o;
}

// The plan's steps form a valid answer: closed, prerequisites first, within limits, reaching
// the target, with totals and coverage that add up.
void expect_valid(const Instance& in, const Plan& plan, bool reaches_target = true) {
  std::vector<int> set;
  std::vector<char> seen(in.cands.size(), 0);
  double obj = 0, hours = 0, cost = 0;
  for (const auto& s : plan.steps) {
    const auto& k = in.cands[size_t(s.candidate)];
    ASSERT_FALSE(seen[size_t(s.candidate)]) << "listed twice: " << k.id;
    for (int p : k.prerequisites) EXPECT_TRUE(seen[size_t(p)]) << k.id << " before its prerequisite";
    seen[size_t(s.candidate)] = 1;
    set.push_back(s.candidate);
    obj += unit_cost(k, plan.objective);
    hours += *k.hours;
    cost += *k.cost;
    EXPECT_NEAR(s.coverage_after, plan_coverage(in.reqs, in.cands, set), 1e-9);
  }
  const auto& lim = in.config.limits;
  if (lim.max_hours) {
    EXPECT_LE(hours, *lim.max_hours + 1e-9);
  }
  if (lim.max_cost) {
    EXPECT_LE(cost, *lim.max_cost + 1e-9);
  }
  if (lim.max_credentials) {
    EXPECT_LE(int(set.size()), *lim.max_credentials);
  }
  if (!lim.language.empty()) {
    for (int c : set) EXPECT_EQ(in.cands[size_t(c)].language, lim.language);
  }
  EXPECT_NEAR(plan.objective_value, obj, 1e-9);
  EXPECT_NEAR(plan.total_hours, hours, 1e-9);
  EXPECT_NEAR(plan.coverage_after, plan_coverage(in.reqs, in.cands, set), 1e-9);
  if (reaches_target) {
    EXPECT_GE(plan_coverage(in.reqs, in.cands, set), plan.target - 1e-9);
  }
}

TEST(Planner, ExactMatchesBruteForceOracleOnRandomSmallInstances) {
  std::mt19937 rng(20261128);
  int optimal = 0, infeasible = 0, nothing = 0, within = 0;
  for (int i = 0; i < 3000; ++i) {
    const Instance in = random_instance(rng, 1 + int(rng() % 6), 1 + int(rng() % 11), Options{});
    const Oracle o = oracle(in);
    const Plan plan = plan_path(in.reqs, in.cands, in.config);
    SCOPED_TRACE("instance " + std::to_string(i));
    EXPECT_NEAR(plan.reachable, o.reachable, 1e-9);
    if (!o.best) {
      // Within the limits the target is out of reach: the best plan within them, if any helps.
      EXPECT_FALSE(plan.message.empty());
      const double start = plan_coverage(in.reqs, in.cands, {});
      if (o.target <= o.reachable + 1e-9 && o.best_coverage > start + 1e-9) {
        ASSERT_EQ(plan.status, PlanStatus::kBestWithinLimits) << plan.message;
        EXPECT_TRUE(plan.best_within_limits_exact);
        EXPECT_NEAR(plan.coverage_after, o.best_coverage, 1e-9);
        EXPECT_NEAR(plan.objective_value, o.best_coverage_cost, 1e-9);
        expect_valid(in, plan, /*reaches_target=*/false);
        ++within;
      } else {
        EXPECT_EQ(plan.status, PlanStatus::kInfeasible);
        EXPECT_TRUE(plan.steps.empty());
      }
      ++infeasible;
    } else if (*o.best == 0.0 && plan.status == PlanStatus::kNothingToDo) {
      ++nothing;
    } else {
      ASSERT_EQ(plan.status, PlanStatus::kOptimal) << plan.message;
      EXPECT_NEAR(plan.objective_value, *o.best, 1e-9);
      EXPECT_NEAR(plan.lower_bound, *o.best, 1e-9);
      expect_valid(in, plan);
      ++optimal;
    }
  }
  // The generator exercises every outcome.
  EXPECT_GT(optimal, 1500);
  EXPECT_GT(infeasible, 50);
  EXPECT_GT(nothing, 10);
  EXPECT_GT(within, 50);
}

TEST(Planner, GreedyStaysWithinTheHarmonicBoundOnUnweightedSetCover) {
  std::mt19937 rng(7);
  Options o;
  o.prerequisites = false;
  o.limits = false;
  o.binary = true;
  for (int i = 0; i < 1500; ++i) {
    Instance in = random_instance(rng, 1 + int(rng() % 8), 1 + int(rng() % 11), o);
    const Oracle best = oracle(in);
    in.config.exact_max_candidates = 0;  // force greedy
    const Plan plan = plan_path(in.reqs, in.cands, in.config);
    SCOPED_TRACE("instance " + std::to_string(i));
    ASSERT_TRUE(best.best.has_value());
    if (plan.status == PlanStatus::kNothingToDo) continue;
    ASSERT_EQ(plan.status, PlanStatus::kGreedy);
    expect_valid(in, plan);
    EXPECT_GE(plan.objective_value, *best.best - 1e-9);
    EXPECT_LE(plan.objective_value, plan.greedy_bound * *best.best + 1e-9);
    EXPECT_LE(plan.lower_bound, *best.best + 1e-9);
  }
}

TEST(Planner, GreedyPlansAreValidWithPartialCreditPrerequisitesAndLimits) {
  std::mt19937 rng(11);
  for (int i = 0; i < 1500; ++i) {
    Instance in = random_instance(rng, 1 + int(rng() % 6), 1 + int(rng() % 11), Options{});
    const Oracle best = oracle(in);
    in.config.exact_max_candidates = 0;
    const Plan plan = plan_path(in.reqs, in.cands, in.config);
    SCOPED_TRACE("instance " + std::to_string(i));
    if (plan.status != PlanStatus::kGreedy) continue;
    expect_valid(in, plan);
    ASSERT_TRUE(best.best.has_value());  // greedy found one, so one exists
    EXPECT_GE(plan.objective_value, *best.best - 1e-9);
    EXPECT_LE(plan.lower_bound, *best.best + 1e-9);
  }
}

// The closing goal, by its definition (planner.h), brute force: which requirements must be
// closed, at what level, and the cheapest closed subset within the limits closing them all; if
// none, the subsets closing the most weight, cheapest first.
struct CloseOracle {
  std::vector<int> to_close;
  std::optional<double> best;    // cheapest objective closing every requirement in to_close
  double most_closed = 0.0;      // weight of to_close closed by the best subset within limits
  double most_closed_cost = 0.0;
  double start_closed = 0.0;     // weight closed by the worker already
};

CloseOracle close_oracle(const Instance& in) {
  const int n = static_cast<int>(in.cands.size());
  const auto& lim = in.config.limits;
  std::vector<char> allowed(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {
    bool ok = lim.language.empty() || in.cands[size_t(c)].language == lim.language;
    for (int p : in.cands[size_t(c)].prerequisites) ok = ok && allowed[size_t(p)];
    allowed[size_t(c)] = ok;
  }
  CloseOracle o;
  std::vector<double> level(in.reqs.size(), 2.0);
  for (size_t r = 0; r < in.reqs.size(); ++r) {
    double best = 0.0;
    for (int c = 0; c < n; ++c) if (allowed[size_t(c)]) best = std::max(best, in.cands[size_t(c)].credit[r]);
    const auto& q = in.reqs[r];
    if (best >= q.current + in.config.min_gain - 1e-9 && q.weight > 0 &&
        (q.essential || in.config.close_optional)) {
      o.to_close.push_back(int(r));
      level[r] = best - in.config.min_gain;
    }
  }
  auto closed_weight = [&](const std::vector<int>& set) {
    double w = 0.0;
    for (int r : o.to_close) {
      double v = in.reqs[size_t(r)].current;
      for (int c : set) v = std::max(v, in.cands[size_t(c)].credit[size_t(r)]);
      if (v >= level[size_t(r)] - 1e-9) w += 1.0;  // requirements closed (unweighted)
    }
    return w;
  };
  double all = 0.0;
  all = double(o.to_close.size());
  o.start_closed = o.most_closed = closed_weight({});
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    std::vector<int> set;
    bool ok = true;
    double obj = 0, hours = 0, cost = 0;
    for (int c = 0; c < n && ok; ++c) {
      if (!(mask >> c & 1u)) continue;
      ok = allowed[size_t(c)];
      for (int p : in.cands[size_t(c)].prerequisites) ok = ok && (mask >> p & 1u);
      set.push_back(c);
      obj += unit_cost(in.cands[size_t(c)], in.config.objective);
      hours += *in.cands[size_t(c)].hours;
      cost += *in.cands[size_t(c)].cost;
    }
    if (!ok || (lim.max_hours && hours > *lim.max_hours + 1e-9) ||
        (lim.max_cost && cost > *lim.max_cost + 1e-9) ||
        (lim.max_credentials && int(set.size()) > *lim.max_credentials)) {
      continue;
    }
    const double w = closed_weight(set);
    if (w > o.most_closed + 1e-9 || (w > o.most_closed - 1e-9 && obj < o.most_closed_cost)) {
      o.most_closed = w;
      o.most_closed_cost = obj;
    }
    if (w >= all - 1e-9 && (!o.best || obj < *o.best)) o.best = obj;
  }
  return o;
}

TEST(Planner, ClosingRequirementsMatchesBruteForceOracleOnRandomSmallInstances) {
  std::mt19937 rng(4242);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int optimal = 0, within = 0, infeasible = 0, nothing = 0;
  for (int i = 0; i < 3000; ++i) {
    Instance in = random_instance(rng, 1 + int(rng() % 6), 1 + int(rng() % 11), Options{});
    in.config.goal = PlanGoal::kCloseRequirements;
    in.config.target_coverage.reset();
    in.config.min_gain = 0.1 * double(1 + rng() % 3);
    in.config.close_optional = u(rng) < 0.3;
    for (auto& q : in.reqs) q.essential = u(rng) < 0.7;
    const CloseOracle o = close_oracle(in);
    const Plan plan = plan_path(in.reqs, in.cands, in.config);
    SCOPED_TRACE("instance " + std::to_string(i));
    EXPECT_EQ(plan.goal, PlanGoal::kCloseRequirements);
    EXPECT_EQ(plan.to_close, o.to_close);
    if (o.start_closed >= double(o.to_close.size()) - 1e-9) {  // the worker closes them all
      EXPECT_EQ(plan.status, PlanStatus::kNothingToDo);
      EXPECT_TRUE(plan.steps.empty());
      ++nothing;
    } else if (o.best) {
      ASSERT_EQ(plan.status, PlanStatus::kOptimal) << plan.message;
      EXPECT_NEAR(plan.objective_value, *o.best, 1e-9);
      EXPECT_TRUE(plan.left_open.empty());
      expect_valid(in, plan);
      ++optimal;
    } else if (o.most_closed > o.start_closed + 1e-9) {
      ASSERT_EQ(plan.status, PlanStatus::kBestWithinLimits) << plan.message;
      EXPECT_TRUE(plan.best_within_limits_exact);
      EXPECT_NEAR(plan.objective_value, o.most_closed_cost, 1e-9);
      EXPECT_FALSE(plan.left_open.empty());
      EXPECT_NE(plan.message.find("left open"), std::string::npos) << plan.message;
      expect_valid(in, plan, /*reaches_target=*/false);
      ++within;
    } else {
      EXPECT_EQ(plan.status, PlanStatus::kInfeasible);
      EXPECT_TRUE(plan.steps.empty());
      ++infeasible;
    }
  }
  EXPECT_GT(optimal, 1000);
  EXPECT_GT(within, 50);
  EXPECT_GT(infeasible, 10);
  EXPECT_GT(nothing, 10);
}

TEST(Planner, ClosingGreedyStaysWithinTheHarmonicBound) {
  // Without prerequisites and limits the closing goal is plain set cover, where greedy's cost
  // is at most H(d) times the optimum.
  std::mt19937 rng(99);
  Options opt;
  opt.prerequisites = false;
  opt.limits = false;
  for (int i = 0; i < 1500; ++i) {
    Instance in = random_instance(rng, 1 + int(rng() % 8), 1 + int(rng() % 11), opt);
    in.config.goal = PlanGoal::kCloseRequirements;
    const CloseOracle o = close_oracle(in);
    in.config.exact_max_candidates = 0;
    const Plan plan = plan_path(in.reqs, in.cands, in.config);
    SCOPED_TRACE("instance " + std::to_string(i));
    ASSERT_TRUE(o.best.has_value());
    if (plan.status == PlanStatus::kNothingToDo) continue;
    ASSERT_EQ(plan.status, PlanStatus::kGreedy);
    expect_valid(in, plan);
    EXPECT_TRUE(plan.left_open.empty());
    EXPECT_GE(plan.objective_value, *o.best - 1e-9);
    EXPECT_LE(plan.objective_value, plan.greedy_bound * *o.best + 1e-9);
    EXPECT_LE(plan.lower_bound, *o.best + 1e-9);
  }
}

PlanCandidate cand(std::string id, double hours, std::vector<double> credit,
                   std::vector<int> prereqs = {}) {
  PlanCandidate k;
  k.id = std::move(id);
  k.hours = hours;
  k.cost = 0;
  k.language = "en";
  k.credit = std::move(credit);
  k.prerequisites = std::move(prereqs);
  return k;
}

TEST(Planner, AddsPrerequisitesFirstAndCountsTheirHours) {
  const std::vector<PlanRequirement> reqs(2);
  const std::vector<PlanCandidate> cands = {cand("intro", 3, {0, 0}),
                                            cand("advanced", 5, {1, 1}, {0}),
                                            cand("separate", 10, {1, 1})};
  const Plan plan = plan_path(reqs, cands, PlanConfig{});
  ASSERT_EQ(plan.status, PlanStatus::kOptimal);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].candidate, 0);
  EXPECT_TRUE(plan.steps[0].prerequisite_only);
  EXPECT_EQ(plan.steps[1].candidate, 1);
  EXPECT_DOUBLE_EQ(plan.objective_value, 8.0);
  EXPECT_DOUBLE_EQ(plan.coverage_after, 1.0);
}

TEST(Planner, FallsBackToCountingWhenHoursAreUnknown) {
  const std::vector<PlanRequirement> reqs(2);
  std::vector<PlanCandidate> cands = {cand("a", 1, {1, 0}), cand("b", 1, {0, 1}),
                                      cand("ab", 1, {1, 1})};
  cands[2].hours.reset();
  const Plan plan = plan_path(reqs, cands, PlanConfig{});
  EXPECT_EQ(plan.objective, PlanObjective::kCount);
  EXPECT_NE(plan.objective_note.find("hours unknown for 1 of 3"), std::string::npos);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].candidate, 2);
}

TEST(Planner, ClosingIgnoresTinyGainsAndReportsWhatCannotBeImproved) {
  // r0: best credit 0.95, so anything >= 0.85 closes it: "big" (0.9, 10 h) or "cheap" (0.95,
  // 1 h). r1: no candidate raises it. r2: optional, closed only on request.
  std::vector<PlanRequirement> reqs(3);
  reqs[2].essential = false;
  reqs[2].weight = 0.5;
  const std::vector<PlanCandidate> cands = {cand("big", 10, {0.9, 0, 0.4}),
                                            cand("cheap", 1, {0.95, 0, 0}),
                                            cand("opt", 1, {0, 0, 1})};
  const Plan plan = plan_path(reqs, cands, PlanConfig{});
  ASSERT_EQ(plan.status, PlanStatus::kOptimal);
  EXPECT_EQ(plan.to_close, std::vector<int>({0}));
  EXPECT_EQ(plan.not_improvable, std::vector<int>({1}));
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].candidate, 1);
  PlanConfig all;
  all.close_optional = true;
  const Plan with_optional = plan_path(reqs, cands, all);
  EXPECT_EQ(with_optional.to_close, std::vector<int>({0, 2}));
  EXPECT_EQ(with_optional.steps.size(), 2u);
}

TEST(Planner, ReportsImpossibleLimitsClearly) {
  const std::vector<PlanRequirement> reqs(1);
  const std::vector<PlanCandidate> cands = {cand("long", 100, {1})};
  PlanConfig config;
  config.limits.max_hours = 10;
  const Plan plan = plan_path(reqs, cands, config);
  EXPECT_EQ(plan.status, PlanStatus::kInfeasible);
  EXPECT_NE(plan.message.find("max_hours=10"), std::string::npos) << plan.message;
  config.limits = {};
  config.target_coverage = 1.0;
  const std::vector<PlanCandidate> weak = {cand("weak", 1, {0.5})};
  const Plan p2 = plan_path(reqs, weak, config);
  EXPECT_EQ(p2.status, PlanStatus::kInfeasible);
  EXPECT_NE(p2.message.find("exceeds"), std::string::npos) << p2.message;
}

TEST(Planner, NothingToDoWhenNoCandidateImprovesCoverage) {
  const std::vector<PlanRequirement> reqs(1);
  const Plan plan = plan_path(reqs, {}, PlanConfig{});
  EXPECT_EQ(plan.status, PlanStatus::kNothingToDo);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_DOUBLE_EQ(plan.coverage_after, 0.0);
}

TEST(Planner, RejectsMalformedInputWithError) {
  const std::vector<PlanRequirement> reqs(2);
  EXPECT_THROW(plan_path(reqs, {cand("a", 1, {1})}, PlanConfig{}), Error);
  EXPECT_THROW(plan_path(reqs, {cand("a", 1, {1, 0}, {0})}, PlanConfig{}), Error);
  EXPECT_THROW(plan_path(reqs, {cand("a", 1, {1, 0}, {1}), cand("b", 1, {0, 1}, {0})},
                         PlanConfig{}),
               Error);
  PlanConfig bad;
  bad.target_coverage = 1.5;
  EXPECT_THROW(plan_path(reqs, {}, bad), Error);
}

TEST(Planner, HandlesLargeInstancesWithGreedyQuickly) {
  std::mt19937 rng(3);
  Options o;
  o.limits = false;
  const Instance in = random_instance(rng, 40, 300, o);
  const Plan plan = plan_path(in.reqs, in.cands, in.config);
  EXPECT_EQ(plan.algorithm, "greedy");
  ASSERT_EQ(plan.status, PlanStatus::kGreedy);
  expect_valid(in, plan);
  EXPECT_GT(plan.greedy_bound, 1.0);
  EXPECT_LE(plan.lower_bound, plan.objective_value + 1e-9);
}

}  // namespace
}  // namespace credmatch::engine
