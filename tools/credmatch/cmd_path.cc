// `credmatch path`: the cheapest sequence of credentials (prerequisites first) that closes a
// worker's gap to a job, under limits; `--explain` shows what each chosen and the best
// rejected credentials change. Algorithm and formats: docs/paths.md.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/catalog_dir.h"
#include "engine/gap.h"
#include "engine/ingest.h"
#include "engine/path_candidates.h"
#include "engine/planner.h"
#include "engine/profile.h"
#include "tools/credmatch/cli.h"
#include "tools/credmatch/worker_job_args.h"

namespace credmatch::cli {
namespace {

struct PathArgs : WorkerJobArgs {
  std::string objective = "hours";
  std::optional<double> max_hours, max_cost, target;
  std::optional<int> max_credentials;
  std::string language;
  bool explain = false;
  int neighbours = 64;
};

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", v * 100.0);
  return buf;
}

std::string num(const std::optional<double>& v, const char* unit) {
  if (!v) return std::string(unit) + " unknown";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g %s", *v, unit);
  return buf;
}

// Coverage change of each chosen candidate (coverage lost without it) and of the best rejected
// ones (coverage gained by adding it to the plan).
struct Explanation {
  int candidate;
  bool chosen;
  double delta;
  bool excluded;
};

std::vector<Explanation> explain(const engine::PathProblem& pp, const engine::Plan& plan) {
  std::vector<int> set;
  for (const auto& s : plan.steps) set.push_back(s.candidate);
  const double full = engine::plan_coverage(pp.requirements, pp.candidates, set);
  std::vector<Explanation> out;
  for (int c : set) {
    std::vector<int> rest;
    for (int o : set) if (o != c) rest.push_back(o);
    out.push_back({c, true, full - engine::plan_coverage(pp.requirements, pp.candidates, rest), false});
  }
  std::vector<Explanation> rejected;
  for (int c = 0; c < int(pp.candidates.size()); ++c) {
    if (std::find(set.begin(), set.end(), c) != set.end()) continue;
    std::vector<int> more = set;
    more.push_back(c);
    const bool excl = std::find(plan.excluded.begin(), plan.excluded.end(), c) != plan.excluded.end();
    rejected.push_back({c, false, engine::plan_coverage(pp.requirements, pp.candidates, more) - full, excl});
  }
  std::sort(rejected.begin(), rejected.end(),
            [](const auto& a, const auto& b) { return a.delta > b.delta; });
  if (rejected.size() > 3) rejected.resize(3);
  out.insert(out.end(), rejected.begin(), rejected.end());
  return out;
}

int run_path(const GlobalOptions& g, const PathArgs& a) {
  auto profile = load_worker_profile(a);
  if (!profile) return fail(profile.status());
  auto cat = engine::LoadedCatalog::open(catalog_dir(g));
  if (!cat) return fail(cat.status());
  auto job = load_target_job((*cat)->store(), a);
  if (!job) return fail(job.status());
  const engine::GapConfig gap_config;
  engine::GapAnalyzer analyzer(**cat, gap_config);
  auto report = analyzer.analyze(*job, *profile);
  if (!report) return fail(report.status());

  engine::PlanConfig config;
  config.objective = *engine::parse_plan_objective(a.objective);
  config.limits = profile->constraints;  // flags override the profile's constraints
  if (a.max_hours) config.limits.max_hours = a.max_hours;
  if (a.max_cost) config.limits.max_cost = a.max_cost;
  if (a.max_credentials) config.limits.max_credentials = a.max_credentials;
  if (!a.language.empty()) config.limits.language = a.language;
  config.target_coverage = a.target;
  const engine::PathProblem pp =
      engine::build_path_problem(**cat, *job, *profile, *report, gap_config, a.neighbours);
  const engine::Plan plan = engine::plan_path(pp.requirements, pp.candidates, config);
  const auto& creds = (*cat)->credentials();
  auto cred_of = [&](int c) -> const engine::Credential& { return creds[size_t(pp.credential[size_t(c)])]; };
  std::vector<double> final_credit;
  for (const auto& r : pp.requirements) final_credit.push_back(r.current);
  for (const auto& s : plan.steps) {
    for (size_t r = 0; r < final_credit.size(); ++r) {
      final_credit[r] = std::max(final_credit[r], pp.candidates[size_t(s.candidate)].credit[r]);
    }
  }
  const std::vector<Explanation> why = a.explain ? explain(pp, plan) : std::vector<Explanation>{};

  if (g.json) {
    using nlohmann::json;
    json steps = json::array();
    for (const auto& s : plan.steps) {
      const auto& c = cred_of(s.candidate);
      json improved = json::array();
      for (int r : s.improved) improved.push_back(job->requirements[size_t(r)].text);
      steps.push_back({{"credential_id", c.id}, {"title", c.title},
                       {"hours", c.hours ? json(*c.hours) : json(nullptr)},
                       {"cost", c.cost ? json(*c.cost) : json(nullptr)}, {"currency", c.currency},
                       {"prerequisite_only", s.prerequisite_only},
                       {"coverage_after", s.coverage_after}, {"improves", improved}});
    }
    json remaining = json::array();
    for (size_t r = 0; r < final_credit.size(); ++r) {
      if (final_credit[r] < 1.0) {
        remaining.push_back({{"text", job->requirements[r].text}, {"credit", final_credit[r]},
                             {"covered_by_catalog", report->requirements[r].catalog_covers}});
      }
    }
    json out = {{"job", {{"id", job->id}, {"title", job->title}}},
                {"status", engine::to_string(plan.status)}, {"message", plan.message},
                {"algorithm", plan.algorithm},
                {"objective", engine::to_string(plan.objective)},
                {"objective_requested", a.objective}, {"objective_note", plan.objective_note},
                {"objective_value", plan.objective_value}, {"lower_bound", plan.lower_bound},
                {"greedy_bound", plan.greedy_bound}, {"total_hours", plan.total_hours},
                {"total_cost", plan.total_cost}, {"coverage_before", plan.coverage_before},
                {"coverage_after", plan.coverage_after}, {"target", plan.target},
                {"reachable", plan.reachable}, {"candidates", pp.candidates.size()},
                {"steps", steps}, {"remaining", remaining}};
    if (a.explain) {
      json ex = json::array();
      for (const auto& e : why) {
        ex.push_back({{"credential_id", cred_of(e.candidate).id}, {"chosen", e.chosen},
                      {"coverage_change", e.delta}, {"excluded_by_limits", e.excluded}});
      }
      out["explain"] = ex;
    }
    std::cout << out.dump(2) << "\n";
    return plan.status == engine::PlanStatus::kInfeasible ? 2 : 0;
  }

  std::printf("Job: %s (%zu requirements); worker's coverage now %s\n", job->title.c_str(),
              job->requirements.size(), pct(plan.coverage_before).c_str());
  std::printf("Candidates: %zu credentials from the index", pp.candidates.size());
  if (!plan.excluded.empty()) std::printf(" (%zu excluded by language or unknown values)", plan.excluded.size());
  std::printf("\nObjective: minimise %s", std::string(engine::to_string(plan.objective)).c_str());
  if (!plan.objective_note.empty()) std::printf(" (%s)", plan.objective_note.c_str());
  std::printf("\n");
  if (plan.status == engine::PlanStatus::kInfeasible) {
    std::printf("No plan: %s\n", plan.message.c_str());
    return 2;
  }
  if (plan.status == engine::PlanStatus::kNothingToDo) {
    std::printf("Nothing to add: coverage %s already reaches the target %s (reachable with this catalog: %s)\n",
                pct(plan.coverage_before).c_str(), pct(plan.target).c_str(), pct(plan.reachable).c_str());
  } else {
    std::printf("Algorithm: %s, ", plan.algorithm.c_str());
    if (plan.status == engine::PlanStatus::kOptimal) {
      std::printf("optimal\n");
    } else {
      std::printf("within H(d) = %.2f x optimum for 0/1 credit; lower bound %g (gap <= %g)\n",
                  plan.greedy_bound, plan.lower_bound, plan.objective_value - plan.lower_bound);
    }
    std::printf("Plan: %zu credentials, %g h, cost %g; coverage %s -> %s (target %s)\n\n",
                plan.steps.size(), plan.total_hours, plan.total_cost, pct(plan.coverage_before).c_str(),
                pct(plan.coverage_after).c_str(), pct(plan.target).c_str());
    int i = 0;
    for (const auto& s : plan.steps) {
      const auto& c = cred_of(s.candidate);
      std::printf("%2d. %s (%s) · %s · %s%s -> coverage %s\n", ++i, c.title.c_str(), c.id.c_str(),
                  num(c.hours, "h").c_str(), num(c.cost, c.currency.c_str()).c_str(),
                  s.prerequisite_only ? " · prerequisite" : "", pct(s.coverage_after).c_str());
      for (int r : s.improved) std::printf("      + %s\n", job->requirements[size_t(r)].text.c_str());
    }
  }
  std::vector<size_t> rest;
  for (size_t r = 0; r < final_credit.size(); ++r) if (final_credit[r] < 1.0) rest.push_back(r);
  if (!rest.empty()) {
    std::printf("\nStill not fully covered:\n");
    for (size_t r : rest) {
      std::printf("  - %s (credit %.2f)%s\n", job->requirements[r].text.c_str(), final_credit[r],
                  report->requirements[r].catalog_covers ? "" : ": no credential in the catalog covers it");
    }
  }
  if (a.explain) {
    std::printf("\nExplain (coverage change):\n");
    for (const auto& e : why) {
      std::printf("  %s %-40s %+.1f%%%s\n", e.chosen ? "chosen  " : "rejected", cred_of(e.candidate).id.c_str(),
                  (e.chosen ? -e.delta : e.delta) * 100.0,
                  e.chosen ? " without it" : e.excluded ? " if added (excluded by limits)" : " if added");
    }
  }
  return 0;
}

}  // namespace

void add_path_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<PathArgs>();
  CLI::App* cmd = app.add_subcommand(
      "path", "Cheapest sequence of credentials that closes a worker's gap to a job");
  add_worker_job_options(cmd, args);
  cmd->add_option("--objective", args->objective, "What to minimise")
      ->check(CLI::IsMember({"hours", "cost", "count"}))->capture_default_str();
  cmd->add_option("--max-hours", args->max_hours, "Limit on total hours")->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--max-cost", args->max_cost, "Limit on total cost")->check(CLI::Range(0.0, 1e12));
  cmd->add_option("--max-credentials", args->max_credentials, "Limit on the number of credentials")
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--language", args->language, "Only credentials in this language (en, fr)");
  cmd->add_option("--target", args->target, "Coverage to reach, 0..1 (default: the most reachable)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--neighbours", args->neighbours, "Competencies retrieved per open requirement")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_flag("--explain", args->explain, "Show the coverage change of chosen and best rejected credentials");
  cmd->callback([&g, args] { g_exit_code = run_path(g, *args); });
}

}  // namespace credmatch::cli
