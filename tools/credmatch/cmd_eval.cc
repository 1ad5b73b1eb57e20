// `credmatch eval`: ranking quality on labelled tasks built from the shipped data, one table
// per task with every encoder side by side (docs/quality.md):
//
//   skill_norm       ESCO alternative label -> its skill; targets: every skill's preferred label
//                    (queries: the evaluation split of skills, store/splits.h)
//   job_essential    ESCO occupation title + description -> its essential skills; targets as
//                    above (queries: the evaluation split of occupations)
//   tech_test, tech_validation, house_validation
//                    job-ad sentence -> ESCO skills (Decorte et al. 2022, data/eval/); targets as
//                    above
//   jobbert_dev, jobbert_test
//                    vacancy title -> ESCO occupation (Decorte et al. 2021, data/eval/);
//                    targets: every occupation's preferred title; split by title
//
//   employer         O*NET occupation (title + Core tasks) -> the CIP programs of the crosswalk;
//                    targets: every credential of --catalog; its own table of rankers (matcher,
//                    lexical baselines, the relevance model out-of-fold), eval/employer_task.h
//   worker           the same occupations as targets of worker paths (data/eval/
//                    worker_profiles.json): plan precision, hit rate, length, coverage, hours
//                    per candidate route, eval/worker_task.h
//
// Encoders: bm25 and tfidf-char (text/lexical.h, fitted on each task's targets only) and
// dense encoders: catalog (the encoder of --catalog) or any saved encoder file. Metrics: eval/metrics.h over the
// top 100 of every query.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "catalog/loaded_catalog.h"
#include "encode/encoder.h"
#include "eval/employer_task.h"
#include "eval/worker_task.h"
#include "plan/gap_calibration.h"
#include "eval/metrics.h"
#include "eval/tasks.h"
#include "text/lexical.h"
#include "encode/lexical_fusion.h"
#include "encode/sif_encoder.h"
#include "store/catalog_store.h"
#include "encode/tfidf_svd_encoder.h"
#include "eval/ranking.h"
#include "tools/credmatch/cli.h"

namespace credmatch::cli {
namespace {

constexpr int kDepth = 100;  // ranked targets kept per query

struct EvalArgs {
  std::string data;           // --data DIR; empty = default_data_dir()
  std::string tasks = "all";  // comma-separated task names
  std::string encoders = "bm25,tfidf-char,catalog";
  int64_t max_queries = 0;  // 0 = every query
  std::string lexical_weights;  // --sweep-lexical-weight: extra rows per tfidf-svd/domain encoder
  std::string fusions;          // --sweep-fusion: extra rows per tfidf-svd/domain encoder
  // The employer task (eval/employer_task.h).
  std::string employer_jobs;                 // --employer-jobs FILE; empty = DATA/eval/...
  std::string fit_out;                       // --fit-out FILE: the model fitted on every job
  std::string jobs_out;                      // --employer-jobs-out FILE: per-job results
  std::string worker_profiles;               // --worker-profiles FILE; empty = DATA/eval/...
  engine::PathCandidateConfig path_candidates;  // --path-min-relevance etc.
  bool path_no_anchor = false;                  // --path-no-anchor
  std::string relevance_features;            // --relevance-features: the model's features
  std::vector<std::string> relevance_variants;  // --relevance-variant: extra out-of-fold rows
  int relevance_candidates = 300;            // --relevance-candidates
};

// One --sweep-fusion setting: '+'-separated items cDIM:W (char sketch), wDIM:W (word sketch),
// lL (the dense encoder's own lexical share λ), e.g. "c512:0.3+w256:0.1+l0.5".
Result<engine::FusionConfig> parse_fusion(const std::string& spec) {
  // Only what the setting names: no part, and the dense encoder's own λ, unless given.
  engine::FusionConfig c;
  c.char_dim = 0;
  c.char_weight = 0;
  c.word_dim = 0;
  c.word_weight = 0;
  c.dense_lexical_weight = -1;
  std::stringstream in(spec);
  std::string item;
  try {
    while (std::getline(in, item, '+')) {
      if (item.size() < 2) throw std::invalid_argument(item);
      const char kind = item[0];
      const std::string rest = item.substr(1);
      if (kind == 'l') {
        c.dense_lexical_weight = std::stof(rest);
        continue;
      }
      const auto colon = rest.find(':');
      if ((kind != 'c' && kind != 'w') || colon == std::string::npos) {
        throw std::invalid_argument(item);
      }
      const int dim = std::stoi(rest.substr(0, colon));
      const float weight = std::stof(rest.substr(colon + 1));
      (kind == 'c' ? c.char_dim : c.word_dim) = dim;
      (kind == 'c' ? c.char_weight : c.word_weight) = weight;
    }
    c.validate();
  } catch (const std::exception& e) {
    return Status::invalid_argument("--sweep-fusion: bad setting '" + spec + "' (" + e.what() +
                                    "); expected e.g. c512:0.3+w256:0.1+l0.5");
  }
  return c;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct Row {
  std::string encoder;
  engine::RankingMetrics metrics;
  double index_per_s = 0;  // targets indexed (encoded) per second
  double query_per_s = 0;  // queries encoded and searched per second
};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Row evaluate(const engine::RankingTask& task, const std::string& name, const engine::Encoder* encoder) {
  Row row{name, {}, 0, 0};
  std::vector<std::vector<int64_t>> ranked;
  auto t0 = Clock::now();
  if (encoder == nullptr) {
    const std::unique_ptr<engine::LexicalRanker> ranker =
        engine::make_lexical_ranker(name, task.targets);
    row.index_per_s = double(task.targets.size()) / seconds_since(t0);
    t0 = Clock::now();
    ranked = engine::rank_lexical(*ranker, task.queries, kDepth);
  } else {
    const engine::DenseRanker dense(*encoder, task.targets);
    row.index_per_s = double(task.targets.size()) / seconds_since(t0);
    t0 = Clock::now();
    for (engine::RankedList& list : dense.rank(task.queries, int(kDepth))) {
      ranked.push_back(std::move(list.ids));
    }
  }
  row.query_per_s = double(task.queries.size()) / seconds_since(t0);
  engine::MetricsAccumulator acc;
  for (size_t i = 0; i < task.queries.size(); ++i) acc.add(ranked[i], task.relevant[i]);
  row.metrics = acc.mean();
  return row;
}

int run_employer(const GlobalOptions& g, const EvalArgs& a, const std::string& data) {
  engine::EmployerTaskConfig config;
  config.jobs_path = a.employer_jobs.empty()
                         ? (std::filesystem::path(data) / engine::kEmployerJobsFile).string()
                         : a.employer_jobs;
  if (!a.relevance_features.empty()) config.fit.features = split_commas(a.relevance_features);
  for (const std::string& v : a.relevance_variants) {
    std::vector<std::string> names;
    std::stringstream in(v);
    std::string item;
    while (std::getline(in, item, '+')) {
      if (!item.empty()) names.push_back(item);
    }
    config.variants.push_back(std::move(names));
  }
  config.fit.candidates = a.relevance_candidates;
  try {
    config.validate();
  } catch (const std::exception& e) {
    return fail(std::string("employer task: ") + e.what() + " (features: " + [] {
      std::string all;
      for (const std::string& f : engine::known_features()) all += (all.empty() ? "" : ", ") + f;
      return all;
    }() + ")");
  }
  auto catalog = engine::LoadedCatalog::open(catalog_dir(g));
  if (!catalog) {
    return fail(catalog.status().with_context(
        "task employer ranks the credentials of a built catalog (credmatch build, --catalog DIR)"));
  }
  auto report = engine::run_employer_task(**catalog, config);
  if (!report) return fail(report.status().with_context("task employer"));
  std::printf("%s", engine::format_employer_report(*report).c_str());
  std::fflush(stdout);
  if (!a.jobs_out.empty()) {
    std::ofstream out(a.jobs_out);
    out << engine::format_employer_jobs(*report, **catalog);
    if (!out) return fail("--employer-jobs-out: cannot write " + a.jobs_out);
  }
  if (!a.fit_out.empty()) {
    if (Status st = report->model.save(a.fit_out); !st.is_ok()) return fail(st);
    std::printf("\nwrote the model fitted on every job to %s (fingerprint %s)\n", a.fit_out.c_str(),
                report->model.fingerprint().c_str());
  }
  return 0;
}

int run_worker(const GlobalOptions& g, const EvalArgs& a, const std::string& data) {
  engine::WorkerTaskConfig config;
  config.jobs_path = a.employer_jobs.empty()
                         ? (std::filesystem::path(data) / engine::kEmployerJobsFile).string()
                         : a.employer_jobs;
  config.profiles_path = a.worker_profiles.empty()
                             ? (std::filesystem::path(data) / "eval/worker_profiles.json").string()
                             : a.worker_profiles;
  if (!a.relevance_features.empty()) config.employer.fit.features = split_commas(a.relevance_features);
  config.employer.fit.candidates = a.relevance_candidates;
  config.path.candidates = a.path_candidates;
  config.path.anchor = !a.path_no_anchor;
  try {
    config.path.candidates.validate();
  } catch (const std::exception& e) {
    return fail(std::string("worker task: ") + e.what());
  }
  auto catalog = engine::LoadedCatalog::open(catalog_dir(g));
  if (!catalog) {
    return fail(catalog.status().with_context(
        "task worker plans paths over a built catalog (credmatch build, --catalog DIR)"));
  }
  auto thresholds = engine::load_gap_thresholds((*catalog)->dir(), (*catalog)->encoder().id());
  if (!thresholds) return fail(thresholds.status().with_context("task worker"));
  config.gap.covered_threshold = thresholds->covered;
  config.gap.partial_threshold = thresholds->partial;
  auto report = engine::run_worker_task(**catalog, config);
  if (!report) return fail(report.status().with_context("task worker"));
  std::printf("%s", engine::format_worker_report(*report).c_str());
  std::fflush(stdout);
  return 0;
}

int run_ranking_tasks(const GlobalOptions& g, const EvalArgs& a,
                      const std::vector<std::string>& task_names, const std::string& data);

int run_eval(const GlobalOptions& g, const EvalArgs& a) {
  const std::vector<std::string> wanted = split_commas(a.tasks);
  if (wanted.empty()) return fail("--tasks: no task given");
  const bool all = std::find(wanted.begin(), wanted.end(), "all") != wanted.end();
  const bool employer = all || std::find(wanted.begin(), wanted.end(), "employer") != wanted.end();
  const bool worker = all || std::find(wanted.begin(), wanted.end(), "worker") != wanted.end();
  std::vector<std::string> ranking;
  for (const std::string& w : wanted) {
    if (w != "employer" && w != "worker") ranking.push_back(w);
  }
  const std::string data = a.data.empty() ? default_data_dir() : a.data;
  if (!ranking.empty()) {
    if (int rc = run_ranking_tasks(g, a, ranking, data); rc != 0) return rc;
  }
  if (!employer && !a.fit_out.empty()) return fail("--fit-out: only with the employer task");
  if (employer) {
    if (int rc = run_employer(g, a, data); rc != 0) return rc;
  }
  return worker ? run_worker(g, a, data) : 0;
}

int run_ranking_tasks(const GlobalOptions& g, const EvalArgs& a,
                      const std::vector<std::string>& task_names, const std::string& data) {
  std::vector<std::string> encoders = split_commas(a.encoders);
  if (encoders.empty()) return fail("--encoders: none given");
  // Dense encoders by name: "catalog" (the --catalog's) or an encoder file.
  std::unordered_map<std::string, std::unique_ptr<engine::Encoder>> dense;
  // The --catalog's statements, read once for the encoders fitted here (sif:, --sweep-fusion).
  std::optional<std::vector<std::string>> catalog_corpus;
  auto read_catalog_corpus = [&](const std::string& who) -> Status {
    if (catalog_corpus) return Status::ok();
    auto store = engine::CatalogStore::open(
        (std::filesystem::path(catalog_dir(g)) / engine::kCatalogDbFile).string(), false);
    if (!store) return store.status().with_context(who + " needs a built --catalog");
    catalog_corpus = (*store)->corpus_texts();
    return Status::ok();
  };
  for (const auto& e : encoders) {
    if (e == "bm25" || e == "tfidf-char" || dense.count(e)) continue;
    if (e.rfind("sif:", 0) == 0) {
      // Pretrained word vectors (docs/models.md), SIF weights and common component fitted on
      // the --catalog's statements, as a build would.
      if (Status st = read_catalog_corpus("--encoders " + e); !st.is_ok()) return fail(st);
      auto sif = engine::fit_sif_encoder(e.substr(4), *catalog_corpus, engine::SifConfig{});
      if (!sif) return fail(sif.status().with_context("--encoders " + e));
      dense.emplace(e, std::move(*sif));
      continue;
    }
    const bool is_catalog = e == "catalog";
    if (!is_catalog && !std::filesystem::is_regular_file(e)) {
      return fail("--encoders: unknown '" + e +
                  "' (bm25, tfidf-char, catalog, sif:WORD_VECTORS_FILE, or an encoder file such "
                  "as CATALOG/encoder.bin)");
    }
    const std::string path =
        is_catalog ? (std::filesystem::path(catalog_dir(g)) / engine::kEncoderFile).string() : e;
    auto loaded = engine::load_encoder(path);
    if (!loaded) {
      return fail(loaded.status().with_context(
          is_catalog ? "encoder catalog needs a built catalog (credmatch build, --catalog DIR, or "
                       "--encoders bm25,tfidf-char)"
                     : "--encoders"));
    }
    dense.emplace(e, std::move(*loaded));
  }
  // Tuning aid (validation tasks only): the same encoder with other lexical-block shares.
  std::vector<std::string> rows = encoders;
  if (!a.lexical_weights.empty()) {
    rows.clear();
    for (const auto& e : encoders) {
      rows.push_back(e);
      auto found = dense.find(e);
      const auto* base = found == dense.end()
                             ? nullptr
                             : dynamic_cast<const engine::TfidfSvdEncoder*>(found->second.get());
      if (base == nullptr) continue;
      for (const auto& w : split_commas(a.lexical_weights)) {
        float weight = 0;
        try {
          weight = std::stof(w);
          const std::string name = e + "@lexical=" + w;
          dense.emplace(name, base->with_lexical_weight(weight));
          rows.push_back(name);
        } catch (const std::exception&) {
          return fail("--sweep-lexical-weight: not a weight in [0, 1]: '" + w + "'");
        }
      }
    }
  }
  // Tuning aid (validation tasks only): each dense encoder fused with lexical sketches fitted
  // on the --catalog's statements, as `credmatch build --encoder hybrid` would fuse them.
  if (!a.fusions.empty()) {
    std::vector<engine::FusionConfig> settings;
    for (const auto& spec : split_commas(a.fusions)) {
      auto c = parse_fusion(spec);
      if (!c) return fail(c.status());
      settings.push_back(*c);
    }
    if (Status st = read_catalog_corpus("--sweep-fusion"); !st.is_ok()) return fail(st);
    const std::vector<std::string>& corpus = *catalog_corpus;
    std::map<std::pair<std::string, int>, std::unique_ptr<engine::LexicalSketchEncoder>> fitted;
    auto sketch = [&](const std::string& analyzer, int dim) -> engine::LexicalSketchEncoder* {
      if (dim == 0) return nullptr;
      auto& slot = fitted[{analyzer, dim}];
      if (!slot) {
        engine::LexicalSketchConfig c;
        c.analyzer = analyzer;
        c.dim = dim;
        const auto t0 = Clock::now();
        slot = engine::LexicalSketchEncoder::fit(corpus, c);
        spdlog::info("fitted {} on {} statements ({} features) in {:.1f} s", slot->id(),
                     corpus.size(), slot->num_features(), seconds_since(t0));
      }
      return slot.get();
    };
    std::vector<std::string> with_fusion;
    for (const auto& e : rows) {
      with_fusion.push_back(e);
      auto found = dense.find(e);
      const auto* base = found == dense.end()
                             ? nullptr
                             : dynamic_cast<const engine::TfidfSvdEncoder*>(found->second.get());
      if (base == nullptr || e.find("@lexical=") != std::string::npos) continue;
      for (const auto& c : settings) {
        engine::FittedSketches parts;
        if (auto* s = sketch("char", c.char_dim)) {
          parts.chars = std::make_unique<engine::LexicalSketchEncoder>(*s);
        }
        if (auto* s = sketch("word", c.word_dim)) {
          parts.words = std::make_unique<engine::LexicalSketchEncoder>(*s);
        }
        const std::string name = e + "@fusion=" + c.describe();
        dense.emplace(name, engine::fuse_lexical(*base, parts, c));
        with_fusion.push_back(name);
      }
    }
    rows = std::move(with_fusion);
  }
  auto tasks = engine::load_ranking_tasks(data, task_names, a.max_queries);
  if (!tasks) return fail(tasks.status());
  if (tasks->empty()) return fail("--tasks: no task given");
  for (const engine::RankingTask& task : *tasks) {
    std::printf("\n%s: %s\n%zu queries, %zu targets\n\n", task.name.c_str(),
                task.description.c_str(), task.queries.size(), task.targets.size());
    std::printf("| encoder | MRR | MAP@100 | RP@5 | RP@10 | R@100 | targets/s | queries/s |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (const auto& e : rows) {
      auto found = dense.find(e);
      const engine::Encoder* enc = found == dense.end() ? nullptr : found->second.get();
      const Row r = evaluate(task, e, enc);
      const std::string label = !enc ? e
                                : e == "catalog" ? "catalog (" + enc->id() + ")"
                                : e.find('@') != std::string::npos
                                    ? enc->id() + " (" + e.substr(e.find('@') + 1) + ")"
                                    : enc->id();
      std::printf("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f |\n", label.c_str(),
                  100 * r.metrics.mrr, 100 * r.metrics.map_at_100, 100 * r.metrics.rp_at_5,
                  100 * r.metrics.rp_at_10, 100 * r.metrics.recall_at_100, r.index_per_s,
                  r.query_per_s);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Ranking quality (MRR, MAP@100, R-precision@5/10, recall@100) on labelled tasks; "
              "the employer task also fits the relevance model");
  cmd->add_option("--data", args->data, "Shipped data folder (default: $CREDMATCH_DATA or data/)")
      ->type_name("DIR");
  cmd->add_option("--tasks", args->tasks,
                  "Comma-separated: all, skill_norm, job_essential, tech_test, tech_validation, "
                  "house_validation, jobbert_dev, jobbert_test, employer, worker (both need --catalog)")
      ->capture_default_str();
  cmd->add_option("--encoders", args->encoders,
                  "Comma-separated: bm25, tfidf-char, catalog, sif:WORD_VECTORS (GloVe SIF fitted "
                  "on --catalog's statements), or encoder files")
      ->capture_default_str();
  cmd->add_option("--sweep-lexical-weight", args->lexical_weights,
                  "Tuning: also evaluate each tfidf-svd/domain encoder with these lexical shares "
                  "(comma-separated, 0..1); use on validation tasks only");
  cmd->add_option("--sweep-fusion", args->fusions,
                  "Tuning: also evaluate each tfidf-svd/domain encoder fused with lexical sketches "
                  "fitted on --catalog's statements, one row per setting (comma-separated, each "
                  "'+'-separated cDIM:W, wDIM:W, lLAMBDA, e.g. c512:0.3+w256:0.1); use on "
                  "validation tasks only");
  cmd->add_option("--max-queries", args->max_queries,
                  "Per task, keep at most this many queries, evenly spread (0 = all)")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}))
      ->capture_default_str();
  cmd->add_option("--employer-jobs", args->employer_jobs,
                  "employer task: labelled jobs file (default: DATA/eval/employer_dev.jsonl.gz)")
      ->type_name("FILE");
  cmd->add_option("--fit-out", args->fit_out,
                  "employer task: write the relevance model fitted on every job (JSON) here")
      ->type_name("FILE");
  cmd->add_option("--employer-jobs-out", args->jobs_out,
                  "employer task: write each job's out-of-fold top 10 and first relevant rank "
                  "(TSV) here, for error analysis")
      ->type_name("FILE");
  cmd->add_option("--worker-profiles", args->worker_profiles,
                  "worker task: worker profiles file (default: DATA/eval/worker_profiles.json)")
      ->type_name("FILE");
  cmd->add_option("--path-min-relevance", args->path_candidates.min_relevance,
                  "worker task: least P(relevant) of a path candidate")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--path-max-relevant", args->path_candidates.max_relevant,
                  "worker task: most path candidates")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--path-fallback-count", args->path_candidates.fallback_count,
                  "worker task: candidates made up from the loosely related when too few reach "
                  "--path-min-relevance")
      ->check(CLI::Range(0, 100000))->capture_default_str();
  cmd->add_option("--path-fallback-relevance", args->path_candidates.fallback_relevance,
                  "worker task: least P(relevant) of those")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  cmd->add_flag("--path-no-anchor", args->path_no_anchor,
                "worker task: plans do not start with the most related credential");
  cmd->add_option("--relevance-features", args->relevance_features,
                  "employer task: comma-separated features of the relevance model (default: the "
                  "shipped eight, docs/quality.md)");
  cmd->add_option("--relevance-variant", args->relevance_variants,
                  "employer task: an extra out-of-fold row, '+'-separated features (repeatable)");
  cmd->add_option("--relevance-candidates", args->relevance_candidates,
                  "employer task: training list length per job (0 = every credential)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  cmd->callback([&g, args] { g_exit_code = run_eval(g, *args); });
}

}  // namespace credmatch::cli
