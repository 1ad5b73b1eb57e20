// The `employer` task of `credmatch eval` (docs/quality.md, "Employer task"): O*NET
// occupations (title + Core tasks, all essential) ranked against every credential of a
// catalog; relevant = the programs the CIP–SOC crosswalk links to the occupation
// (data/eval/employer_dev.jsonl.gz, development half). Rankers side by side in one run:
//
//   matcher          the Matcher (match/matcher.h) with top = every credential; credentials it
//                    leaves out (score 0) follow in id order
//   tfidf-char       char n-gram TF-IDF (text/lexical.h), whole job text vs whole credential
//                    text (title + description + competencies), idf from the credentials
//   bm25             BM25 over the same texts
//   lexical-fusion   char_ww + w1 char_tt + w2 word_ww + w3 char_tw (char title vs title with
//                    idf from the titles; word 1–2-gram TF-IDF whole vs whole; char job title
//                    vs whole credential), w picked from a grid by MRR on the training folds
//                    (out-of-fold)
//   relevance        the relevance model (relevance/), fitted on 4 folds and scored on the 5th
//                    (out-of-fold); "in-fold" is the model fitted on every job, for reference
//
// Folds: 5 by SOC code (relevance/training.h fold_of_group). Labels only fit weights and
// measure them; no score reads them. Relevant ids missing from the catalog are dropped, and so
// is a job left without any.
//
// Thread safety: run_employer_task() may be called from one thread at a time per catalog (it
// uses the thread pool itself).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog_relevance.h"
#include "catalog/loaded_catalog.h"
#include "eval/metrics.h"
#include "relevance/credential_profiles.h"
#include "relevance/relevance_model.h"
#include "relevance/training.h"

namespace credmatch::engine {

struct EmployerTaskConfig {
  std::string jobs_path;      // the labelled jobs (relevance/training.h load_labelled_jobs)
  RelevanceFitConfig fit;     // the relevance model's features and fit
  /// Extra relevance rows: each a feature list fitted and scored out-of-fold like the main
  /// model (for comparisons; the main model is `fit`).
  std::vector<std::vector<std::string>> variants;
  std::vector<double> fusion_grid = {0.0, 0.25, 0.5, 0.75, 1.0, 1.5};  // each of w1, w2, w3
  double abstain_below = 0.3;  // the abstention rule reported: P(top-1) below this
  bool with_matcher = true;

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

struct EmployerRow {
  std::string name;
  RankingMetrics metrics;
};

struct CalibrationBucket {
  double lo = 0, hi = 0;
  int64_t count = 0;
  double mean_predicted = 0, observed = 0;
};

struct AbstentionRow {
  double threshold = 0;     // abstain when P(top-1) < threshold
  int64_t answered = 0;
  double precision_answered = 0;  // top-1 precision of the answered jobs
  double mrr_answered = 0;
  double precision_abstained = -1;  // -1 when none abstained
};

/// One job's out-of-fold result under the relevance model.
struct EmployerJobResult {
  std::string id, title;
  int fold = 0;
  std::vector<int32_t> relevant;   // credential indices
  std::vector<int32_t> top;        // the 10 best credentials, best first
  std::vector<float> top_scores;
  int64_t first_relevant_rank = 0;  // 1-based
  double top1_probability = 0;      // out-of-fold top-1 calibrator
};

struct EmployerReport {
  std::string jobs_path;
  int64_t jobs = 0, credentials = 0;
  int64_t dropped_ids = 0, dropped_jobs = 0;  // relevant ids not in the catalog; jobs left empty
  std::vector<int64_t> fold_sizes;
  std::vector<EmployerRow> rows;
  RelevanceModel model;                    // fitted on every job (the shippable model)
  /// [f]: fitted without fold f, calibrated on the other folds' out-of-fold scores.
  std::vector<RelevanceModel> fold_models;
  std::vector<std::array<double, 3>> fusion_weights;  // per fold: w1, w2, w3
  std::vector<CalibrationBucket> pair_calibration;    // out-of-fold, top-20 pairs
  std::vector<CalibrationBucket> top1_calibration;    // out-of-fold, one per job
  std::vector<AbstentionRow> abstention;
  std::vector<EmployerJobResult> per_job;  // in file order
  double abstain_below = 0.3;
  double seconds_profiles = 0, seconds_features = 0, seconds_matcher = 0, seconds_fit = 0,
         seconds_total = 0;
};

/// Runs the task (see file comment). kNotFound / kInvalidArgument for the jobs file,
/// kInvalidArgument when no job has a relevant credential in the catalog or a fold is empty.
Result<EmployerReport> run_employer_task(const LoadedCatalog& catalog,
                                         const EmployerTaskConfig& config);

/// The report as Markdown tables (metrics ×100), for `credmatch eval`.
std::string format_employer_report(const EmployerReport& report);

/// One line per job, tab-separated: id, title, fold, rank of the first relevant credential,
/// P(top-1), relevant ids, then the top 10 (id:score), out-of-fold; for error analysis.
std::string format_employer_jobs(const EmployerReport& report, const LoadedCatalog& catalog);

}  // namespace credmatch::engine
