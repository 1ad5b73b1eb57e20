// `credmatch info`: what the catalog holds, where its data come from, encoder and index.
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "catalog/loaded_catalog.h"
#include "tools/credmatch/cli.h"

namespace credmatch::cli {
namespace {

constexpr const char* kHonesty =
    "The default credential catalog is a stand-in until a microcredential register is added: "
    "The Carpentries' open short courses (timed lessons with author-written learning objectives) "
    "and the US CIP 2020 classification of postsecondary programs (program descriptions, no "
    "hours or cost). Neither is a catalog of employer-recognised microcredentials; load your "
    "own with `credmatch build credentials=FILE` (docs/formats.md).";

int run_info(const GlobalOptions& g) {
  const std::string dir = catalog_dir(g);
  auto cat = engine::LoadedCatalog::open(dir);
  if (!cat) return fail(cat.status());
  const auto counts = (*cat)->store().counts();
  std::map<std::string, int64_t> by_provider;
  int64_t with_hours = 0, with_cost = 0;
  for (const auto& c : (*cat)->credentials()) {
    by_provider[c.provider.empty() ? c.kind : c.provider]++;
    with_hours += c.hours.has_value();
    with_cost += c.cost.has_value();
  }
  const auto meta = [&](const char* key) { return (*cat)->store().meta(key).value_or(""); };
  if (g.json) {
    nlohmann::json j = {
        {"catalog", dir},
        {"counts", {{"credentials", counts.credentials}, {"competencies", counts.competencies},
                    {"matchable_competencies", counts.matchable_competencies},
                    {"skills", counts.skills}, {"jobs", counts.jobs},
                    {"requirements", counts.requirements}}},
        {"credentials_by_provider", by_provider},
        {"credentials_with_hours", with_hours},
        {"credentials_with_cost", with_cost},
        {"encoder", {{"id", (*cat)->encoder().id()}, {"dim", (*cat)->encoder().dim()}}},
        {"index", (*cat)->index().factory_string()},
        {"built_at", meta("built_at")},
        {"note", kHonesty}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("Catalog      %s (built %s)\n", dir.c_str(), meta("built_at").c_str());
  std::printf("Credentials  %lld (%lld with hours, %lld with cost)\n", (long long)counts.credentials,
              (long long)with_hours, (long long)with_cost);
  for (const auto& [provider, n] : by_provider) {
    std::printf("               %6lld  %s\n", (long long)n, provider.c_str());
  }
  std::printf("Competencies %lld (%lld matchable: teaches/assesses)\n", (long long)counts.competencies,
              (long long)counts.matchable_competencies);
  std::printf("Skills       %lld taxonomy skills\n", (long long)counts.skills);
  std::printf("Jobs         %lld jobs/occupations with %lld requirements\n", (long long)counts.jobs,
              (long long)counts.requirements);
  std::printf("Encoder      %s (dim %d)\n", (*cat)->encoder().id().c_str(), (*cat)->encoder().dim());
  std::printf("Index        %s over %lld vectors\n", (*cat)->index().factory_string().c_str(),
              (long long)(*cat)->index().size());
  std::printf("\nNote: %s\n", kHonesty);
  std::printf("Data sources and licences: data/ATTRIBUTION (ESCO v1.1.1 (c) European Union, CC BY 4.0; "
              "The Carpentries, CC BY 4.0; NCES CIP 2020, US public domain).\n");
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app, GlobalOptions& g) {
  CLI::App* cmd = app.add_subcommand("info", "What the catalog holds: counts, sources, encoder, index");
  cmd->callback([&g] { g_exit_code = run_info(g); });
}

}  // namespace credmatch::cli
