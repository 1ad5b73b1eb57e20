// Tests of the relevance features and the one-pass scorer on a tiny hand-made catalog
// (relevance/features.h, relevance/relevance_model.h RelevanceScorer).
#include "relevance/features.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "base/error.h"
#include "relevance/relevance_model.h"
#include "tests/relevance/relevance_test_util.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

using testing_util::BagOfWordsEncoder;
using testing_util::dot;

Job nurse_job() {
  Job j;
  j.id = "job";
  j.title = "Licensed Practical Nurses, Except Trainees";
  j.requirements = {{"Administer medication", Importance::kEssential, ""},
                    {"Monitor patients", Importance::kEssential, ""}};
  return j;
}

std::vector<std::string> all_features() { return known_features(); }

TEST(RelevanceFeatures, JobProfileStripsTheExceptClauseAndJoinsTheRequirements) {
  const BagOfWordsEncoder enc;
  const JobProfile p = make_job_profile(nurse_job(), enc);
  EXPECT_EQ(p.title, "Licensed Practical Nurses");
  EXPECT_EQ(p.whole_text, "Licensed Practical Nurses Administer medication Monitor patients");
  EXPECT_EQ(p.title_terms[0], (std::vector<std::string>{"licen", "nurse", "pract"}));
  const auto jm = testing_util::unit_sum({enc.vec("Administer medication"), enc.vec("Monitor patients")});
  for (int k = 0; k < enc.dim(); ++k) EXPECT_NEAR(p.requirement_centroid[size_t(k)], jm[size_t(k)], 1e-6);
}

TEST(RelevanceFeatures, DenseFeaturesAreTheExplicitDotProducts) {
  const BagOfWordsEncoder enc;
  const auto creds = testing_util::tiny_credentials();
  const CredentialProfiles profiles = CredentialProfiles::build(creds, enc);
  const JobProfile job = make_job_profile(nurse_job(), enc);
  const PairFeatures t = compute_features(profiles, job, all_features());
  ASSERT_EQ(t.credentials, 4);
  const auto et = enc.vec("Licensed Practical Nurses");
  const auto ew = enc.vec(job.whole_text);
  const auto jm = job.requirement_centroid;
  auto col = [&](const std::string& n) {
    return t.column(size_t(std::find(t.names.begin(), t.names.end(), n) - t.names.begin()));
  };
  for (size_t c = 0; c < creds.size(); ++c) {
    std::vector<std::vector<float>> comps;
    for (const auto& m : creds[c].competencies) comps.push_back(enc.vec(m));
    const auto cm = creds[c].competencies.empty() ? std::vector<float>(16, 0.0f)
                                                  : testing_util::unit_sum(comps);
    const auto ctitle = enc.vec(creds[c].title), cdesc = enc.vec(creds[c].description);
    const auto cwhole = enc.vec(credential_whole_text(creds[c]));
    EXPECT_NEAR(col("dense_tt")[c], dot(et, ctitle), 1e-5) << c;
    EXPECT_NEAR(col("dense_tm")[c], dot(et, cm), 1e-5) << c;
    EXPECT_NEAR(col("dense_mw")[c], dot(jm, cwhole), 1e-5) << c;
    EXPECT_NEAR(col("dense_mm")[c], dot(jm, cm), 1e-5) << c;
    EXPECT_NEAR(col("dense_wd")[c], dot(ew, cdesc), 1e-5) << c;
    EXPECT_NEAR(col("dense_ww")[c], dot(ew, cwhole), 1e-5) << c;
  }
  EXPECT_EQ(col("dense_mm")[3], 0.0f);  // no competencies: Cm is zero
  // char_ww is the char TF-IDF cosine of the whole texts (idf from the credentials' texts)
  const CharTfidfRanker ranker(profiles.whole_texts());
  const std::vector<float> expect = ranker.score_all(job.whole_text);
  for (size_t c = 0; c < creds.size(); ++c) EXPECT_EQ(col("char_ww")[c], expect[c]);
  EXPECT_GT(col("char_ww")[0], col("char_ww")[1]);
}

TEST(RelevanceFeatures, TitleCoverageCountsTheCredentialTitleTermsInTheJob) {
  const BagOfWordsEncoder enc;
  const CredentialProfiles profiles = CredentialProfiles::build(testing_util::tiny_credentials(), enc);
  const JobProfile job = make_job_profile(nurse_job(), enc);
  const PairFeatures t =
      compute_features(profiles, job, std::vector<std::string>{"tcov_ct_in_jt", "tcov_ct_in_jw",
                                                               "tcov_jt_in_ct"});
  // Credential 0's title terms licen, pract, nurse, train all have df 1 (equal idf): the job
  // title has three of the four.
  EXPECT_NEAR(t.column(0)[0], 0.75, 1e-6);
  EXPECT_EQ(t.column(0)[1], 0.0f);
  EXPECT_EQ(t.column(0)[2], 0.0f);  // "nursi" (Nursing) is not "nurse"
  EXPECT_NEAR(t.column(1)[0], 0.75, 1e-6);
  // All three of the job title's terms are in credential 0's title.
  EXPECT_NEAR(t.column(2)[0], 1.0, 1e-6);
}

TEST(RelevanceFeatures, UnknownFeatureThrows) {
  const BagOfWordsEncoder enc;
  const CredentialProfiles profiles = CredentialProfiles::build(testing_util::tiny_credentials(), enc);
  const JobProfile job = make_job_profile(nurse_job(), enc);
  EXPECT_THROW(compute_features(profiles, job, std::vector<std::string>{"dense_xx"}), Error);
  EXPECT_FALSE(is_known_feature("dense_xx"));
  EXPECT_TRUE(is_known_feature("dense_wd"));
  for (std::string_view f : kDefaultFeatures) EXPECT_TRUE(is_known_feature(f)) << f;
}

TEST(RelevanceFeatures, JobProfilePartsAreWhatTheFeaturesRead) {
  const std::vector<std::string> shipped(kDefaultFeatures.begin(), kDefaultFeatures.end());
  const JobProfileParts p = JobProfileParts::for_features(shipped);
  EXPECT_FALSE(p.title_parts);
  EXPECT_EQ(p.term_styles, (std::array<bool, 3>{true, false, false}));
  const std::vector<std::string> others = {"dense_tt", "jz_dense_pp*tcovd_jt_in_ct", "tcov4_ct_in_jw"};
  const JobProfileParts q = JobProfileParts::for_features(others);
  EXPECT_TRUE(q.title_parts);
  EXPECT_EQ(q.term_styles, (std::array<bool, 3>{false, true, true}));

  const BagOfWordsEncoder enc;
  const JobProfile lean = make_job_profile(nurse_job(), enc, {}, p);
  const JobProfile full = make_job_profile(nurse_job(), enc);
  EXPECT_TRUE(lean.title_part_vectors.empty());
  EXPECT_FALSE(full.title_part_vectors.empty());
  EXPECT_TRUE(lean.title_terms[1].empty());
  EXPECT_EQ(lean.title_terms[0], full.title_terms[0]);
  const CredentialProfiles profiles = CredentialProfiles::build(testing_util::tiny_credentials(), enc);
  const PairFeatures a = compute_features(profiles, lean, shipped);
  const PairFeatures b = compute_features(profiles, full, shipped);
  EXPECT_EQ(a.values, b.values);
}

TEST(RelevanceScorer, OnePassScoresEqualTheWeightedFeatureSum) {
  const BagOfWordsEncoder enc;
  const CredentialProfiles profiles = CredentialProfiles::build(testing_util::tiny_credentials(), enc);
  RelevanceModel m;
  m.encoder_id = enc.id();
  m.bias = -1.25;
  int k = 0;
  for (const std::string& f : all_features()) {  // every kind: folded, per-job and lexical
    const double w = std::sin(1.0 + k++);
    m.features.push_back({f, w, 0.0, 1.0, w});
  }
  const RelevanceScorer scorer(profiles, m);
  EXPECT_TRUE(scorer.job_parts().title_parts);  // dense_pp is among every feature
  const JobProfile job = make_job_profile(nurse_job(), enc, {}, scorer.job_parts());
  const std::vector<float> fast = scorer.score_all(job);
  const std::vector<float> slow = m.score_table(compute_features(profiles, job, m.feature_names()));
  ASSERT_EQ(fast.size(), 4u);
  // The folded dense part is stored in fp16 (relative rounding 2^-11 per value, so at most
  // 2^-11 · Σ|q_k c_k| on the sum: about 1e-3 here); the rest is exact.
  for (size_t c = 0; c < fast.size(); ++c) EXPECT_NEAR(fast[c], slow[c], 2e-3) << c;
  RelevanceModel other = m;
  other.encoder_id = "another-encoder";
  EXPECT_THROW(RelevanceScorer(profiles, other), Error);
}

TEST(CredentialProfiles, GivenCompetencyVectorsEqualEncodingThemHere) {
  const BagOfWordsEncoder enc;
  const auto creds = testing_util::tiny_credentials();
  std::vector<float> vectors;
  for (const auto& c : creds) {
    for (const auto& m : c.competencies) {
      const auto v = enc.vec(m);
      vectors.insert(vectors.end(), v.begin(), v.end());
    }
  }
  const CredentialProfiles a = CredentialProfiles::build(creds, enc);
  const CredentialProfiles b = CredentialProfiles::build(creds, enc, vectors);
  EXPECT_TRUE(std::equal(a.competency_centroids().begin(), a.competency_centroids().end(),
                         b.competency_centroids().begin()));
  vectors.pop_back();
  EXPECT_THROW(CredentialProfiles::build(creds, enc, vectors), Error);
}

TEST(CredentialProfiles, SaveLoadGivesIdenticalVectorsAndScores) {
  const BagOfWordsEncoder enc;
  const auto creds = testing_util::tiny_credentials();
  const CredentialProfiles a = CredentialProfiles::build(creds, enc);
  const std::string path = testing_util::unique_temp_path("profiles.bin").string();
  ASSERT_TRUE(a.save(path).is_ok());
  auto b = CredentialProfiles::load(path, creds, enc);
  ASSERT_TRUE(b.is_ok()) << b.status().to_string();
  for (char side : std::string("tdwm")) {
    const auto x = credential_matrix(a, side), y = credential_matrix(*b, side);
    ASSERT_EQ(x.size(), y.size());
    EXPECT_TRUE(std::equal(x.begin(), x.end(), y.begin())) << side;
  }
  const JobProfile job = make_job_profile(nurse_job(), enc);
  const auto names = all_features();
  EXPECT_EQ(compute_features(a, job, names).values, compute_features(*b, job, names).values);
  // Other texts, another encoder: refused.
  auto changed = creds;
  changed[1].description += " Updated.";
  auto other = CredentialProfiles::load(path, changed, enc);
  ASSERT_FALSE(other.is_ok());
  EXPECT_EQ(other.status().code(), StatusCode::kMismatch) << other.status().to_string();
  class Renamed final : public Encoder {
   public:
    std::string name() const override { return "x"; }
    std::string id() const override { return "x-16"; }
    int dim() const override { return 16; }
    void encode(std::span<const std::string>, std::span<float> out) const override {
      std::fill(out.begin(), out.end(), 0.0f);
    }
    std::string serialize() const override { return ""; }
  } renamed;
  auto wrong = CredentialProfiles::load(path, creds, renamed);
  ASSERT_FALSE(wrong.is_ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kMismatch);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace credmatch::engine
