// The relevance part of a catalog (catalog/catalog_relevance.h): built with the catalog from
// labelled jobs, else from shipped weights, else not at all; loaded with it; and what the
// matcher makes of it (match/matcher.h, Ranking).
#include "catalog/catalog_relevance.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "match/matcher.h"
#include "tests/fixture_catalog.h"
#include "tests/fixture_labelled_jobs.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

namespace fs = std::filesystem;

BuildOptions options_with_labels(int64_t min_jobs) {
  BuildOptions o = testing_util::fixture_build_options();
  o.relevance.labelled_jobs = testing_util::write_fixture_labelled_jobs("rel_jobs.jsonl");
  o.relevance.min_jobs = min_jobs;
  return o;
}

Job job_of(const std::string& title, std::vector<std::string> requirements) {
  Job job;
  job.id = "j";
  job.title = title;
  for (std::string& r : requirements) job.requirements.push_back({std::move(r), Importance::kEssential, ""});
  return job;
}

TEST(CatalogRelevance, BuildFitsTheModelAndTheMatcherRanksByIt) {
  const std::string dir = testing_util::unique_temp_path("rel_fit").string();
  auto report = build_catalog(dir, testing_util::fixture_inputs(), options_with_labels(5));
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->relevance.model, "fitted");
  EXPECT_EQ(report->relevance.jobs, 10);
  EXPECT_EQ(report->relevance.note.rfind("fitted on 10 labelled jobs (", 0), 0u)
      << report->relevance.note;
  EXPECT_NE(report->relevance.note.find("rel_jobs.jsonl)"), std::string::npos)
      << report->relevance.note;
  EXPECT_TRUE(fs::exists(fs::path(dir) / kRelevanceProfilesFile));
  EXPECT_TRUE(fs::exists(fs::path(dir) / kRelevanceModelFile));
  auto cat = LoadedCatalog::open(dir);
  ASSERT_TRUE(cat.is_ok()) << cat.status().to_string();
  ASSERT_NE((*cat)->relevance(), nullptr);
  EXPECT_EQ((*cat)->relevance()->model().fingerprint(), report->relevance.fingerprint);
  EXPECT_EQ((*cat)->relevance()->fingerprint(), report->relevance.fingerprint);

  MatchConfig config;
  config.top = 5;
  const Matcher matcher(**cat, config);
  const Job dba = job_of("Database Administrator", {"Write SQL queries", "Design database tables"});
  auto r = matcher.match(dba);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->ranking, Ranking::kRelevance);
  ASSERT_EQ(r->credentials.size(), 5u);
  EXPECT_EQ((*cat)->credentials()[size_t(r->credentials[0].credential)].id, "t:sql");
  for (size_t i = 0; i < r->credentials.size(); ++i) {
    const CredentialMatch& m = r->credentials[i];
    EXPECT_GE(m.relevance, 0.0);
    EXPECT_LE(m.relevance, 1.0);
    EXPECT_EQ(m.score, m.relevance);
    if (i > 0) {
      EXPECT_LE(m.score, r->credentials[i - 1].score);
    }
    EXPECT_EQ(m.evidence.size(), 2u);
  }
  EXPECT_GE(r->top1_probability, 0.0);
  EXPECT_EQ(r->requirements.size(), 2u);

  // Coverage and evidence are the coverage ranking's, credential for credential.
  MatchConfig by_coverage = config;
  by_coverage.ranking = Ranking::kCoverage;
  by_coverage.top = 10;
  auto c = Matcher(**cat, by_coverage).match(dba);
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->ranking, Ranking::kCoverage);
  EXPECT_LT(c->top1_probability, 0.0);
  for (const CredentialMatch& m : r->credentials) {
    for (const CredentialMatch& k : c->credentials) {
      if (k.credential != m.credential) continue;
      EXPECT_DOUBLE_EQ(k.coverage, m.coverage);
      EXPECT_EQ(k.essential_covered, m.essential_covered);
      for (size_t e = 0; e < m.evidence.size(); ++e) {
        EXPECT_EQ(k.evidence[e].competency_id, m.evidence[e].competency_id);
        EXPECT_EQ(k.evidence[e].score, m.evidence[e].score);
      }
    }
  }
  const std::string headline = match_headline(r->credentials[0]);
  EXPECT_EQ(headline.rfind("covers ", 0), 0u) << headline;
  EXPECT_NE(headline.find(" of 2 essential requirements \u00b7 "), std::string::npos) << headline;
  EXPECT_NE(headline.find(" to the job"), std::string::npos) << headline;

  // A rebuild fits the same model again.
  auto again = build_catalog(dir, {}, options_with_labels(5));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->relevance.fingerprint, report->relevance.fingerprint);
  fs::remove_all(dir);
}

TEST(CatalogRelevance, TooFewLabelledJobsFallBackToShippedWeightsOrToCoverage) {
  const std::string fitted = testing_util::unique_temp_path("rel_ship_src").string();
  ASSERT_TRUE(build_catalog(fitted, testing_util::fixture_inputs(), options_with_labels(5)).is_ok());
  const std::string shipped = (fs::path(fitted) / kRelevanceModelFile).string();

  const std::string dir = testing_util::unique_temp_path("rel_ship").string();
  BuildOptions o = options_with_labels(50);
  o.relevance.shipped_model = shipped;
  auto report = build_catalog(dir, testing_util::fixture_inputs(), o);
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  EXPECT_EQ(report->relevance.model, "shipped");
  EXPECT_NE(report->relevance.note.find("10 labelled jobs name credentials of this catalog (50 "
                                        "needed to fit)"), std::string::npos)
      << report->relevance.note;
  auto cat = LoadedCatalog::open(dir);
  ASSERT_TRUE(cat.is_ok()) << cat.status().to_string();
  ASSERT_NE((*cat)->relevance(), nullptr);
  EXPECT_TRUE((*cat)->relevance()->model().encoder_id.empty());

  // No labels and nothing shipped: no model, coverage ranking, no stale files.
  o.relevance = {};
  auto none = build_catalog(dir, {}, o);
  ASSERT_TRUE(none.is_ok()) << none.status().to_string();
  EXPECT_EQ(none->relevance.model, "none");
  EXPECT_FALSE(fs::exists(fs::path(dir) / kRelevanceProfilesFile));
  EXPECT_FALSE(fs::exists(fs::path(dir) / kRelevanceModelFile));
  auto plain = LoadedCatalog::open(dir);
  ASSERT_TRUE(plain.is_ok());
  EXPECT_EQ((*plain)->relevance(), nullptr);
  auto r = Matcher(**plain, MatchConfig{}).match(job_of("DBA", {"Join tables in SQL"}));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->ranking, Ranking::kCoverage);
  ASSERT_FALSE(r->credentials.empty());
  EXPECT_EQ(match_headline(r->credentials[0]).find("related"), std::string::npos);

  // A shipped model that cannot be read stops the build and leaves the catalog as it was.
  o.relevance.shipped_model = (fs::path(dir) / "missing.json").string();
  o.relevance.labelled_jobs.clear();
  auto bad = build_catalog(dir, {}, o);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("shipped relevance model"), std::string::npos)
      << bad.status().to_string();
  EXPECT_TRUE(LoadedCatalog::open(dir).is_ok());
  fs::remove_all(fitted);
  fs::remove_all(dir);
}

TEST(CatalogRelevance, ADamagedModelFileIsReportedAtOpen) {
  const std::string dir = testing_util::unique_temp_path("rel_bad").string();
  ASSERT_TRUE(build_catalog(dir, testing_util::fixture_inputs(), options_with_labels(5)).is_ok());
  {
    std::ofstream(fs::path(dir) / kRelevanceModelFile) << "{\"format\": 7";
  }
  auto cat = LoadedCatalog::open(dir);
  ASSERT_FALSE(cat.is_ok());
  EXPECT_NE(cat.status().message().find(kRelevanceModelFile), std::string::npos)
      << cat.status().to_string();
  fs::remove_all(dir);
}

TEST(MatchHeadline, NoGoodMatchNeedsADoubtfulModelAndNoCoverage) {
  std::vector<CredentialMatch> listed(2);
  listed[0].essential_total = listed[1].essential_total = 5;
  listed[0].essential_covered = 1;
  listed[1].essential_covered = 2;
  EXPECT_FALSE(is_good_match(0.12, listed, 0.3f));  // French accounting vs dance and sommelier
  EXPECT_TRUE(is_good_match(0.35, listed, 0.3f));
  listed[1].essential_covered = 3;                   // a short course teaching most of it
  EXPECT_TRUE(is_good_match(0.12, listed, 0.3f));
  EXPECT_TRUE(is_good_match(0.0, {}, 0.3f));         // nothing listed: nothing to warn about
}

TEST(MatchHeadline, SaysWhatAPersonReads) {
  CredentialMatch m;
  m.essential_covered = 4;
  m.essential_total = 5;
  EXPECT_EQ(match_headline(m), "covers 4 of 5 essential requirements");
  m.optional_covered = 1;
  m.optional_total = 2;
  m.relevance = 0.72;
  EXPECT_EQ(match_headline(m),
            "covers 4 of 5 essential and 1 of 2 optional requirements \u00b7 strongly related to "
            "the job");
  m.relevance = 0.05;
  EXPECT_NE(match_headline(m).find("unlikely to be related"), std::string::npos);
  EXPECT_EQ(relevance_label(0.3), "related");
  EXPECT_EQ(relevance_label(0.1), "loosely related");
  MatchResult r;
  EXPECT_EQ(match_note(r), "");
  r.credentials.resize(1);
  r.good_match = false;
  r.top1_probability = 0.12;
  EXPECT_NE(match_note(r).find("No credential in this catalog is a good match"), std::string::npos);
  EXPECT_NE(match_note(r).find("0.12"), std::string::npos);
}

}  // namespace
}  // namespace credmatch::engine
