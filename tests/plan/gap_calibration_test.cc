// Gap threshold calibration (plan/gap_calibration.h): the F1 sweep on score lists with a
// known optimum, pair construction and split hygiene, and a whole calibration on the fixture
// catalog extended with a small labelled taxonomy (tests/data/gap_calibration).
#include "plan/gap_calibration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/error.h"
#include "store/ingest.h"
#include "store/splits.h"
#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {
namespace fs = std::filesystem;

const std::string kCalibrationDir = std::string(CREDMATCH_TEST_DATA_DIR) + "/gap_calibration/";

TEST(GapCalibrationSweep, SeparableScoresGetTheMidpointBetweenTheClasses) {
  const std::vector<float> pos = {0.9f, 0.8f, 0.7f}, neg = {0.3f, 0.2f, 0.1f};
  const ThresholdPoint p = best_f1_threshold(pos, neg);
  EXPECT_FLOAT_EQ(p.threshold, 0.5f);
  EXPECT_DOUBLE_EQ(p.f1, 1.0);
  EXPECT_EQ(p.tp, 3);
  EXPECT_EQ(p.fp, 0);
}

TEST(GapCalibrationSweep, FindsTheKnownBestF1Threshold) {
  // Hand-enumerated: F1 by threshold 0.8: .500, 0.65: .400, 0.55: .667, 0.45: .571,
  // 0.35: .750 (best: tp 3, fp 2), 0.25: .667, below 0.2: .600.
  const std::vector<float> pos = {0.9f, 0.6f, 0.4f}, neg = {0.7f, 0.5f, 0.3f, 0.2f};
  const ThresholdPoint p = best_f1_threshold(pos, neg);
  EXPECT_NEAR(p.threshold, 0.35f, 1e-6);
  EXPECT_NEAR(p.f1, 0.75, 1e-12);
  EXPECT_NEAR(p.precision, 0.6, 1e-12);
  EXPECT_NEAR(p.recall, 1.0, 1e-12);
  // The reported point is what evaluate_threshold gives at that threshold.
  const ThresholdPoint q = evaluate_threshold(pos, neg, p.threshold);
  EXPECT_EQ(q.tp, p.tp);
  EXPECT_EQ(q.fp, p.fp);
  EXPECT_EQ(q.tn, 2);
  EXPECT_EQ(q.fn, 0);
}

TEST(GapCalibrationSweep, YoudenIgnoresTheClassRatioWhereF1AcceptsEverything) {
  // 2:1 positives, overlapping: F1 is best (0.857) at the cut between 0.1 and 0.05, keeping
  // two of three negatives, while J = recall - false positive rate is best at the cut between
  // 0.5 and 0.4 (J = 4/6 - 0 = 0.667).
  const std::vector<float> pos = {0.9f, 0.8f, 0.6f, 0.5f, 0.2f, 0.1f}, neg = {0.4f, 0.3f, 0.05f};
  EXPECT_NEAR(best_f1_threshold(pos, neg).threshold, 0.075f, 1e-6);
  const ThresholdPoint j = best_youden_threshold(pos, neg);
  EXPECT_NEAR(j.threshold, 0.45f, 1e-6);
  EXPECT_NEAR(j.youden, 4.0 / 6.0, 1e-12);
}

TEST(GapCalibrationSweep, EvaluatesThresholdsAndRejectsEmptyLists) {
  const std::vector<float> pos = {0.9f, 0.4f}, neg = {0.5f};
  const ThresholdPoint p = evaluate_threshold(pos, neg, 0.95f);
  EXPECT_EQ(p.tp, 0);
  EXPECT_DOUBLE_EQ(p.precision, 0.0);
  EXPECT_DOUBLE_EQ(p.f1, 0.0);
  const ThresholdPoint all = evaluate_threshold(pos, neg, 0.0f);
  EXPECT_NEAR(all.precision, 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(all.recall, 1.0);
  EXPECT_THROW(best_f1_threshold(pos, {}), Error);
  EXPECT_THROW(best_f1_threshold({}, neg), Error);
}

// 400 skills in 40 occupations of 10 essential skills each; ids spread over all splits.
CalibrationData synthetic_taxonomy() {
  CalibrationData d;
  for (int i = 0; i < 400; ++i) {
    Skill s;
    s.id = "http://example.org/skill/" + std::to_string(i);
    s.label = "skill label " + std::to_string(i);
    s.alt_labels = {"alternative " + std::to_string(i), "other wording " + std::to_string(i)};
    d.skills.push_back(s);
  }
  for (int o = 0; o < 40; ++o) {
    Job j;
    j.id = "http://example.org/occupation/" + std::to_string(o);
    j.title = "occupation " + std::to_string(o);
    for (int k = 0; k < 10; ++k) {
      const int i = o * 10 + k;
      j.requirements.push_back(
          {d.skills[size_t(i)].label, Importance::kEssential, d.skills[size_t(i)].id});
    }
    d.occupations.push_back(j);
  }
  return d;
}

TEST(GapCalibrationPairs, UseOnlyTheCalibrationSplitAndAreBalancedAndDeterministic) {
  const CalibrationData d = synthetic_taxonomy();
  std::map<std::string, const Skill*> by_label;
  for (const auto& s : d.skills) by_label[s.label] = &s;
  std::map<std::string, int> occupation_of;  // skill label -> occupation index
  for (int o = 0; o < 40; ++o) {
    for (const auto& r : d.occupations[size_t(o)].requirements) occupation_of[r.text] = o;
  }
  GapCalibrationConfig config;
  config.min_pairs_per_label = 1;
  const auto pairs = build_calibration_pairs(d, config);
  ASSERT_FALSE(pairs.empty());
  int count[3] = {};
  for (const auto& p : pairs) {
    count[int(p.label)] += 1;
    ASSERT_TRUE(by_label.count(p.requirement)) << p.requirement;
    const Skill& s = *by_label[p.requirement];
    switch (p.label) {
      case PairLabel::kCovered:
        EXPECT_EQ(split_of(s.id), Split::kCalibration) << s.id;
        EXPECT_TRUE(std::find(s.alt_labels.begin(), s.alt_labels.end(), p.held) !=
                    s.alt_labels.end());
        break;
      case PairLabel::kPartial: {
        const int o = occupation_of[p.requirement];
        EXPECT_EQ(split_of(d.occupations[size_t(o)].id), Split::kCalibration);
        EXPECT_EQ(occupation_of[p.held], o);  // same occupation
        EXPECT_NE(p.held, p.requirement);
        break;
      }
      case PairLabel::kMissing:
        EXPECT_EQ(split_of(s.id), Split::kCalibration) << s.id;
        ASSERT_TRUE(by_label.count(p.held));
        EXPECT_EQ(split_of(by_label[p.held]->id), Split::kCalibration);
        EXPECT_NE(occupation_of[p.held], occupation_of[p.requirement]);  // share no occupation
        break;
    }
  }
  EXPECT_EQ(count[0], count[1]);
  EXPECT_EQ(count[1], count[2]);
  // Deterministic for a seed and independent of file order; another seed samples differently.
  CalibrationData reversed = d;
  std::reverse(reversed.skills.begin(), reversed.skills.end());
  std::reverse(reversed.occupations.begin(), reversed.occupations.end());
  const auto again = build_calibration_pairs(reversed, config);
  ASSERT_EQ(again.size(), pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(again[i].requirement, pairs[i].requirement);
    EXPECT_EQ(again[i].held, pairs[i].held);
  }
  config.seed = 7;
  const auto other = build_calibration_pairs(d, config);
  bool differs = other.size() != pairs.size();
  for (size_t i = 0; !differs && i < pairs.size(); ++i) differs = other[i].held != pairs[i].held;
  EXPECT_TRUE(differs);
}

class GapCalibrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing_util::unique_temp_path("gapcal_suite").string());
    auto inputs = testing_util::fixture_inputs();
    inputs.push_back({RecordKind::kSkills, kCalibrationDir + "skills.jsonl"});
    inputs.push_back({RecordKind::kJobs, kCalibrationDir + "occupations.jsonl"});
    catalog_ = testing_util::build_and_open_catalog(*dir_, inputs, testing_util::fixture_build_options())
                   .release();
    ASSERT_NE(catalog_, nullptr);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static CalibrationData data() {
    auto d = load_calibration_data(kCalibrationDir + "skills.jsonl",
                                   kCalibrationDir + "occupations.jsonl");
    EXPECT_TRUE(d.is_ok()) << d.status().to_string();
    return d.is_ok() ? *d : CalibrationData{};
  }
  static GapCalibrationConfig all_items() {
    GapCalibrationConfig c;
    c.calibration_split_only = false;  // 24 skills: the 10 % split would be nearly empty
    c.min_pairs_per_label = 10;
    return c;
  }
  static inline std::string* dir_ = nullptr;
  static inline LoadedCatalog* catalog_ = nullptr;
};

TEST_F(GapCalibrationTest, FitsThresholdsInRangeWithCoveredAbovePartialDeterministically) {
  const CalibrationData d = data();
  ASSERT_EQ(d.skills.size(), 24u);
  auto c = calibrate_gap(catalog_->encoder(), d, all_items());
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->pairs_per_label, 24);
  EXPECT_GT(c->covered_threshold, 0.0f);
  EXPECT_LT(c->covered_threshold, 1.0f);
  EXPECT_GT(c->partial_threshold, 0.0f);
  EXPECT_LT(c->partial_threshold, c->covered_threshold);
  EXPECT_EQ(c->encoder_id, catalog_->encoder().id());
  // Alternative labels are closer to their skill than co-occupational skills, and those closer
  // than unrelated ones, on average.
  EXPECT_GT(c->mean_similarity[0], c->mean_similarity[1]);
  EXPECT_GT(c->mean_similarity[1], c->mean_similarity[2]);
  EXPECT_GT(c->covered.f1, 0.5);
  ASSERT_EQ(c->covered_table.size(), 7u);
  EXPECT_FLOAT_EQ(c->covered_table[3].threshold, c->covered_threshold);
  for (const auto& row : c->covered_table) EXPECT_LE(row.f1, c->covered.f1 + 1e-12);
  int64_t total = 0;
  for (const auto& row : c->confusion)
    for (int64_t v : row) total += v;
  EXPECT_EQ(total, 3 * c->pairs_per_label);
  auto again = calibrate_gap(catalog_->encoder(), d, all_items());
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->covered_threshold, c->covered_threshold);
  EXPECT_EQ(again->partial_threshold, c->partial_threshold);
}

TEST_F(GapCalibrationTest, TooLittleDataFailsWithAClearMessage) {
  GapCalibrationConfig config;  // calibration split only: a handful of the 24 fixture skills
  config.min_pairs_per_label = 10;
  auto c = calibrate_gap(catalog_->encoder(), data(), config);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("pairs per label"), std::string::npos)
      << c.status().message();
  auto bad =
      load_calibration_data(kCalibrationDir + "nope.jsonl", kCalibrationDir + "occupations.jsonl");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("nope.jsonl"), std::string::npos);
}

TEST_F(GapCalibrationTest, SavedThresholdsAreReadBackForTheSameEncoderOnly) {
  const std::string dir = testing_util::unique_temp_path("gapcal_save").string();
  fs::create_directories(dir);
  const std::string id = catalog_->encoder().id();
  auto absent = load_gap_thresholds(dir, id);
  ASSERT_TRUE(absent.is_ok());
  EXPECT_FALSE(absent->calibrated);
  EXPECT_FLOAT_EQ(absent->covered, GapConfig{}.covered_threshold);
  EXPECT_NE(absent->note.find("not calibrated"), std::string::npos) << absent->note;

  auto c = calibrate_gap(catalog_->encoder(), data(), all_items());
  ASSERT_TRUE(c.is_ok());
  ASSERT_TRUE(save_gap_calibration(dir, *c).is_ok());
  auto loaded = load_gap_thresholds(dir, id);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_TRUE(loaded->calibrated);
  EXPECT_FLOAT_EQ(loaded->covered, c->covered_threshold);
  EXPECT_FLOAT_EQ(loaded->partial, c->partial_threshold);
  EXPECT_NE(loaded->note.find("calibrated"), std::string::npos);

  auto other = load_gap_thresholds(dir, "some-other-encoder");
  ASSERT_TRUE(other.is_ok());
  EXPECT_FALSE(other->calibrated);
  EXPECT_NE(other->note.find("calibrate-gap"), std::string::npos) << other->note;

  std::ofstream(fs::path(dir) / kGapThresholdsFile) << R"({"covered_threshold": "high"})";
  auto bad = load_gap_thresholds(dir, id);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("covered_threshold"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace credmatch::engine
