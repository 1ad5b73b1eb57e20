#include "relevance/relevance_model.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.h"
#include "base/thread_pool.h"
#include "index/kernels/scan_kernels.h"
#include "base/json_depth.h"
#include "store/splits.h"

namespace credmatch::engine {
namespace {
constexpr int64_t kRowsPerTask = 512;  // below this a thread costs more than it saves
}  // namespace
namespace {

using Json = nlohmann::json;
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

Json content_json(const RelevanceModel& m) {
  Json j;
  j["format"] = kRelevanceModelFormat;
  j["version"] = kRelevanceModelVersion;
  j["encoder_id"] = m.encoder_id;
  Json features = Json::array();
  for (const RelevanceFeatureWeight& f : m.features) {
    features.push_back({{"name", f.name},
                        {"weight", f.weight},
                        {"mean", f.mean},
                        {"sd", f.sd},
                        {"standardised_weight", f.standardised_weight}});
  }
  j["features"] = features;
  j["bias"] = m.bias;
  j["calibration"] = {{"pair", {{"a", m.pair_a}, {"b", m.pair_b}}},
                      {"top1", {{"s1", m.top1_s1}, {"gap", m.top1_gap}, {"bias", m.top1_bias}}}};
  const RelevanceTrainingInfo& t = m.training;
  j["training"] = {{"data", t.data},         {"jobs", t.jobs},
                   {"credentials", t.credentials}, {"loss", t.loss},
                   {"l2", t.l2},             {"candidates", t.candidates},
                   {"iterations", t.iterations},   {"final_loss", t.final_loss},
                   {"folds", t.folds}};
  return j;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Reads a number field, or fails naming it.
Status read_number(const Json& j, const char* key, const std::string& where, double* out) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) {
    return Status::invalid_argument(where + "." + key + ": missing or not a number");
  }
  *out = j[key].get<double>();
  if (!std::isfinite(*out)) return Status::invalid_argument(where + "." + key + ": not finite");
  return Status::ok();
}

}  // namespace

std::vector<std::string> RelevanceModel::feature_names() const {
  std::vector<std::string> out;
  for (const RelevanceFeatureWeight& f : features) out.push_back(f.name);
  return out;
}

double RelevanceModel::score(std::span<const double> values) const {
  CREDMATCH_CHECK(values.size() == features.size(),
                  "values.size()=" << values.size() << ", features=" << features.size());
  double s = bias;
  for (size_t k = 0; k < features.size(); ++k) s += features[k].weight * values[k];
  return s;
}

std::vector<float> RelevanceModel::score_table(const PairFeatures& table) const {
  std::vector<double> acc(size_t(table.credentials), bias);
  for (const RelevanceFeatureWeight& f : features) {
    const auto it = std::find(table.names.begin(), table.names.end(), f.name);
    CREDMATCH_CHECK(it != table.names.end(), "feature table lacks '" << f.name << "'");
    const std::span<const float> col = table.column(size_t(it - table.names.begin()));
    for (size_t c = 0; c < acc.size(); ++c) acc[c] += f.weight * double(col[c]);
  }
  return std::vector<float>(acc.begin(), acc.end());
}

double RelevanceModel::probability(double s) const { return sigmoid(pair_a * s + pair_b); }

double RelevanceModel::top1_probability(double s1, double s2) const {
  return sigmoid(top1_s1 * s1 + top1_gap * (s1 - s2) + top1_bias);
}

std::string RelevanceModel::fingerprint() const {
  return hex64(fnv1a64(content_json(*this).dump()));
}

std::string RelevanceModel::to_json() const {
  Json j = content_json(*this);
  j["fingerprint"] = fingerprint();
  return j.dump(2) + "\n";
}

Result<RelevanceModel> RelevanceModel::from_json(std::string_view text, const std::string& source) {
  if (auto deep = json_too_deep_at(text)) {
    return Status::invalid_argument(source + ": JSON nested deeper than " +
                                    std::to_string(kMaxJsonDepth) + " levels at byte " +
                                    std::to_string(*deep));
  }
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::invalid_argument(source + ": not a JSON object");
  }
  if (j.value("format", "") != kRelevanceModelFormat) {
    return Status::mismatch(source + ": format is not '" + kRelevanceModelFormat + "'");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() != kRelevanceModelVersion) {
    return Status::mismatch(source + ": version is not " + std::to_string(kRelevanceModelVersion));
  }
  RelevanceModel m;
  if (j.contains("encoder_id") && j["encoder_id"].is_string()) m.encoder_id = j["encoder_id"];
  if (!j.contains("features") || !j["features"].is_array() || j["features"].empty()) {
    return Status::invalid_argument(source + ": features: missing or empty");
  }
  for (size_t k = 0; k < j["features"].size(); ++k) {
    const Json& f = j["features"][k];
    const std::string where = source + ": features[" + std::to_string(k) + "]";
    RelevanceFeatureWeight w;
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) {
      return Status::invalid_argument(where + ".name: missing or not a string");
    }
    w.name = f["name"];
    if (!is_known_feature(w.name)) return Status::mismatch(where + ": unknown feature " + w.name);
    CREDMATCH_RETURN_IF_ERROR(read_number(f, "weight", where, &w.weight));
    CREDMATCH_RETURN_IF_ERROR(read_number(f, "mean", where, &w.mean));
    CREDMATCH_RETURN_IF_ERROR(read_number(f, "sd", where, &w.sd));
    CREDMATCH_RETURN_IF_ERROR(read_number(f, "standardised_weight", where, &w.standardised_weight));
    m.features.push_back(std::move(w));
  }
  CREDMATCH_RETURN_IF_ERROR(read_number(j, "bias", source, &m.bias));
  const Json cal = j.value("calibration", Json::object());
  const Json pair = cal.value("pair", Json::object()), top1 = cal.value("top1", Json::object());
  CREDMATCH_RETURN_IF_ERROR(read_number(pair, "a", source + ": calibration.pair", &m.pair_a));
  CREDMATCH_RETURN_IF_ERROR(read_number(pair, "b", source + ": calibration.pair", &m.pair_b));
  CREDMATCH_RETURN_IF_ERROR(read_number(top1, "s1", source + ": calibration.top1", &m.top1_s1));
  CREDMATCH_RETURN_IF_ERROR(read_number(top1, "gap", source + ": calibration.top1", &m.top1_gap));
  CREDMATCH_RETURN_IF_ERROR(read_number(top1, "bias", source + ": calibration.top1", &m.top1_bias));
  const Json t = j.value("training", Json::object());
  if (t.is_object()) {
    m.training.data = t.value("data", "");
    m.training.jobs = t.value("jobs", int64_t{0});
    m.training.credentials = t.value("credentials", int64_t{0});
    m.training.loss = t.value("loss", "set");
    m.training.l2 = t.value("l2", 0.0);
    m.training.candidates = t.value("candidates", 0);
    m.training.iterations = t.value("iterations", 0);
    m.training.final_loss = t.value("final_loss", 0.0);
    m.training.folds = t.value("folds", 0);
  }
  if (j.contains("fingerprint")) {
    const std::string stored = j["fingerprint"].is_string() ? j["fingerprint"].get<std::string>() : "";
    if (stored != m.fingerprint()) {
      return Status::mismatch(source + ": fingerprint " + stored +
                              " does not match the content (" + m.fingerprint() + ")");
    }
  }
  return m;
}

Status RelevanceModel::save(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::io_error(path + ": cannot open for writing");
    out << to_json();
    out.close();
    if (!out) return Status::io_error(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::io_error(path + ": cannot rename " + tmp + " over it");
  }
  return Status::ok();
}

Result<RelevanceModel> RelevanceModel::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open");
  std::stringstream buf;
  buf << in.rdbuf();
  return from_json(buf.str(), path);
}

RelevanceScorer::RelevanceScorer(const CredentialProfiles& profiles, const RelevanceModel& model)
    : profiles_(profiles), model_(model), fingerprint_(model.fingerprint()) {
  CREDMATCH_CHECK(model.encoder_id.empty() || model.encoder_id == profiles.encoder_id(),
                  "model fitted with encoder '" << model.encoder_id << "', profiles made with '"
                                                << profiles.encoder_id() << "'");
  const size_t n = size_t(profiles.size()), dim = size_t(profiles.dim());
  combined_.assign(n * 3 * dim, 0.0f);
  static constexpr std::string_view kSides = "tmw";
  for (const RelevanceFeatureWeight& f : model.features) {
    char js = 0, cs = 0;
    if (!parse_dense_feature(f.name, &js, &cs) || js == 'k') {  // computed per job
      CREDMATCH_CHECK(is_known_feature(f.name), "unknown relevance feature '" << f.name << "'");
      lexical_names_.push_back(f.name);
      lexical_weights_.push_back(f.weight);
      continue;
    }
    const size_t block = kSides.find(js) * dim;
    const std::span<const float> m = credential_matrix(profiles, cs);
    const float a = static_cast<float>(f.weight);
    for (size_t c = 0; c < n; ++c) {
      float* out = combined_.data() + c * 3 * dim + block;
      const float* in = m.data() + c * dim;
      for (size_t k = 0; k < dim; ++k) out[k] += a * in[k];
    }
  }
  job_parts_ = JobProfileParts::for_features(lexical_names_);
  // Stored in fp16 for the scan kernels: half the bytes of the pass that dominates a match
  // (scores move by about 1e-3 of their spread; docs/matching.md).
  combined16_.resize(combined_.size());
  for (size_t i = 0; i < combined_.size(); ++i) combined16_[i] = index::scan::float_to_half(combined_[i]);
  combined_ = {};
}

std::vector<float> RelevanceScorer::score_all(const JobProfile& job, int threads) const {
  const Eigen::Index n = profiles_.size(), dim = profiles_.dim();
  CREDMATCH_CHECK(Eigen::Index(job.title_vector.size()) == dim,
                  "job vectors of dim " << job.title_vector.size() << ", profiles of dim " << dim);
  Eigen::VectorXf q(3 * dim);
  q << Eigen::Map<const Eigen::VectorXf>(job.title_vector.data(), dim),
      Eigen::Map<const Eigen::VectorXf>(job.requirement_centroid.data(), dim),
      Eigen::Map<const Eigen::VectorXf>(job.whole_vector.data(), dim);
  std::vector<float> out(size_t(n), 0.0f);
  // Rows split over the pool: the pass reads 3 · dim halves per credential (17 MB for the
  // default catalog), more than one core's share of the memory bandwidth.
  const int64_t tasks =
      std::clamp<int64_t>(n / kRowsPerTask, 1, threads > 0 ? threads : pool_workers() + 1);
  const index::scan::Kernels& kernels = index::scan::active_kernels();
  run_parallel(tasks, [&](int64_t t) {
    const int64_t begin = n * t / tasks, end = n * (t + 1) / tasks;
    kernels.fp16(q.data(), 1, combined16_.data() + begin * 3 * dim, end - begin, int(3 * dim),
                 out.data() + begin);
  });
  if (!lexical_names_.empty()) {
    const PairFeatures lex = compute_features(profiles_, job, lexical_names_);
    for (size_t f = 0; f < lexical_names_.size(); ++f) {
      const std::span<const float> col = lex.column(f);
      const float a = static_cast<float>(lexical_weights_[f]);
      for (size_t c = 0; c < out.size(); ++c) out[c] += a * col[c];
    }
  }
  const float b = static_cast<float>(model_.bias);
  for (float& s : out) s += b;
  return out;
}

}  // namespace credmatch::engine
