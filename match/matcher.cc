// Matcher::match runs the stages of docs/matching.md, each in its own file of match/:
//
//   encode the requirements        here (encode_requirements)
//   candidate bounds and order     match/candidates.h     (full scan or index route)
//   the score of a credential      match/coverage_score.h (the formula; its upper bound)
//   exact similarities             match/exact_similarity.h (one per route)
//   exact top list                 match/rescoring.h      (threshold algorithm, on the pool)
//   evidence                       match/evidence.h
#include "match/matcher.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "base/error.h"
#include "base/thread_pool.h"
#include "match/candidates.h"
#include "match/coverage_score.h"
#include "match/evidence.h"
#include "match/exact_similarity.h"
#include "match/job_input.h"
#include "match/rescoring.h"
#include "relevance/features.h"
#include "relevance/training.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace {

// Encoding and exact rescoring on several threads: at most this many, encoding at least this
// many statements each (waking a thread costs about one statement's encoding).
constexpr int64_t kMaxThreads = 8;
constexpr int64_t kMinStatementsPerThread = 4;

// Threads for encoding and exact rescoring (the index search splits its own batch).
int64_t match_threads(const index::SearchParams& search) {
  if (search.threads == 1) return 1;
  return std::clamp<int64_t>(
      search.threads > 0 ? search.threads : std::thread::hardware_concurrency(), 1, kMaxThreads);
}

// The job's requirement statements as unit vectors, n_req * dim floats. Rows encode
// independently: a job's statements are split over the threads (~30 us each).
std::vector<float> encode_requirements(const Encoder& encoder, const Job& job, int64_t threads) {
  const int d = encoder.dim();
  const int64_t n_req = static_cast<int64_t>(job.requirements.size());
  std::vector<std::string> texts;
  for (const auto& r : job.requirements) texts.push_back(r.text);
  std::vector<float> queries(job.requirements.size() * size_t(d));
  const int64_t encode_tasks = std::min<int64_t>(threads, n_req / kMinStatementsPerThread);
  if (encode_tasks <= 1) {
    encoder.encode(texts, queries);
  } else {
    run_parallel(encode_tasks, [&](int64_t t) {
      const int64_t begin = n_req * t / encode_tasks, end = n_req * (t + 1) / encode_tasks;
      encoder.encode(
          std::span<const std::string>(texts).subspan(size_t(begin), size_t(end - begin)),
          std::span<float>(queries).subspan(size_t(begin * d), size_t((end - begin) * d)));
    });
  }
  return queries;
}

// Relevance ranking: every credential scored by the catalog's relevance model, the top
// credentials explained requirement by requirement with their exact best competencies.
void rank_by_relevance(const LoadedCatalog& catalog, const RelevanceScorer& relevance,
                       const Job& job, const RequirementVectors& queries,
                       const CoverageScore& score, const MatchConfig& config, int64_t threads,
                       MatchResult& result) {
  const std::vector<float> scores = relevance.score_all(make_job_profile(
      job, catalog.encoder(),
      std::span<const float>(queries.data, size_t(queries.n) * size_t(queries.dim)),
      relevance.job_parts()), int(threads));
  const std::vector<int32_t> top = rank_by_score(scores, config.top);
  const RelevanceModel& model = relevance.model();
  result.ranking = Ranking::kRelevance;
  if (!top.empty()) {
    const double s1 = scores[size_t(top[0])];
    const double s2 = top.size() > 1 ? scores[size_t(top[1])] : s1;
    result.top1_probability = model.top1_probability(s1, s2);
  }
  const AllPairsSimilarity exact(catalog, queries);
  const EvidenceWriter evidence(catalog, job, score.threshold());
  result.credentials.resize(top.size());
  auto explain = [&](int64_t i) {
    const int32_t c = top[size_t(i)];
    const BestCompetencies best = exact.best_of(c);
    CredentialMatch m = evidence.explain(c, score.score(best.best), best);
    m.coverage = m.score;
    m.relevance = model.probability(scores[size_t(c)]);
    m.score = m.relevance;
    result.credentials[size_t(i)] = std::move(m);
  };
  if (threads > 1) {
    run_parallel(int64_t(top.size()), explain);
  } else {
    for (size_t i = 0; i < top.size(); ++i) explain(int64_t(i));
  }
  result.good_match = is_good_match(result.top1_probability, result.credentials, config.good_match);
}

}  // namespace

bool is_good_match(double top1_probability, std::span<const CredentialMatch> listed,
                   float good_match) {
  if (listed.empty() || top1_probability >= good_match) return true;
  for (const CredentialMatch& m : listed) {
    if (m.essential_total > 0 && 2 * m.essential_covered >= m.essential_total) return true;
  }
  return false;
}

std::string_view relevance_label(double p) {
  if (p >= 0.6) return "strongly related";
  if (p >= 0.3) return "related";
  if (p >= 0.1) return "loosely related";
  return "unlikely to be related";
}

std::string match_headline(const CredentialMatch& m) {
  std::string h = "covers " + std::to_string(m.essential_covered) + " of " +
                  std::to_string(m.essential_total) + " essential";
  if (m.optional_total > 0) {
    h += " and " + std::to_string(m.optional_covered) + " of " + std::to_string(m.optional_total) +
         " optional";
  }
  h += m.essential_total + m.optional_total == 1 ? " requirement" : " requirements";
  if (m.relevance >= 0) h += " \u00b7 " + std::string(relevance_label(m.relevance)) + " to the job";
  return h;
}

std::string match_note(const MatchResult& r) {
  if (r.good_match || r.credentials.empty()) return "";
  char p[16];
  std::snprintf(p, sizeof p, "%.2f", r.top1_probability);
  return std::string("No credential in this catalog is a good match for this job: even the "
                     "first one is unlikely to be relevant (probability ") + p + ").";
}

void MatchConfig::validate() const {
  CREDMATCH_CHECK(top > 0, "top=" << top);
  CREDMATCH_CHECK(neighbours > 0, "neighbours=" << neighbours);
  CREDMATCH_CHECK(threshold >= -1.0f && threshold <= 1.0f, "threshold=" << threshold);
  CREDMATCH_CHECK(essential_weight > 0.0f, "essential_weight=" << essential_weight);
  CREDMATCH_CHECK(optional_weight >= 0.0f, "optional_weight=" << optional_weight);
  CREDMATCH_CHECK(good_match >= 0.0f && good_match <= 1.0f, "good_match=" << good_match);
}

Matcher::Matcher(const LoadedCatalog& catalog, MatchConfig config)
    : catalog_(catalog), config_(config) {
  config_.validate();
}

Result<MatchResult> Matcher::match(const Job& job) const {
  if (Status s = check_job(job); !s.is_ok()) return s;
  const CoverageScore score(job, config_);
  const int64_t threads = match_threads(config_.search);
  const std::vector<float> vectors = encode_requirements(catalog_.encoder(), job, threads);
  const RequirementVectors queries{vectors.data(), int64_t(job.requirements.size()),
                                   catalog_.encoder().dim()};

  MatchResult result;
  result.requirements.resize(job.requirements.size());
  if (catalog_.index().size() == 0) return result;

  // 1. Bounds on every candidate credential, from the full scan or the index.
  std::unique_ptr<CandidateBounds> candidates;
  std::unique_ptr<ExactSimilarity> exact;
  const index::BoundedInt8Scan* full_scan =
      config_.candidates == CandidateSource::kIndex ? nullptr : catalog_.full_scan();
  const RelevanceScorer* relevance =
      config_.ranking == Ranking::kCoverage ? nullptr : catalog_.relevance();
  if (full_scan != nullptr) {
    auto scanned = std::make_unique<FullScanCandidates>(catalog_, *full_scan, queries, score,
                                                        config_.search.threads,
                                                        /*requirements_only=*/relevance != nullptr);
    exact = std::make_unique<BoundedPairSimilarity>(catalog_, queries, *scanned, score);
    candidates = std::move(scanned);
  } else {
    candidates = std::make_unique<IndexCandidates>(catalog_, queries, score, config_);
    exact = std::make_unique<AllPairsSimilarity>(catalog_, queries);
  }

  // 2. The exact top list: by relevance when the catalog has a model, else by coverage.
  if (relevance != nullptr) {
    result.requirements = candidates->requirements();
    result.index_searches = candidates->index_searches();
    rank_by_relevance(catalog_, *relevance, job, queries, score, config_, threads, result);
    return result;
  }
  Rescored rescored = rescore_until_settled(*candidates, *exact, score, catalog_.credentials(),
                                            config_.top, threads);
  result.requirements = candidates->requirements();
  result.index_searches = candidates->index_searches();
  result.candidates_rescored = rescored.candidates_rescored;

  // 3. Evidence for the credentials kept: their best competency for every requirement, then
  // what each one shows.
  for (ScoredCredential& s : rescored.top) exact->complete(s.credential, s.best);
  const EvidenceWriter evidence(catalog_, job, score.threshold());
  for (const ScoredCredential& s : rescored.top) {
    result.credentials.push_back(evidence.explain(s.credential, s.score, s.best));
    result.credentials.back().coverage = s.score;
  }
  return result;
}

}  // namespace credmatch::engine
