// `credmatch path`: the cheapest sequence of credentials (prerequisites first) that closes a
// worker's gap to a job, under limits; `--explain` shows what each chosen and the best
// rejected credentials change. Algorithm and formats: docs/paths.md.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "service/api.h"
#include "catalog/loaded_catalog.h"
#include "plan/gap.h"
#include "store/ingest.h"
#include "match/matcher.h"
#include "plan/path.h"
#include "plan/path_candidates.h"
#include "plan/planner.h"
#include "plan/profile.h"
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
  std::string candidates = "auto";
};

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", v * 100.0);
  return buf;
}

// One decimal: a what-if line must not read "94% without it, 94% with it".
std::string pct1(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100.0);
  return buf;
}

std::string hours_of(const std::optional<double>& h) {
  if (!h) return "hours unknown";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g h", *h);
  return buf;
}

std::string num(const std::optional<double>& v, const char* unit) {
  if (!v) return std::string(unit) + " unknown";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g %s", *v, unit);
  return buf;
}

int run_path(const GlobalOptions& g, const PathArgs& a) {
  auto profile = load_worker_profile(a);
  if (!profile) return fail(profile.status());
  auto cat = engine::LoadedCatalog::open(catalog_dir(g));
  if (!cat) return fail(cat.status());
  auto job = load_target_job((*cat)->store(), a);
  if (!job) return fail(job.status());
  engine::GapThresholds thresholds;
  auto resolved = resolve_gap_config(**cat, std::nullopt, std::nullopt, &thresholds);
  if (!resolved) return fail(resolved.status());
  const engine::GapConfig gap_config = *resolved;
  engine::GapAnalyzer analyzer(**cat, gap_config);
  auto report = analyzer.analyze(*job, *profile);
  if (!report) return fail(report.status());

  engine::PathOptions options;
  options.objective = a.objective;
  options.max_hours = a.max_hours;
  options.max_cost = a.max_cost;
  options.max_credentials = a.max_credentials;
  options.language = a.language;
  options.target = a.target;
  options.explain = a.explain;
  options.candidates.neighbours = a.neighbours;
  options.candidates.source = *engine::parse_path_candidate_source(a.candidates);
  if (options.candidates.source == engine::PathCandidateSource::kRelevance &&
      (*cat)->relevance() == nullptr) {
    return fail("--candidates relevance: this catalog has no relevance model (its build skipped "
                "it); use --candidates index or auto");
  }
  const engine::PathOutcome outcome =
      engine::compute_path(**cat, *job, *profile, *report, gap_config, options);
  const engine::PathProblem& pp = outcome.problem;
  const engine::Plan& plan = outcome.plan;
  const std::vector<double>& final_credit = outcome.final_credit;
  const auto& why = outcome.explanations;
  const auto& creds = (*cat)->credentials();
  auto cred_of = [&](int c) -> const engine::Credential& { return creds[size_t(pp.credential[size_t(c)])]; };

  if (g.json) {
    std::cout << engine::api::path_to_json(**cat, *job, *report, options, outcome).dump(2) << "\n";
    return plan.status == engine::PlanStatus::kInfeasible ? 2 : 0;
  }

  const auto text_of = [&](int r) { return job->requirements[size_t(r)].text.c_str(); };
  const engine::PlanConfig defaults;
  std::printf("Job: %s (%zu requirements); worker's coverage now %s\n", job->title.c_str(),
              job->requirements.size(), pct(plan.coverage_before).c_str());
  std::printf("Thresholds: covered >= %.2f, partial >= %.2f: %s\n", double(gap_config.covered_threshold),
              double(gap_config.partial_threshold), thresholds.note.c_str());
  if (pp.source == engine::PathCandidateSource::kRelevance) {
    const size_t related = size_t(std::count_if(pp.relevance.begin(), pp.relevance.end(),
                                                [](const auto& p) { return p.has_value(); }));
    std::printf("Candidates: %zu credentials related to the job (relevance model: the most related of "
                "%lld, P(relevant) >= %.2f)", related, static_cast<long long>(pp.considered),
                options.candidates.min_relevance);
    if (std::any_of(pp.relevance.begin(), pp.relevance.end(), [&](const auto& p) {
          return p && *p < options.candidates.min_relevance;
        })) {
      std::printf(", made up to %d with the most related down to %.2f",
                  options.candidates.fallback_count, options.candidates.fallback_relevance);
    }
    if (related < pp.candidates.size()) {
      std::printf(" and %zu of their prerequisites", pp.candidates.size() - related);
    }
  } else {
    std::printf("Candidates: %zu credentials owning a competency near an open requirement (index)",
                pp.candidates.size());
  }
  if (!plan.excluded.empty()) std::printf(" (%zu excluded by language or unknown values)", plan.excluded.size());
  if (!outcome.languages.empty()) {
    std::string langs;
    for (const std::string& l : outcome.languages) langs += (langs.empty() ? "" : ", ") + l;
    std::printf("\nLanguages: %s (the worker's language and English; --language to choose one)",
                langs.c_str());
  }
  std::printf("\nObjective: minimise %s", std::string(engine::to_string(plan.objective)).c_str());
  if (!plan.objective_note.empty()) std::printf(" (%s)", plan.objective_note.c_str());
  std::printf("\n");
  if (plan.goal == engine::PlanGoal::kCloseRequirements) {
    std::printf("Goal: close the %zu essential requirement(s) some credential raises by %.2f or more "
                "(to within %.2f of the best credit in the catalog; --target P for a coverage goal)\n",
                plan.to_close.size(), defaults.min_gain, defaults.min_gain);
  } else {
    std::printf("Goal: coverage %s (reachable with this catalog and limits: %s)\n",
                pct(plan.target).c_str(), pct(plan.reachable).c_str());
  }
  if (plan.status == engine::PlanStatus::kInfeasible) {
    std::printf("No plan: %s\n", plan.message.c_str());
    return 2;
  }
  if (plan.status == engine::PlanStatus::kNothingToDo) {
    if (plan.goal == engine::PlanGoal::kCloseRequirements) {
      std::printf("Nothing to add: no credential in the catalog raises an essential requirement the "
                  "worker lacks by %.2f or more (coverage %s; with every candidate: %s)\n",
                  defaults.min_gain, pct(plan.coverage_before).c_str(), pct(plan.reachable).c_str());
    } else {
      std::printf("Nothing to add: coverage %s already reaches the target %s (reachable with this catalog: %s)\n",
                  pct(plan.coverage_before).c_str(), pct(plan.target).c_str(), pct(plan.reachable).c_str());
    }
  } else {
    std::printf("Algorithm: %s, ", plan.algorithm.c_str());
    if (plan.status == engine::PlanStatus::kBestWithinLimits) {
      std::printf("best within the limits: %s\n", plan.message.c_str());
    } else if (plan.status == engine::PlanStatus::kOptimal) {
      std::printf("optimal\n");
    } else {
      std::printf("within H(d) = %.2f x optimum; lower bound %g (gap <= %g)\n", plan.greedy_bound,
                  plan.lower_bound, plan.objective_value - plan.lower_bound);
    }
    const engine::PlanTotals totals = engine::plan_totals(**cat, outcome);
    std::printf("Plan: %zu credential%s, %s, %s; coverage %s -> %s\n", plan.steps.size(),
                plan.steps.size() == 1 ? "" : "s", engine::hours_text(totals).c_str(),
                engine::cost_text(totals).c_str(), pct(plan.coverage_before).c_str(),
                pct(plan.coverage_after).c_str());
    if (outcome.anchor >= 0) {
      const bool limited = !plan.excluded.empty() || options.max_hours || options.max_cost ||
                           options.max_credentials;
      const bool alone = std::none_of(plan.steps.begin(), plan.steps.end(), [&](const auto& s) {
        return !s.prerequisite_only && s.candidate != outcome.anchor;
      });
      std::printf("%s the credential most related to the job%s%s.\n",
                  alone ? "It is" : "It starts with", limited ? " that the limits allow" : "",
                  alone ? "" : "; the others close the rest of the gap");
    }
    std::printf("\n");
    int i = 0;
    for (const auto& s : plan.steps) {
      const auto& c = cred_of(s.candidate);
      std::string related;
      if (const auto& p = pp.relevance[size_t(s.candidate)]) {
        char buf[96];
        std::snprintf(buf, sizeof buf, " · %s (%.2f)", std::string(engine::relevance_label(*p)).c_str(), *p);
        related = buf;
      }
      std::printf("%2d. %s (%s) · %s · %s%s%s -> coverage %s\n", ++i, c.title.c_str(), c.id.c_str(),
                  num(c.hours, "h").c_str(), num(c.cost, c.currency.c_str()).c_str(),
                  s.prerequisite_only ? " · prerequisite" : "", related.c_str(),
                  pct(s.coverage_after).c_str());
      // Largest credit first; gains below the planner's min_gain are counted, not listed
      // (--json lists them all, with their evidence).
      const std::vector<double>& credit = pp.candidates[size_t(s.candidate)].credit;
      std::vector<int> order = s.improved;
      std::stable_sort(order.begin(), order.end(),
                       [&](int x, int y) { return credit[size_t(x)] > credit[size_t(y)]; });
      size_t shown = 0;
      for (int r : order) {
        if (shown == 8 || credit[size_t(r)] < defaults.min_gain) break;
        const engine::CreditEvidence& e = pp.evidence[size_t(s.candidate)][size_t(r)];
        std::printf("      + %s%s\n          <- \"%s\" (similarity %.2f)\n", text_of(r),
                    credit[size_t(r)] >= 1.0 ? "" : " (partly)",
                    e.competency >= 0 ? (*cat)->competencies()[size_t(e.competency)].text.c_str() : "",
                    double(e.similarity));
        ++shown;
      }
      if (shown < order.size()) {
        std::printf("      + %zu more requirement%s, partly or by less (--json lists them)\n",
                    order.size() - shown, order.size() - shown == 1 ? "" : "s");
      }
    }
  }
  auto contains = [](const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  std::vector<size_t> rest;
  for (size_t r = 0; r < final_credit.size(); ++r) if (final_credit[r] < 1.0) rest.push_back(r);
  if (!rest.empty()) {
    std::printf("\nStill not fully covered:\n");
    for (size_t r : rest) {
      const int ri = static_cast<int>(r);
      const char* reason = contains(plan.left_open, ri) ? ": left open by the limits"
                        : contains(plan.not_improvable, ri)
                            ? (report->requirements[r].catalog_covers ? ": no allowed credential improves it"
                                                                      : ": no credential in the catalog covers it")
                        : job->requirements[r].importance == engine::Importance::kOptional ? " (optional)"
                                                                                           : "";
      std::printf("  - %s (credit %.2f)%s\n", text_of(ri), final_credit[r], reason);
    }
  }
  if (a.explain) {
    std::printf("\nWhat if (coverage change; chosen: without it, rejected: adding it):\n");
    for (const auto& e : why) {
      const auto& c = cred_of(e.candidate);
      if (e.chosen) {
        std::printf("  chosen   %s: coverage %s without it, %s with it (%s)\n", c.id.c_str(),
                    pct1(plan.coverage_after - e.delta).c_str(), pct1(plan.coverage_after).c_str(),
                    hours_of(c.hours).c_str());
      } else if (e.delta < 0.0005) {
        std::printf("  rejected %s: adds nothing the plan lacks%s\n", c.id.c_str(),
                    e.excluded ? " (and excluded by the limits)" : "");
      } else {
        std::printf("  rejected %s: adding it raises coverage from %s to %s (%s)%s\n", c.id.c_str(),
                    pct1(plan.coverage_after).c_str(), pct1(plan.coverage_after + e.delta).c_str(),
                    hours_of(c.hours).c_str(), e.excluded ? " (excluded by the limits)" : "");
      }
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
  cmd->add_option("--candidates", args->candidates,
                  "Where candidates come from: auto (relevance where the catalog has a model), "
                  "relevance (credentials related to the job), index (near competencies)")
      ->check(CLI::IsMember({"auto", "relevance", "index"}))->capture_default_str();
  cmd->add_option("--neighbours", args->neighbours, "Index route: competencies retrieved per open requirement")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_flag("--explain", args->explain, "Show the coverage change of chosen and best rejected credentials");
  cmd->callback([&g, args] { g_exit_code = run_path(g, *args); });
}

}  // namespace credmatch::cli
