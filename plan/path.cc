#include "plan/path.h"

#include <algorithm>
#include <cstdio>

#include "base/error.h"
#include "plan/planner_internal.h"

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

// The most related candidate that the planner would allow, with its prerequisite closure
// within the limits (plan_detail::prepare's rules: language, known values for the limits
// set, totals that fit), or -1; `closure` gets that closure, prerequisites first.
int choose_anchor(const PathProblem& pp, const PlanConfig& config, std::vector<int>* closure) {
  const auto& cands = pp.candidates;
  const plan_detail::Prepared prep = plan_detail::prepare(cands, config);
  std::vector<int> order;
  for (int c = 0; c < int(cands.size()); ++c) {
    if (pp.relevance[size_t(c)] && prep.allowed[size_t(c)]) order.push_back(c);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return *pp.relevance[size_t(a)] > *pp.relevance[size_t(b)];
  });
  for (int best : order) {
    const std::vector<int>& items = prep.closure[size_t(best)];
    if (plan_detail::fits(plan_detail::added({}, items, cands, prep), config.limits)) {
      *closure = items;
      return best;
    }
  }
  closure->clear();
  return -1;
}

// Plans the rest of the gap after `closure` (taken first, in order) and puts both together.
Plan plan_from_anchor(const PathProblem& pp, const PlanConfig& config, const std::vector<int>& closure) {
  std::vector<PlanRequirement> reqs = pp.requirements;
  std::vector<PlanCandidate> cands = pp.candidates;
  std::vector<char> taken(cands.size(), 0);
  for (int c : closure) taken[size_t(c)] = 1;
  PlanConfig rest = config;
  std::vector<PlanStep> first;
  const double before = plan_coverage(reqs, cands, {});
  double hours = 0, cost = 0;
  for (int c : closure) {
    PlanStep step;
    step.candidate = c;
    step.prerequisite_only = c != closure.back();
    for (size_t r = 0; r < reqs.size(); ++r) {
      if (cands[size_t(c)].credit[r] > reqs[r].current + 1e-9) {
        step.improved.push_back(int(r));
        reqs[r].current = cands[size_t(c)].credit[r];
      }
    }
    step.coverage_after = plan_coverage(reqs, cands, {});
    first.push_back(std::move(step));
    hours += cands[size_t(c)].hours.value_or(0);
    cost += cands[size_t(c)].cost.value_or(0);
  }
  // Taken credentials: nothing more to give, and no longer anyone's missing prerequisite.
  for (size_t c = 0; c < cands.size(); ++c) {
    if (taken[c]) std::fill(cands[c].credit.begin(), cands[c].credit.end(), 0.0);
    auto& pre = cands[c].prerequisites;
    pre.erase(std::remove_if(pre.begin(), pre.end(), [&](int p) { return taken[size_t(p)] != 0; }),
              pre.end());
  }
  if (rest.limits.max_hours) rest.limits.max_hours = *rest.limits.max_hours - hours;
  if (rest.limits.max_cost) rest.limits.max_cost = *rest.limits.max_cost - cost;
  if (rest.limits.max_credentials) rest.limits.max_credentials = *rest.limits.max_credentials - int(closure.size());
  Plan plan = plan_path(reqs, cands, rest);
  double unit = double(closure.size());
  if (plan.objective == PlanObjective::kHours) unit = hours;
  if (plan.objective == PlanObjective::kCost) unit = cost;
  if (plan.status == PlanStatus::kNothingToDo || plan.status == PlanStatus::kInfeasible) {
    // The anchor alone: it closes what the candidates can close, or the limits leave no room
    // for more.
    if (plan.status == PlanStatus::kInfeasible) {
      plan.status = PlanStatus::kBestWithinLimits;
      plan.message = "the limits (" + plan_detail::limits_text(config.limits) +
                     ") leave room for the most related credential only";
    } else {
      plan.status = PlanStatus::kOptimal;
      plan.message.clear();
    }
    plan.algorithm = "the credential most related to the job";
    plan.steps.clear();
    plan.lower_bound = plan.objective_value = 0;
    plan.total_hours = plan.total_cost = 0;
  }
  // The planner's message names the limits left after the anchor; the worker set the whole.
  if (const std::string left = "(" + plan_detail::limits_text(rest.limits) + ")",
      whole = "(" + plan_detail::limits_text(config.limits) + ")";
      left != whole) {
    for (size_t at = plan.message.find(left); at != std::string::npos;
         at = plan.message.find(left, at + whole.size())) {
      plan.message.replace(at, left.size(), whole);
    }
    if (!plan.message.empty() && plan.message.find("most related") == std::string::npos) {
      plan.message += ", after the most related credential";
    }
  }
  plan.steps.insert(plan.steps.begin(), first.begin(), first.end());
  plan.objective_value += unit;
  plan.lower_bound += unit;
  plan.total_hours += hours;
  plan.total_cost += cost;
  plan.coverage_before = before;
  plan.coverage_after = plan.steps.empty() ? before : std::max(plan.coverage_after, first.back().coverage_after);
  plan.excluded.erase(std::remove_if(plan.excluded.begin(), plan.excluded.end(),
                                     [&](int c) { return taken[size_t(c)] != 0; }),
                      plan.excluded.end());
  return plan;
}

}  // namespace

PlanTotals plan_totals(const LoadedCatalog& catalog, const PathOutcome& outcome) {
  PlanTotals t;
  for (const PlanStep& s : outcome.plan.steps) {
    const Credential& c =
        catalog.credentials()[size_t(outcome.problem.credential[size_t(s.candidate)])];
    ++t.steps;
    if (c.hours) t.hours += *c.hours; else ++t.unknown_hours;
    if (!c.cost) {
      ++t.unknown_cost;
      continue;
    }
    t.cost += *c.cost;
    if (t.currency.empty()) {
      t.currency = c.currency;
    } else if (c.currency != t.currency) {
      t.mixed_currencies = true;
    }
  }
  return t;
}

namespace {
std::string with_unknown(double known, const char* unit, int unknown, int steps, const char* what) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g %s", known, unit);
  const auto n = [](int k) { return std::to_string(k) + (k == 1 ? " credential" : " credentials"); };
  if (unknown == 0) return buf;
  if (unknown == steps) return std::string(what) + " unknown (" + n(steps) + ")";
  return std::string(buf) + " + " + n(unknown) + " of unknown " + what;
}
}  // namespace

std::string hours_text(const PlanTotals& t) {
  return with_unknown(t.hours, "h", t.unknown_hours, t.steps, "length");
}

std::string cost_text(const PlanTotals& t) {
  if (t.mixed_currencies) return "costs in several currencies";
  return with_unknown(t.cost, t.currency.c_str(), t.unknown_cost, t.steps, "cost");
}

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
  PathCandidateConfig candidates = o.candidates;
  if (candidates.languages.empty() && config.limits.language.empty() && !profile.language.empty()) {
    // The worker's language is respected: their own and English (the language most catalogs,
    // the default one included, are in), never a third one they did not ask for.
    candidates.languages = {profile.language};
    if (profile.language != "en") candidates.languages.push_back("en");
  }
  out.languages = candidates.languages;
  out.problem = build_path_problem(cat, job, profile, report, gap_config, candidates);
  std::vector<int> closure;
  if (o.anchor && out.problem.source == PathCandidateSource::kRelevance) {
    out.anchor = choose_anchor(out.problem, config, &closure);
  }
  out.plan = out.anchor >= 0 ? plan_from_anchor(out.problem, config, closure)
                             : plan_path(out.problem.requirements, out.problem.candidates, config);
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
