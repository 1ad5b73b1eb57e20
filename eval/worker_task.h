// The `worker` task of `credmatch eval` (docs/quality.md, "Worker task"): does a worker's path
// to a job hold programs that prepare for that job? For every labelled O*NET occupation of the
// employer task (data/eval/employer_dev.jsonl.gz: title + Core tasks; relevant = the CIP
// programs the crosswalk links to it) and every worker profile of a profiles file
// (data/eval/worker_profiles.json), the path is planned as `credmatch path` plans it (default
// options: objective hours, goal: close the essential requirements) with each candidate route
// (plan/path_candidates.h), side by side with a peer that takes the top 3 credentials of
// whole-document char TF-IDF as its "plan".
//
// The relevance route uses the models of the employer task fitted without the job's fold
// (out-of-fold, calibrated on the other folds), never the catalog's own model, which was fitted
// on these very jobs. A planned credential is judged when its id has the scheme (the text
// before ':') of some labelled relevant id ("cip2020:"); others (short courses) are counted but
// not judged.
//
//   precision  relevant judged steps / judged steps, over every plan
//   hit rate   plans holding at least one relevant credential / plans
//   length     steps per plan (prerequisites included)
//   coverage   the planner's weighted coverage before and after the plan (plan/planner.h)
//   hours      known hours per plan, and the share of steps of unknown hours
//
// Thread safety: run_worker_task() may be called from one thread at a time per catalog (it
// uses the thread pool itself).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/loaded_catalog.h"
#include "eval/employer_task.h"
#include "plan/path.h"
#include "plan/profile.h"

namespace credmatch::engine {

struct NamedProfile {
  std::string name;
  WorkerProfile profile;
};

/// Reads {"profiles": [{"name", "skills": [...]}, ...]} (other profile fields as
/// plan/profile.h). kNotFound if it cannot be opened, kInvalidArgument naming the field.
Result<std::vector<NamedProfile>> load_worker_profiles(const std::string& path);

struct WorkerTaskConfig {
  std::string jobs_path;      // labelled jobs, as the employer task's
  std::string profiles_path;  // worker profiles
  EmployerTaskConfig employer;  // fits the out-of-fold relevance models (jobs_path is set here)
  PathOptions path;             // options of every plan (candidates.source is set per row)
  GapConfig gap;                // thresholds: the catalog's calibrated ones, set by the caller
};

struct WorkerRow {
  std::string name;
  int64_t plans = 0, steps = 0, judged = 0, relevant = 0, plans_with_relevant = 0;
  int64_t steps_unknown_hours = 0;
  double known_hours = 0;                            // summed over plans
  double coverage_before = 0, coverage_after = 0;    // summed over plans
  bool has_coverage = true;                          // false for the peer

  double precision() const { return judged ? double(relevant) / double(judged) : 0.0; }
  double hit_rate() const { return plans ? double(plans_with_relevant) / double(plans) : 0.0; }
  double mean_length() const { return plans ? double(steps) / double(plans) : 0.0; }
};

struct WorkerReport {
  int64_t jobs = 0, profiles = 0;
  std::vector<WorkerRow> rows;                 // every route and the peer, all profiles
  std::vector<WorkerRow> per_profile;          // the relevance route, one row per profile
  std::vector<std::string> examples;           // a few plans, one line each, for reading
  double seconds = 0;
};

Result<WorkerReport> run_worker_task(const LoadedCatalog& catalog, const WorkerTaskConfig& config);

/// The report as Markdown tables, for `credmatch eval`.
std::string format_worker_report(const WorkerReport& report);

}  // namespace credmatch::engine
