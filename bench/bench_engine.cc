// Micro-benchmarks for the engine's hot path: encoding requirement statements, a whole match
// (encode + retrieve + exact rescoring + evidence), and a worker's gap + path for a
// 30-requirement job (BM_GapPath_Plan, p50/p99 counters). The catalog is the shipped default
// one when CREDMATCH_BENCH_CATALOG names a built catalog directory (the numbers in
// bench/README.md), else a small one built from tests/data/match for smoke runs.
// Each benchmark checks its answer before timing and aborts if it is wrong.
//
// Smoke run: ./bench_engine --benchmark_min_time=0.01
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <memory>
#include <string>
#include <vector>

#include "catalog/build.h"
#include "catalog/loaded_catalog.h"
#include "store/ingest.h"
#include "plan/gap.h"
#include "plan/gap_calibration.h"
#include "match/matcher.h"
#include "plan/path_candidates.h"
#include "plan/planner.h"
#include "plan/profile.h"
#include "encode/sif_encoder.h"

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

// The q-quantile of v (nearest rank).
double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5))];
}

// Arg: requirements. BM_Matcher_Match searches with every core (as the CLI does),
// BM_Matcher_MatchOneThread with SearchParams::threads = 1 (as a `credmatch serve` worker
// does), so its CPU time is the whole match. p50_ms/p99_ms: wall time per match.
void match_benchmark(benchmark::State& state, const MatchConfig& config) {
  const LoadedCatalog& cat = catalog();
  Matcher matcher(cat, config);
  const Job job = job_of(int(state.range(0)));
  auto first = matcher.match(job);
  if (!first || first->credentials.empty()) fail("match returned no credential");
  for (const auto& m : first->credentials) {
    if (m.evidence.size() != job.requirements.size()) fail("evidence missing for a requirement");
  }
  std::vector<double> ms;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = matcher.match(job);
    benchmark::DoNotOptimize(r);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["requirements"] = double(state.range(0));
  state.counters["competencies"] = double(cat.competencies().size());
  state.counters["rescored"] = double(first->candidates_rescored);
  state.counters["searches"] = double(first->index_searches);
  state.counters["p50_ms"] = percentile(ms, 0.50);
  state.counters["p99_ms"] = percentile(ms, 0.99);
}
void BM_Matcher_Match(benchmark::State& state) {
  match_benchmark(state, MatchConfig{});
}
BENCHMARK(BM_Matcher_Match)->Arg(5)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
void BM_Matcher_MatchOneThread(benchmark::State& state) {
  MatchConfig config;
  config.search.threads = 1;
  match_benchmark(state, config);
}
BENCHMARK(BM_Matcher_MatchOneThread)->Arg(5)->Arg(20)->Unit(benchmark::kMillisecond);
// The index route (every core) with Args: requirements, neighbours first retrieved per
// requirement (64: the default), the HNSW beam width (0: the index's default): what a large
// catalog with an HNSW index runs.
void BM_Matcher_IndexRoute(benchmark::State& state) {
  MatchConfig config;
  config.candidates = CandidateSource::kIndex;
  config.neighbours = int(state.range(1));
  config.search.ef_search = int(state.range(2));
  match_benchmark(state, config);
}
BENCHMARK(BM_Matcher_IndexRoute)
    ->Args({20, 64, 0})
    ->Args({20, 32, 0})
    ->Args({20, 128, 0})
    ->Args({20, 256, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Gap analysis + path planning for one worker and a 30-requirement job: a real ESCO
// occupation (its first 30 requirements, "data analyst" on the default catalog; padded with the
// statements above on the tiny fixture catalog). Times each call and reports p50 / p99 as
// counters (ms), since the target is a tail latency (p99 < 50 ms).
Job job_of_occupation(const LoadedCatalog& cat, const std::string& query, int n) {
  Job job;
  if (auto found = cat.store().find_job(query)) job = *found;
  if (int(job.requirements.size()) > n) job.requirements.resize(size_t(n));
  const Job pad = job_of(n);
  for (size_t i = job.requirements.size(); i < size_t(n); ++i) job.requirements.push_back(pad.requirements[i]);
  return job;
}

void BM_GapPath_Plan(benchmark::State& state) {
  const LoadedCatalog& cat = catalog();
  const Job job = job_of_occupation(cat, "data analyst", int(state.range(0)));
  const WorkerProfile worker = profile_from_skills_text(
      "stock control; customer service; cash handling; using a till; merchandising");
  auto thresholds = load_gap_thresholds(cat.dir(), cat.encoder().id());
  if (!thresholds) fail(thresholds.status().to_string());
  GapConfig gap_config;
  gap_config.covered_threshold = thresholds->covered;
  gap_config.partial_threshold = thresholds->partial;
  const GapAnalyzer analyzer(cat, gap_config);
  auto run = [&] {
    auto report = analyzer.analyze(job, worker);
    if (!report) fail(report.status().to_string());
    const PathProblem pp = build_path_problem(cat, job, worker, *report, gap_config);
    return std::make_pair(*report, plan_path(pp.requirements, pp.candidates, PlanConfig{}));
  };
  const auto [report, plan] = run();
  if (report.requirements.size() != job.requirements.size()) fail("gap: a requirement is missing");
  if (plan.status == PlanStatus::kInfeasible) fail("path: no plan without limits: " + plan.message);
  if (plan.coverage_after + 1e-9 < plan.coverage_before) fail("path: coverage went down");
  // Wall time, and this thread's CPU time (the work runs on the calling thread), which a busy
  // shared machine inflates less than wall time.
  auto thread_cpu_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
  };
  std::vector<double> ms, cpu_ms;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_ms();
    auto r = run();
    benchmark::DoNotOptimize(r);
    cpu_ms.push_back(thread_cpu_ms() - c0);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["p50_ms"] = percentile(ms, 0.50);
  state.counters["p99_ms"] = percentile(ms, 0.99);
  state.counters["p50_cpu_ms"] = percentile(cpu_ms, 0.50);
  state.counters["p99_cpu_ms"] = percentile(cpu_ms, 0.99);
  state.counters["requirements"] = double(job.requirements.size());
  state.counters["plan_steps"] = double(plan.steps.size());
  state.counters["competencies"] = double(cat.competencies().size());
}
BENCHMARK(BM_GapPath_Plan)->Arg(30)->Unit(benchmark::kMillisecond)->UseRealTime();

// SIF encoder (encode/sif_encoder.h) on the pretrained vectors named by
// CREDMATCH_BENCH_WORD_VECTORS (e.g. models/glove-6b-100d.bin from scripts/fetch-models.sh);
// skipped when unset. Fitted on the statements above with the default config; one thread.
void BM_SifEncoder_Encode(benchmark::State& state) {
  const char* path = std::getenv("CREDMATCH_BENCH_WORD_VECTORS");
  if (path == nullptr || *path == '\0') {
    state.SkipWithError("set CREDMATCH_BENCH_WORD_VECTORS=models/glove-6b-100d.bin (scripts/fetch-models.sh)");
    return;
  }
  static auto enc = fit_sif_encoder(path, kStatements, SifConfig{});
  if (!enc) fail(enc.status().to_string());
  const Encoder& e = **enc;
  const size_t d = size_t(e.dim());
  std::vector<float> out(kStatements.size() * d);
  e.encode(kStatements, out);
  auto cosine = [&](size_t a, size_t b) {
    double s = 0;
    for (size_t j = 0; j < d; ++j) s += double(out[a * d + j]) * out[b * d + j];
    return s;
  };
  for (size_t i = 0; i < kStatements.size(); ++i) {
    // English rows are unit; the French one may have no English word (an all-zero row).
    const double n = cosine(i, i);
    if (std::abs(n - 1.0) > 1e-4 && !(n == 0.0 && i == 8)) {
      fail("sif row " + std::to_string(i) + " has squared norm " + std::to_string(n));
    }
  }
  // The two nursing statements are closer to each other than to the tractor one.
  if (cosine(5, 6) <= cosine(5, 7)) fail("sif: patient statements not closer than the tractor");
  for (auto _ : state) {
    e.encode(kStatements, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * int64_t(kStatements.size()));
  state.counters["dim"] = double(d);
}
BENCHMARK(BM_SifEncoder_Encode)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
