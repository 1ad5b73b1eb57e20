#include "encode/domain_training.h"

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <unordered_map>

#include "base/error.h"

namespace credmatch::engine {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Semantic features of every distinct text, compressed row storage.
struct FeatureRows {
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> index;
  std::vector<float> weight;

  int64_t add(const TfidfSvdEncoder& enc, std::string_view text) {
    for (const auto& [f, w] : enc.features(text)) {
      if (f >= enc.num_svd_features()) continue;  // lexical-only feature: no projection row
      index.push_back(f);
      weight.push_back(w);
    }
    offsets.push_back(static_cast<int64_t>(index.size()));
    return static_cast<int64_t>(offsets.size()) - 2;
  }
  bool empty(int64_t row) const { return offsets[row] == offsets[row + 1]; }
};

// out = x · P for sparse row `row`.
void project(const FeatureRows& rows, int64_t row, const std::vector<float>& p, int dim,
             float* out) {
  std::fill(out, out + dim, 0.0f);
  for (int64_t e = rows.offsets[row]; e < rows.offsets[row + 1]; ++e) {
    const float w = rows.weight[e];
    const float* pr = p.data() + static_cast<size_t>(rows.index[e]) * static_cast<size_t>(dim);
    for (int j = 0; j < dim; ++j) out[j] += w * pr[j];
  }
}

// Softmax cross-entropy of each row of `logits` against the diagonal; writes the gradient
// (softmax - onehot) into `grad` and returns the summed loss.
double diagonal_cross_entropy(const Matrix& logits, Matrix& grad) {
  double loss = 0.0;
  grad.resize(logits.rows(), logits.cols());
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    const float m = logits.row(i).maxCoeff();
    double z = 0.0;
    for (Eigen::Index j = 0; j < logits.cols(); ++j) z += std::exp(double(logits(i, j) - m));
    for (Eigen::Index j = 0; j < logits.cols(); ++j) {
      grad(i, j) = static_cast<float>(std::exp(double(logits(i, j) - m)) / z);
    }
    loss -= double(logits(i, i) - m) - std::log(z);
    grad(i, i) -= 1.0f;
  }
  return loss;
}

}  // namespace

void DomainTrainingConfig::validate() const {
  CREDMATCH_CHECK(epochs >= 1, "epochs=" << epochs);
  CREDMATCH_CHECK(batch_size >= 2, "batch_size=" << batch_size);
  CREDMATCH_CHECK(temperature > 0.0f, "temperature=" << temperature);
  CREDMATCH_CHECK(learning_rate > 0.0f, "learning_rate=" << learning_rate);
  CREDMATCH_CHECK(beta1 >= 0.0f && beta1 < 1.0f, "beta1=" << beta1);
  CREDMATCH_CHECK(beta2 >= 0.0f && beta2 < 1.0f, "beta2=" << beta2);
}

std::unique_ptr<TfidfSvdEncoder> train_domain_encoder(
    const TfidfSvdEncoder& base, std::span<const TrainingPair> pairs,
    const DomainTrainingConfig& config, DomainTrainingReport* report,
    const std::function<void(double)>& progress) {
  config.validate();
  const auto t_start = std::chrono::steady_clock::now();
  const int dim = base.config().semantic_dim;

  // Featurise each distinct text once.
  FeatureRows rows;
  std::unordered_map<std::string_view, int64_t> row_of;
  auto row_for = [&](const std::string& text) {
    auto [it, inserted] = row_of.try_emplace(text, 0);
    if (inserted) it->second = rows.add(base, text);
    return it->second;
  };
  struct Item {
    int64_t q, t, qg, tg;
  };
  std::vector<Item> items;
  items.reserve(pairs.size());
  for (const TrainingPair& p : pairs) {
    const int64_t q = row_for(p.query), t = row_for(p.target);
    if (rows.empty(q) || rows.empty(t) || q == t) continue;
    items.push_back({q, t, p.query_group, p.target_group});
  }
  CREDMATCH_CHECK(!items.empty(), "no training pair has semantic features on both sides (of "
                                      << pairs.size() << ")");

  std::vector<float> proj = base.projection();
  double sum_sq = 0.0;
  for (float v : proj) sum_sq += double(v) * v;
  const float step = config.learning_rate *
                     static_cast<float>(std::sqrt(sum_sq / double(std::max<size_t>(1, proj.size()))));
  std::vector<float> m1(proj.size(), 0.0f), m2(proj.size(), 0.0f);

  const int batch = std::min<int>(config.batch_size, static_cast<int>(items.size()));
  const int64_t batches_per_epoch = static_cast<int64_t>(items.size()) / batch;
  const int64_t total_steps = batches_per_epoch * config.epochs;
  std::mt19937_64 rng(config.seed);
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});

  Matrix u(batch, dim), v(batch, dim), a(batch, dim), b(batch, dim), logits, grad_rows,
      grad_cols, da, db;
  std::vector<float> u_norm(batch), v_norm(batch);
  std::vector<int32_t> slot_of(static_cast<size_t>(base.num_svd_features()), -1);
  std::vector<int32_t> touched;
  std::vector<float> grad;  // touched.size() × dim
  int64_t t_step = 0;
  DomainTrainingReport rep;
  rep.pairs = static_cast<int64_t>(items.size());

  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    double epoch_loss = 0.0;
    for (int64_t bi = 0; bi < batches_per_epoch; ++bi) {
      std::vector<const Item*> batch_items(static_cast<size_t>(batch));
      for (int i = 0; i < batch; ++i) batch_items[i] = &items[order[bi * batch + i]];
      // Forward: project and normalise both sides.
      for (int i = 0; i < batch; ++i) {
        project(rows, batch_items[i]->q, proj, dim, u.row(i).data());
        project(rows, batch_items[i]->t, proj, dim, v.row(i).data());
        u_norm[i] = std::max(u.row(i).norm(), 1e-12f);
        v_norm[i] = std::max(v.row(i).norm(), 1e-12f);
        a.row(i) = u.row(i) / u_norm[i];
        b.row(i) = v.row(i) / v_norm[i];
      }
      logits.noalias() = (a * b.transpose()) / config.temperature;
      const float neg_inf = -std::numeric_limits<float>::infinity();
      for (int i = 0; i < batch; ++i) {
        for (int j = 0; j < batch; ++j) {
          if (i == j) continue;
          const Item& x = *batch_items[i];
          const Item& y = *batch_items[j];
          if (x.t == y.t || x.q == y.q || (x.qg >= 0 && x.qg == y.qg) ||
              (x.tg >= 0 && x.tg == y.tg)) {
            logits(i, j) = neg_inf;
          }
        }
      }
      const double loss_r = diagonal_cross_entropy(logits, grad_rows);
      const Matrix logits_t = logits.transpose();
      const double loss_c = diagonal_cross_entropy(logits_t, grad_cols);
      epoch_loss += (loss_r + loss_c) / (2.0 * batch);
      // dL/dlogits = (grad_rows + grad_cols^T) / (2 batch); logits = a b^T / τ.
      const Matrix g = (grad_rows + grad_cols.transpose()) / (2.0f * float(batch) * config.temperature);
      da.noalias() = g * b;
      db.noalias() = g.transpose() * a;
      // Through the normalisation: d u = (da - a (a·da)) / |u|.
      for (int i = 0; i < batch; ++i) {
        da.row(i) = (da.row(i) - a.row(i) * a.row(i).dot(da.row(i))) / u_norm[i];
        db.row(i) = (db.row(i) - b.row(i) * b.row(i).dot(db.row(i))) / v_norm[i];
      }
      // Scatter into the touched projection rows.
      touched.clear();
      grad.clear();
      auto scatter = [&](int64_t row, const float* d_out) {
        for (int64_t e = rows.offsets[row]; e < rows.offsets[row + 1]; ++e) {
          const int32_t f = rows.index[e];
          int32_t& slot = slot_of[static_cast<size_t>(f)];
          if (slot < 0) {
            slot = static_cast<int32_t>(touched.size());
            touched.push_back(f);
            grad.resize(grad.size() + static_cast<size_t>(dim), 0.0f);
          }
          float* gr = grad.data() + static_cast<size_t>(slot) * static_cast<size_t>(dim);
          const float w = rows.weight[e];
          for (int j = 0; j < dim; ++j) gr[j] += w * d_out[j];
        }
      };
      for (int i = 0; i < batch; ++i) {
        scatter(batch_items[i]->q, da.row(i).data());
        scatter(batch_items[i]->t, db.row(i).data());
      }
      // Lazy Adam on the touched rows.
      ++t_step;
      const float c1 = 1.0f - std::pow(config.beta1, float(t_step));
      const float c2 = 1.0f - std::pow(config.beta2, float(t_step));
      for (size_t s = 0; s < touched.size(); ++s) {
        const size_t base_at = static_cast<size_t>(touched[s]) * static_cast<size_t>(dim);
        const float* gr = grad.data() + s * static_cast<size_t>(dim);
        for (int j = 0; j < dim; ++j) {
          const size_t at = base_at + static_cast<size_t>(j);
          m1[at] = config.beta1 * m1[at] + (1.0f - config.beta1) * gr[j];
          m2[at] = config.beta2 * m2[at] + (1.0f - config.beta2) * gr[j] * gr[j];
          proj[at] -= step * (m1[at] / c1) / (std::sqrt(m2[at] / c2) + 1e-8f);
        }
        slot_of[static_cast<size_t>(touched[s])] = -1;
      }
      if (progress) progress(double(t_step) / double(std::max<int64_t>(1, total_steps)));
    }
    rep.epoch_loss.push_back(epoch_loss / double(std::max<int64_t>(1, batches_per_epoch)));
  }
  rep.steps = t_step;
  rep.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  if (report) *report = rep;
  return base.with_projection(std::move(proj), "domain");
}

}  // namespace credmatch::engine
