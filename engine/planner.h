// Planner: chooses credentials that close a worker's gap (engine/gap.h) at minimum total cost,
// under limits. Independent of the catalog, so that it can be checked against a brute-force
// oracle (tests/planner_test.cc); tools build its input from a GapReport and the index.
//
// Model (weighted set cover with partial credit, a submodular cover problem):
//   coverage(S) = sum_r w_r * max(current_r, max_{c in S} credit_{c,r}) / sum_r w_r
//   cost(S)     = sum_{c in S} cost_c      (hours, money or 1 each: PlanObjective)
//   S must be closed under prerequisites: choosing c adds its unchosen prerequisites (and
//   theirs), whose cost, hours and count enter the totals and the limits.
//   Goal: coverage(S) >= target at minimum cost(S), within the limits, where target is the
//   coverage reachable with every allowed candidate (or PlanConfig::target_coverage if set).
//
// Algorithms:
//   * exact branch and bound when at most `exact_max_candidates` candidates remain after
//     dominance pruning; the lower bound is the fractional-knapsack relaxation (each unchosen
//     candidate's own gain per unit cost; valid because coverage is submodular);
//   * greedy otherwise: repeatedly add the candidate (with its missing prerequisites) of best
//     coverage gain per unit cost. With 0/1 credit, no prerequisites and no limits its cost is
//     within H(d) = 1 + 1/2 + ... + 1/d of the optimum, d = the most requirements one candidate
//     improves (Chvátal 1979); with partial credit that bound is heuristic (Wolsey 1982 gives
//     one in terms of the smallest gain). Plan::lower_bound bounds the optimum from below.
//
// Objective fallback: minimising hours (or cost) needs every allowed candidate's hours (or
// cost). When some are unknown the planner minimises the number of credentials instead and
// says so in Plan::objective_note. Candidates of unknown hours (cost) are excluded when a
// max_hours (max_cost) limit is set, since they cannot be shown to respect it.
//
// Thread safety: plan() is a pure function; call it from several threads freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/profile.h"

namespace credmatch::engine {

enum class PlanObjective { kHours, kCost, kCount };
std::string_view to_string(PlanObjective objective);
/// "hours" / "cost" / "count"; nullopt otherwise.
std::optional<PlanObjective> parse_plan_objective(std::string_view s);

struct PlanRequirement {
  double weight = 1.0;   // >= 0
  double current = 0.0;  // credit the worker already has, 0..1
};

struct PlanCandidate {
  std::string id;
  std::optional<double> hours;  // >= 0; unknown when absent
  std::optional<double> cost;   // >= 0; unknown when absent
  std::string language;
  std::vector<double> credit;      // per requirement, 0..1 (size = number of requirements)
  std::vector<int> prerequisites;  // indices into the candidate list; held ones left out
};

struct PlanConfig {
  PlanObjective objective = PlanObjective::kHours;
  ProfileConstraints limits;
  /// Coverage to reach, 0..1; absent = the most the allowed candidates can reach.
  std::optional<double> target_coverage;
  int exact_max_candidates = 25;  // above this, greedy
  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

enum class PlanStatus {
  kOptimal,      // exact search: no cheaper plan reaches the target within the limits
  kGreedy,       // greedy plan; optimality gap at most cost - lower_bound
  kNothingToDo,  // the target is already reached (or nothing can improve coverage)
  kInfeasible,   // no plan within the limits reaches the target (see message)
};
std::string_view to_string(PlanStatus status);

struct PlanStep {
  int candidate = -1;               // index into the candidate list
  bool prerequisite_only = false;   // added only as a prerequisite of a later step
  double coverage_after = 0.0;      // 0..1, after this step
  std::vector<int> improved;        // requirements whose credit this step raised
};

struct Plan {
  PlanStatus status = PlanStatus::kNothingToDo;
  std::string message;              // why infeasible, or empty
  PlanObjective objective = PlanObjective::kHours;  // the objective actually minimised
  std::string objective_note;       // fallback explanation; empty when none
  std::string algorithm;            // "exact (branch and bound)" or "greedy"
  std::vector<PlanStep> steps;      // prerequisites before the credentials needing them
  double objective_value = 0.0;     // total of the objective over the steps
  double lower_bound = 0.0;         // no plan reaching the target costs less
  double greedy_bound = 0.0;        // H(d) (greedy only; see above), else 0
  double total_hours = 0.0, total_cost = 0.0;  // over steps with known values
  double coverage_before = 0.0, coverage_after = 0.0, target = 0.0, reachable = 0.0;
  std::vector<int> excluded;        // candidates excluded by language or unknown limit values
  int64_t nodes = 0;                // branch-and-bound nodes (or greedy rounds)
};

/// Plans a path. Throws credmatch::Error when the input is malformed (credit sizes differ from
/// the requirement count, values out of range, a prerequisite index out of range or a
/// prerequisite cycle); every outcome for valid input is a Plan with a status.
Plan plan_path(const std::vector<PlanRequirement>& requirements,
               const std::vector<PlanCandidate>& candidates, const PlanConfig& config);

/// Weighted coverage of `chosen` (candidate indices; prerequisites are not added).
double plan_coverage(const std::vector<PlanRequirement>& requirements,
                     const std::vector<PlanCandidate>& candidates, const std::vector<int>& chosen);

}  // namespace credmatch::engine
