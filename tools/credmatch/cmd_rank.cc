// `credmatch rank`: generic ranking of any labelled set. Indexes the targets of a TSV file with
// the chosen encoder and writes the k best targets of every query of another TSV file:
//
//   credmatch rank --targets T.tsv --queries Q.tsv --k 100 --out RUN.tsv [--encoder NAME]
//
// Input: UTF-8 `id<TAB>text` per line, no header (gzip accepted; a BOM and CR line ends are
// stripped). The text is everything after the first tab. Missing tab, empty id, empty text,
// invalid UTF-8 or a repeated id fail with `FILE:LINE: reason`.
// Output: `query_id<TAB>target_id<TAB>rank<TAB>score`, rank 1 = best, min(k, targets) rows per
// query in query order. It is written to OUT.tmp and renamed at the end, so a failed run never
// leaves a partial OUT.
// Encoders: `catalog` (default: the encoder of --catalog, dense, exact FlatIndex search),
// `bm25` and `tfidf-char` (exact lexical rankers, text/lexical.h). Queries stream in chunks;
// the targets are held in memory.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <unordered_set>
#include <vector>

#include "catalog/loaded_catalog.h"
#include "encode/encoder.h"
#include "text/lexical.h"
#include "text/line_reader.h"
#include "text/normalize.h"
#include "eval/ranking.h"
#include "tools/credmatch/cli.h"

namespace credmatch::cli {
namespace {

constexpr size_t kChunk = engine::kRankBatch;  // queries streamed per batch

struct RankArgs {
  std::string targets;
  std::string queries;
  std::string out;
  std::string encoder = "catalog";
  int k = 100;
};

struct TsvRow {
  std::string id;
  std::string text;
};

// Reads `id<TAB>text` lines; ids must be unique within the file.
class TsvReader {
 public:
  static Result<std::unique_ptr<TsvReader>> open(const std::string& path) {
    auto reader = engine::LineReader::open(path);
    if (!reader) return reader.status();
    auto out = std::make_unique<TsvReader>();
    out->reader_ = std::move(*reader);
    return out;
  }

  // Next non-blank row into *row; false at the end. Check status() after false.
  bool next(TsvRow* row) {
    std::string line;
    while (reader_->next(&line)) {
      if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
      const size_t tab = line.find('\t');
      if (tab == std::string::npos) return error("missing tab (expected id<TAB>text)");
      if (!engine::is_valid_utf8(line)) return error("invalid UTF-8");
      row->id = line.substr(0, tab);
      row->text = line.substr(tab + 1);
      if (row->id.find_first_not_of(' ') == std::string::npos) return error("empty id");
      if (row->text.find_first_not_of(" \t") == std::string::npos) {
        return error("empty text for id '" + row->id + "'");
      }
      if (!seen_.insert(row->id).second) return error("duplicate id '" + row->id + "'");
      return true;
    }
    if (!reader_->status().is_ok()) status_ = reader_->status();
    return false;
  }

  const Status& status() const { return status_; }

 private:
  bool error(const std::string& reason) {
    status_ = Status::invalid_argument(reader_->path() + ":" +
                                       std::to_string(reader_->line_number()) + ": " + reason);
    return false;
  }

  std::unique_ptr<engine::LineReader> reader_;
  std::unordered_set<std::string> seen_;
  Status status_;
};

// Ranks chunks of queries; one implementation per encoder family.
class Ranker {
 public:
  virtual ~Ranker() = default;
  // Results of queries.size() queries, in order.
  virtual std::vector<engine::RankedList> rank(const std::vector<std::string>& queries,
                                               int k) const = 0;
};

class LexicalRankerAdapter final : public Ranker {
 public:
  explicit LexicalRankerAdapter(std::unique_ptr<engine::LexicalRanker> ranker)
      : ranker_(std::move(ranker)) {}
  std::vector<engine::RankedList> rank(const std::vector<std::string>& queries,
                                       int k) const override {
    std::vector<engine::RankedList> out;
    out.reserve(queries.size());
    for (const auto& q : queries) out.push_back(ranker_->search(q, k));
    return out;
  }

 private:
  std::unique_ptr<engine::LexicalRanker> ranker_;
};

class DenseRanker final : public Ranker {
 public:
  DenseRanker(std::unique_ptr<engine::Encoder> encoder, const std::vector<std::string>& targets)
      : encoder_(std::move(encoder)), ranker_(*encoder_, targets) {}

  std::vector<engine::RankedList> rank(const std::vector<std::string>& queries,
                                       int k) const override {
    return ranker_.rank(queries, k);
  }

 private:
  std::unique_ptr<engine::Encoder> encoder_;
  engine::DenseRanker ranker_;
};

Result<std::unique_ptr<Ranker>> make_ranker(const GlobalOptions& g, const std::string& name,
                                            const std::vector<std::string>& targets) {
  if (auto lexical = engine::make_lexical_ranker(name, targets)) {
    return std::unique_ptr<Ranker>(new LexicalRankerAdapter(std::move(lexical)));
  }
  const std::string path = (std::filesystem::path(catalog_dir(g)) / engine::kEncoderFile).string();
  auto encoder = engine::load_encoder(path);
  if (!encoder) {
    return encoder.status().with_context(
        "--encoder catalog needs a built catalog (credmatch build, or --catalog DIR)");
  }
  return std::unique_ptr<Ranker>(new DenseRanker(std::move(*encoder), targets));
}

class RunWriter {
 public:
  explicit RunWriter(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {}
  ~RunWriter() {
    if (file_) std::fclose(file_);
    if (!committed_) std::filesystem::remove(tmp_);
  }
  Status open() {
    file_ = std::fopen(tmp_.c_str(), "wb");
    if (!file_) return Status::io_error(tmp_ + ": cannot create");
    return Status::ok();
  }
  void write(const std::string& query_id, const std::string& target_id, int rank, float score) {
    std::fprintf(file_, "%s\t%s\t%d\t%.6g\n", query_id.c_str(), target_id.c_str(), rank,
                 static_cast<double>(score));
  }
  Status commit() {
    const bool failed = std::ferror(file_) != 0;
    if (std::fclose(file_) != 0 || failed) {
      file_ = nullptr;
      return Status::io_error(tmp_ + ": write failed");
    }
    file_ = nullptr;
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec) return Status::io_error(path_ + ": cannot rename from " + tmp_ + ": " + ec.message());
    committed_ = true;
    return Status::ok();
  }

 private:
  std::string path_;
  std::string tmp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

int run_rank(const GlobalOptions& g, const RankArgs& a) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto targets_in = TsvReader::open(a.targets);
  if (!targets_in) return fail(targets_in.status());
  std::vector<std::string> target_ids, target_texts;
  TsvRow row;
  while ((*targets_in)->next(&row)) {
    target_ids.push_back(std::move(row.id));
    target_texts.push_back(std::move(row.text));
  }
  if (!(*targets_in)->status().is_ok()) return fail((*targets_in)->status());
  if (target_ids.empty()) return fail(a.targets + ": no targets (expected id<TAB>text lines)");
  // Open the queries before the (possibly slow) indexing, so a missing file fails fast.
  auto queries_in = TsvReader::open(a.queries);
  if (!queries_in) return fail(queries_in.status());

  auto ranker = make_ranker(g, a.encoder, target_texts);
  if (!ranker) return fail(ranker.status());
  const auto t1 = Clock::now();
  spdlog::info("rank: indexed {} targets with {} in {:.2f} s", target_ids.size(), a.encoder,
               std::chrono::duration<double>(t1 - t0).count());

  RunWriter out(a.out);
  if (Status s = out.open(); !s.is_ok()) return fail(s);
  std::vector<std::string> ids, texts;
  int64_t n_queries = 0;
  auto flush = [&] {
    const auto lists = (*ranker)->rank(texts, a.k);
    for (size_t i = 0; i < lists.size(); ++i) {
      for (size_t j = 0; j < lists[i].ids.size(); ++j) {
        out.write(ids[i], target_ids[static_cast<size_t>(lists[i].ids[j])], static_cast<int>(j + 1),
                  lists[i].scores[j]);
      }
    }
    n_queries += static_cast<int64_t>(ids.size());
    ids.clear();
    texts.clear();
  };
  while ((*queries_in)->next(&row)) {
    ids.push_back(std::move(row.id));
    texts.push_back(std::move(row.text));
    if (ids.size() == kChunk) flush();
  }
  if (!(*queries_in)->status().is_ok()) return fail((*queries_in)->status());
  flush();
  if (Status s = out.commit(); !s.is_ok()) return fail(s);
  const double search_s = std::chrono::duration<double>(Clock::now() - t1).count();
  spdlog::info("rank: {} queries in {:.2f} s ({:.0f} queries/s), wrote {}", n_queries, search_s,
               search_s > 0 ? double(n_queries) / search_s : 0.0, a.out);
  return 0;
}

}  // namespace

void add_rank_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<RankArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rank", "Rank targets for every query (TSV id<TAB>text files) and write a run file");
  cmd->add_option("--targets", args->targets, "Targets: id<TAB>text per line, no header")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--queries", args->queries, "Queries: id<TAB>text per line, no header")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--out", args->out,
                  "Run file: query_id<TAB>target_id<TAB>rank<TAB>score, rank 1 = best")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--k", args->k, "Targets per query")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--encoder", args->encoder,
                  "catalog (the encoder of --catalog), bm25 or tfidf-char")
      ->check(CLI::IsMember({"catalog", "bm25", "tfidf-char"}))
      ->capture_default_str();
  cmd->callback([&g, args] { g_exit_code = run_rank(g, *args); });
}

}  // namespace credmatch::cli
