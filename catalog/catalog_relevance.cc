#include "catalog/catalog_relevance.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "base/error.h"
#include "catalog/catalog_files.h"
#include "relevance/relevance_model.h"

namespace credmatch::engine {

std::vector<CredentialText> credential_texts(const LoadedCatalog& catalog) {
  std::vector<CredentialText> out;
  const auto& creds = catalog.credentials();
  out.reserve(creds.size());
  for (size_t c = 0; c < creds.size(); ++c) {
    CredentialText t{creds[c].title, creds[c].description, {}};
    for (int64_t p : catalog.competencies_of(int32_t(c))) {
      t.competencies.push_back(catalog.competencies()[size_t(p)].text);
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<float> credential_competency_vectors(const LoadedCatalog& catalog) {
  const size_t dim = size_t(catalog.encoder().dim());
  std::vector<float> out;
  out.reserve(catalog.competencies().size() * dim);
  for (size_t c = 0; c < catalog.credentials().size(); ++c) {
    for (int64_t p : catalog.competencies_of(int32_t(c))) {
      const float* v = catalog.competency_vector(p);
      out.insert(out.end(), v, v + dim);
    }
  }
  return out;
}

LabelledJobs resolve_labelled_jobs(std::vector<LabelledJobRecord> records,
                                   const LoadedCatalog& catalog, int folds) {
  LabelledJobs out;
  for (LabelledJobRecord& r : records) {
    std::vector<int32_t> rel;
    for (const std::string& id : r.relevant_ids) {
      if (auto c = catalog.find_credential(id)) {
        rel.push_back(*c);
      } else {
        ++out.dropped_ids;
      }
    }
    std::sort(rel.begin(), rel.end());
    rel.erase(std::unique(rel.begin(), rel.end()), rel.end());
    if (rel.empty()) {
      ++out.dropped_jobs;
      continue;
    }
    out.relevant.push_back(std::move(rel));
    out.folds.push_back(fold_of_group(r.group, folds));
    out.jobs.push_back(std::move(r.job));
  }
  return out;
}

RelevanceBuildOptions shipped_relevance_options(const std::string& data_dir) {
  RelevanceBuildOptions o;
  const std::filesystem::path data(data_dir);
  std::error_code ec;
  if (std::filesystem::exists(data / kEmployerJobsFile, ec)) {
    o.labelled_jobs = (data / kEmployerJobsFile).string();
  }
  if (std::filesystem::exists(data / kShippedRelevanceModelFile, ec)) {
    o.shipped_model = (data / kShippedRelevanceModelFile).string();
  }
  return o;
}

namespace {

// Why a fit is not possible, or "" when it is.
std::string why_not_fitted(const LabelledJobs& set, const RelevanceBuildOptions& options) {
  if (int64_t(set.jobs.size()) < options.min_jobs) {
    return std::to_string(set.jobs.size()) + " labelled jobs name credentials of this catalog (" +
           std::to_string(options.min_jobs) + " needed to fit)";
  }
  std::vector<int> per_fold(size_t(options.fit.folds), 0);
  for (int f : set.folds) ++per_fold[size_t(f)];
  if (std::find(per_fold.begin(), per_fold.end(), 0) != per_fold.end()) {
    return "a cross-validation fold holds no labelled job";
  }
  return "";
}

}  // namespace

Result<RelevanceBuildReport> build_relevance(const LoadedCatalog& catalog, const std::string& dir,
                                             const RelevanceBuildOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  RelevanceBuildReport report;
  report.model = "none";
  const std::filesystem::path root(dir);
  const int64_t n = int64_t(catalog.credentials().size());
  if (n == 0 || n > options.max_credentials) {
    report.note = n == 0 ? "no credential" :
        std::to_string(n) + " credentials (more than " + std::to_string(options.max_credentials) +
        "): credentials ranked by requirement coverage";
    return report;
  }
  try {
    options.fit.validate();
  } catch (const Error& e) {
    return Status::invalid_argument(std::string("relevance fit: ") + e.what());
  }
  const Encoder& encoder = catalog.encoder();
  const CredentialProfiles profiles = CredentialProfiles::build(
      credential_texts(catalog), encoder, credential_competency_vectors(catalog));
  CREDMATCH_RETURN_IF_ERROR(profiles.save((root / kRelevanceProfilesFile).string()));

  RelevanceModel model;
  std::string why;
  if (!options.labelled_jobs.empty()) {
    auto records = load_labelled_jobs(options.labelled_jobs);
    if (!records) return records.status().with_context("labelled jobs");
    LabelledJobs set = resolve_labelled_jobs(std::move(*records), catalog, options.fit.folds);
    why = why_not_fitted(set, options);
    if (why.empty()) {
      const std::vector<PairFeatures> tables =
          job_feature_tables(profiles, encoder, set.jobs, options.fit.features);
      CrossValidatedFit cv = fit_cross_validated(tables, set.relevant, set.folds, options.fit);
      model = std::move(cv.model);
      model.encoder_id = encoder.id();
      model.training.data = std::filesystem::path(options.labelled_jobs).filename().string();
      report.model = "fitted";
      report.jobs = int64_t(set.jobs.size());
      report.note = "fitted on " + std::to_string(set.jobs.size()) + " labelled jobs (" +
                    model.training.data + ")";
    }
  } else {
    why = "no labelled jobs given";
  }
  if (report.model == "none" && !options.shipped_model.empty()) {
    auto shipped = RelevanceModel::load(options.shipped_model);
    if (!shipped) return shipped.status().with_context("shipped relevance model");
    model = std::move(*shipped);
    model.encoder_id.clear();  // cosines and coverages: the weights carry over encoders
    report.model = "shipped";
    report.note = "shipped weights (" + why + ")";
  }
  if (report.model == "none") {
    report.note = "none (" + why + "): credentials ranked by requirement coverage";
    std::error_code ec;
    std::filesystem::remove(root / kRelevanceProfilesFile, ec);
  } else {
    CREDMATCH_RETURN_IF_ERROR(model.save((root / kRelevanceModelFile).string()));
    report.fingerprint = model.fingerprint();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace credmatch::engine
