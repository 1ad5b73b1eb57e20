// Micro-benchmarks for the engine's hot path: encoding requirement statements and a whole
// match (encode + retrieve + exact rescoring + evidence). The catalog is the shipped default
// one when CREDMATCH_BENCH_CATALOG names a built catalog directory (the numbers in
// bench/README.md), else a small one built from tests/data/match for smoke runs.
// Each benchmark checks its answer before timing and aborts if it is wrong.
//
// Smoke run: ./bench_engine --benchmark_min_time=0.01
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <memory>
#include <string>
#include <vector>

#include "engine/catalog_dir.h"
#include "engine/ingest.h"
#include "engine/matcher.h"

namespace {
using namespace credmatch::engine;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_engine: wrong result: %s\n", what.c_str());
  std::abort();
}

const LoadedCatalog& catalog() {
  static std::unique_ptr<LoadedCatalog> cat = [] {
    std::string dir;
    if (const char* env = std::getenv("CREDMATCH_BENCH_CATALOG"); env && *env) {
      dir = env;
    } else {
      dir = (fs::temp_directory_path() / ("credmatch_bench_" + std::to_string(getpid()))).string();
      std::vector<InputFile> inputs;
      for (const char* f : {"credentials.jsonl", "jobs.jsonl", "skills.jsonl"}) {
        inputs.push_back(*classify_input(std::string(CREDMATCH_BENCH_FIXTURES) + "/" + f));
      }
      BuildOptions options;
      options.encoder.semantic_dim = 16;
      options.encoder.min_df = 1;
      options.encoder.oversampling = 8;
      auto report = build_catalog(dir, inputs, options);
      if (!report) fail(report.status().to_string());
    }
    auto opened = LoadedCatalog::open(dir);
    if (!opened) fail(opened.status().to_string());
    return std::move(*opened);
  }();
  return *cat;
}

const std::vector<std::string> kStatements = {
    "Write SQL queries to select, filter and join data in a relational database",
    "Clean and reshape tabular data with Python (pandas)",
    "Create plots and visualisations of data",
    "Track changes to code with version control (Git)",
    "Automate repetitive tasks with shell scripts",
    "administer medication to patients",
    "monitor patient vital signs",
    "operate a tractor and farm machinery",
    "Préparer des plats chauds et froids",
    "Communicate results to non-technical stakeholders"};

void BM_Encoder_Encode(benchmark::State& state) {
  const Encoder& enc = catalog().encoder();
  std::vector<float> out(kStatements.size() * size_t(enc.dim()));
  enc.encode(kStatements, out);
  for (size_t i = 0; i < kStatements.size(); ++i) {  // unit rows: the oracle for an encoder
    double n = 0;
    for (int j = 0; j < enc.dim(); ++j) n += double(out[i * size_t(enc.dim()) + size_t(j)]) * out[i * size_t(enc.dim()) + size_t(j)];
    if (std::abs(n - 1.0) > 1e-4) fail("row " + std::to_string(i) + " has squared norm " + std::to_string(n));
  }
  for (auto _ : state) {
    enc.encode(kStatements, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * int64_t(kStatements.size()));
}
BENCHMARK(BM_Encoder_Encode)->Unit(benchmark::kMicrosecond);

// A job of N requirements (cycling through the statements), all essential.
Job job_of(int n) {
  Job job;
  job.title = "bench job";
  for (int i = 0; i < n; ++i) {
    job.requirements.push_back({kStatements[size_t(i) % kStatements.size()] +
                                    (i >= int(kStatements.size()) ? " " + std::to_string(i) : ""),
                                Importance::kEssential, ""});
  }
  return job;
}

void BM_Matcher_Match(benchmark::State& state) {
  const LoadedCatalog& cat = catalog();
  Matcher matcher(cat, MatchConfig{});
  const Job job = job_of(int(state.range(0)));
  auto first = matcher.match(job);
  if (!first || first->credentials.empty()) fail("match returned no credential");
  for (const auto& m : first->credentials) {
    if (m.evidence.size() != job.requirements.size()) fail("evidence missing for a requirement");
  }
  for (auto _ : state) {
    auto r = matcher.match(job);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["requirements"] = double(state.range(0));
  state.counters["competencies"] = double(cat.competencies().size());
}
BENCHMARK(BM_Matcher_Match)->Arg(5)->Arg(20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
