// Planning a worker's path to a job the way `credmatch path`, POST /v1/path and the Python
// module do: candidates from the gap report (plan/path_candidates.h), the planner
// (plan/planner.h) with the caller's objective and limits, the credit after the plan, and
// optionally the coverage change of each chosen credential and of the best rejected ones.
//
// Thread safety: compute_path() is pure (the catalog is only read).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/loaded_catalog.h"
#include "plan/gap.h"
#include "plan/path_candidates.h"
#include "plan/planner.h"
#include "plan/profile.h"

namespace credmatch::engine {

/// Knobs of `credmatch path` (flags) and POST /v1/path (body fields of the same names).
struct PathOptions {
  std::string objective = "hours";  // "hours", "cost" or "count"
  std::optional<double> max_hours, max_cost, target;  // override the profile's constraints
  std::optional<int> max_credentials;
  std::string language;             // only credentials in this language; empty = profile's
  bool explain = false;             // coverage change of chosen and best rejected credentials
  PathCandidateConfig candidates;   // where candidates come from (plan/path_candidates.h)
  /// Relevance route: the plan starts with the candidate most related to the job that the
  /// limits allow (with its prerequisites), and closes the rest of the gap from there: a
  /// worker's path holds the program about the job, not only what fills requirement gaps.
  bool anchor = true;
};

/// Coverage change of a chosen credential (coverage lost without it) or of one of the three
/// best rejected ones (coverage gained by adding it).
struct PathExplanation {
  int candidate = -1;  // index into PathOutcome::problem.candidates
  bool chosen = false;
  double delta = 0.0;
  bool excluded = false;  // rejected because of the limits (language, unknown values)
};

struct PathOutcome {
  PathProblem problem;
  Plan plan;
  /// The candidate the plan starts from (PathOptions::anchor), or -1.
  int anchor = -1;
  /// The languages candidates were kept to (PathCandidateConfig::languages; empty: any).
  std::vector<std::string> languages;
  std::vector<double> final_credit;          // per requirement, after all steps
  std::vector<PathExplanation> explanations; // empty unless options.explain
};

/// Known totals of a plan and how many of its steps have no value: a total of known hours
/// alone would read as the whole plan's length.
struct PlanTotals {
  double hours = 0, cost = 0;
  int unknown_hours = 0, unknown_cost = 0, steps = 0;
  std::string currency;         // of the known costs
  bool mixed_currencies = false;  // then `cost` is not a meaningful sum
};
PlanTotals plan_totals(const LoadedCatalog& catalog, const PathOutcome& outcome);
/// "7.4 h", "7.4 h + 2 credentials of unknown length", "length unknown (3 credentials)".
std::string hours_text(const PlanTotals& totals);
/// The same for the cost ("0 USD + 2 credentials of unknown cost", or "costs in several
/// currencies").
std::string cost_text(const PlanTotals& totals);

/// Plans the path the way `credmatch path` does. `report` must come from
/// GapAnalyzer(catalog, gap_config).analyze(job, profile). Throws credmatch::Error for an
/// invalid objective or limits.
PathOutcome compute_path(const LoadedCatalog& catalog, const Job& job,
                         const WorkerProfile& profile, const GapReport& report,
                         const GapConfig& gap_config, const PathOptions& options);

}  // namespace credmatch::engine
