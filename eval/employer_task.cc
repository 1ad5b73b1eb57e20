#include "eval/employer_task.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <sstream>

#include "base/error.h"
#include "base/thread_pool.h"
#include "match/matcher.h"
#include "relevance/features.h"
#include "text/lexical.h"

namespace credmatch::engine {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<int64_t> as_ids(const std::vector<int32_t>& v) { return {v.begin(), v.end()}; }

RankingMetrics metrics_of(const std::vector<std::vector<float>>& scores,
                          const std::vector<std::vector<int32_t>>& relevant) {
  MetricsAccumulator acc;
  for (size_t j = 0; j < scores.size(); ++j) {
    acc.add(as_ids(rank_by_score(scores[j])), as_ids(relevant[j]));
  }
  return acc.mean();
}

// MRR of one job's scores (whole ranking; ties: smaller index first).
double reciprocal_rank_of(std::span<const float> s, const std::vector<int32_t>& relevant) {
  // rank of the best relevant = 1 + number of credentials ranked above it
  int32_t best = -1;
  for (int32_t c : relevant) {
    if (best < 0 || s[size_t(c)] > s[size_t(best)] ||
        (s[size_t(c)] == s[size_t(best)] && c < best)) {
      best = c;
    }
  }
  const float sb = s[size_t(best)];
  int64_t above = 0;
  for (size_t c = 0; c < s.size(); ++c) {
    if (s[c] > sb || (s[c] == sb && int32_t(c) < best)) ++above;
  }
  return 1.0 / double(above + 1);
}

std::vector<CalibrationBucket> buckets(const std::vector<double>& p, const std::vector<uint8_t>& y) {
  static constexpr double kEdges[] = {0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0};
  std::vector<CalibrationBucket> out;
  for (size_t b = 0; b + 1 < std::size(kEdges); ++b) {
    CalibrationBucket k{kEdges[b], kEdges[b + 1], 0, 0, 0};
    const bool last = b + 2 == std::size(kEdges);
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] < k.lo || (last ? p[i] > k.hi : p[i] >= k.hi)) continue;
      ++k.count;
      k.mean_predicted += p[i];
      k.observed += y[i];
    }
    if (k.count == 0) continue;
    k.mean_predicted /= double(k.count);
    k.observed /= double(k.count);
    out.push_back(k);
  }
  return out;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

bool contains(const std::vector<int32_t>& v, int32_t c) {
  return std::find(v.begin(), v.end(), c) != v.end();
}

}  // namespace

void EmployerTaskConfig::validate() const {
  CREDMATCH_CHECK(!jobs_path.empty(), "jobs_path: empty");
  fit.validate();
  for (const auto& v : variants) {
    RelevanceFitConfig c = fit;
    c.features = v;
    c.validate();
  }
  CREDMATCH_CHECK(!fusion_grid.empty(), "fusion_grid: empty");
  CREDMATCH_CHECK(abstain_below >= 0 && abstain_below <= 1, "abstain_below=" << abstain_below);
}

Result<EmployerReport> run_employer_task(const LoadedCatalog& catalog,
                                         const EmployerTaskConfig& config) {
  config.validate();
  const auto t_start = Clock::now();
  EmployerReport rep;
  rep.jobs_path = config.jobs_path;
  rep.abstain_below = config.abstain_below;
  auto records = load_labelled_jobs(config.jobs_path);
  if (!records) return records.status();

  // Jobs with their relevant credential indices and folds.
  LabelledJobs set = resolve_labelled_jobs(std::move(*records), catalog, config.fit.folds);
  rep.dropped_ids = set.dropped_ids;
  rep.dropped_jobs = set.dropped_jobs;
  std::vector<Job>& jobs = set.jobs;
  std::vector<std::vector<int32_t>>& relevant = set.relevant;
  std::vector<int>& folds = set.folds;
  if (jobs.empty()) {
    return Status::invalid_argument(config.jobs_path +
                                    ": no job has a relevant credential in this catalog");
  }
  rep.jobs = int64_t(jobs.size());
  rep.credentials = int64_t(catalog.credentials().size());
  rep.fold_sizes.assign(size_t(config.fit.folds), 0);
  for (int f : folds) ++rep.fold_sizes[size_t(f)];
  for (size_t f = 0; f < rep.fold_sizes.size(); ++f) {
    if (rep.fold_sizes[f] == 0) {
      return Status::invalid_argument(config.jobs_path + ": fold " + std::to_string(f) +
                                      " has no job with a relevant credential in this catalog");
    }
  }

  // Catalog side.
  auto t0 = Clock::now();
  const Encoder& encoder = catalog.encoder();
  const CredentialProfiles profiles = CredentialProfiles::build(
      credential_texts(catalog), encoder, credential_competency_vectors(catalog));
  const Bm25Ranker bm25_whole(profiles.whole_texts());
  rep.seconds_profiles = seconds_since(t0);

  // Job side: every feature any row needs, for every job against every credential.
  t0 = Clock::now();
  std::vector<std::string> names = config.fit.features;
  auto want = [&names](const std::string& n) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  for (const auto& v : config.variants) {
    for (const std::string& n : v) want(n);
  }
  for (const char* n : {"char_ww", "char_tt", "char_tw"}) want(n);
  const size_t nj = jobs.size();
  std::vector<PairFeatures> tables(nj);
  std::vector<std::vector<float>> word_ww(nj), bm25_ww(nj);
  run_parallel(int64_t(nj), [&](int64_t j) {
    const JobProfile jp = make_job_profile(jobs[size_t(j)], encoder);
    tables[size_t(j)] = compute_features(profiles, jp, names);
    word_ww[size_t(j)] = profiles.whole_word().score_all(jp.whole_text);
    bm25_ww[size_t(j)] = bm25_whole.score_all(jp.whole_text);
  });
  rep.seconds_features = seconds_since(t0);
  auto column = [&](size_t j, const std::string& name) {
    const auto& t = tables[j];
    return t.column(size_t(std::find(t.names.begin(), t.names.end(), name) - t.names.begin()));
  };

  // The matcher, every credential ranked.
  if (config.with_matcher) {
    t0 = Clock::now();
    MatchConfig mc;
    mc.top = int(catalog.credentials().size());
    const Matcher matcher(catalog, mc);
    MetricsAccumulator acc;
    for (size_t j = 0; j < nj; ++j) {
      auto res = matcher.match(jobs[j]);
      if (!res) return res.status().with_context("matcher, job " + jobs[j].id);
      std::vector<int64_t> ranked;
      std::vector<uint8_t> listed(catalog.credentials().size(), 0);
      for (const CredentialMatch& m : res->credentials) {
        ranked.push_back(m.credential);
        listed[size_t(m.credential)] = 1;
      }
      for (size_t c = 0; c < listed.size(); ++c) {
        if (!listed[c]) ranked.push_back(int64_t(c));
      }
      acc.add(ranked, as_ids(relevant[j]));
    }
    rep.rows.push_back({"matcher", acc.mean()});
    rep.seconds_matcher = seconds_since(t0);
  }

  // Lexical peers.
  {
    std::vector<std::vector<float>> s(nj);
    for (size_t j = 0; j < nj; ++j) s[j].assign(column(j, "char_ww").begin(), column(j, "char_ww").end());
    rep.rows.push_back({"tfidf-char (whole vs whole)", metrics_of(s, relevant)});
    rep.rows.push_back({"bm25 (whole vs whole)", metrics_of(bm25_ww, relevant)});
  }
  t0 = Clock::now();
  {
    // Out-of-fold grid search of (w1, w2, w3) by MRR on the training folds.
    auto fused = [&](size_t j, const std::array<double, 3>& w) {
      const auto ww = column(j, "char_ww"), tt = column(j, "char_tt"), tw = column(j, "char_tw");
      std::vector<float> s(ww.size());
      for (size_t c = 0; c < s.size(); ++c) {
        s[c] = static_cast<float>(ww[c] + w[0] * tt[c] + w[1] * word_ww[j][c] + w[2] * tw[c]);
      }
      return s;
    };
    std::vector<std::array<double, 3>> grid;
    for (double a : config.fusion_grid) {
      for (double b : config.fusion_grid) {
        for (double c : config.fusion_grid) grid.push_back({a, b, c});
      }
    }
    // rr[g][j]: reciprocal rank of job j under grid point g
    std::vector<std::vector<double>> rr(grid.size(), std::vector<double>(nj));
    run_parallel(int64_t(grid.size()), [&](int64_t g) {
      for (size_t j = 0; j < nj; ++j) rr[size_t(g)][j] = reciprocal_rank_of(fused(j, grid[size_t(g)]), relevant[j]);
    });
    std::vector<std::vector<float>> oof(nj);
    for (int f = 0; f < config.fit.folds; ++f) {
      size_t best = 0;
      double best_mrr = -1;
      for (size_t g = 0; g < grid.size(); ++g) {
        double sum = 0;
        for (size_t j = 0; j < nj; ++j) {
          if (folds[j] != f) sum += rr[g][j];
        }
        if (sum > best_mrr + 1e-12) {
          best_mrr = sum;
          best = g;
        }
      }
      rep.fusion_weights.push_back(grid[best]);
      for (size_t j = 0; j < nj; ++j) {
        if (folds[j] == f) oof[j] = fused(j, grid[best]);
      }
    }
    rep.rows.push_back({"lexical-fusion (weights out-of-fold)", metrics_of(oof, relevant)});
  }

  // The relevance model, out-of-fold and in-fold; variants out-of-fold.
  CrossValidatedFit cv = fit_cross_validated(tables, relevant, folds, config.fit);
  cv.model.encoder_id = encoder.id();
  for (RelevanceModel& m : cv.fold_models) m.encoder_id = encoder.id();
  rep.rows.push_back({"relevance (out-of-fold)", metrics_of(cv.oof_scores, relevant)});
  rep.rows.push_back({"relevance (in-fold, fitted on every job)", metrics_of(cv.in_fold_scores, relevant)});
  for (const auto& v : config.variants) {
    RelevanceFitConfig c = config.fit;
    c.features = v;
    const CrossValidatedFit vf = fit_cross_validated(tables, relevant, folds, c);
    std::string label = "relevance variant (out-of-fold):";
    for (const std::string& n : v) label += " " + n;
    rep.rows.push_back({label, metrics_of(vf.oof_scores, relevant)});
  }
  rep.seconds_fit = seconds_since(t0);

  // Calibration and abstention, out-of-fold: calibrators fitted on the other folds'
  // out-of-fold scores, applied to the held-out fold.
  {
    std::vector<double> pp, p1;
    std::vector<uint8_t> yp, y1;
    std::vector<double> rr1;
    const int depth = config.fit.calibration_depth;
    rep.per_job.resize(nj);
    for (size_t j = 0; j < nj; ++j) {
      rep.per_job[j].id = jobs[j].id;
      rep.per_job[j].title = jobs[j].title;
      rep.per_job[j].fold = folds[j];
      rep.per_job[j].relevant = relevant[j];
    }
    for (int f = 0; f < config.fit.folds; ++f) {
      std::vector<int64_t> train, held;
      for (size_t j = 0; j < nj; ++j) (folds[j] == f ? held : train).push_back(int64_t(j));
      const auto [a, b] = fit_pair_calibration(cv.oof_scores, relevant, train, depth);
      const auto c = fit_top1_calibration(cv.oof_scores, relevant, train);
      RelevanceModel& fm = cv.fold_models[size_t(f)];  // calibrated like the shipped model
      fm.pair_a = a;
      fm.pair_b = b;
      fm.top1_s1 = c[0];
      fm.top1_gap = c[1];
      fm.top1_bias = c[2];
      for (int64_t j : held) {
        const auto& s = cv.oof_scores[size_t(j)];
        const std::vector<int32_t> top = rank_by_score(s, depth);
        for (int32_t k : top) {
          pp.push_back(sigmoid(a * s[size_t(k)] + b));
          yp.push_back(contains(relevant[size_t(j)], k) ? 1 : 0);
        }
        const double s1 = s[size_t(top[0])], s2 = top.size() > 1 ? s[size_t(top[1])] : s1;
        p1.push_back(sigmoid(c[0] * s1 + c[1] * (s1 - s2) + c[2]));
        y1.push_back(contains(relevant[size_t(j)], top[0]) ? 1 : 0);
        rr1.push_back(reciprocal_rank_of(s, relevant[size_t(j)]));
        EmployerJobResult& jr = rep.per_job[size_t(j)];
        jr.top.assign(top.begin(), top.begin() + std::min<std::ptrdiff_t>(10, std::ptrdiff_t(top.size())));
        for (int32_t k : jr.top) jr.top_scores.push_back(s[size_t(k)]);
        jr.first_relevant_rank = int64_t(std::llround(1.0 / rr1.back()));
        jr.top1_probability = p1.back();
      }
    }
    rep.pair_calibration = buckets(pp, yp);
    rep.top1_calibration = buckets(p1, y1);
    std::set<double> thresholds = {0.0, 0.2, 0.3, 0.4, 0.5, config.abstain_below};
    for (double x : thresholds) {
      AbstentionRow a;
      a.threshold = x;
      double hit_ans = 0, rr_ans = 0, hit_abs = 0;
      int64_t abstained = 0;
      for (size_t i = 0; i < p1.size(); ++i) {
        if (p1[i] >= x) {
          ++a.answered;
          hit_ans += y1[i];
          rr_ans += rr1[i];
        } else {
          ++abstained;
          hit_abs += y1[i];
        }
      }
      a.precision_answered = a.answered ? hit_ans / double(a.answered) : 0;
      a.mrr_answered = a.answered ? rr_ans / double(a.answered) : 0;
      a.precision_abstained = abstained ? hit_abs / double(abstained) : -1;
      rep.abstention.push_back(a);
    }
  }
  rep.model = std::move(cv.model);
  rep.model.training.data = config.jobs_path;
  rep.fold_models = std::move(cv.fold_models);
  rep.seconds_total = seconds_since(t_start);
  return rep;
}

std::string format_employer_report(const EmployerReport& r) {
  std::ostringstream o;
  char buf[512];
  o << "\nemployer: O*NET occupation (title + Core tasks) -> the CIP programs the crosswalk links "
       "it to (" << r.jobs_path << ")\n";
  o << r.jobs << " jobs, " << r.credentials << " credentials; folds by SOC:";
  for (int64_t n : r.fold_sizes) o << " " << n;
  if (r.dropped_ids > 0 || r.dropped_jobs > 0) {
    o << "; " << r.dropped_ids << " relevant ids not in the catalog, " << r.dropped_jobs
      << " jobs dropped";
  }
  o << "\n\n| ranker | MRR | RP@5 | P@3 | R@20 | nDCG@10 |\n| --- | ---: | ---: | ---: | ---: | ---: |\n";
  for (const EmployerRow& row : r.rows) {
    const RankingMetrics& m = row.metrics;
    std::snprintf(buf, sizeof buf, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n", row.name.c_str(),
                  100 * m.mrr, 100 * m.rp_at_5, 100 * m.p_at_3, 100 * m.recall_at_20,
                  100 * m.ndcg_at_10);
    o << buf;
  }
  o << "\nlexical-fusion weights (w1 char_tt, w2 word_ww, w3 char_tw) per held-out fold:";
  for (const auto& w : r.fusion_weights) {
    std::snprintf(buf, sizeof buf, " (%.2f, %.2f, %.2f)", w[0], w[1], w[2]);
    o << buf;
  }
  o << "\n\nrelevance model fitted on every job (" << r.model.training.jobs
    << " jobs; standardised weight: full fit | fold mean ± sd; raw weight a, mean, sd):\n\n"
    << "| feature | standardised | folds | a | mean | sd |\n| --- | ---: | ---: | ---: | ---: | ---: |\n";
  for (size_t k = 0; k < r.model.features.size(); ++k) {
    const RelevanceFeatureWeight& f = r.model.features[k];
    double sum = 0, sum2 = 0;
    for (const RelevanceModel& m : r.fold_models) {
      sum += m.features[k].standardised_weight;
      sum2 += m.features[k].standardised_weight * m.features[k].standardised_weight;
    }
    const double n = double(r.fold_models.size());
    const double mean = sum / n, sd = std::sqrt(std::max(0.0, sum2 / n - mean * mean));
    std::snprintf(buf, sizeof buf, "| %s | %.3f | %.3f ± %.3f | %.4f | %.4f | %.4f |\n",
                  f.name.c_str(), f.standardised_weight, mean, sd, f.weight, f.mean, f.sd);
    o << buf;
  }
  std::snprintf(buf, sizeof buf,
                "\nbias b = %.4f; P(relevant) = σ(%.4f·score %+.4f); P(top-1 relevant) = "
                "σ(%.4f·s1 %+.4f·(s1 − s2) %+.4f); L-BFGS %d iterations, loss %.4f; "
                "fingerprint %s\n",
                r.model.bias, r.model.pair_a, r.model.pair_b, r.model.top1_s1, r.model.top1_gap,
                r.model.top1_bias, r.model.training.iterations, r.model.training.final_loss,
                r.model.fingerprint().c_str());
  o << buf;
  auto table = [&](const char* title, const char* what, const std::vector<CalibrationBucket>& b) {
    o << "\n" << title << "\n\n| predicted | " << what
      << " | mean predicted | observed |\n| --- | ---: | ---: | ---: |\n";
    for (const CalibrationBucket& k : b) {
      std::snprintf(buf, sizeof buf, "| %.2f-%.2f | %lld | %.3f | %.3f |\n", k.lo, k.hi,
                    static_cast<long long>(k.count), k.mean_predicted, k.observed);
      o << buf;
    }
  };
  table("Calibration, out-of-fold (Platt fitted on the other folds' out-of-fold top-20 pairs; "
        "observed = share relevant):",
        "pairs", r.pair_calibration);
  table("Top-1 calibration, out-of-fold (observed = top-1 precision):", "jobs",
        r.top1_calibration);
  o << "\nAbstention (\"no good match\" when P(top-1) < x), out-of-fold:\n\n"
    << "| x | jobs answered | top-1 precision answered | MRR answered | top-1 precision "
       "abstained |\n| ---: | ---: | ---: | ---: | ---: |\n";
  for (const AbstentionRow& a : r.abstention) {
    char abs[32] = "-";
    if (a.precision_abstained >= 0) std::snprintf(abs, sizeof abs, "%.3f", a.precision_abstained);
    std::snprintf(buf, sizeof buf, "| %.2f%s | %lld (%.0f%%) | %.3f | %.1f | %s |\n", a.threshold,
                  a.threshold == r.abstain_below ? " (rule)" : "",
                  static_cast<long long>(a.answered),
                  100.0 * double(a.answered) / double(std::max<int64_t>(1, r.jobs)),
                  a.precision_answered, 100 * a.mrr_answered, abs);
    o << buf;
  }
  std::snprintf(buf, sizeof buf,
                "\ntime: profiles %.1f s, job features %.1f s, matcher %.1f s, fits %.1f s, "
                "total %.1f s\n",
                r.seconds_profiles, r.seconds_features, r.seconds_matcher, r.seconds_fit,
                r.seconds_total);
  o << buf;
  return o.str();
}

std::string format_employer_jobs(const EmployerReport& r, const LoadedCatalog& catalog) {
  std::ostringstream o;
  const auto& creds = catalog.credentials();
  for (const EmployerJobResult& j : r.per_job) {
    o << j.id << "\t" << j.title << "\t" << j.fold << "\t" << j.first_relevant_rank << "\t"
      << j.top1_probability << "\t";
    for (size_t i = 0; i < j.relevant.size(); ++i) {
      o << (i ? "," : "") << creds[size_t(j.relevant[i])].id;
    }
    for (size_t i = 0; i < j.top.size(); ++i) {
      o << "\t" << creds[size_t(j.top[i])].id << ":" << j.top_scores[i];
    }
    o << "\n";
  }
  return o.str();
}

}  // namespace credmatch::engine
