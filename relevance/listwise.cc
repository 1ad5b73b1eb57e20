#include "relevance/listwise.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "base/error.h"

namespace credmatch::engine {

void ListwiseConfig::validate() const {
  CREDMATCH_CHECK(l2 >= 0 && std::isfinite(l2), "l2=" << l2);
  CREDMATCH_CHECK(max_iterations > 0, "max_iterations=" << max_iterations);
  CREDMATCH_CHECK(gradient_tolerance > 0, "gradient_tolerance=" << gradient_tolerance);
}

double listwise_set_loss(std::span<const ListwiseQuery> queries, std::span<const double> w,
                         double l2, std::span<double> grad) {
  const size_t d = w.size();
  std::fill(grad.begin(), grad.end(), 0.0);
  double loss = 0.0;
  int64_t used = 0;
  std::vector<double> s, p_all;
  for (const ListwiseQuery& q : queries) {
    const size_t n = static_cast<size_t>(q.n);
    s.assign(n, 0.0);
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      double v = 0.0;
      for (size_t k = 0; k < d; ++k) v += q.x[i * d + k] * w[k];
      s[i] = v;
      any = any || q.relevant[i];
    }
    if (!any) continue;
    ++used;
    double m = -std::numeric_limits<double>::infinity();
    for (double v : s) m = std::max(m, v);
    double z_all = 0.0, z_rel = 0.0;
    p_all.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      p_all[i] = std::exp(s[i] - m);
      z_all += p_all[i];
      if (q.relevant[i]) z_rel += p_all[i];
    }
    loss += std::log(z_all) - std::log(z_rel);
    // ∂/∂s_i = softmax over the list − [i relevant] softmax over the relevant items
    for (size_t i = 0; i < n; ++i) {
      const double g = p_all[i] / z_all - (q.relevant[i] ? p_all[i] / z_rel : 0.0);
      if (g == 0.0) continue;
      for (size_t k = 0; k < d; ++k) grad[k] += g * q.x[i * d + k];
    }
  }
  const double scale = used > 0 ? 1.0 / static_cast<double>(used) : 0.0;
  loss *= scale;
  for (size_t k = 0; k < d; ++k) {
    grad[k] = grad[k] * scale + 2.0 * l2 * w[k];
    loss += l2 * w[k] * w[k];
  }
  return loss;
}

ListwiseResult fit_listwise_set(std::span<const ListwiseQuery> queries, int d,
                                const ListwiseConfig& config) {
  config.validate();
  CREDMATCH_CHECK(d > 0, "d=" << d);
  for (const ListwiseQuery& q : queries) {
    CREDMATCH_CHECK(q.x.size() == size_t(q.n) * size_t(d) && q.relevant.size() == size_t(q.n),
                    "query of n=" << q.n << ": x.size()=" << q.x.size()
                                  << ", relevant.size()=" << q.relevant.size() << ", d=" << d);
  }
  using Vec = Eigen::VectorXd;
  const Eigen::Index dd = d;
  Vec w = Vec::Zero(dd), g(dd);
  auto eval = [&](const Vec& at, Vec& grad) {
    return listwise_set_loss(queries, std::span<const double>(at.data(), size_t(d)), config.l2,
                             std::span<double>(grad.data(), size_t(d)));
  };
  double f = eval(w, g);
  constexpr size_t kMemory = 10;
  std::deque<Vec> s_hist, y_hist;
  std::deque<double> rho_hist;
  ListwiseResult r;
  for (int it = 0; it < config.max_iterations; ++it) {
    if (g.cwiseAbs().maxCoeff() < config.gradient_tolerance) {
      r.converged = true;
      break;
    }
    // Two-loop recursion: direction = -H g.
    Vec q = g;
    std::vector<double> alpha(s_hist.size());
    for (size_t i = s_hist.size(); i-- > 0;) {
      alpha[i] = rho_hist[i] * s_hist[i].dot(q);
      q -= alpha[i] * y_hist[i];
    }
    if (!s_hist.empty()) {
      q *= s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
    } else {
      q /= std::max(1.0, g.norm());  // first step: at most unit length
    }
    for (size_t i = 0; i < s_hist.size(); ++i) {
      const double beta = rho_hist[i] * y_hist[i].dot(q);
      q += (alpha[i] - beta) * s_hist[i];
    }
    Vec dir = -q;
    double slope = g.dot(dir);
    if (!(slope < 0)) {  // not a descent direction: restart from the gradient
      s_hist.clear();
      y_hist.clear();
      rho_hist.clear();
      dir = -g / std::max(1.0, g.norm());
      slope = g.dot(dir);
    }
    double step = 1.0;
    Vec w_new(dd), g_new(dd);
    double f_new = f;
    bool accepted = false;
    for (int k = 0; k < 60; ++k, step *= 0.5) {
      w_new = w + step * dir;
      f_new = eval(w_new, g_new);
      if (std::isfinite(f_new) && f_new <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    r.iterations = it + 1;
    if (!accepted) break;  // no progress possible at this precision
    const Vec sv = w_new - w, yv = g_new - g;
    const double sy = sv.dot(yv);
    if (sy > 1e-12) {
      if (s_hist.size() == kMemory) {
        s_hist.pop_front();
        y_hist.pop_front();
        rho_hist.pop_front();
      }
      s_hist.push_back(sv);
      y_hist.push_back(yv);
      rho_hist.push_back(1.0 / sy);
    }
    const double change = f - f_new;
    w = w_new;
    g = g_new;
    f = f_new;
    if (change <= 1e-15 * std::max(1.0, std::abs(f))) {
      r.converged = g.cwiseAbs().maxCoeff() < config.gradient_tolerance;
      break;
    }
  }
  if (!r.converged) r.converged = g.cwiseAbs().maxCoeff() < config.gradient_tolerance;
  r.w.assign(w.data(), w.data() + d);
  r.loss = f;
  return r;
}

std::vector<double> fit_logistic(std::span<const double> x, int d, std::span<const uint8_t> y,
                                 double l2) {
  CREDMATCH_CHECK(d > 0 && x.size() == y.size() * size_t(d),
                  "x.size()=" << x.size() << ", y.size()=" << y.size() << ", d=" << d);
  const Eigen::Index p = d + 1;
  const size_t n = y.size();
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(p);
  auto row = [&](size_t i, Eigen::Index k) { return k < d ? x[i * size_t(d) + size_t(k)] : 1.0; };
  auto objective = [&](const Eigen::VectorXd& t) {
    double loss = 0.0;
    for (size_t i = 0; i < n; ++i) {
      double z = 0.0;
      for (Eigen::Index k = 0; k < p; ++k) z += row(i, k) * t[k];
      // log(1 + e^-z) for y = 1, log(1 + e^z) for y = 0, computed stably
      const double m = y[i] ? -z : z;
      loss += m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m));
    }
    for (Eigen::Index k = 0; k < d; ++k) loss += l2 * t[k] * t[k];
    return loss;
  };
  double f = objective(theta);
  for (int it = 0; it < 100; ++it) {
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(p);
    Eigen::MatrixXd hess = Eigen::MatrixXd::Zero(p, p);
    for (size_t i = 0; i < n; ++i) {
      double z = 0.0;
      for (Eigen::Index k = 0; k < p; ++k) z += row(i, k) * theta[k];
      const double pr = 1.0 / (1.0 + std::exp(-z));
      const double r = pr - (y[i] ? 1.0 : 0.0);
      const double wgt = pr * (1.0 - pr);
      for (Eigen::Index a = 0; a < p; ++a) {
        grad[a] += r * row(i, a);
        for (Eigen::Index b = 0; b < p; ++b) hess(a, b) += wgt * row(i, a) * row(i, b);
      }
    }
    for (Eigen::Index k = 0; k < d; ++k) {
      grad[k] += 2 * l2 * theta[k];
      hess(k, k) += 2 * l2;
    }
    hess.diagonal().array() += 1e-12;
    const Eigen::VectorXd step = hess.ldlt().solve(grad);
    double t = 1.0;
    double f_new = f;
    Eigen::VectorXd next = theta;
    for (int k = 0; k < 40; ++k, t *= 0.5) {
      next = theta - t * step;
      f_new = objective(next);
      if (f_new <= f) break;
    }
    if (!(f_new <= f)) break;
    const double change = f - f_new;
    theta = next;
    f = f_new;
    if (grad.cwiseAbs().maxCoeff() < 1e-10 || change < 1e-14 * std::max(1.0, f)) break;
  }
  return std::vector<double>(theta.data(), theta.data() + p);
}

}  // namespace credmatch::engine
