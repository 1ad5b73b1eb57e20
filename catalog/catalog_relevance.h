// The relevance model's part of a catalog directory (docs/matching.md, "Relevance model"):
//
//   DIR/relevance_profiles.bin  the credentials' dense profiles (relevance/credential_profiles.h)
//   DIR/relevance_model.json    the fitted weights and their calibration
//                               (relevance/relevance_model.h)
//
// build_relevance() writes both for a staged catalog: the profiles always (up to
// max_credentials), the model fitted on labelled jobs when enough of them name credentials
// of this catalog (5 folds by SOC code, calibrated on out-of-fold scores), else the shipped
// model's weights (fitted on the default catalog; its encoder check waived, as the features
// are cosines and coverages whatever the encoder). The labels only fit weights: nothing at
// match time reads them.
//
// Thread safety: functions of their arguments; build_relevance() uses the thread pool.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/loaded_catalog.h"
#include "relevance/credential_profiles.h"
#include "relevance/training.h"

namespace credmatch::engine {

/// The shipped data (under the data directory): the development half of the labelled jobs
/// (data/eval/README.md) and the weights used for catalogs they cannot fit.
inline constexpr char kEmployerJobsFile[] = "eval/employer_dev.jsonl.gz";
inline constexpr char kShippedRelevanceModelFile[] = "relevance/model.json";

/// What the relevance model reads of every credential of `catalog`, in credentials() order:
/// title, description and the texts of its matchable competencies.
std::vector<CredentialText> credential_texts(const LoadedCatalog& catalog);

/// The unit vectors of every credential's competencies, credential after credential
/// (CredentialProfiles::build's competency_vectors).
std::vector<float> credential_competency_vectors(const LoadedCatalog& catalog);

/// Labelled jobs resolved against a catalog: relevant ids missing from it are dropped, and so
/// is a job left without any.
struct LabelledJobs {
  std::vector<Job> jobs;
  std::vector<std::vector<int32_t>> relevant;  // sorted credential indices, one list per job
  std::vector<int> folds;                      // fold_of_group(soc, folds)
  int64_t dropped_ids = 0, dropped_jobs = 0;
};
LabelledJobs resolve_labelled_jobs(std::vector<LabelledJobRecord> records,
                                   const LoadedCatalog& catalog, int folds);

struct RelevanceBuildOptions {
  std::string labelled_jobs;  // e.g. DATA/eval/employer_dev.jsonl.gz; empty: fit nothing
  std::string shipped_model;  // e.g. DATA/relevance/model.json; empty: none
  RelevanceFitConfig fit;
  int64_t min_jobs = 50;            // labelled jobs with a relevant credential needed to fit
  int64_t max_credentials = 50000;  // larger catalogs keep coverage ranking (no profiles)
};

/// The options `credmatch build` uses: the shipped labelled jobs and model under `data_dir`,
/// each where the file exists.
RelevanceBuildOptions shipped_relevance_options(const std::string& data_dir);

struct RelevanceBuildReport {
  std::string model;       // "fitted", "shipped" or "none"
  std::string note;        // one line for a person: where the weights come from, or why none
  int64_t jobs = 0;        // labelled jobs fitted on
  std::string fingerprint;
  double seconds = 0;
};

/// Writes DIR/relevance_profiles.bin and DIR/relevance_model.json for `catalog` (opened on
/// DIR). kInvalidArgument for an unreadable labelled-jobs or shipped-model file.
Result<RelevanceBuildReport> build_relevance(const LoadedCatalog& catalog, const std::string& dir,
                                             const RelevanceBuildOptions& options);

}  // namespace credmatch::engine
