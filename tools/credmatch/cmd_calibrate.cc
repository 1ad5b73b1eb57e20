// `credmatch calibrate-gap`: fits the gap thresholds (covered, partial) of a catalog's encoder
// on labelled ESCO pairs from the calibration split, prints precision / recall / F1 at the
// chosen values and their neighbours, and writes DIR/gap_thresholds.json, which `gap` and
// `path` read. Method: plan/gap_calibration.h and docs/paths.md.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "catalog/loaded_catalog.h"
#include "plan/gap_calibration.h"
#include "tools/credmatch/cli.h"

namespace credmatch::cli {
namespace {

struct CalibrateArgs {
  std::string data_dir;
  uint64_t seed = engine::GapCalibrationConfig{}.seed;
  bool dry_run = false;
};

nlohmann::json point(const engine::ThresholdPoint& p) {
  return {{"threshold", p.threshold},
          {"precision", p.precision},
          {"recall", p.recall},
          {"f1", p.f1},
          {"youden", p.youden}};
}

void print_table(const char* title, const std::vector<engine::ThresholdPoint>& rows, float chosen) {
  std::printf("\n%s\n  threshold  precision  recall     F1  Youden J\n", title);
  for (const auto& p : rows) {
    std::printf("  %9.3f  %9.3f  %6.3f  %5.3f  %8.3f%s\n", double(p.threshold), p.precision,
                p.recall, p.f1, p.youden, p.threshold == chosen ? "  <- chosen" : "");
  }
}

int run_calibrate(const GlobalOptions& g, const CalibrateArgs& a) {
  auto cat = engine::LoadedCatalog::open(catalog_dir(g));  // checks the catalog is whole
  if (!cat) return fail(cat.status());
  const std::string dir = a.data_dir.empty() ? default_data_dir() : a.data_dir;
  engine::GapCalibrationConfig config;
  config.seed = a.seed;
  auto c = engine::calibrate_catalog_dir((*cat)->dir(), dir, config, a.dry_run);
  if (!c) return fail(c.status());
  const std::string written =
      a.dry_run ? "" : (std::filesystem::path((*cat)->dir()) / engine::kGapThresholdsFile).string();
  if (g.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < c->covered_table.size(); ++i) {
      rows.push_back(
          {{"covered", point(c->covered_table[i])}, {"related", point(c->related_table[i])}});
    }
    nlohmann::json confusion = nlohmann::json::object();
    const char* names[] = {"covered", "partial", "missing"};
    for (int l = 0; l < 3; ++l) {
      confusion[names[l]] = {{"covered", c->confusion[l][0]},
                             {"partial", c->confusion[l][1]},
                             {"missing", c->confusion[l][2]},
                             {"mean_similarity", c->mean_similarity[l]}};
    }
    std::cout << nlohmann::json{{"covered_threshold", c->covered_threshold},
                                {"partial_threshold", c->partial_threshold},
                                {"partial_capped", c->partial_capped},
                                {"encoder_id", c->encoder_id},
                                {"split", c->split},
                                {"seed", c->seed},
                                {"pairs_per_label", c->pairs_per_label},
                                {"covered_vs_rest", point(c->covered)},
                                {"related_vs_unrelated", point(c->related)},
                                {"table", rows},
                                {"confusion", confusion},
                                {"seconds", c->seconds},
                                {"written", written}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::printf("Gap threshold calibration for encoder %s\n", c->encoder_id.c_str());
  std::printf(
      "Pairs: %lld per label (covered, partial, missing) from the %s split of %s, seed %llu\n",
      (long long)c->pairs_per_label, c->split.c_str(), dir.c_str(), (unsigned long long)c->seed);
  std::printf(
      "Chosen: covered >= %.3f (max F1), partial >= %.3f (max Youden J)%s\n",
      double(c->covered_threshold), double(c->partial_threshold),
      c->partial_capped ? " (capped below covered: the best partial threshold was higher)" : "");
  print_table("covered vs partial+missing (criterion: F1)", c->covered_table, c->covered_threshold);
  print_table("covered+partial vs missing (criterion: Youden J)", c->related_table,
              c->partial_threshold);
  std::printf("\nPairs by label (rows) and status at the chosen thresholds (columns):\n");
  std::printf("  label      covered  partial  missing  mean similarity\n");
  const char* names[] = {"covered", "partial", "missing"};
  for (int l = 0; l < 3; ++l) {
    std::printf("  %-9s  %7lld  %7lld  %7lld  %15.3f\n", names[l], (long long)c->confusion[l][0],
                (long long)c->confusion[l][1], (long long)c->confusion[l][2],
                c->mean_similarity[l]);
  }
  std::printf("\n%s (%.1f s)\n",
              a.dry_run ? "Not written (--dry-run)" : ("Wrote " + written).c_str(), c->seconds);
  return 0;
}

}  // namespace

void add_calibrate_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate-gap",
      "Fit the gap thresholds (covered, partial) on labelled ESCO pairs of the calibration split");
  cmd->add_option(
         "--data", args->data_dir,
         "Folder with skills_esco.jsonl.gz and occupations_esco.jsonl.gz (default: shipped data)")
      ->type_name("DIR");
  cmd->add_option("--seed", args->seed, "Pair sampling seed")->capture_default_str();
  cmd->add_flag("--dry-run", args->dry_run, "Print the table without writing gap_thresholds.json");
  cmd->callback([&g, args] { g_exit_code = run_calibrate(g, *args); });
}

}  // namespace credmatch::cli
