// The matcher's stages alone on the fixture catalog (a Flat index, so both candidate routes
// run): candidate bounds against brute-force scores, the two exact-similarity
// implementations against each other and brute force, the top list's order and the threshold
// algorithm against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <vector>

#include "index/kernels/scan_kernels.h"
#include "match/candidates.h"
#include "match/coverage_score.h"
#include "match/exact_similarity.h"
#include "match/rescoring.h"
#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {
namespace fs = std::filesystem;

class MatchStagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing_util::unique_temp_path("match_stages").string());
    catalog_ = testing_util::build_fixture_catalog(*dir_).release();
    ASSERT_NE(catalog_, nullptr);
    ASSERT_NE(catalog_->full_scan(), nullptr);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  // A job of the given statements (every third optional) and its encoded vectors.
  struct EncodedJob {
    Job job;
    std::vector<float> vectors;
    RequirementVectors queries;
  };
  static EncodedJob encode(const std::vector<std::string>& texts) {
    EncodedJob e;
    e.job.title = "stages";
    for (size_t i = 0; i < texts.size(); ++i) {
      e.job.requirements.push_back(
          {texts[i], i % 3 == 1 ? Importance::kOptional : Importance::kEssential, ""});
    }
    const int d = catalog_->encoder().dim();
    e.vectors.resize(texts.size() * size_t(d));
    catalog_->encoder().encode(texts, e.vectors);
    e.queries = {e.vectors.data(), int64_t(texts.size()), d};
    return e;
  }
  // Brute force: credential c's best competency per requirement with the pair kernel.
  static BestCompetencies brute_best(const RequirementVectors& q, int32_t c) {
    BestCompetencies b{size_t(q.n)};
    for (int64_t r = 0; r < q.n; ++r) {
      for (int64_t p : catalog_->competencies_of(c)) {
        const float s = snap(index::scan::dot(q.row(r), catalog_->competency_vector(p), q.dim));
        if (s > b.best[size_t(r)]) {
          b.best[size_t(r)] = s;
          b.argbest[size_t(r)] = p;
        }
      }
    }
    return b;
  }
  static int32_t n_cred() { return int32_t(catalog_->credentials().size()); }

  static inline std::string* dir_ = nullptr;
  static inline LoadedCatalog* catalog_ = nullptr;
};

// Bounds are compared with exact scores up to one snapping step (2^-20): the index's blocked
// kernel and the pair kernel round the same pair differently by ~1e-7, which snapping can
// turn into one grid step.
constexpr double kSnapSlack = 1e-5;

const std::vector<std::vector<std::string>> kJobs = {
    {"write SQL queries", "plot data", "use git"},
    {"operate farm machinery", "care for patients", "cook hot meals"},
    {"automate tasks with shell scripts", "organise spreadsheet data", "regression in R",
     "track changes with version control", "harvest crops", "Join tables in SQL"}};

// Every credential is in the full scan's order with a bound at least its exact score, unless
// it cannot score; the per-requirement summaries are the catalog's exact best competency.
TEST_F(MatchStagesTest, FullScanBoundsEveryCredentialFromAbove) {
  for (float threshold : {0.0f, 0.3f, 0.5f}) {
    MatchConfig config;
    config.threshold = threshold;
    for (const auto& texts : kJobs) {
      const EncodedJob e = encode(texts);
      const CoverageScore score(e.job, config);
      FullScanCandidates candidates(*catalog_, *catalog_->full_scan(), e.queries, score, 1);
      EXPECT_EQ(candidates.unseen_bound(), 0.0);
      EXPECT_EQ(candidates.index_searches(), 0);
      EXPECT_FALSE(candidates.deepen());
      std::vector<double> bound(size_t(n_cred()), -1.0);
      for (const auto& [b, c] : candidates.order()) bound[size_t(c)] = b;
      EXPECT_TRUE(std::is_sorted(candidates.order().begin(), candidates.order().end(),
                                 [](const auto& a, const auto& b) {
                                   return a.first != b.first ? a.first > b.first
                                                             : a.second < b.second;
                                 }));
      for (int32_t c = 0; c < n_cred(); ++c) {
        const double exact = score.score(brute_best(e.queries, c).best);
        if (exact > 0.0) {
          EXPECT_GE(bound[size_t(c)] + kSnapSlack, exact) << "credential " << c;
        }
      }
      for (int64_t r = 0; r < e.queries.n; ++r) {
        float best = kNoSimilarity;
        int64_t arg = -1;
        for (int64_t m = 0; m < int64_t(catalog_->competencies().size()); ++m) {
          const float s = index::scan::dot(e.queries.row(r), catalog_->competency_vector(m),
                                           e.queries.dim);
          if (s > best) best = s, arg = m;
        }
        const RequirementSummary& sum = candidates.requirements()[size_t(r)];
        EXPECT_EQ(sum.best_score, best) << r;
        EXPECT_EQ(sum.best_competency, arg) << r;
        EXPECT_EQ(sum.covered_by_catalog, best >= threshold) << r;
      }
    }
  }
}

// A credential the index route has not retrieved scores at most unseen_bound(); one it has
// scores at most its bound. Deepening ends with nothing unseen that can earn credit.
TEST_F(MatchStagesTest, IndexRouteBoundsRetrievedAndUnseenCredentials) {
  for (int neighbours : {1, 2, 5, 1000}) {
    MatchConfig config;
    config.candidates = CandidateSource::kIndex;
    config.neighbours = neighbours;
    config.top = 3;
    for (const auto& texts : kJobs) {
      const EncodedJob e = encode(texts);
      const CoverageScore score(e.job, config);
      IndexCandidates candidates(*catalog_, e.queries, score, config);
      EXPECT_EQ(candidates.index_searches(), 1);
      int searches = 1;
      for (;;) {
        SCOPED_TRACE("neighbours " + std::to_string(neighbours) + " searches " +
                     std::to_string(searches));
        std::vector<double> bound(size_t(n_cred()), -1.0);
        for (const auto& [b, c] : candidates.order()) bound[size_t(c)] = b;
        for (int32_t c = 0; c < n_cred(); ++c) {
          const double exact = score.score(brute_best(e.queries, c).best);
          const double b = bound[size_t(c)] >= 0.0 ? bound[size_t(c)] : candidates.unseen_bound();
          EXPECT_GE(b + kSnapSlack, exact) << "credential " << c;
        }
        if (!candidates.deepen()) break;
        EXPECT_EQ(candidates.index_searches(), ++searches);
      }
      EXPECT_EQ(candidates.unseen_bound(), 0.0);
      if (neighbours == 1000) {
        EXPECT_EQ(searches, 1);  // every competency at once
      }
    }
  }
}

// Both implementations find the same best competencies to the bit, equal to brute force;
// the bounded one may skip only requirements that earn no credit, until complete().
TEST_F(MatchStagesTest, BothExactSimilaritiesAgreeWithBruteForce) {
  for (float threshold : {0.0f, 0.35f, 0.6f}) {
    MatchConfig config;
    config.threshold = threshold;
    for (const auto& texts : kJobs) {
      const EncodedJob e = encode(texts);
      const CoverageScore score(e.job, config);
      FullScanCandidates scanned(*catalog_, *catalog_->full_scan(), e.queries, score, 1);
      const AllPairsSimilarity all_pairs(*catalog_, e.queries);
      const BoundedPairSimilarity bounded(*catalog_, e.queries, scanned, score);
      for (int32_t c = 0; c < n_cred(); ++c) {
        SCOPED_TRACE("credential " + std::to_string(c));
        const BestCompetencies brute = brute_best(e.queries, c);
        BestCompetencies a = all_pairs.best_of(c);
        const BestCompetencies pruned = bounded.best_of(c);
        BestCompetencies full = pruned;
        bounded.complete(c, full);
        all_pairs.complete(c, a);
        EXPECT_EQ(a.argbest, brute.argbest);
        EXPECT_EQ(a.best, brute.best);
        EXPECT_EQ(full.argbest, brute.argbest);
        EXPECT_EQ(full.best, brute.best);
        EXPECT_EQ(score.score(pruned.best), score.score(brute.best));
        for (size_t r = 0; r < brute.best.size(); ++r) {
          if (score.earns_credit(brute.best[r])) {
            EXPECT_EQ(pruned.argbest[r], brute.argbest[r]);
          }
        }
      }
    }
  }
}

TEST_F(MatchStagesTest, TopListRanksByScoreThenHoursThenIndex) {
  std::vector<Credential> creds(4);
  creds[0].hours = 10;
  creds[1].hours = 5;
  creds[2].hours = std::nullopt;  // unknown: after any known length
  creds[3].hours = 5;
  TopList list(creds, 3);
  auto scored = [](int32_t c, double s) {
    ScoredCredential x;
    x.credential = c;
    x.score = s;
    return x;
  };
  list.keep(scored(2, 0.5));
  list.keep(scored(0, 0.5));
  list.keep(scored(1, 0.0));  // scores nothing: never listed
  EXPECT_EQ(list.entries().size(), 2u);
  EXPECT_FALSE(list.settled(0.0));  // not full: anything scoring above 0 still enters
  list.keep(scored(3, 0.5));
  list.keep(scored(1, 0.5));
  ASSERT_EQ(list.entries().size(), 3u);
  EXPECT_EQ(list.entries()[0].credential, 1);  // 5 hours, smaller index
  EXPECT_EQ(list.entries()[1].credential, 3);
  EXPECT_EQ(list.entries()[2].credential, 0);  // 10 hours; unknown dropped
  EXPECT_TRUE(list.settled(0.4));
  EXPECT_FALSE(list.settled(0.5));  // an equal bound may still tie and win
}

// The threshold algorithm over either route, serial or on 4 threads: the brute-force top list.
TEST_F(MatchStagesTest, ThresholdAlgorithmGivesTheBruteForceTopList) {
  for (bool full_scan : {true, false}) {
    for (int64_t threads : {1, 4}) {
      MatchConfig config;
      config.top = 3;
      config.neighbours = 1;
      for (const auto& texts : kJobs) {
        const EncodedJob e = encode(texts);
        const CoverageScore score(e.job, config);
        std::vector<ScoredCredential> expected;
        for (int32_t c = 0; c < n_cred(); ++c) {
          ScoredCredential s;
          s.credential = c;
          s.best = brute_best(e.queries, c);
          s.score = score.score(s.best.best);
          expected.push_back(s);
        }
        TopList brute(catalog_->credentials(), config.top);
        for (auto& s : expected) brute.keep(s);

        std::unique_ptr<CandidateBounds> candidates;
        std::unique_ptr<ExactSimilarity> exact;
        if (full_scan) {
          auto scanned = std::make_unique<FullScanCandidates>(
              *catalog_, *catalog_->full_scan(), e.queries, score, 1);
          exact = std::make_unique<BoundedPairSimilarity>(*catalog_, e.queries, *scanned, score);
          candidates = std::move(scanned);
        } else {
          candidates = std::make_unique<IndexCandidates>(*catalog_, e.queries, score, config);
          exact = std::make_unique<AllPairsSimilarity>(*catalog_, e.queries);
        }
        const Rescored got = rescore_until_settled(*candidates, *exact, score,
                                                   catalog_->credentials(), config.top, threads);
        ASSERT_EQ(got.top.size(), brute.entries().size());
        for (size_t i = 0; i < got.top.size(); ++i) {
          EXPECT_EQ(got.top[i].credential, brute.entries()[i].credential) << i;
          EXPECT_EQ(got.top[i].score, brute.entries()[i].score) << i;
        }
        EXPECT_LE(got.candidates_rescored, n_cred());
        EXPECT_GE(got.candidates_rescored, int64_t(got.top.size()));
      }
    }
  }
}

}  // namespace
}  // namespace credmatch::engine
