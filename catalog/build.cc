#include "catalog/build.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <thread>

#include "base/error.h"
#include "base/clock.h"
#include "base/file_lock.h"
#include "base/thread_pool.h"
#include "catalog/loaded_catalog.h"
#include "text/normalize.h"
#include "index/index_factory.h"
#include "index/vector_file.h"
#include "index/kernels/scan_kernels.h"

namespace credmatch::engine {
namespace fs = std::filesystem;
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Removes the staging directory unless the build got as far as swapping it in.
class StagingGuard {
 public:
  explicit StagingGuard(fs::path p) : path_(std::move(p)) {}
  ~StagingGuard() {
    if (!path_.empty()) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

// fsync of a directory entry list (so renames into or out of it are durable).
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// fsync of every file of `dir` (one level: a catalog has no subfolders) and of `dir` itself.
Status sync_directory_tree(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
      const std::string why = std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return Status::io_error(entry.path().string() + ": cannot sync to disk: " + why);
    }
    ::close(fd);
  }
  if (ec) return Status::io_error(dir.string() + ": cannot list: " + ec.message());
  sync_directory(dir);
  return Status::ok();
}

// Swaps two directory entries atomically (Linux renameat2 RENAME_EXCHANGE); false where the
// kernel or filesystem cannot, and nothing changed.
bool exchange_directories(const fs::path& a, const fs::path& b) {
#if defined(__linux__) && defined(RENAME_EXCHANGE)
  return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
#else
  (void)a;
  (void)b;
  return false;
#endif
}

const std::set<std::string>& catalog_file_names() {
  static const std::set<std::string> names = {kCatalogDbFile,
                                              std::string(kCatalogDbFile) + "-wal",
                                              std::string(kCatalogDbFile) + "-shm",
                                              kEncoderFile,
                                              kVectorsFile,
                                              kIndexFile,
                                              kGapThresholdsFile,
                                              kRelevanceProfilesFile,
                                              kRelevanceModelFile};
  return names;
}

// A directory we may replace wholesale: absent, empty, or holding only catalog files.
Status check_replaceable(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::ok();
  if (!fs::is_directory(dir, ec)) {
    return Status::invalid_argument(dir.string() + ": exists and is not a directory");
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!catalog_file_names().count(name)) {
      return Status::invalid_argument(dir.string() + ": holds '" + name +
                                      "', which is not a catalog file; refusing to replace it "
                                      "(choose an empty or new --catalog directory)");
    }
  }
  if (ec) return Status::io_error(dir.string() + ": cannot list: " + ec.message());
  return Status::ok();
}

// Encodes texts in chunks on the thread pool (Encoder::encode is thread safe).
std::vector<float> encode_all(const Encoder& encoder, const std::vector<std::string>& texts,
                              const std::function<void(double)>& progress) {
  const size_t d = static_cast<size_t>(encoder.dim());
  std::vector<float> out(texts.size() * d);
  constexpr size_t kChunk = 2048;
  const int64_t chunks = int64_t((texts.size() + kChunk - 1) / kChunk);
  run_parallel(chunks, [&](int64_t c) {
    const size_t begin = size_t(c) * kChunk;
    const size_t end = std::min(texts.size(), begin + kChunk);
    encoder.encode(std::span<const std::string>(texts).subspan(begin, end - begin),
                   std::span<float>(out).subspan(begin * d, (end - begin) * d));
  });
  if (progress) progress(1.0);
  return out;
}

// Fits the encoder of options.encoder_family on the store's corpus (and trains it on the
// store's taxonomy pairs for "domain" and "hybrid"), filling the encoder fields of `report`.
Result<std::unique_ptr<Encoder>> fit_encoder(
    const CatalogStore& store, const BuildOptions& options, BuildReport* report,
    const std::function<void(std::string_view, double)>& progress) {
  const std::vector<std::string> corpus = store.corpus_texts();
  std::unique_ptr<TfidfSvdEncoder> dense;
  try {
    dense = TfidfSvdEncoder::fit(corpus, options.encoder, [&](std::string_view stage, double f) {
      progress(std::string("fit encoder: ") + std::string(stage), f);
    });
  } catch (const CorpusTooSmall& e) {
    std::string what = "the catalog holds too little text to fit an encoder of " +
                       std::to_string(options.encoder.semantic_dim) + " dimensions (" + e.what() +
                       "): build it on top of more records (such as the shipped default data)";
    if (e.max_dim >= 8) what += ", or ask for at most " + std::to_string(e.max_dim) + " (--dim)";
    return Status::invalid_argument(what);
  } catch (const Error& e) {
    return Status::invalid_argument(std::string("cannot fit the encoder: ") + e.what());
  }
  if (options.encoder_family == "domain" || options.encoder_family == "hybrid") {
    const std::vector<TrainingPair> pairs = store.training_pairs();
    DomainTrainingReport trained;
    try {
      dense = train_domain_encoder(*dense, pairs, options.training, &trained,
                                   [&](double f) { progress("train encoder", f); });
      report->training_pairs = trained.pairs;
      report->training_loss = trained.epoch_loss;
    } catch (const Error& e) {
      // A catalog without taxonomy records has nothing to train on; LSA still works. The
      // trainer's check is for developers: the note says what the catalog lacks.
      report->encoder_note =
          std::to_string(pairs.size()) + " taxonomy pairs (skills and the occupations or "
          "labels they belong to) usable for training: the encoder is the plain tf-idf + SVD "
          "one (build on top of the shipped ESCO data for the trained one)";
      (void)e;
    }
  }
  report->encoder_features = dense->num_features();
  if (options.encoder_family != "hybrid") return std::unique_ptr<Encoder>(std::move(dense));
  progress("fit lexical sketches", 0.0);
  try {
    const FittedSketches sketches = fit_sketches(corpus, options.fusion);
    return std::unique_ptr<Encoder>(fuse_lexical(*dense, sketches, options.fusion));
  } catch (const Error& e) {
    return Status::invalid_argument(std::string("cannot fit the lexical sketches: ") + e.what());
  }
}

}  // namespace

Result<BuildReport> build_catalog(const std::string& dir, const std::vector<InputFile>& inputs,
                                  const BuildOptions& options) {
  const auto t_start = std::chrono::steady_clock::now();
  auto progress = [&](std::string_view stage, double f) {
    if (options.progress) options.progress(stage, f);
  };
  try {
    options.encoder.validate();
    options.training.validate();
    const bool hybrid = options.encoder_family == "hybrid";
    if (options.encoder_family != "tfidf-svd" && options.encoder_family != "domain" && !hybrid) {
      return Status::invalid_argument("unknown encoder '" + options.encoder_family +
                                      "' (tfidf-svd, domain, hybrid)");
    }
    if (hybrid) options.fusion.validate();
    if (options.encoder_file.empty()) (void)index::make_index(
        options.index_factory,
        options.encoder.semantic_dim + options.encoder.lexical_dim +
            (hybrid ? options.fusion.char_dim + options.fusion.word_dim : 0));
  } catch (const Error& e) {
    return Status::invalid_argument(e.what());
  }
  fs::path target = fs::absolute(fs::path(dir)).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "cat/" names "cat"
  // One writer at a time (a second build or ingest would swap in a catalog built from stale
  // records, or interleave its files with ours); readers do not take the lock.
  auto lock = ExclusiveFileLock::try_acquire(catalog_lock_path(target.string()));
  if (!lock) {
    if (lock.status().code() == StatusCode::kBusy) {
      return Status::busy("another build or ingest is writing the catalog at " + target.string() +
                          "; try again when it has finished");
    }
    return lock.status();
  }
  restore_interrupted_swap(target.string());
  CREDMATCH_RETURN_IF_ERROR(check_replaceable(target));
  const fs::path staging = target.string() + ".staging";
  const fs::path old = target.string() + ".old";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) return Status::io_error(staging.string() + ": cannot create: " + ec.message());
  StagingGuard guard(staging);

  // Start from the current records (and calibrated thresholds), so a build adds to (or
  // replaces within) the catalog.
  for (const std::string& name : {std::string(kCatalogDbFile), std::string(kCatalogDbFile) + "-wal",
                                 std::string(kGapThresholdsFile)}) {
    const fs::path src = target / name;
    if (fs::exists(src, ec)) {
      fs::copy_file(src, staging / src.filename(), ec);
      if (ec) return Status::io_error(src.string() + ": cannot copy: " + ec.message());
    }
  }

  BuildReport report;
  auto store = CatalogStore::open((staging / kCatalogDbFile).string(), /*create=*/true);
  if (!store) return store.status();
  auto t = std::chrono::steady_clock::now();
  progress("ingest", 0.0);
  CREDMATCH_RETURN_IF_ERROR((*store)->ingest(inputs, &report.ingested));
  report.ingest_seconds = seconds_since(t);
  report.counts = (*store)->counts();
  if (report.counts.matchable_competencies == 0) {
    return Status::invalid_argument(
        "the catalog holds no credential competency (teaches/assesses) to match against; "
        "ingest credentials first");
  }

  t = std::chrono::steady_clock::now();
  auto fitted = options.encoder_file.empty() ? fit_encoder(**store, options, &report, progress)
                                             : load_encoder(options.encoder_file);
  if (!fitted) {
    return options.encoder_file.empty() ? fitted.status()
                                        : fitted.status().with_context("--encoder-file");
  }
  // A saved encoder is used as is: no fitting, so a large (e.g. synthetic) catalog is encoded
  // exactly like the catalog the encoder came from.
  if (!options.encoder_file.empty()) {
    report.encoder_note = "reused from " + options.encoder_file + " (not fitted)";
  }
  const std::unique_ptr<Encoder> encoder = std::move(*fitted);
  report.fit_seconds = seconds_since(t);
  report.encoder_id = encoder->id();

  t = std::chrono::steady_clock::now();
  const std::vector<IndexedCompetency> competencies = (*store)->matchable_competencies();
  std::vector<std::string> texts;
  texts.reserve(competencies.size());
  for (const auto& c : competencies) texts.push_back(c.text);
  const std::vector<float> vectors =
      encode_all(*encoder, texts, [&](double f) { progress("encode competencies", f); });
  report.encode_seconds = seconds_since(t);

  t = std::chrono::steady_clock::now();
  progress("index", 0.0);
  std::unique_ptr<index::VectorIndex> idx;
  try {
    idx = index::make_index(options.index_factory, encoder->dim());
    idx->add(static_cast<int64_t>(competencies.size()), vectors);
  } catch (const Error& e) {
    return Status::invalid_argument(std::string("cannot build index '") + options.index_factory +
                                    "': " + e.what());
  }
  report.index_seconds = seconds_since(t);

  CREDMATCH_RETURN_IF_ERROR(save_encoder((staging / kEncoderFile).string(), *encoder));
  // An exact Flat index already stores these vectors and open() reads them from it; only
  // other indexes need the separate matrix for exact rescoring.
  if (!idx->exact_vectors()) {
    CREDMATCH_RETURN_IF_ERROR(index::save_vectors((staging / kVectorsFile).string(),
                                                  encoder->dim(), vectors, encoder->id()));
  }
  CREDMATCH_RETURN_IF_ERROR(index::save_index((staging / kIndexFile).string(), *idx, encoder->id()));
  CREDMATCH_RETURN_IF_ERROR((*store)->set_meta("encoder_id", encoder->id()));
  CREDMATCH_RETURN_IF_ERROR((*store)->set_meta("index_factory", options.index_factory));
  CREDMATCH_RETURN_IF_ERROR((*store)->set_meta("built_at", utc_timestamp()));
  store->reset();  // closes the database (checkpoints its WAL) before the swap

  // The relevance model, on the staged catalog as the matcher will read it.
  t = std::chrono::steady_clock::now();
  progress("relevance model", 0.0);
  {
    auto staged = LoadedCatalog::open(staging.string());
    if (!staged) return staged.status().with_context("staged catalog");
    auto relevance = build_relevance(**staged, staging.string(), options.relevance);
    if (!relevance) return relevance.status();
    report.relevance = std::move(*relevance);
  }
  report.relevance_seconds = seconds_since(t);

  // Swap. Everything staged reaches the disk first; then one atomic exchange of the two
  // directory entries, so a crash at any point leaves the old catalog or the new one at DIR,
  // never neither (docs/reliability.md); the old one, now at DIR.staging, goes last.
  CREDMATCH_RETURN_IF_ERROR(sync_directory_tree(staging));
  fs::remove_all(old, ec);
  const bool had_old = fs::exists(target, ec);
  if (had_old && exchange_directories(staging, target)) {
    sync_directory(target.parent_path());
    guard.release();
    fs::remove_all(staging, ec);  // the previous catalog
    report.total_seconds = seconds_since(t_start);
    progress("done", 1.0);
    return report;
  }
  // Without an atomic exchange (a filesystem that lacks it): the old catalog moves aside, the
  // staged one takes its name (restore_interrupted_swap() repairs a crash in between).
  if (had_old) {
    fs::rename(target, old, ec);
    if (ec) return Status::io_error(target.string() + ": cannot move aside: " + ec.message());
  }
  fs::rename(staging, target, ec);
  if (ec) {
    std::error_code ignored;
    if (had_old) fs::rename(old, target, ignored);  // put the previous catalog back
    return Status::io_error(target.string() + ": cannot install new catalog: " + ec.message());
  }
  guard.release();
  sync_directory(target.parent_path());
  fs::remove_all(old, ec);
  report.total_seconds = seconds_since(t_start);
  progress("done", 1.0);
  return report;
}

}  // namespace credmatch::engine
