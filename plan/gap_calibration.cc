#include "plan/gap_calibration.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <unordered_map>

#include "base/error.h"
#include "store/ingest.h"
#include "store/splits.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

constexpr int kFormat = 1;
constexpr float kNeighbourOffsets[] = {-0.10f, -0.05f, -0.02f, 0.0f, 0.02f, 0.05f, 0.10f};

// Keeps only skills and jobs (a calibration needs nothing else).
class SkillJobCollector : public RecordVisitor {
 public:
  explicit SkillJobCollector(CalibrationData& out) : out_(out) {}
  Status on_credential(const Credential&, const SourceLocation& w) override { return wrong(w); }
  Status on_competency(const Competency&, const SourceLocation& w) override { return wrong(w); }
  Status on_requirement(const RequirementRecord&, const SourceLocation& w) override {
    return wrong(w);
  }
  Status on_skill(const Skill& s, const SourceLocation&) override {
    out_.skills.push_back(s);
    return Status::ok();
  }
  Status on_job(const Job& j, const SourceLocation&) override {
    out_.occupations.push_back(j);
    return Status::ok();
  }

 private:
  static Status wrong(const SourceLocation& w) {
    return Status::invalid_argument(
        located_message(w, "", "expected skills or occupations (jobs) records"));
  }
  CalibrationData& out_;
};

// Seeded choice of `n` of `items` (partial Fisher-Yates), order kept for determinism.
template <typename T>
void sample_down(std::vector<T>& items, size_t n, std::mt19937_64& rng) {
  if (items.size() <= n) return;
  std::vector<size_t> idx(items.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  for (size_t i = 0; i < n; ++i) std::swap(idx[i], idx[i + rng() % (idx.size() - i)]);
  idx.resize(n);
  std::sort(idx.begin(), idx.end());
  std::vector<T> out;
  out.reserve(n);
  for (size_t i : idx) out.push_back(std::move(items[i]));
  items = std::move(out);
}

bool share_any(const std::vector<int>& a, const std::vector<int>& b) {  // both sorted
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) return true;
    if (a[i] < b[j])
      ++i;
    else
      ++j;
  }
  return false;
}

nlohmann::json point_json(const ThresholdPoint& p) {
  return {{"threshold", p.threshold},
          {"precision", p.precision},
          {"recall", p.recall},
          {"f1", p.f1},
          {"youden", p.youden},
          {"tp", p.tp},
          {"fp", p.fp},
          {"fn", p.fn},
          {"tn", p.tn}};
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

}  // namespace

std::string_view to_string(PairLabel label) {
  switch (label) {
    case PairLabel::kCovered:
      return "covered";
    case PairLabel::kPartial:
      return "partial";
    case PairLabel::kMissing:
      return "missing";
  }
  return "?";
}

void GapCalibrationConfig::validate() const {
  CREDMATCH_CHECK(min_pairs_per_label >= 1, "min_pairs_per_label=" << min_pairs_per_label);
}

Result<CalibrationData> load_calibration_data(const std::string& skills_path,
                                              const std::string& occupations_path) {
  CalibrationData data;
  SkillJobCollector collect(data);
  const InputFile files[] = {{RecordKind::kSkills, skills_path},
                             {RecordKind::kJobs, occupations_path}};
  for (const auto& f : files) {
    if (Status s = parse_input(f, collect); !s) return s;
  }
  return data;
}

std::vector<CalibrationPair> build_calibration_pairs(const CalibrationData& data,
                                                     const GapCalibrationConfig& config) {
  config.validate();
  auto in_split = [&](const std::string& key) {
    return !config.calibration_split_only || split_of(key) == Split::kCalibration;
  };
  // Skills in id order, so that the pairs do not depend on file order.
  std::vector<int> order(data.skills.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return data.skills[size_t(a)].id < data.skills[size_t(b)].id; });
  std::unordered_map<std::string, int> by_id;
  std::vector<std::string> norm(data.skills.size());
  for (int i : order) {
    by_id.emplace(data.skills[size_t(i)].id, i);
    norm[size_t(i)] = normalize(data.skills[size_t(i)].label);
  }
  std::vector<int> occ_order(data.occupations.size());
  for (size_t i = 0; i < occ_order.size(); ++i) occ_order[i] = static_cast<int>(i);
  std::sort(occ_order.begin(), occ_order.end(), [&](int a, int b) {
    return data.occupations[size_t(a)].id < data.occupations[size_t(b)].id;
  });
  // Occupations of every skill (any importance), sorted.
  std::vector<std::vector<int>> occupations_of(data.skills.size());
  for (int o : occ_order) {
    for (const auto& r : data.occupations[size_t(o)].requirements) {
      auto it = by_id.find(r.skill_id);
      if (it == by_id.end()) continue;
      auto& v = occupations_of[size_t(it->second)];
      if (v.empty() || v.back() != o) v.push_back(o);
    }
  }
  for (auto& v : occupations_of) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }

  std::vector<CalibrationPair> covered, partial, missing;
  std::mt19937_64 rng_c(config.seed), rng_p(config.seed + 1), rng_m(config.seed + 2),
      rng_s(config.seed + 3);
  std::vector<int> pool;  // skills of the split
  for (int i : order) {
    const Skill& s = data.skills[size_t(i)];
    if (!in_split(s.id) || norm[size_t(i)].empty()) continue;
    pool.push_back(i);
    std::vector<const std::string*> alts;
    for (const auto& a : s.alt_labels) {
      const std::string n = normalize(a);
      if (!n.empty() && n != norm[size_t(i)]) alts.push_back(&a);
    }
    if (!alts.empty())
      covered.push_back({s.label, *alts[rng_c() % alts.size()], PairLabel::kCovered});
  }
  for (int o : occ_order) {
    const Job& job = data.occupations[size_t(o)];
    if (!in_split(job.id)) continue;
    std::vector<int> ess;
    for (const auto& r : job.requirements) {
      auto it = by_id.find(r.skill_id);
      if (r.importance == Importance::kEssential && it != by_id.end() &&
          std::find(ess.begin(), ess.end(), it->second) == ess.end()) {
        ess.push_back(it->second);
      }
    }
    if (ess.size() < 2) continue;
    for (size_t k = 0; k < ess.size(); ++k) {
      const int s = ess[k];
      const int t = ess[(k + 1 + rng_p() % (ess.size() - 1)) % ess.size()];
      if (norm[size_t(s)] == norm[size_t(t)]) continue;
      partial.push_back(
          {data.skills[size_t(s)].label, data.skills[size_t(t)].label, PairLabel::kPartial});
    }
  }
  if (pool.size() >= 2) {
    for (int s : pool) {
      for (int attempt = 0; attempt < 50; ++attempt) {
        const int u = pool[rng_m() % pool.size()];
        if (u == s || norm[size_t(u)] == norm[size_t(s)] ||
            share_any(occupations_of[size_t(s)], occupations_of[size_t(u)])) {
          continue;
        }
        missing.push_back(
            {data.skills[size_t(s)].label, data.skills[size_t(u)].label, PairLabel::kMissing});
        break;
      }
    }
  }
  const size_t n = std::min({covered.size(), partial.size(), missing.size()});
  sample_down(covered, n, rng_s);
  sample_down(partial, n, rng_s);
  sample_down(missing, n, rng_s);
  std::vector<CalibrationPair> out;
  for (auto* v : {&covered, &partial, &missing}) {
    for (auto& p : *v) out.push_back(std::move(p));
  }
  return out;
}

ThresholdPoint evaluate_threshold(std::span<const float> positives,
                                  std::span<const float> negatives, float threshold) {
  ThresholdPoint p;
  p.threshold = threshold;
  for (float s : positives) (s >= threshold ? p.tp : p.fn) += 1;
  for (float s : negatives) (s >= threshold ? p.fp : p.tn) += 1;
  p.precision = p.tp + p.fp > 0 ? double(p.tp) / double(p.tp + p.fp) : 0.0;
  p.recall = p.tp + p.fn > 0 ? double(p.tp) / double(p.tp + p.fn) : 0.0;
  p.f1 = p.precision + p.recall > 0 ? 2 * p.precision * p.recall / (p.precision + p.recall) : 0.0;
  p.youden = p.recall - (p.fp + p.tn > 0 ? double(p.fp) / double(p.fp + p.tn) : 0.0);
  return p;
}

namespace {

// The threshold maximising `score` (ties: the higher threshold) among the midpoints between
// adjacent distinct scores of both lists and just above the highest.
template <typename Score>
ThresholdPoint best_threshold(std::span<const float> positives, std::span<const float> negatives,
                              Score score) {
  CREDMATCH_CHECK(!positives.empty() && !negatives.empty(),
                  "positives=" << positives.size() << " negatives=" << negatives.size());
  std::vector<std::pair<float, bool>> all;  // (score, positive), descending
  all.reserve(positives.size() + negatives.size());
  for (float s : positives) all.emplace_back(s, true);
  for (float s : negatives) all.emplace_back(s, false);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const int64_t n_pos = static_cast<int64_t>(positives.size());
  const int64_t n_neg = static_cast<int64_t>(negatives.size());
  float best_t = std::nextafter(all.front().first, 2.0f);
  double best = score(0, 0, n_pos, n_neg);
  int64_t tp = 0, fp = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    (all[i].second ? tp : fp) += 1;
    if (i + 1 < all.size() && all[i + 1].first == all[i].first) continue;
    const double v = score(tp, fp, n_pos, n_neg);
    if (v > best) {
      best = v;
      best_t = i + 1 < all.size() ? all[i].first + (all[i + 1].first - all[i].first) / 2
                                  : std::nextafter(all[i].first, -2.0f);
    }
  }
  // Recount at the stored float, so the point is exactly what evaluate_threshold() reports.
  return evaluate_threshold(positives, negatives, best_t);
}

}  // namespace

ThresholdPoint best_f1_threshold(std::span<const float> positives,
                                 std::span<const float> negatives) {
  return best_threshold(positives, negatives, [](int64_t tp, int64_t fp, int64_t n_pos, int64_t) {
    if (tp == 0) return 0.0;
    const double precision = double(tp) / double(tp + fp), recall = double(tp) / double(n_pos);
    return 2 * precision * recall / (precision + recall);
  });
}

ThresholdPoint best_youden_threshold(std::span<const float> positives,
                                     std::span<const float> negatives) {
  return best_threshold(positives, negatives,
                        [](int64_t tp, int64_t fp, int64_t n_pos, int64_t n_neg) {
                          return double(tp) / double(n_pos) - double(fp) / double(n_neg);
                        });
}

Result<GapCalibration> calibrate_gap(const Encoder& encoder, const CalibrationData& data,
                                     const GapCalibrationConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<CalibrationPair> pairs = build_calibration_pairs(data, config);
  const int64_t per_label = static_cast<int64_t>(pairs.size() / 3);
  if (per_label < config.min_pairs_per_label) {
    return Status::invalid_argument(
        "gap calibration: only " + std::to_string(per_label) + " pairs per label (at least " +
        std::to_string(config.min_pairs_per_label) + " needed) from " +
        std::to_string(data.skills.size()) + " skills and " +
        std::to_string(data.occupations.size()) + " occupations; the " +
        (config.calibration_split_only ? "calibration split" : "data") +
        " needs skills with alternative labels and occupations with essential skills");
  }
  std::unordered_map<std::string, int64_t> text_row;
  std::vector<std::string> texts;
  auto row = [&](const std::string& t) {
    auto [it, inserted] = text_row.emplace(t, static_cast<int64_t>(texts.size()));
    if (inserted) texts.push_back(t);
    return it->second;
  };
  std::vector<std::pair<int64_t, int64_t>> rows;
  for (const auto& p : pairs) rows.emplace_back(row(p.requirement), row(p.held));
  const size_t d = static_cast<size_t>(encoder.dim());
  std::vector<float> vecs(texts.size() * d);
  encoder.encode(texts, vecs);
  std::vector<float> by_label[3];
  for (size_t i = 0; i < pairs.size(); ++i) {
    const float* a = vecs.data() + size_t(rows[i].first) * d;
    const float* b = vecs.data() + size_t(rows[i].second) * d;
    float s = 0.0f;
    for (size_t j = 0; j < d; ++j) s += a[j] * b[j];
    by_label[int(pairs[i].label)].push_back(s);
  }
  const auto& cov = by_label[int(PairLabel::kCovered)];
  const auto& par = by_label[int(PairLabel::kPartial)];
  const auto& mis = by_label[int(PairLabel::kMissing)];
  std::vector<float> not_covered(par), related(cov);
  not_covered.insert(not_covered.end(), mis.begin(), mis.end());
  related.insert(related.end(), par.begin(), par.end());

  GapCalibration out;
  out.encoder_id = encoder.id();
  out.seed = config.seed;
  out.split = config.calibration_split_only ? "calibration" : "all";
  out.pairs_per_label = per_label;
  out.covered = best_f1_threshold(cov, not_covered);
  out.related = best_youden_threshold(related, mis);
  out.covered_threshold = out.covered.threshold;
  out.partial_threshold = out.related.threshold;
  if (out.partial_threshold >= out.covered_threshold) {
    out.partial_capped = true;
    out.partial_threshold = out.covered_threshold - 0.01f;
    out.related = evaluate_threshold(related, mis, out.partial_threshold);
  }
  for (float off : kNeighbourOffsets) {
    out.covered_table.push_back(evaluate_threshold(cov, not_covered, out.covered_threshold + off));
    out.related_table.push_back(evaluate_threshold(related, mis, out.partial_threshold + off));
  }
  GapConfig gc;
  gc.covered_threshold = out.covered_threshold;
  gc.partial_threshold = out.partial_threshold;
  for (int l = 0; l < 3; ++l) {
    double sum = 0.0;
    for (float s : by_label[l]) {
      sum += s;
      const int status = s >= gc.covered_threshold ? 0 : s >= gc.partial_threshold ? 1 : 2;
      out.confusion[l][status] += 1;
    }
    out.mean_similarity[l] = by_label[l].empty() ? 0.0 : sum / double(by_label[l].size());
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

Status save_gap_calibration(const std::string& dir, const GapCalibration& c) {
  using nlohmann::json;
  json table = json::array();
  for (size_t i = 0; i < c.covered_table.size(); ++i) {
    table.push_back(
        {{"covered", point_json(c.covered_table[i])}, {"related", point_json(c.related_table[i])}});
  }
  json j = {{"format", kFormat},
            {"covered_threshold", c.covered_threshold},
            {"partial_threshold", c.partial_threshold},
            {"encoder_id", c.encoder_id},
            {"method",
             "ESCO pairs (docs/paths.md): covered = alternative vs preferred label; "
             "partial = two essential skills of one occupation; missing = skills "
             "sharing no occupation. covered_threshold: max F1 of covered vs rest; "
             "partial_threshold: max Youden J of covered+partial vs missing"},
            {"split", c.split},
            {"seed", c.seed},
            {"pairs_per_label", c.pairs_per_label},
            {"partial_capped", c.partial_capped},
            {"covered_vs_rest", point_json(c.covered)},
            {"related_vs_unrelated", point_json(c.related)},
            {"table", table}};
  const auto path = std::filesystem::path(dir) / kGapThresholdsFile;
  const auto tmp = std::filesystem::path(dir) / (std::string(kGapThresholdsFile) + ".tmp");
  {
    std::ofstream out(tmp);
    out << j.dump(2) << "\n";
    if (!out) return Status::io_error(tmp.string() + ": cannot write");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::io_error(path.string() + ": cannot write: " + ec.message());
  return Status::ok();
}

Result<GapCalibration> calibrate_catalog_dir(const std::string& catalog_dir,
                                             const std::string& data_dir,
                                             const GapCalibrationConfig& config, bool dry_run) {
  auto encoder = load_encoder((std::filesystem::path(catalog_dir) / "encoder.bin").string());
  if (!encoder) return encoder.status();
  auto data = load_calibration_data(
      (std::filesystem::path(data_dir) / "skills_esco.jsonl.gz").string(),
      (std::filesystem::path(data_dir) / "occupations_esco.jsonl.gz").string());
  if (!data) return data.status();
  auto c = calibrate_gap(**encoder, *data, config);
  if (!c) return c.status();
  if (!dry_run) {
    if (Status s = save_gap_calibration(catalog_dir, *c); !s) return s;
  }
  return c;
}

Result<GapThresholds> load_gap_thresholds(const std::string& dir, const std::string& encoder_id) {
  GapThresholds out;
  const auto path = (std::filesystem::path(dir) / kGapThresholdsFile).string();
  std::ifstream in(path);
  if (!in) {
    out.note = "defaults (covered >= " + fixed(out.covered, 2) +
               ", partial >= " + fixed(out.partial, 2) +
               "), not calibrated for this catalog: run `credmatch calibrate-gap`";
    return out;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(buf.str());
  } catch (const nlohmann::json::exception& e) {
    return Status::invalid_argument(path + ": invalid JSON: " + e.what());
  }
  auto number = [&](const char* field) -> std::optional<double> {
    if (!j.is_object() || !j.contains(field) || !j[field].is_number()) return std::nullopt;
    return j[field].get<double>();
  };
  const auto covered = number("covered_threshold");
  const auto partial = number("partial_threshold");
  if (!covered || !(*covered > 0 && *covered <= 1)) {
    return Status::invalid_argument(path + ": covered_threshold: must be a number in (0, 1]");
  }
  if (!partial || !(*partial > -1 && *partial <= *covered)) {
    return Status::invalid_argument(
        path + ": partial_threshold: must be a number in (-1, covered_threshold]");
  }
  if (!j.contains("encoder_id") || !j["encoder_id"].is_string()) {
    return Status::invalid_argument(path + ": encoder_id: must be a string");
  }
  const std::string fitted_for = j["encoder_id"].get<std::string>();
  if (fitted_for != encoder_id) {
    out.note = "defaults (covered >= " + fixed(out.covered, 2) +
               ", partial >= " + fixed(out.partial, 2) + "): " + path +
               " was calibrated for encoder " + fitted_for + ", the catalog uses " + encoder_id +
               "; run `credmatch calibrate-gap`";
    return out;
  }
  out.covered = static_cast<float>(*covered);
  out.partial = static_cast<float>(*partial);
  out.calibrated = true;
  const auto per_label = number("pairs_per_label");
  out.note = "calibrated on " + std::to_string(int64_t(per_label.value_or(0))) +
             " ESCO pairs per label (" +
             (j.contains("split") && j["split"].is_string() ? j["split"].get<std::string>()
                                                            : std::string("?")) +
             " split; docs/paths.md)";
  return out;
}

}  // namespace credmatch::engine
