// Building a planner problem (plan/planner.h) from a catalog, a job and a worker's gap
// (plan/gap.h). Candidate credentials come from the vector index: the `neighbours` nearest
// competencies of every requirement the worker has not fully covered, kept when they reach the
// partial threshold, plus (transitively) the prerequisites of those credentials. Each
// candidate's credit per requirement is then computed exactly from its competencies' vectors
// with gap_credit(). Credentials the worker completed are never candidates, and are dropped
// from prerequisite lists.
//
// Thread safety: a pure function of its arguments; the catalog's const methods are used.
#pragma once

#include <cstdint>
#include <vector>

#include "catalog/loaded_catalog.h"
#include "plan/gap.h"
#include "plan/planner.h"

namespace credmatch::engine {

struct PathProblem {
  std::vector<PlanRequirement> requirements;  // one per job requirement, current = gap credit
  std::vector<PlanCandidate> candidates;
  std::vector<int32_t> credential;            // candidate i → index into catalog credentials()
};

/// `report` must come from GapAnalyzer::analyze(job, profile) with the same `config`.
/// `extra` (credential indices) are added as candidates even when the index did not retrieve
/// them (for --explain of a named credential). Throws credmatch::Error if neighbours <= 0.
PathProblem build_path_problem(const LoadedCatalog& catalog, const Job& job,
                               const WorkerProfile& profile, const GapReport& report,
                               const GapConfig& config, int neighbours = 64,
                               const std::vector<int32_t>& extra = {});

}  // namespace credmatch::engine
