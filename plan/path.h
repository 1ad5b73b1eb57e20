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
  int neighbours = 64;              // competencies retrieved per open requirement
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
  std::vector<double> final_credit;          // per requirement, after all steps
  std::vector<PathExplanation> explanations; // empty unless options.explain
};

/// Plans the path the way `credmatch path` does. `report` must come from
/// GapAnalyzer(catalog, gap_config).analyze(job, profile). Throws credmatch::Error for an
/// invalid objective or limits.
PathOutcome compute_path(const LoadedCatalog& catalog, const Job& job,
                         const WorkerProfile& profile, const GapReport& report,
                         const GapConfig& gap_config, const PathOptions& options);

}  // namespace credmatch::engine
