#include "plan/path.h"

#include <algorithm>

#include "base/error.h"

namespace credmatch::engine {

namespace {

std::vector<PathExplanation> explain_plan(const PathProblem& pp, const Plan& plan) {
  std::vector<int> set;
  for (const auto& s : plan.steps) set.push_back(s.candidate);
  const double full = plan_coverage(pp.requirements, pp.candidates, set);
  std::vector<PathExplanation> out;
  for (int c : set) {
    std::vector<int> rest;
    for (int o : set) {
      if (o != c) rest.push_back(o);
    }
    out.push_back({c, true, full - plan_coverage(pp.requirements, pp.candidates, rest), false});
  }
  std::vector<PathExplanation> rejected;
  for (int c = 0; c < int(pp.candidates.size()); ++c) {
    if (std::find(set.begin(), set.end(), c) != set.end()) continue;
    std::vector<int> more = set;
    more.push_back(c);
    const bool excl =
        std::find(plan.excluded.begin(), plan.excluded.end(), c) != plan.excluded.end();
    rejected.push_back(
        {c, false, plan_coverage(pp.requirements, pp.candidates, more) - full, excl});
  }
  std::stable_sort(rejected.begin(), rejected.end(),
                   [](const auto& a, const auto& b) { return a.delta > b.delta; });
  if (rejected.size() > 3) rejected.resize(3);
  out.insert(out.end(), rejected.begin(), rejected.end());
  return out;
}

}  // namespace

PathOutcome compute_path(const LoadedCatalog& cat, const Job& job, const WorkerProfile& profile,
                         const GapReport& report, const GapConfig& gap_config,
                         const PathOptions& o) {
  const auto objective = parse_plan_objective(o.objective);
  if (!objective) {
    throw Error("objective must be hours, cost or count, got \"" + o.objective + "\"");
  }
  PlanConfig config;
  config.objective = *objective;
  config.limits = profile.constraints;  // explicit options override the profile's constraints
  if (o.max_hours) config.limits.max_hours = o.max_hours;
  if (o.max_cost) config.limits.max_cost = o.max_cost;
  if (o.max_credentials) config.limits.max_credentials = o.max_credentials;
  if (!o.language.empty()) config.limits.language = o.language;
  config.target_coverage = o.target;
  PathOutcome out;
  out.problem = build_path_problem(cat, job, profile, report, gap_config, o.neighbours);
  out.plan = plan_path(out.problem.requirements, out.problem.candidates, config);
  for (const auto& r : out.problem.requirements) out.final_credit.push_back(r.current);
  for (const auto& s : out.plan.steps) {
    for (size_t r = 0; r < out.final_credit.size(); ++r) {
      out.final_credit[r] =
          std::max(out.final_credit[r], out.problem.candidates[size_t(s.candidate)].credit[r]);
    }
  }
  if (o.explain) out.explanations = explain_plan(out.problem, out.plan);
  return out;
}

}  // namespace credmatch::engine
