#include "encode/tfidf_svd_encoder.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <thread>

#include "base/binary_file.h"
#include "base/error.h"
#include "text/feature_hash.h"
#include "text/lexical.h"
#include "text/normalize.h"
#include "index/kernels/scan_kernels.h"

namespace credmatch::engine {

CorpusTooSmall::CorpusTooSmall(int64_t f, int64_t d, int needed, int max)
    : Error("the statements give " + std::to_string(f) + " distinct word and character features (from " +
            std::to_string(d) + " statements); the encoder needs " + std::to_string(needed)),
      features(f), documents(d), needed_dim(needed), max_dim(max) {}
namespace {

constexpr uint32_t kFormatVersion = 1;

using DenseMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using SparseMatrix = Eigen::SparseMatrix<float, Eigen::RowMajor, int64_t>;

struct RawFeature {
  uint64_t hash;
  bool is_char;
  float count;
};

// Word, bigram and character n-gram features of one text, with counts, sorted by hash.
std::vector<RawFeature> extract_features(std::string_view text, const TfidfSvdConfig& config) {
  const std::string norm = normalize(text);
  std::vector<std::string> words;
  for (std::string& token : tokenize(norm)) {
    if (!is_stop_word(token)) words.push_back(std::move(token));
  }
  // Counted by sorting the hashes (a few hundred per statement), not in a hash map: no
  // allocation per feature.
  std::vector<std::pair<uint64_t, bool>> hashes;
  auto add = [&](uint64_t h, bool is_char) { hashes.emplace_back(h, is_char); };
  std::string previous;
  for (const std::string& word : words) {
    const std::string stem = light_stem(word);
    add(feature_hash('w', stem), false);
    if (config.word_bigrams && !previous.empty()) add(feature_hash('b', previous + " " + stem), false);
    previous = stem;
    const std::string padded = "<" + word + ">";
    for (int n = config.char_ngram_min; n <= config.char_ngram_max; ++n) {
      if (padded.size() < static_cast<size_t>(n)) break;
      for (size_t i = 0; i + static_cast<size_t>(n) <= padded.size(); ++i) {
        add(feature_hash('c', std::string_view(padded).substr(i, static_cast<size_t>(n))), true);
      }
    }
  }
  std::sort(hashes.begin(), hashes.end());
  std::vector<RawFeature> out;
  for (const auto& [h, is_char] : hashes) {
    if (!out.empty() && out.back().hash == h) {
      out.back().count += 1.0f;
    } else {
      out.push_back(RawFeature{h, is_char, 1.0f});
    }
  }
  return out;
}

// Splits [0, n) over the machine's cores; fn(begin, end) must be thread safe.
template <typename Fn>
void parallel_for(int64_t n, const Fn& fn) {
  const int64_t threads =
      std::max<int64_t>(1, std::min<int64_t>(std::thread::hardware_concurrency(), n / 256));
  if (threads <= 1) {
    fn(int64_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  const int64_t chunk = (n + threads - 1) / threads;
  for (int64_t t = 0; t < threads; ++t) {
    const int64_t begin = t * chunk, end = std::min(n, begin + chunk);
    if (begin < end) pool.emplace_back([&fn, begin, end] { fn(begin, end); });
  }
  for (auto& th : pool) th.join();
}

// Y = X * M for sparse row-major X (rows split over threads).
DenseMatrix sparse_times_dense(const SparseMatrix& x, const DenseMatrix& m) {
  DenseMatrix y = DenseMatrix::Zero(x.rows(), m.cols());
  parallel_for(x.rows(), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      for (SparseMatrix::InnerIterator it(x, r); it; ++it) y.row(r) += it.value() * m.row(it.col());
    }
  });
  return y;
}

// Z = X^T * M: each thread accumulates a private copy over its rows, then they are summed.
DenseMatrix sparse_transpose_times_dense(const SparseMatrix& x, const DenseMatrix& m) {
  const int64_t threads = std::max<int64_t>(1, std::thread::hardware_concurrency());
  std::vector<DenseMatrix> partial(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  const int64_t chunk = (x.rows() + threads - 1) / threads;
  for (int64_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      DenseMatrix& z = partial[static_cast<size_t>(t)];
      z = DenseMatrix::Zero(x.cols(), m.cols());
      const int64_t end = std::min<int64_t>(x.rows(), (t + 1) * chunk);
      for (int64_t r = t * chunk; r < end; ++r) {
        for (SparseMatrix::InnerIterator it(x, r); it; ++it) z.row(it.col()) += it.value() * m.row(r);
      }
    });
  }
  for (auto& th : pool) th.join();
  for (size_t t = 1; t < partial.size(); ++t) partial[0] += partial[t];
  return std::move(partial[0]);
}

// Orthonormalises the columns of y in place with CholeskyQR2 (two passes keep it accurate);
// far cheaper than Householder QR for tall, thin matrices, and y's columns are well scaled.
void orthonormalize(DenseMatrix& y) {
  for (int pass = 0; pass < 2; ++pass) {
    Eigen::MatrixXd gram = (y.transpose() * y).cast<double>();
    gram.diagonal().array() += 1e-10 * std::max(1.0, gram.diagonal().maxCoeff());
    Eigen::LLT<Eigen::MatrixXd> llt(gram);
    Eigen::MatrixXd r_inv = llt.matrixU().solve(
        Eigen::MatrixXd::Identity(gram.rows(), gram.cols()));
    y = (y * r_inv.cast<float>()).eval();
  }
}

}  // namespace

void TfidfSvdConfig::validate() const {
  CREDMATCH_CHECK(semantic_dim > 0 && semantic_dim <= 4096, "semantic_dim=" << semantic_dim);
  CREDMATCH_CHECK(min_df >= 1, "min_df=" << min_df);
  CREDMATCH_CHECK(max_word_features > 0, "max_word_features=" << max_word_features);
  CREDMATCH_CHECK(max_char_features >= 0, "max_char_features=" << max_char_features);
  CREDMATCH_CHECK(svd_word_features > 0, "svd_word_features=" << svd_word_features);
  CREDMATCH_CHECK(svd_char_features >= 0, "svd_char_features=" << svd_char_features);
  CREDMATCH_CHECK(char_ngram_min >= 1 && char_ngram_min <= char_ngram_max && char_ngram_max <= 10,
                  "char_ngram_min=" << char_ngram_min << ", char_ngram_max=" << char_ngram_max);
  CREDMATCH_CHECK(word_weight > 0.0f && word_weight <= 1.0f, "word_weight=" << word_weight);
  CREDMATCH_CHECK(oversampling >= 0, "oversampling=" << oversampling);
  CREDMATCH_CHECK(power_iterations >= 0 && power_iterations <= 10,
                  "power_iterations=" << power_iterations);
  CREDMATCH_CHECK(lexical_dim >= 0 && lexical_dim <= 4096, "lexical_dim=" << lexical_dim);
  CREDMATCH_CHECK(lexical_weight >= 0.0f && lexical_weight <= 1.0f, "lexical_weight=" << lexical_weight);
  CREDMATCH_CHECK(singular_value_power >= 0.0f && singular_value_power <= 2.0f,
                  "singular_value_power=" << singular_value_power);
  CREDMATCH_CHECK(max_fit_documents > 0, "max_fit_documents=" << max_fit_documents);
}

std::unique_ptr<TfidfSvdEncoder> TfidfSvdEncoder::fit(std::span<const std::string> corpus,
                                                      const TfidfSvdConfig& config,
                                                      const Progress& progress) {
  config.validate();
  auto report = [&](std::string_view stage, double f) {
    if (progress) progress(stage, f);
  };
  const int64_t n_docs = static_cast<int64_t>(corpus.size());

  // 1. Features of every document, and document frequencies.
  std::vector<std::vector<RawFeature>> docs(corpus.size());
  parallel_for(n_docs, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      docs[static_cast<size_t>(i)] = extract_features(corpus[static_cast<size_t>(i)], config);
    }
  });
  report("features", 0.2);
  std::unordered_map<uint64_t, std::pair<int32_t, bool>> df;  // hash → (df, is_char)
  for (const auto& doc : docs) {
    for (const RawFeature& f : doc) {
      auto [it, inserted] = df.try_emplace(f.hash, 0, f.is_char);
      ++it->second.first;
    }
  }

  // 2. Vocabulary: the most frequent features of each block, ties broken by hash so the
  //    choice never depends on hash-map iteration order.
  std::vector<std::pair<int32_t, uint64_t>> words, chars;
  for (const auto& [h, v] : df) {
    if (v.first < config.min_df) continue;
    (v.second ? chars : words).emplace_back(v.first, h);
  }
  auto by_df = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  std::sort(words.begin(), words.end(), by_df);
  std::sort(chars.begin(), chars.end(), by_df);
  if (words.size() > static_cast<size_t>(config.max_word_features)) words.resize(static_cast<size_t>(config.max_word_features));
  if (chars.size() > static_cast<size_t>(config.max_char_features)) chars.resize(static_cast<size_t>(config.max_char_features));
  const size_t svd_words = std::min(words.size(), static_cast<size_t>(config.svd_word_features));
  const size_t svd_chars = std::min(chars.size(), static_cast<size_t>(config.svd_char_features));
  const int64_t n_features = static_cast<int64_t>(words.size() + chars.size());
  const int64_t n_svd = static_cast<int64_t>(svd_words + svd_chars);
  if (n_svd < config.semantic_dim + config.oversampling) {
    throw CorpusTooSmall(n_svd, n_docs, config.semantic_dim + config.oversampling,
                         int(n_svd) - config.oversampling);
  }

  std::unique_ptr<TfidfSvdEncoder> enc(new TfidfSvdEncoder());
  enc->config_ = config;
  enc->num_svd_features_ = static_cast<int32_t>(n_svd);
  enc->hashes_.resize(static_cast<size_t>(n_features));
  enc->idf_.resize(static_cast<size_t>(n_features));
  enc->is_char_.resize(static_cast<size_t>(n_features));
  int32_t next = 0;
  // Order: SVD words, SVD chars, then the lexical-only words and chars.
  auto assign = [&](const std::vector<std::pair<int32_t, uint64_t>>& block, size_t begin,
                    size_t end, bool is_char) {
    for (size_t i = begin; i < end; ++i) {
      const auto& [count, h] = block[i];
      enc->hashes_[static_cast<size_t>(next)] = h;
      enc->idf_[static_cast<size_t>(next)] =
          static_cast<float>(smoothed_idf(static_cast<double>(n_docs), count));
      enc->is_char_[static_cast<size_t>(next)] = is_char ? 1 : 0;
      ++next;
    }
  };
  assign(words, 0, svd_words, false);
  assign(chars, 0, svd_chars, true);
  assign(words, svd_words, words.size(), false);
  assign(chars, svd_chars, chars.size(), true);
  df.clear();
  CREDMATCH_CHECK(enc->vocab_.assign(enc->hashes_), "duplicate feature hash in the vocabulary");
  enc->init_sketch(enc->hashes_);

  // 3. The TF-IDF matrix of a deterministic sample of documents (every k-th one).
  std::vector<int64_t> sample;
  const int64_t stride = std::max<int64_t>(1, (n_docs + config.max_fit_documents - 1) /
                                                  config.max_fit_documents);
  for (int64_t i = 0; i < n_docs; i += stride) sample.push_back(i);
  std::vector<Eigen::Triplet<float, int64_t>> triplets;
  int64_t row = 0;
  for (int64_t i : sample) {
    docs[static_cast<size_t>(i)].clear();  // features() recomputes with weights; free memory
    double norm = 0.0;
    const size_t first = triplets.size();
    for (const auto& [index, weight] : enc->features(corpus[static_cast<size_t>(i)])) {
      if (index >= n_svd) continue;  // lexical-only feature: not in the SVD
      triplets.emplace_back(row, index, weight);
      norm += double(weight) * weight;
    }
    if (norm > 0) {  // rows are unit vectors over the SVD features
      for (size_t t = first; t < triplets.size(); ++t) {
        triplets[t] = Eigen::Triplet<float, int64_t>(triplets[t].row(), triplets[t].col(),
                                                     float(triplets[t].value() / std::sqrt(norm)));
      }
    }
    ++row;
  }
  docs.clear();
  SparseMatrix x(row, n_svd);
  x.setFromTriplets(triplets.begin(), triplets.end());
  triplets.clear();
  triplets.shrink_to_fit();
  report("tf-idf matrix", 0.35);

  // 4. Randomized SVD: sketch the range of X^T (feature space) with a Gaussian test matrix,
  //    refine with power iterations, then solve the small problem exactly.
  const int64_t l = config.semantic_dim + config.oversampling;
  std::mt19937_64 rng(config.seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  DenseMatrix omega(n_svd, l);
  for (int64_t i = 0; i < omega.size(); ++i) omega.data()[i] = gauss(rng);
  DenseMatrix y = sparse_times_dense(x, omega);  // docs × l
  omega.resize(0, 0);
  orthonormalize(y);
  for (int q = 0; q < config.power_iterations; ++q) {
    DenseMatrix z = sparse_transpose_times_dense(x, y);  // features × l
    orthonormalize(z);
    y = sparse_times_dense(x, z);
    orthonormalize(y);
    report("randomized svd", 0.35 + 0.5 * (q + 1) / (config.power_iterations + 1));
  }
  // B^T = X^T Q (features × l); B B^T = U S^2 U^T; right singular vectors V = B^T U S^-1.
  DenseMatrix bt = sparse_transpose_times_dense(x, y);
  Eigen::MatrixXd small = (bt.transpose() * bt).cast<double>();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(small);
  const Eigen::VectorXd evals = eig.eigenvalues();  // ascending
  const Eigen::MatrixXd evecs = eig.eigenvectors();
  Eigen::MatrixXd u_top(l, config.semantic_dim);
  Eigen::VectorXd inv_sigma(config.semantic_dim);
  for (int j = 0; j < config.semantic_dim; ++j) {
    const int64_t src = l - 1 - j;  // largest first
    u_top.col(j) = evecs.col(src);
    const double sigma = std::sqrt(std::max(evals(src), 1e-12));
    inv_sigma(j) = 1.0 / sigma;  // V = B^T U S^-1
    inv_sigma(j) *= std::pow(sigma, -double(config.singular_value_power));
    // Fix each singular vector's sign (largest |component| positive) for reproducibility.
    Eigen::Index arg = 0;
    u_top.col(j).cwiseAbs().maxCoeff(&arg);
    if (u_top(arg, j) < 0) u_top.col(j) *= -1.0;
  }
  // Projection = V_k (features × dim): x · V_k gives the LSA coordinates U_k Σ_k of a document.
  Eigen::MatrixXf v = (bt * (u_top * inv_sigma.asDiagonal()).cast<float>());
  enc->projection_.resize(static_cast<size_t>(n_svd * config.semantic_dim));
  for (int64_t f = 0; f < n_svd; ++f) {
    for (int j = 0; j < config.semantic_dim; ++j) {
      enc->projection_[static_cast<size_t>(f * config.semantic_dim + j)] = v(f, j);
    }
  }
  enc->finish_id();
  report("done", 1.0);
  return enc;
}

std::vector<std::pair<int32_t, float>> TfidfSvdEncoder::features(std::string_view text) const {
  std::vector<std::pair<int32_t, float>> out;
  double word_norm = 0.0, char_norm = 0.0;
  for (const RawFeature& f : extract_features(text, config_)) {
    const int32_t index = vocab_.find(f.hash);
    if (index < 0) continue;
    const float w = (1.0f + std::log(f.count)) * idf_[static_cast<size_t>(index)];
    out.emplace_back(index, w);
    (is_char_[static_cast<size_t>(index)] ? char_norm : word_norm) += double(w) * w;
  }
  // Each block is scaled to its share; a text with only one block keeps unit norm.
  const bool both = word_norm > 0 && char_norm > 0;
  const double ww = both ? config_.word_weight : 1.0;
  const double cw = both ? std::sqrt(1.0 - double(config_.word_weight) * config_.word_weight) : 1.0;
  const double word_scale = word_norm > 0 ? ww / std::sqrt(word_norm) : 0.0;
  const double char_scale = char_norm > 0 ? cw / std::sqrt(char_norm) : 0.0;
  for (auto& [index, w] : out) {
    w = static_cast<float>(w * (is_char_[static_cast<size_t>(index)] ? char_scale : word_scale));
  }
  std::sort(out.begin(), out.end());
  return out;
}

void TfidfSvdEncoder::encode(std::span<const std::string> texts, std::span<float> out) const {
  const size_t sd = static_cast<size_t>(config_.semantic_dim);
  const size_t ld = static_cast<size_t>(config_.lexical_dim);
  const size_t d = sd + ld;
  CREDMATCH_CHECK(out.size() == texts.size() * d,
                  "out.size()=" << out.size() << ", texts=" << texts.size() << ", dim=" << d);
  const double lexical_share = ld > 0 ? config_.lexical_weight : 0.0;
  // The runtime-dispatched y += a * x (AVX where the CPU has it; same bits as a plain loop):
  // this file is compiled for baseline x86-64, where the loop ran one float at a time.
  const auto axpy = index::scan::active_kernels().axpy;
  for (size_t i = 0; i < texts.size(); ++i) {
    float* sem = out.data() + i * d;
    float* lex = sem + sd;
    std::fill(sem, sem + d, 0.0f);
    for (const auto& [index, w] : features(texts[i])) {
      if (index < num_svd_features_) {
        axpy(w, projection_.data() + static_cast<size_t>(index) * sd, sem, int64_t(sd));
      }
      if (ld > 0) {
        const uint32_t slot = sketch_slot_[static_cast<size_t>(index)];
        lex[slot & 0x7fffffffu] += (slot >> 31) ? -w : w;
      }
    }
    // Each block to its share of the unit norm; a block that came out zero gives its share up.
    auto norm_of = [](const float* v, size_t n) {
      double s = 0.0;
      for (size_t j = 0; j < n; ++j) s += double(v[j]) * v[j];
      return std::sqrt(s);
    };
    const double sem_norm = norm_of(sem, sd), lex_norm = norm_of(lex, ld);
    const bool both = sem_norm > 0 && lex_norm > 0;
    const double sem_scale = sem_norm > 0 ? (both ? std::sqrt(1.0 - lexical_share) : 1.0) / sem_norm : 0.0;
    const double lex_scale = lex_norm > 0 ? (both ? std::sqrt(lexical_share) : 1.0) / lex_norm : 0.0;
    for (size_t j = 0; j < sd; ++j) sem[j] = static_cast<float>(sem[j] * sem_scale);
    for (size_t j = 0; j < ld; ++j) lex[j] = static_cast<float>(lex[j] * lex_scale);
  }
}

void TfidfSvdEncoder::init_sketch(const std::vector<uint64_t>& hash_of_feature) {
  sketch_slot_.assign(hash_of_feature.size(), 0);
  if (config_.lexical_dim <= 0) return;
  for (size_t f = 0; f < hash_of_feature.size(); ++f) {
    // Decorrelates the slot from the FNV hash used for the vocabulary.
    const uint64_t z = splitmix64(hash_of_feature[f]);
    const uint32_t bucket = static_cast<uint32_t>((z >> 1) % uint64_t(config_.lexical_dim));
    sketch_slot_[f] = bucket | ((z & 1u) ? 0x80000000u : 0u);
  }
}

std::string TfidfSvdEncoder::serialize() const {
  ByteWriter w;
  const TfidfSvdConfig& c = config_;
  for (int v : {c.semantic_dim, c.min_df, c.max_word_features, c.max_char_features,
                c.svd_word_features, c.svd_char_features, c.char_ngram_min,
                c.char_ngram_max, int(c.word_bigrams), c.oversampling, c.power_iterations,
                c.max_fit_documents}) {
    w.u32(static_cast<uint32_t>(v));
  }
  w.f32(c.word_weight);
  w.f32(c.singular_value_power);
  w.u32(static_cast<uint32_t>(c.lexical_dim));
  w.f32(c.lexical_weight);
  w.u64(c.seed);
  w.u32(static_cast<uint32_t>(num_svd_features_));
  const int64_t n = num_features();
  w.u64(static_cast<uint64_t>(n));
  w.raw(hashes_.data(), hashes_.size() * sizeof(uint64_t));
  w.raw(idf_.data(), idf_.size() * sizeof(float));
  w.raw(is_char_.data(), is_char_.size());
  w.raw(projection_.data(), projection_.size() * sizeof(float));
  return std::move(w.buffer());
}

Result<std::unique_ptr<TfidfSvdEncoder>> TfidfSvdEncoder::deserialize(std::string_view payload,
                                                                      std::string_view family) {
  ByteReader r(payload);
  std::unique_ptr<TfidfSvdEncoder> enc(new TfidfSvdEncoder());
  enc->family_ = std::string(family);
  TfidfSvdConfig& c = enc->config_;
  uint32_t v[12] = {};
  for (uint32_t& x : v) r.u32(&x);
  c.semantic_dim = int(v[0]);
  c.min_df = int(v[1]);
  c.max_word_features = int(v[2]);
  c.max_char_features = int(v[3]);
  c.svd_word_features = int(v[4]);
  c.svd_char_features = int(v[5]);
  c.char_ngram_min = int(v[6]);
  c.char_ngram_max = int(v[7]);
  c.word_bigrams = v[8] != 0;
  c.oversampling = int(v[9]);
  c.power_iterations = int(v[10]);
  c.max_fit_documents = int(v[11]);
  r.f32(&c.word_weight);
  r.f32(&c.singular_value_power);
  uint32_t lexical_dim = 0;
  r.u32(&lexical_dim);
  c.lexical_dim = static_cast<int>(std::min<uint32_t>(lexical_dim, 1u << 20));
  r.f32(&c.lexical_weight);
  r.u64(&c.seed);
  uint32_t n_svd = 0;
  uint64_t n = 0;
  r.u32(&n_svd);
  r.u64(&n);
  if (r.failed()) return Status::corruption("tfidf-svd encoder: truncated header");
  try {
    c.validate();
  } catch (const Error& e) {
    return Status::corruption(std::string("tfidf-svd encoder: bad config: ") + e.what());
  }
  if (n_svd > n || n > (uint64_t(1) << 32) ||
      r.remaining() != n * (sizeof(uint64_t) + sizeof(float) + 1) +
                           uint64_t(n_svd) * sizeof(float) * uint64_t(c.semantic_dim)) {
    return Status::corruption("tfidf-svd encoder: size mismatch (" + std::to_string(n) +
                              " features, " + std::to_string(r.remaining()) + " bytes left)");
  }
  enc->num_svd_features_ = int32_t(n_svd);
  std::vector<uint64_t>& hashes = enc->hashes_;
  hashes.resize(n);
  r.raw(hashes.data(), n * sizeof(uint64_t));
  enc->idf_.resize(n);
  r.raw(enc->idf_.data(), n * sizeof(float));
  enc->is_char_.resize(n);
  r.raw(enc->is_char_.data(), n);
  enc->projection_.resize(uint64_t(n_svd) * uint64_t(c.semantic_dim));
  r.raw(enc->projection_.data(), enc->projection_.size() * sizeof(float));
  if (!enc->vocab_.assign(hashes)) {
    return Status::corruption("tfidf-svd encoder: duplicate feature hash");
  }
  enc->init_sketch(hashes);
  enc->finish_id();
  return enc;
}

void TfidfSvdEncoder::finish_id() {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s-%d-%08x", family_.c_str(), dim(), crc32_of(serialize()));
  id_ = buf;
}

std::unique_ptr<TfidfSvdEncoder> TfidfSvdEncoder::with_projection(std::vector<float> projection,
                                                                  std::string family) const {
  CREDMATCH_CHECK(projection.size() == projection_.size(),
                  "projection size " << projection.size() << ", expected " << projection_.size());
  std::unique_ptr<TfidfSvdEncoder> enc(new TfidfSvdEncoder(*this));
  enc->projection_ = std::move(projection);
  enc->family_ = std::move(family);
  enc->finish_id();
  return enc;
}

std::unique_ptr<TfidfSvdEncoder> TfidfSvdEncoder::with_lexical_weight(float lexical_weight) const {
  std::unique_ptr<TfidfSvdEncoder> enc(new TfidfSvdEncoder(*this));
  enc->config_.lexical_weight = lexical_weight;
  enc->config_.validate();
  enc->finish_id();
  return enc;
}

}  // namespace credmatch::engine
