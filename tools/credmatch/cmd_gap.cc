// `credmatch gap`: how far a worker (--profile FILE or --skills "a; b") is from a job
// (--job FILE or --occupation NAME): each requirement covered / partial / missing with the
// worker's best statement, weighted coverage, and requirements no credential covers.
// `--with CRED_ID` recomputes as if the worker also held that credential.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "service/api.h"
#include "catalog/loaded_catalog.h"
#include "plan/gap.h"
#include "store/ingest.h"
#include "plan/profile.h"
#include "tools/credmatch/cli.h"
#include "tools/credmatch/worker_job_args.h"

namespace credmatch::cli {
namespace {

struct GapArgs : WorkerJobArgs {
  std::vector<std::string> with;
  std::optional<float> covered, partial;  // default: the catalog's calibrated thresholds
};

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", v * 100.0);
  return buf;
}

void print_text(const engine::LoadedCatalog& cat, const engine::Job& job, const engine::WorkerProfile& p,
                const engine::GapConfig& config, const engine::GapThresholds& source,
                const engine::GapReport& r,
                const engine::GapReport* before, const std::vector<std::string>& with) {
  std::printf("Job: %s (%zu requirements)\n", job.title.c_str(), job.requirements.size());
  std::printf("Worker: %zu statements, %zu taxonomy skills, %zu completed credentials\n",
              p.skills.size(), p.skill_ids.size(), p.completed.size());
  if (before) {
    std::string ids;
    double hours = 0.0;
    bool hours_known = true;
    for (const auto& w : with) {
      ids += (ids.empty() ? "" : ", ") + w;
      const auto c = cat.find_credential(w);  // analyze() already checked the ids
      const auto& h = c ? cat.credentials()[size_t(*c)].hours : std::nullopt;
      hours_known = hours_known && h.has_value();
      hours += h.value_or(0.0);
    }
    std::printf("What if the worker also held %s: coverage %s -> %s (essential %s -> %s), for %s\n",
                ids.c_str(), pct(before->coverage).c_str(), pct(r.coverage).c_str(),
                pct(before->essential_coverage).c_str(), pct(r.essential_coverage).c_str(),
                hours_known ? (std::to_string(int(hours + 0.5)) + " h").c_str() : "unknown hours");
  }
  std::printf("Coverage %s weighted (essential %s): %d covered, %d partial, %d missing\n",
              pct(r.coverage).c_str(), pct(r.essential_coverage).c_str(), r.covered, r.partial,
              r.missing);
  std::printf("Thresholds: covered >= %.2f, partial >= %.2f: %s\n\n",
              double(config.covered_threshold), double(config.partial_threshold),
              source.note.c_str());
  for (const auto& g : r.requirements) {
    const auto& q = job.requirements[size_t(g.requirement)];
    const char* tag = q.importance == engine::Importance::kEssential ? "E" : "o";
    std::printf("  %-8s [%s] %s\n", std::string(engine::to_string(g.status)).c_str(), tag, q.text.c_str());
    if (!g.held_text.empty()) {
      std::printf("           best held: \"%s\" (%s, %.2f)\n", g.held_text.c_str(),
                  g.held_source.c_str(), double(g.similarity));
    }
  }
  std::vector<std::string> none;
  for (const auto& g : r.requirements) {
    if (g.status != engine::GapStatus::kCovered && !g.catalog_covers) {
      none.push_back(job.requirements[size_t(g.requirement)].text);
    }
  }
  if (!none.empty()) {
    std::printf("\nNo credential in the catalog covers %zu requirement(s) the worker lacks:\n",
                none.size());
    for (const auto& t : none) std::printf("  - %s\n", t.c_str());
  }
}

int run_gap(const GlobalOptions& g, const GapArgs& a) {
  auto profile = load_worker_profile(a);
  if (!profile) return fail(profile.status());
  auto cat = engine::LoadedCatalog::open(catalog_dir(g));
  if (!cat) return fail(cat.status());
  auto job = load_target_job((*cat)->store(), a);
  if (!job) return fail(job.status());
  engine::GapThresholds source;
  auto resolved = resolve_gap_config(**cat, a.covered, a.partial, &source);
  if (!resolved) return fail(resolved.status());
  const engine::GapConfig config = *resolved;
  engine::GapAnalyzer analyzer(**cat, config);
  auto report = analyzer.analyze(*job, *profile);
  if (!report) return fail(report.status());
  std::optional<engine::GapReport> with_report;
  if (!a.with.empty()) {
    engine::WorkerProfile more = *profile;
    for (const auto& id : a.with) more.completed.push_back(id);
    auto r = analyzer.analyze(*job, more);
    if (!r) {
      return fail(r.status().code() == StatusCode::kNotFound
                      ? Status::not_found("--with: " + r.status().message())
                      : r.status());
    }
    with_report = *r;
  }
  if (g.json) {
    std::cout << engine::api::gap_to_json(**cat, *job, config, source, *report, a.with,
                                          with_report ? &*with_report : nullptr)
                     .dump(2)
              << "\n";
  } else if (with_report) {
    print_text(**cat, *job, *profile, config, source, *with_report, &*report, a.with);
  } else {
    print_text(**cat, *job, *profile, config, source, *report, nullptr, {});
  }
  return 0;
}

}  // namespace

void add_gap_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<GapArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gap", "Which requirements of a job a worker covers, partly covers or misses");
  add_worker_job_options(cmd, args);
  cmd->add_option("--with", args->with, "What if the worker also held this credential (repeatable)")
      ->type_name("CRED_ID");
  cmd->add_option("--covered-threshold", args->covered,
                  "Similarity at which a requirement is covered (default: calibrated, see calibrate-gap)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--partial-threshold", args->partial,
                  "Similarity at which it is partly covered (default: calibrated)")
      ->check(CLI::Range(-1.0, 1.0));
  cmd->callback([&g, args] { g_exit_code = run_gap(g, *args); });
}

}  // namespace credmatch::cli
