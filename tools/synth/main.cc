// credmatch-synth: a SYNTHETIC catalog at scale, for benchmarks only. Credentials are made up of
// real ESCO skill statements (label, alternative label or description, from
// data/skills_esco.jsonl.gz) with light perturbation (a learning-outcome prefix, a context
// suffix, sometimes a second skill joined with "and"), so texts are near-distinct, and every
// competency is encoded by the real encoder of a built catalog. Output, in --out DIR:
//   competencies.vec   n x dim fp32 unit vectors (index/vector_file.h), the catalog's encoder id
//   competencies.tsv   (with --texts) synthetic credential id, competency text, one per line
//   credentials_synthetic.jsonl  (with --credentials) the same credentials in the catalog's
//                      input format (docs/formats.md), with random hours and cost, so
//                      `credmatch build --encoder-file` can make a whole synthetic catalog
//   SYNTHETIC.txt      what this is, how it was made (seed, source, counts)
// The matrix is held in memory until written (n * dim * 4 bytes: 2 GB for 1M x 512).
// With --index SPEC the vectors are never held nor written: they are encoded chunk by chunk
// (--chunk, the first chunk also trains the index) into that index, saved as
// competencies.index, while the exact top-k of --queries more statements (made the same way,
// not in the base) is kept (index/ground_truth.h): queries.vec and truth.knn, for
// `credmatch-bench --index`. This is how a 10M x 1,280 catalog (51 GB as fp32) is made.
//
// Usage:
//   credmatch build --catalog /tmp/perf-catalog
//   credmatch-synth --catalog /tmp/perf-catalog --competencies 1000000 --out /tmp/synth-1m
//   credmatch-bench --vectors /tmp/synth-1m/competencies.vec
//   credmatch-synth --catalog /tmp/perf-catalog --competencies 1000000 --out /tmp/s --credentials --no-vectors
//   credmatch-synth --catalog /tmp/perf-catalog --competencies 10000000 --out /tmp/s10m
//       --index ivf:nlist=8192,pca=384,int8,train=262144 --queries 1000
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/process_memory.h"
#include "catalog/loaded_catalog.h"
#include "encode/encoder.h"
#include "text/line_reader.h"
#include "index/ground_truth.h"
#include "index/index_factory.h"
#include "index/vector_file.h"

#ifndef CREDMATCH_SOURCE_DATA_DIR
#define CREDMATCH_SOURCE_DATA_DIR "data"
#endif

namespace {

namespace fs = std::filesystem;
using credmatch::engine::LineReader;

struct Skill {
  std::vector<std::string> phrases;  // label and alternative labels (verb phrases)
  std::string description;           // a sentence
};

// Reads every skill of the ESCO file; throws naming file and line on a malformed record.
std::vector<Skill> read_skills(const std::string& path) {
  auto reader = LineReader::open(path);
  if (!reader) throw std::runtime_error(reader.status().to_string());
  std::vector<Skill> skills;
  std::string line;
  while ((*reader)->next(&line)) {
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string((*reader)->line_number()) +
                               ": not JSON: " + e.what());
    }
    if (!j.contains("label") || !j["label"].is_string()) {
      throw std::runtime_error(path + ":" + std::to_string((*reader)->line_number()) +
                               ": field 'label' missing or not a string");
    }
    Skill s;
    s.phrases.push_back(j["label"].get<std::string>());
    if (j.contains("alt_labels") && j["alt_labels"].is_array()) {
      for (const auto& a : j["alt_labels"]) {
        if (a.is_string()) s.phrases.push_back(a.get<std::string>());
      }
    }
    if (j.contains("description") && j["description"].is_string()) {
      s.description = j["description"].get<std::string>();
    }
    skills.push_back(std::move(s));
  }
  if (!(*reader)->status().is_ok()) throw std::runtime_error((*reader)->status().to_string());
  if (skills.empty()) throw std::runtime_error(path + ": no skills");
  return skills;
}

constexpr const char* kPrefixes[] = {"",
                                     "Ability to ",
                                     "Can ",
                                     "Able to ",
                                     "Learners will ",
                                     "Demonstrate the ability to ",
                                     "Competent to ",
                                     "Practise how to "};
constexpr const char* kSuffixes[] = {"",
                                     " in a professional setting",
                                     " under supervision",
                                     " independently",
                                     " in line with regulations",
                                     " using digital tools",
                                     " as part of a team",
                                     " for small organisations",
                                     " at an advanced level",
                                     " in an international context",
                                     " safely and efficiently"};

// One perturbed competency statement.
std::string make_text(const std::vector<Skill>& skills, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pick_skill(0, skills.size() - 1);
  std::uniform_real_distribution<double> u(0, 1);
  const Skill& s = skills[pick_skill(rng)];
  if (!s.description.empty() && u(rng) < 0.2) return s.description;
  auto pick = [&](const auto& list) {
    return list[std::uniform_int_distribution<size_t>(0, std::size(list) - 1)(rng)];
  };
  std::string text = pick(kPrefixes);
  text += s.phrases[std::uniform_int_distribution<size_t>(0, s.phrases.size() - 1)(rng)];
  if (u(rng) < 0.3) text += " and " + skills[pick_skill(rng)].phrases[0];
  text += pick(kSuffixes);
  return text;
}

// Encodes texts into out (texts.size() * dim floats) on every hardware thread, 4,096 texts per
// task; `progress` prints every ~5 %.
void encode_parallel(const credmatch::engine::Encoder& enc, std::span<const std::string> texts,
                     std::span<float> out, bool progress) {
  const int64_t n = static_cast<int64_t>(texts.size());
  const int dim = enc.dim();
  constexpr int64_t kChunk = 4096;
  std::atomic<int64_t> next{0}, done{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (int64_t c = next.fetch_add(kChunk); c < n; c = next.fetch_add(kChunk)) {
        const int64_t len = std::min(kChunk, n - c);
        enc.encode(texts.subspan(static_cast<size_t>(c), static_cast<size_t>(len)),
                   out.subspan(static_cast<size_t>(c * dim), static_cast<size_t>(len * dim)));
        const int64_t d = done.fetch_add(len) + len;
        if (progress && d / (n / 20 + 1) != (d - len) / (n / 20 + 1)) {
          std::fprintf(stderr, "\rencoded %lld / %lld", static_cast<long long>(d),
                       static_cast<long long>(n));
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      error = std::current_exception();
      next = n;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, std::thread::hardware_concurrency()); ++t) {
    pool.emplace_back(work);
  }
  work();
  for (std::thread& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"credmatch-synth: a synthetic catalog of ESCO-based competencies, for benchmarks"};
  std::string catalog, out_dir,
      skills_path = std::string(CREDMATCH_SOURCE_DATA_DIR) + "/skills_esco.jsonl.gz";
  int64_t n = 100'000;
  uint64_t seed = 1;
  int per_credential_max = 12;
  bool write_texts = false, write_credentials = false, no_vectors = false;
  std::string index_spec;
  int64_t nq = 1000, chunk = 262'144;
  int k = 10;
  bool keep_vectors = false;
  app.add_option("--catalog", catalog, "built catalog whose encoder encodes the texts")->required();
  app.add_option("--out", out_dir, "output directory")->required();
  app.add_option("--competencies", n, "number of competencies")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--skills", skills_path, "ESCO skills (jsonl, optionally gzipped)")
      ->capture_default_str();
  app.add_option("--seed", seed, "random seed")->capture_default_str();
  app.add_option("--max-per-credential", per_credential_max,
                 "competencies per credential: uniform 3 .. this")
      ->capture_default_str()
      ->check(CLI::Range(3, 1000));
  app.add_flag("--texts", write_texts, "also write competencies.tsv (credential id, text)");
  app.add_flag("--credentials", write_credentials,
               "also write credentials_synthetic.jsonl (catalog input format, random hours/cost)");
  app.add_flag("--no-vectors", no_vectors, "do not encode nor write competencies.vec");
  app.add_option("--index", index_spec,
                 "stream the vectors into this index (factory string) instead of "
                 "competencies.vec, with exact top-k of --queries held-out statements");
  app.add_option("--queries", nq, "with --index: held-out query statements")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  app.add_option("--k", k, "with --index: neighbours kept per query")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_flag("--keep-vectors", keep_vectors,
               "with --index: also write competencies.vec, chunk by chunk (for an index that "
               "re-ranks from disk, e.g. ivf:...,rerank=N,ondisk)");
  app.add_option("--chunk", chunk, "with --index: vectors per add() (the first trains)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  CLI11_PARSE(app, argc, argv);
  if (!index_spec.empty() && no_vectors) {
    std::fprintf(stderr, "credmatch-synth: --index and --no-vectors exclude each other\n");
    return 2;
  }
  for (const std::string& warning : credmatch::index::factory_warnings(index_spec)) {
    std::fprintf(stderr, "credmatch-synth: warning: --index %s: %s\n", index_spec.c_str(),
                 warning.c_str());
  }

  try {
    const auto t0 = std::chrono::steady_clock::now();
    auto encoder = credmatch::engine::load_encoder(
        (fs::path(catalog) / credmatch::engine::kEncoderFile).string());
    if (!encoder) throw std::runtime_error(encoder.status().to_string());
    const credmatch::engine::Encoder& enc = **encoder;
    const std::vector<Skill> skills = read_skills(skills_path);
    fs::create_directories(out_dir);

    // Texts first (one sequential random stream, so the output depends only on the seed).
    std::mt19937_64 rng(seed);
    std::vector<std::string> texts;
    texts.reserve(static_cast<size_t>(n));
    std::vector<int64_t> credential_of;
    credential_of.reserve(static_cast<size_t>(n));
    int64_t credentials = 0;
    while (static_cast<int64_t>(texts.size()) < n) {
      const int count = std::uniform_int_distribution<int>(3, per_credential_max)(rng);
      for (int c = 0; c < count && static_cast<int64_t>(texts.size()) < n; ++c) {
        texts.push_back(make_text(skills, rng));
        credential_of.push_back(credentials);
      }
      ++credentials;
    }

    const int dim = enc.dim();
    const std::string vec_path = (fs::path(out_dir) / "competencies.vec").string();
    std::string timing;
    if (!index_spec.empty()) {
      // Held-out queries: the same generator on its own stream, so they are not in the base.
      std::mt19937_64 query_rng(seed ^ 0x51afd7ed558ccd2bULL);
      std::vector<std::string> query_texts;
      for (int64_t i = 0; i < nq; ++i) query_texts.push_back(make_text(skills, query_rng));
      std::vector<float> queries(static_cast<size_t>(nq * dim));
      encode_parallel(enc, query_texts, queries, false);
      std::unique_ptr<credmatch::index::VectorIndex> index =
          credmatch::index::make_index(index_spec, dim);
      credmatch::index::StreamingExactTopK truth(queries, nq, dim, k);
      std::unique_ptr<credmatch::index::VectorFileWriter> vector_file;
      if (keep_vectors) {
        auto w = credmatch::index::VectorFileWriter::create(vec_path, dim, n, enc.id());
        if (!w) throw std::runtime_error(w.status().to_string());
        vector_file = std::move(w).value();
      }
      std::vector<float> vectors(static_cast<size_t>(std::min(chunk, n) * dim));
      double encode_s = 0, truth_s = 0, add_s = 0;
      std::chrono::steady_clock::time_point last;
      // Adds the time since `last` to `total`.
      auto lap = [&last](double& total) {
        const auto now = std::chrono::steady_clock::now();
        total += std::chrono::duration<double>(now - last).count();
        last = now;
      };
      for (int64_t start = 0; start < n; start += chunk) {
        const int64_t len = std::min(chunk, n - start);
        const std::span<float> block = std::span(vectors).first(static_cast<size_t>(len * dim));
        last = std::chrono::steady_clock::now();
        encode_parallel(enc,
                        std::span<const std::string>(texts).subspan(static_cast<size_t>(start),
                                                                    static_cast<size_t>(len)),
                        block, false);
        lap(encode_s);
        truth.add(len, block);
        lap(truth_s);
        index->add(len, block);
        if (vector_file) {
          credmatch::Status s = vector_file->append(block);
          if (!s.is_ok()) throw std::runtime_error(s.to_string());
        }
        lap(add_s);
        std::fprintf(stderr, "\r%lld / %lld: encode %.0f s, exact top-%d %.0f s, index add %.0f s",
                     static_cast<long long>(start + len), static_cast<long long>(n), encode_s, k,
                     truth_s, add_s);
      }
      std::fprintf(stderr, "\n");
      vectors = {};
      const auto t_save = std::chrono::steady_clock::now();
      credmatch::Status s =
          vector_file ? vector_file->finish() : credmatch::Status::ok();
      if (s.is_ok()) {
        s = credmatch::index::save_index((fs::path(out_dir) / "competencies.index").string(),
                                         *index, enc.id());
      }
      if (s.is_ok()) {
        s = credmatch::index::save_vectors((fs::path(out_dir) / "queries.vec").string(), dim,
                                           queries, enc.id());
      }
      if (s.is_ok()) {
        s = credmatch::index::save_ground_truth((fs::path(out_dir) / "truth.knn").string(),
                                                truth.result(), enc.id());
      }
      if (!s.is_ok()) throw std::runtime_error(s.to_string());
      const double save_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t_save).count();
      char line[256];
      std::snprintf(line, sizeof line,
                    "index: %s; encode %.1f s, exact top-%d of %lld queries %.1f s, index add "
                    "(incl. training) %.1f s, save %.1f s; peak RSS %.2f GiB\n",
                    index->factory_string().c_str(), encode_s, k, static_cast<long long>(nq),
                    truth_s, add_s, save_s, credmatch::resident_memory().peak_gib);
      timing = line;
      std::fputs(line, stdout);
    } else if (!no_vectors) {
      std::vector<float> vectors(static_cast<size_t>(n) * static_cast<size_t>(dim));
      encode_parallel(enc, texts, vectors, true);
      std::fprintf(stderr, "\n");
      credmatch::Status s = credmatch::index::save_vectors(vec_path, dim, vectors, enc.id());
      if (!s.is_ok()) throw std::runtime_error(s.to_string());
    }
    if (write_texts) {
      std::ofstream tsv(fs::path(out_dir) / "competencies.tsv");
      for (size_t i = 0; i < texts.size(); ++i) {
        tsv << "synthetic-" << credential_of[i] << '\t' << texts[i] << '\n';
      }
      if (!tsv) throw std::runtime_error(out_dir + "/competencies.tsv: write failed");
    }
    if (write_credentials) {
      // Hours and cost from their own stream, so the texts do not depend on this flag.
      std::mt19937_64 meta_rng(seed ^ 0x9e3779b97f4a7c15ULL);
      std::uniform_int_distribution<int> hours(2, 120), cost(0, 40);
      std::ofstream jsonl(fs::path(out_dir) / "credentials_synthetic.jsonl");
      size_t i = 0;
      for (int64_t c = 0; c < credentials; ++c) {
        nlohmann::json j = {{"id", "synthetic-" + std::to_string(c)},
                            {"title", "Synthetic credential " + std::to_string(c)},
                            {"provider", "SYNTHETIC (credmatch-synth)"},
                            {"kind", "synthetic"},
                            {"hours", hours(meta_rng)},
                            {"cost", cost(meta_rng) * 25},
                            {"source", "SYNTHETIC benchmark data from ESCO v1.1.1 skill statements"}};
        nlohmann::json comps = nlohmann::json::array();
        for (; i < texts.size() && credential_of[i] == c; ++i) {
          comps.push_back({{"text", texts[i]}, {"kind", "teaches"}});
        }
        j["competencies"] = std::move(comps);
        jsonl << j.dump() << '\n';
      }
      if (!jsonl) throw std::runtime_error(out_dir + "/credentials_synthetic.jsonl: write failed");
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ofstream note(fs::path(out_dir) / "SYNTHETIC.txt");
    note << "SYNTHETIC benchmark data, not a real catalog.\n"
         << "competencies: " << n << " in " << credentials << " synthetic credentials (3-"
         << per_credential_max << " each)\n"
         << "texts: perturbed ESCO skill statements from " << skills_path << " (" << skills.size()
         << " skills), seed " << seed << "\n"
         << "encoder: " << enc.id() << " (from " << catalog << "), dim " << dim << "\n"
         << timing << "made by credmatch-synth in " << secs << " s\n";
    std::printf("wrote %s: %lld synthetic competencies (%lld credentials), dim %d, %.1f s\n",
                no_vectors || !index_spec.empty() ? out_dir.c_str() : vec_path.c_str(), static_cast<long long>(n), static_cast<long long>(credentials),
                dim, secs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "credmatch-synth: %s\n", e.what());
    return 1;
  }
  return 0;
}
