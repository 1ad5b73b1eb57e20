// The worker and target-job arguments shared by `credmatch gap` and `credmatch path`.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "store/records.h"
#include "catalog/loaded_catalog.h"
#include "plan/gap_calibration.h"
#include "plan/profile.h"
#include "store/catalog_store.h"

namespace credmatch::cli {

struct WorkerJobArgs {
  std::string profile_file;  // --profile FILE
  std::string skills;        // --skills "a; b"
  bool skills_given = false;  // --skills "" is an empty profile, not a missing one
  std::string job_file;      // --job FILE
  std::string occupation;    // --occupation NAME
};

/// Adds --profile, --skills, --job and --occupation to `cmd`, writing into `args`.
void add_worker_job_options(CLI::App* cmd, const std::shared_ptr<WorkerJobArgs>& args);

/// The worker from --profile or --skills (exactly one must be given).
Result<engine::WorkerProfile> load_worker_profile(const WorkerJobArgs& a);

/// The target job from --job or --occupation (exactly one must be given).
Result<engine::Job> load_target_job(const engine::CatalogStore& store, const WorkerJobArgs& a);

/// The gap thresholds for `catalog`: DIR/gap_thresholds.json when calibrated for its encoder,
/// else the documented defaults (plan/gap_calibration.h); explicit flag values win.
/// `thresholds` receives where they came from. kInvalidArgument for a malformed file or
/// partial > covered.
Result<engine::GapConfig> resolve_gap_config(const engine::LoadedCatalog& catalog,
                                             std::optional<float> covered,
                                             std::optional<float> partial,
                                             engine::GapThresholds* thresholds);

}  // namespace credmatch::cli
