// Planner: chooses credentials that close a worker's gap (plan/gap.h) at minimum total cost,
// under limits. Independent of the catalog, so that it can be checked against a brute-force
// oracle (tests/planner_test.cc); tools build its input from a GapReport and the index.
//
// Model (weighted set cover with partial credit, a submodular cover problem):
//   coverage(S) = sum_r w_r * max(current_r, max_{c in S} credit_{c,r}) / sum_r w_r
//   cost(S)     = sum_{c in S} cost_c      (hours, money or 1 each: PlanObjective)
//   S must be closed under prerequisites: choosing c adds its unchosen prerequisites (and
//   theirs), whose cost, hours and count enter the totals and the limits.
//   Goal (PlanGoal): by default close requirements: for each essential requirement r that some
//   allowed candidate raises by at least min_gain, let best_r be the highest credit any allowed
//   candidate gives r; S must bring r to at least best_r - min_gain. This is a 0/1 set cover
//   (candidate c closes r or not), solved at minimum cost(S) within the limits; tiny partial
//   gains no longer cost a credential each, and requirements the catalog cannot improve do not
//   drive the plan. With PlanConfig::target_coverage set (or PlanGoal::kCoverage): coverage(S)
//   >= target at minimum cost(S), target defaulting to the most the allowed candidates reach.
//   When the limits make the goal impossible the plan is the best within the limits (most
//   coverage of the goal, then least cost): PlanStatus::kBestWithinLimits.
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

#include "plan/profile.h"

namespace credmatch::engine {

enum class PlanObjective { kHours, kCost, kCount };
std::string_view to_string(PlanObjective objective);
/// "hours" / "cost" / "count"; nullopt otherwise.
std::optional<PlanObjective> parse_plan_objective(std::string_view s);

struct PlanRequirement {
  double weight = 1.0;   // >= 0
  double current = 0.0;  // credit the worker already has, 0..1
  bool essential = true;  // kCloseRequirements closes essential ones (and optional ones on request)
};

struct PlanCandidate {
  std::string id;
  std::optional<double> hours;  // >= 0; unknown when absent
  std::optional<double> cost;   // >= 0; unknown when absent
  std::string language;
  std::vector<double> credit;      // per requirement, 0..1 (size = number of requirements)
  std::vector<int> prerequisites;  // indices into the candidate list; held ones left out
};

/// What a plan must achieve (see the file comment).
enum class PlanGoal {
  /// Close every requirement some allowed candidate can raise by at least min_gain: bring it to
  /// within min_gain of the best credit any allowed candidate gives it. Requirements no
  /// candidate raises by min_gain are left as they are (and reported).
  kCloseRequirements,
  /// Reach coverage(S) >= target_coverage (absent: the most the allowed candidates reach).
  kCoverage,
};
std::string_view to_string(PlanGoal goal);

struct PlanConfig {
  PlanObjective objective = PlanObjective::kHours;
  ProfileConstraints limits;
  PlanGoal goal = PlanGoal::kCloseRequirements;
  /// Coverage to reach, 0..1. Setting it selects PlanGoal::kCoverage.
  std::optional<double> target_coverage;
  /// kCloseRequirements: smallest credit gain on one requirement worth a credential (0..1), and
  /// how far below the best reachable credit still counts as closed.
  double min_gain = 0.1;
  /// kCloseRequirements: also close optional requirements (default: essential ones only;
  /// optional ones still gain coverage from the credentials chosen).
  bool close_optional = false;
  int exact_max_candidates = 25;  // above this, greedy
  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

enum class PlanStatus {
  kOptimal,      // exact search: no cheaper plan reaches the target within the limits
  kGreedy,       // greedy plan; optimality gap at most cost - lower_bound
  kNothingToDo,  // the target is already reached (or nothing can improve coverage)
  kInfeasible,   // no plan within the limits reaches the target (see message)
  /// The limits do not allow the goal: the steps are the best plan within them (most coverage,
  /// or most requirements closed, then least cost; exact when few candidates, else greedy),
  /// and message says what is left.
  kBestWithinLimits,
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
  // kCloseRequirements only (requirement indices):
  PlanGoal goal = PlanGoal::kCloseRequirements;
  // (Plan::target is then the coverage with each of them exactly at best_r - min_gain.)
  std::vector<int> to_close;        // requirements the goal asked to close
  std::vector<int> left_open;       // of to_close, not closed by the steps (kBestWithinLimits)
  std::vector<int> not_improvable;  // below full credit, but no allowed candidate raises them
                                    // by min_gain (uncoverable with this catalog and limits)
  bool best_within_limits_exact = false;  // kBestWithinLimits: the search was exhaustive
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
