// The two small learners of the relevance model, deterministic (fixed start, fixed order of
// every sum, single thread) so that two fits on the same data give identical weights:
//
//  - fit_listwise_set(): a linear scoring function s = X w learned with the listwise "set"
//    loss (a softmax over each query's list; the loss is the negative log-probability that the
//    top-1 draw is any of the query's relevant items):
//      L(w) = mean_q [ log Σ_{i ∈ list q} exp(s_i) − log Σ_{i relevant} exp(s_i) ] + l2 |w|²
//    minimised by L-BFGS (Nocedal & Wright 2006, alg. 7.4/7.5; memory 10) with a backtracking
//    Armijo line search, from w = 0. Queries without a relevant item are skipped. No bias (a
//    constant added to a query's scores changes nothing).
//  - fit_logistic(): logistic regression P(y = 1 | x) = σ(x · a + b) by Newton's method with
//    step halving, L2 penalty l2 |a|² on the slopes (not b), on the summed log-loss.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace credmatch::engine {

/// One query's list for fit_listwise_set(): n items × d features (row-major) and which are
/// relevant (0/1, n values).
struct ListwiseQuery {
  int64_t n = 0;
  std::vector<double> x;
  std::vector<uint8_t> relevant;
};

struct ListwiseConfig {
  double l2 = 0.01;              // L2 penalty on the weights (of the mean loss)
  int max_iterations = 1000;     // L-BFGS iterations
  double gradient_tolerance = 1e-8;  // stop when max |∂L/∂w_k| falls below

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

struct ListwiseResult {
  std::vector<double> w;
  double loss = 0.0;      // L(w), penalty included
  int iterations = 0;
  bool converged = false;  // gradient below tolerance (else stopped by iterations / no progress)
};

/// Throws credmatch::Error if d <= 0 or a query's sizes do not match.
ListwiseResult fit_listwise_set(std::span<const ListwiseQuery> queries, int d,
                                const ListwiseConfig& config);

/// The listwise loss and its gradient at w (for tests): returns L(w), fills grad (d values).
double listwise_set_loss(std::span<const ListwiseQuery> queries, std::span<const double> w,
                         double l2, std::span<double> grad);

/// Logistic regression of y (0/1) on rows x (n × d, row-major): returns d slopes then the
/// intercept. Throws credmatch::Error on mismatched sizes.
std::vector<double> fit_logistic(std::span<const double> x, int d, std::span<const uint8_t> y,
                                 double l2 = 1e-4);

}  // namespace credmatch::engine
