#include "relevance/training.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "base/error.h"
#include "base/json_depth.h"
#include "base/thread_pool.h"
#include "store/splits.h"
#include "text/line_reader.h"

namespace credmatch::engine {
namespace {

using Json = nlohmann::json;

Result<LabelledJobRecord> parse_record(const Json& j, const std::string& where) {
  if (!j.is_object()) return Status::invalid_argument(where + ": not a JSON object");
  LabelledJobRecord r;
  auto text = [&](const char* key, std::string* out) -> Status {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) {
      return Status::invalid_argument(where + ": " + key + ": missing or empty");
    }
    *out = j[key];
    return Status::ok();
  };
  CREDMATCH_RETURN_IF_ERROR(text("id", &r.job.id));
  CREDMATCH_RETURN_IF_ERROR(text("title", &r.job.title));
  CREDMATCH_RETURN_IF_ERROR(text("soc", &r.group));
  for (const char* key : {"requirements", "relevant"}) {
    if (!j.contains(key) || !j[key].is_array() || j[key].empty()) {
      return Status::invalid_argument(where + ": " + key + ": missing or empty");
    }
    for (const Json& v : j[key]) {
      if (!v.is_string() || v.get<std::string>().empty()) {
        return Status::invalid_argument(where + ": " + key + ": holds a non-string or empty entry");
      }
      if (std::string(key) == "requirements") {
        r.job.requirements.push_back({v.get<std::string>(), Importance::kEssential, ""});
      } else {
        r.relevant_ids.push_back(v.get<std::string>());
      }
    }
  }
  return r;
}

// Mean and population sd of feature column f over the jobs `rows`.
std::pair<double, double> column_stats(std::span<const PairFeatures> tables,
                                       std::span<const int64_t> rows, size_t f) {
  double sum = 0.0, sum2 = 0.0;
  int64_t n = 0;
  for (int64_t r : rows) {
    for (float v : tables[size_t(r)].column(f)) {
      sum += v;
      sum2 += double(v) * v;
      ++n;
    }
  }
  const double mean = n > 0 ? sum / double(n) : 0.0;
  const double var = n > 0 ? std::max(0.0, sum2 / double(n) - mean * mean) : 0.0;
  return {mean, var > 0 ? std::sqrt(var) : 1.0};
}

// The credentials of one job's training list (see training.h, step 2).
std::vector<int32_t> training_list(const PairFeatures& t, std::span<const size_t> columns,
                                   const std::vector<int32_t>& relevant, int candidates) {
  const size_t n = size_t(t.credentials);
  std::vector<int32_t> out(relevant.begin(), relevant.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (candidates <= 0 || size_t(candidates) >= n) {
    out.resize(n);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  std::vector<float> first(n, 0.0f);
  for (size_t f : columns) {
    const std::span<const float> col = t.column(f);
    double sum = 0.0, sum2 = 0.0;
    for (float v : col) {
      sum += v;
      sum2 += double(v) * v;
    }
    const double mean = sum / double(n);
    const double sd = std::sqrt(std::max(0.0, sum2 / double(n) - mean * mean)) + 1e-9;
    for (size_t c = 0; c < n; ++c) first[c] += static_cast<float>((col[c] - mean) / sd);
  }
  const std::vector<int32_t> order = rank_by_score(first);
  std::vector<uint8_t> is_rel(n, 0);
  for (int32_t c : out) is_rel[size_t(c)] = 1;
  for (int32_t c : order) {
    if (out.size() >= size_t(candidates)) break;
    if (!is_rel[size_t(c)]) out.push_back(c);
  }
  return out;
}

}  // namespace

Result<std::vector<LabelledJobRecord>> load_labelled_jobs(const std::string& path) {
  auto reader = LineReader::open(path);
  if (!reader) return reader.status();
  std::vector<LabelledJobRecord> out;
  std::string line;
  while ((*reader)->next(&line)) {
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string((*reader)->line_number());
    if (json_too_deep_at(line)) return Status::invalid_argument(where + ": JSON nested too deep");
    const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Status::invalid_argument(where + ": not valid JSON");
    auto r = parse_record(j, where);
    if (!r) return r.status();
    out.push_back(std::move(*r));
  }
  CREDMATCH_RETURN_IF_ERROR((*reader)->status());
  return out;
}

std::vector<PairFeatures> job_feature_tables(const CredentialProfiles& profiles,
                                             const Encoder& encoder, std::span<const Job> jobs,
                                             std::span<const std::string> names) {
  std::vector<PairFeatures> tables(jobs.size());
  run_parallel(int64_t(jobs.size()), [&](int64_t j) {
    tables[size_t(j)] = compute_features(profiles, make_job_profile(jobs[size_t(j)], encoder), names);
  });
  return tables;
}

int fold_of_group(std::string_view group, int folds) {
  CREDMATCH_CHECK(folds > 0, "folds=" << folds);
  return static_cast<int>(fnv1a64("fold:" + std::string(group)) % uint64_t(folds));
}

void RelevanceFitConfig::validate() const {
  CREDMATCH_CHECK(!features.empty(), "features: empty");
  for (const std::string& f : features) {
    CREDMATCH_CHECK(is_known_feature(f), "features: unknown '" << f << "'");
  }
  CREDMATCH_CHECK(l2 >= 0 && std::isfinite(l2), "l2=" << l2);
  CREDMATCH_CHECK(candidates >= 0, "candidates=" << candidates);
  CREDMATCH_CHECK(folds >= 2, "folds=" << folds);
  CREDMATCH_CHECK(calibration_depth > 0, "calibration_depth=" << calibration_depth);
  ListwiseConfig{l2, max_iterations, gradient_tolerance}.validate();
}

std::vector<int32_t> rank_by_score(std::span<const float> scores, int k) {
  std::vector<int32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  const size_t head = k <= 0 ? order.size() : std::min(order.size(), size_t(k));
  auto better = [&](int32_t a, int32_t b) {
    const float sa = scores[size_t(a)], sb = scores[size_t(b)];
    return sa != sb ? sa > sb : a < b;
  };
  std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(head), order.end(), better);
  order.resize(head);
  return order;
}

RelevanceModel fit_relevance_weights(std::span<const PairFeatures> tables,
                                     std::span<const std::vector<int32_t>> relevant,
                                     std::span<const int64_t> rows,
                                     const RelevanceFitConfig& config) {
  config.validate();
  CREDMATCH_CHECK(tables.size() == relevant.size(),
                  "tables=" << tables.size() << ", relevant=" << relevant.size());
  CREDMATCH_CHECK(!rows.empty(), "no job to fit on");
  const size_t d = config.features.size();
  std::vector<size_t> columns;  // the config's features in each table (same layout in all)
  const PairFeatures& first = tables[size_t(rows[0])];
  for (const std::string& f : config.features) {
    auto it = std::find(first.names.begin(), first.names.end(), f);
    CREDMATCH_CHECK(it != first.names.end(), "feature table lacks '" << f << "'");
    columns.push_back(size_t(it - first.names.begin()));
  }
  for (int64_t r : rows) {
    CREDMATCH_CHECK(tables[size_t(r)].names == first.names &&
                        tables[size_t(r)].credentials == first.credentials,
                    "job " << r << ": feature table differs in names or credentials");
  }
  std::vector<double> mean(d), sd(d);
  for (size_t k = 0; k < d; ++k) std::tie(mean[k], sd[k]) = column_stats(tables, rows, columns[k]);

  std::vector<ListwiseQuery> queries;
  queries.reserve(rows.size());
  for (int64_t r : rows) {
    const PairFeatures& t = tables[size_t(r)];
    const std::vector<int32_t> list =
        training_list(t, columns, relevant[size_t(r)], config.candidates);
    ListwiseQuery q;
    q.n = int64_t(list.size());
    q.x.resize(list.size() * d);
    q.relevant.assign(list.size(), 0);
    for (size_t i = 0; i < list.size(); ++i) {
      for (size_t k = 0; k < d; ++k) {
        q.x[i * d + k] = (double(t.column(columns[k])[size_t(list[i])]) - mean[k]) / sd[k];
      }
      const auto& rel = relevant[size_t(r)];
      q.relevant[i] = std::find(rel.begin(), rel.end(), list[i]) != rel.end() ? 1 : 0;
    }
    queries.push_back(std::move(q));
  }
  const ListwiseResult fit =
      fit_listwise_set(queries, int(d), {config.l2, config.max_iterations, config.gradient_tolerance});
  RelevanceModel m;
  m.bias = 0.0;
  for (size_t k = 0; k < d; ++k) {
    RelevanceFeatureWeight w;
    w.name = config.features[k];
    w.mean = mean[k];
    w.sd = sd[k];
    w.standardised_weight = fit.w[k];
    w.weight = fit.w[k] / sd[k];
    m.bias -= w.weight * mean[k];
    m.features.push_back(std::move(w));
  }
  m.training.jobs = int64_t(rows.size());
  m.training.credentials = first.credentials;
  m.training.loss = "set";
  m.training.l2 = config.l2;
  m.training.candidates = config.candidates;
  m.training.iterations = fit.iterations;
  m.training.final_loss = fit.loss;
  return m;
}

std::pair<double, double> fit_pair_calibration(std::span<const std::vector<float>> scores,
                                               std::span<const std::vector<int32_t>> relevant,
                                               std::span<const int64_t> rows, int depth) {
  std::vector<double> x;
  std::vector<uint8_t> y;
  for (int64_t r : rows) {
    const auto& rel = relevant[size_t(r)];
    for (int32_t c : rank_by_score(scores[size_t(r)], depth)) {
      x.push_back(scores[size_t(r)][size_t(c)]);
      y.push_back(std::find(rel.begin(), rel.end(), c) != rel.end() ? 1 : 0);
    }
  }
  const std::vector<double> t = fit_logistic(x, 1, y);
  return {t[0], t[1]};
}

std::array<double, 3> fit_top1_calibration(std::span<const std::vector<float>> scores,
                                           std::span<const std::vector<int32_t>> relevant,
                                           std::span<const int64_t> rows) {
  std::vector<double> x;
  std::vector<uint8_t> y;
  for (int64_t r : rows) {
    const auto& s = scores[size_t(r)];
    const std::vector<int32_t> top = rank_by_score(s, 2);
    const double s1 = s[size_t(top[0])], s2 = top.size() > 1 ? s[size_t(top[1])] : s1;
    x.push_back(s1);
    x.push_back(s1 - s2);
    const auto& rel = relevant[size_t(r)];
    y.push_back(std::find(rel.begin(), rel.end(), top[0]) != rel.end() ? 1 : 0);
  }
  const std::vector<double> t = fit_logistic(x, 2, y);
  return {t[0], t[1], t[2]};
}

CrossValidatedFit fit_cross_validated(std::span<const PairFeatures> tables,
                                      std::span<const std::vector<int32_t>> relevant,
                                      std::span<const int> folds, const RelevanceFitConfig& config) {
  config.validate();
  CREDMATCH_CHECK(tables.size() == relevant.size() && tables.size() == folds.size(),
                  "tables=" << tables.size() << ", relevant=" << relevant.size()
                            << ", folds=" << folds.size());
  CrossValidatedFit out;
  out.oof_scores.resize(tables.size());
  out.in_fold_scores.resize(tables.size());
  std::vector<int64_t> all(tables.size());
  std::iota(all.begin(), all.end(), 0);
  for (int f = 0; f < config.folds; ++f) {
    std::vector<int64_t> train, held;
    for (size_t j = 0; j < tables.size(); ++j) (folds[j] == f ? held : train).push_back(int64_t(j));
    CREDMATCH_CHECK(!held.empty() && !train.empty(), "fold " << f << " has no job (or all jobs)");
    RelevanceModel m = fit_relevance_weights(tables, relevant, train, config);
    m.training.folds = config.folds;
    for (int64_t j : held) out.oof_scores[size_t(j)] = m.score_table(tables[size_t(j)]);
    out.fold_models.push_back(std::move(m));
  }
  out.model = fit_relevance_weights(tables, relevant, all, config);
  out.model.training.folds = config.folds;
  for (size_t j = 0; j < tables.size(); ++j) {
    out.in_fold_scores[j] = out.model.score_table(tables[j]);
  }
  std::tie(out.model.pair_a, out.model.pair_b) =
      fit_pair_calibration(out.oof_scores, relevant, all, config.calibration_depth);
  const auto top1 = fit_top1_calibration(out.oof_scores, relevant, all);
  out.model.top1_s1 = top1[0];
  out.model.top1_gap = top1[1];
  out.model.top1_bias = top1[2];
  return out;
}

}  // namespace credmatch::engine
