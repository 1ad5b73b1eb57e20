// `credmatch build`: ingest inputs (default: the shipped data), fit the encoder, encode and
// index every competency, and install the new catalog atomically.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "catalog/build.h"
#include "index/index_factory.h"
#include "plan/gap_calibration.h"
#include "store/ingest.h"
#include "tools/credmatch/cli.h"

namespace credmatch::cli {
namespace {

struct BuildArgs {
  std::vector<std::string> inputs;
  std::string data_dir;
  std::string index_factory = "Flat";
  int dim = 256;
  int lexical_dim = 256;
  float lexical_weight = 0.7f;
  std::string encoder = "hybrid";
  std::string encoder_file;
  int epochs = engine::DomainTrainingConfig{}.epochs;
  engine::FusionConfig fusion;
  bool no_default_data = false;
};

// The shipped default catalog: every data file in `dir` the ingest formats recognise.
Result<std::vector<std::string>> default_inputs(const std::string& dir) {
  std::vector<std::string> out;
  for (const char* name : {"skills_esco.jsonl.gz", "occupations_esco.jsonl.gz",
                           "credentials_carpentries.jsonl.gz", "credentials_cip.jsonl.gz"}) {
    const auto path = std::filesystem::path(dir) / name;
    if (!std::filesystem::exists(path)) {
      return Status::not_found(path.string() +
                               ": shipped data file missing (set --data or $CREDMATCH_DATA)");
    }
    out.push_back(path.string());
  }
  return out;
}

int run_build(const GlobalOptions& g, BuildArgs& a) {
  std::vector<std::string> args = a.inputs;
  if (args.empty() && !a.no_default_data) {
    auto defaults = default_inputs(a.data_dir.empty() ? default_data_dir() : a.data_dir);
    if (!defaults) return fail(defaults.status());
    args = *defaults;
  }
  std::vector<engine::InputFile> inputs;
  for (const std::string& arg : args) {
    auto input = engine::classify_input(arg);
    if (!input) return fail(input.status());
    inputs.push_back(*input);
  }
  // A deprecated spelling still builds the same index; say so before the (long) build.
  for (const std::string& warning : index::factory_warnings(a.index_factory)) {
    spdlog::warn("--index {}: {}", a.index_factory, warning);
  }
  engine::BuildOptions options;
  options.index_factory = a.index_factory;
  options.encoder.semantic_dim = a.dim;
  options.encoder.lexical_dim = a.lexical_dim;
  options.encoder.lexical_weight = a.lexical_weight;
  options.encoder_family = a.encoder;
  options.encoder_file = a.encoder_file;
  options.training.epochs = a.epochs;
  options.fusion = a.fusion;
  // The relevance model is fitted on the shipped labelled jobs wherever they name credentials
  // of the catalog, else the shipped weights are used (catalog/catalog_relevance.h).
  options.relevance =
      engine::shipped_relevance_options(a.data_dir.empty() ? default_data_dir() : a.data_dir);
  Progress progress;
  options.progress = [&progress](std::string_view stage, double f) { progress(stage, f); };
  const std::string dir = catalog_dir(g);
  spdlog::info("building catalog at {} from {} input file(s)", dir, inputs.size());
  auto report = engine::build_catalog(dir, inputs, options);
  progress.finish();
  if (!report) return fail(report.status().message() + "\n(the catalog at " + dir +
                           " was left unchanged)");
  const auto& r = *report;
  // Gap thresholds for the new encoder, from the shipped ESCO data (docs/paths.md); a failure
  // here leaves gap/path on their documented defaults, so it does not fail the build.
  std::optional<engine::GapCalibration> gap_cal;
  if (a.inputs.empty() && !a.no_default_data) {
    auto c = engine::calibrate_catalog_dir(dir, a.data_dir.empty() ? default_data_dir() : a.data_dir,
                                           engine::GapCalibrationConfig{}, /*dry_run=*/false);
    if (c) gap_cal = *c;
    else spdlog::warn("gap threshold calibration skipped: {}", c.status().message());
  }
  if (g.json) {
    nlohmann::json j = {
        {"catalog", dir},
        {"ingested", {{"credentials", r.ingested.credentials}, {"competencies", r.ingested.competencies},
                      {"skills", r.ingested.skills}, {"jobs", r.ingested.jobs},
                      {"requirements", r.ingested.requirements}}},
        {"catalog_counts", {{"credentials", r.counts.credentials},
                            {"competencies", r.counts.competencies},
                            {"matchable_competencies", r.counts.matchable_competencies},
                            {"skills", r.counts.skills}, {"jobs", r.counts.jobs},
                            {"requirements", r.counts.requirements}}},
        {"encoder", {{"id", r.encoder_id}, {"features", r.encoder_features},
                     {"training_pairs", r.training_pairs}, {"training_loss", r.training_loss},
                     {"note", r.encoder_note}}},
        {"index", a.index_factory},
        {"relevance", {{"model", r.relevance.model}, {"note", r.relevance.note},
                       {"jobs", r.relevance.jobs}, {"fingerprint", r.relevance.fingerprint}}},
        {"gap_thresholds", gap_cal ? nlohmann::json{{"covered", gap_cal->covered_threshold},
                                                    {"partial", gap_cal->partial_threshold},
                                                    {"seconds", gap_cal->seconds}}
                                   : nlohmann::json(nullptr)},
        {"seconds", {{"ingest", r.ingest_seconds}, {"fit", r.fit_seconds},
                     {"encode", r.encode_seconds}, {"index", r.index_seconds},
                     {"relevance", r.relevance_seconds}, {"total", r.total_seconds}}}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("Built catalog at %s in %.1f s\n", dir.c_str(), r.total_seconds);
  std::printf("  ingested      %lld credentials, %lld competencies, %lld skills, %lld jobs, %lld requirements\n",
              (long long)r.ingested.credentials, (long long)r.ingested.competencies,
              (long long)r.ingested.skills, (long long)r.ingested.jobs,
              (long long)r.ingested.requirements);
  std::printf("  catalog holds %lld credentials, %lld competencies (%lld matchable), %lld skills, %lld jobs\n",
              (long long)r.counts.credentials, (long long)r.counts.competencies,
              (long long)r.counts.matchable_competencies, (long long)r.counts.skills,
              (long long)r.counts.jobs);
  if (r.encoder_features > 0) {
    std::printf("  encoder       %s (%lld features)\n", r.encoder_id.c_str(),
                (long long)r.encoder_features);
  } else {
    std::printf("  encoder       %s\n", r.encoder_id.c_str());
  }
  if (r.training_pairs > 0) {
    std::printf("  trained on    %lld taxonomy pairs, loss per epoch:", (long long)r.training_pairs);
    for (double l : r.training_loss) std::printf(" %.3f", l);
    std::printf("\n");
  }
  if (!r.encoder_note.empty()) std::printf("  note          %s\n", r.encoder_note.c_str());
  std::printf("  index         %s\n", a.index_factory.c_str());
  std::printf("  relevance     %s\n", r.relevance.note.c_str());
  if (gap_cal) {
    std::printf("  gap           covered >= %.3f, partial >= %.3f (calibrated in %.1f s; credmatch calibrate-gap)\n",
                double(gap_cal->covered_threshold), double(gap_cal->partial_threshold), gap_cal->seconds);
  }
  std::printf("  time          ingest %.1f s, fit encoder %.1f s, encode %.1f s, index %.1f s, "
              "relevance %.1f s\n",
              r.ingest_seconds, r.fit_seconds, r.encode_seconds, r.index_seconds,
              r.relevance_seconds);
  return 0;
}

}  // namespace

void add_build_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<BuildArgs>();
  CLI::App* cmd = app.add_subcommand(
      "build", "Ingest data, fit the encoder, encode and index competencies (default: shipped data)");
  cmd->add_option("inputs", args->inputs,
                  "Input files (docs/formats.md): PATH or KIND=PATH, KIND one of credentials, "
                  "competencies, skills, jobs, requirements. Records with existing ids are replaced.")
      ->type_name("FILE");
  cmd->add_option("--data", args->data_dir, "Folder of shipped default data (when no inputs given)")
      ->type_name("DIR");
  cmd->add_flag("--no-default-data", args->no_default_data,
                "With no inputs, rebuild the encoder and index from the records already stored");
  cmd->add_option("--index", args->index_factory,
                  "Index factory string (docs/index.md): Flat (exact), Flat:int8, "
                  "hnsw:M=32,efc=200,int8,rerank=4, ivf:nlist=4096,pca=512,int8,rerank=32,ondisk, "
                  "or faiss:SPEC such as faiss:HNSW32")
      ->capture_default_str();
  cmd->add_option("--dim", args->dim, "Encoder: dimensions of the latent-semantic (SVD) block")
      ->check(CLI::Range(8, 2048))
      ->capture_default_str();
  cmd->add_option("--encoder", args->encoder,
                  "Encoder: tfidf-svd (LSA), domain (LSA trained on the taxonomy's pairs) or hybrid "
                  "(domain fused with lexical sketches)")
      ->capture_default_str();
  cmd->add_option("--encoder-file", args->encoder_file,
                  "Use this saved encoder (e.g. another catalog's encoder.bin) as is, without "
                  "fitting: the other encoder options are ignored")
      ->check(CLI::ExistingFile)
      ->type_name("FILE");
  cmd->add_option("--lexical-weight", args->lexical_weight,
                  "Encoder: the lexical sketch block's share of the similarity (0..1)")
      ->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Encoder domain, hybrid: training epochs")
      ->capture_default_str();
  cmd->add_option("--char-dim", args->fusion.char_dim,
                  "Encoder hybrid: dimensions of the char n-gram TF-IDF sketch (0 = none)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  cmd->add_option("--char-weight", args->fusion.char_weight,
                  "Encoder hybrid: the char sketch's share of the similarity")
      ->capture_default_str();
  cmd->add_option("--word-dim", args->fusion.word_dim,
                  "Encoder hybrid: dimensions of the word TF-IDF (BM25 idf) sketch (0 = none)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  cmd->add_option("--word-weight", args->fusion.word_weight,
                  "Encoder hybrid: the word sketch's share of the similarity")
      ->capture_default_str();
  cmd->add_option("--dense-lexical-weight", args->fusion.dense_lexical_weight,
                  "Encoder hybrid: the domain part's own lexical-block share λ (negative: "
                  "--lexical-weight)")
      ->capture_default_str();
  cmd->add_option("--lexical-dim", args->lexical_dim,
                  "Encoder: dimensions of the lexical sketch block (0 = none)")
      ->check(CLI::Range(0, 2048))
      ->capture_default_str();
  cmd->callback([&g, args] { g_exit_code = run_build(g, *args); });
}

}  // namespace credmatch::cli
