#include "tools/credmatch/worker_job_args.h"

#include "match/job_input.h"

namespace credmatch::cli {

void add_worker_job_options(CLI::App* cmd, const std::shared_ptr<WorkerJobArgs>& args) {
  cmd->add_option("--profile", args->profile_file, "Worker profile JSON (docs/paths.md)")
      ->type_name("FILE");
  cmd->add_option_function<std::string>(
         "--skills", [args](const std::string& s) { args->skills = s, args->skills_given = true; },
         "Worker skills inline, separated by ';' or new lines")
      ->type_name("TEXT");
  cmd->add_option("--job", args->job_file, "Job JSON file (docs/formats.md)")->type_name("FILE");
  cmd->add_option("--occupation", args->occupation, "Occupation in the catalog: id or title")
      ->type_name("NAME");
}

Result<engine::WorkerProfile> load_worker_profile(const WorkerJobArgs& a) {
  if (!a.profile_file.empty() && a.skills_given) {
    return Status::invalid_argument("give one of --profile FILE or --skills \"...\", not both");
  }
  if (!a.profile_file.empty()) return engine::load_profile_file(a.profile_file);
  if (!a.skills_given) {
    return Status::invalid_argument("give the worker: --profile FILE or --skills \"a; b\"");
  }
  return engine::profile_from_skills_text(a.skills);
}

Result<engine::Job> load_target_job(const engine::CatalogStore& store, const WorkerJobArgs& a) {
  if (a.job_file.empty() == a.occupation.empty()) {
    return Status::invalid_argument("give exactly one of --job FILE, --occupation NAME");
  }
  if (!a.job_file.empty()) return engine::job_from_file(a.job_file);
  return engine::job_from_occupation(store, a.occupation);
}

Result<engine::GapConfig> resolve_gap_config(const engine::LoadedCatalog& catalog,
                                             std::optional<float> covered,
                                             std::optional<float> partial,
                                             engine::GapThresholds* thresholds) {
  auto t = engine::load_gap_thresholds(catalog.dir(), catalog.encoder().id());
  if (!t) return t.status();
  engine::GapConfig config;
  config.covered_threshold = covered.value_or(t->covered);
  config.partial_threshold = partial.value_or(t->partial);
  if (covered || partial) {
    t->calibrated = false;
    t->note = "set on the command line (otherwise: " + t->note + ")";
  }
  if (config.partial_threshold > config.covered_threshold) {
    return Status::invalid_argument("--partial-threshold (" + std::to_string(config.partial_threshold) +
                                    ") must not exceed --covered-threshold (" +
                                    std::to_string(config.covered_threshold) + ")");
  }
  if (thresholds) *thresholds = *t;
  return config;
}

}  // namespace credmatch::cli
