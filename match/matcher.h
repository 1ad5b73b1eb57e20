// Matcher: ranks credentials for a job, with evidence for every requirement
// (docs/matching.md).
//
// Ranking. When the catalog has a relevance model (catalog/catalog_relevance.h), every
// credential is scored by it, the job as a whole against the credential as a whole (titles,
// description, competencies; dense and lexical, relevance/features.h), and a credential's
// score is its calibrated probability of being relevant to the job; the result also says how
// likely its first credential is a good match (P(top-1)), and that nothing in the catalog is
// when that is below MatchConfig::good_match and no listed credential covers at least half
// of the essential requirements (is_good_match()). Without a model (or with
// Ranking::kCoverage) credentials are ranked by requirement coverage:
//
//   credit(r, c) = s(r, c)  if s(r, c) >= threshold, else 0
//                  where s(r, c) = max over c's competencies m of cos(r, m)
//   score(c)     = sum_r w_r * credit(r, c) / sum_r w_r,   w = essential_weight or optional_weight
//
// Every credential gets an upper bound on its score, and candidates are rescored exactly from
// the stored vectors in bound order until no unscored credential can beat the last one kept
// (threshold algorithm, Fagin et al. 2001), so the top list is exact. The bounds come from
// an int8 scan of every competency with guaranteed error radii (index/bounded_int8_scan.h)
// when the catalog's index is an exact flat scan, else from the vector index (the
// `neighbours` nearest competencies of each requirement bound the rest).
//
// match() runs these as separate stages (docs/matching.md, "Code"): match/candidates.h,
// match/coverage_score.h (the formula above), match/exact_similarity.h, match/rescoring.h,
// match/evidence.h.
//
// Thread safety: match() is const and safe to call from several threads on one Matcher.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "catalog/loaded_catalog.h"
#include "index/vector_index.h"

namespace credmatch::engine {

/// What orders the credentials.
enum class Ranking {
  kAuto,      // the catalog's relevance model when it has one, else coverage
  kRelevance,  // the relevance model (a result ranked by it says so)
  kCoverage,   // weighted requirement coverage (the formula in the file comment)
};

/// Where the matcher's candidate credentials come from.
enum class CandidateSource {
  /// Every credential, bounded by the catalog's int8 full scan (LoadedCatalog::full_scan(),
  /// an exact flat catalog), else the index.
  kAuto,
  /// The `neighbours` nearest competencies of each requirement in the catalog's index.
  kIndex,
};

struct MatchConfig {
  int top = 10;                   // credentials returned
  int neighbours = 64;            // competencies first retrieved per requirement (index route)
  float threshold = 0.35f;        // similarity below which a requirement is not covered
  float essential_weight = 1.0f;  // weight of an essential requirement
  float optional_weight = 0.5f;   // weight of an optional requirement
  index::SearchParams search;     // per-call index knobs (ef_search, nprobe, threads)
  CandidateSource candidates = CandidateSource::kAuto;
  Ranking ranking = Ranking::kAuto;
  /// Relevance ranking: below this P(top-1), the result says no credential is a good match
  /// (docs/matching.md, "Abstention").
  float good_match = 0.3f;

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

/// How one credential meets one requirement.
struct Evidence {
  int requirement = 0;           // index into Job::requirements
  bool covered = false;          // score >= threshold
  float score = 0.0f;            // similarity of the credential's best competency
  int64_t competency = -1;       // its position in the catalog; -1 if the credential has none
  std::string competency_id;
  std::string competency_text;
  std::vector<std::string> shared_terms;  // normalised words both statements contain
  std::string why;               // one readable sentence
};

struct CredentialMatch {
  int32_t credential = -1;  // index into LoadedCatalog::credentials()
  double score = 0.0;       // what ranks it: relevance when ranked by relevance, else coverage
  double coverage = 0.0;    // weighted requirement coverage, 0..1
  double relevance = -1.0;  // P(relevant to the job), 0..1; -1 when ranked by coverage
  int essential_covered = 0, essential_total = 0;
  int optional_covered = 0, optional_total = 0;
  std::vector<Evidence> evidence;  // one per requirement, in the job's order
};

/// The best competency for a requirement across the whole catalog.
struct RequirementSummary {
  float best_score = 0.0f;
  int64_t best_competency = -1;
  bool covered_by_catalog = false;  // some credential covers it (best_score >= threshold)
};

struct MatchResult {
  std::vector<CredentialMatch> credentials;       // best first; coverage ranking: scores > 0
  Ranking ranking = Ranking::kCoverage;          // what ranked them (never kAuto)
  double top1_probability = -1.0;  // relevance ranking: P(the first credential is relevant)
  bool good_match = true;          // is_good_match() of the result
  std::vector<RequirementSummary> requirements;  // one per requirement
  int64_t candidates_rescored = 0;               // credentials scored exactly
  int index_searches = 0;  // index route: search calls (each deeper one for fewer requirements)
};

class Matcher {
 public:
  /// `catalog` must outlive the Matcher. Throws credmatch::Error if config is invalid.
  Matcher(const LoadedCatalog& catalog, MatchConfig config);

  /// Fails with kInvalidArgument when the job has no requirement or one is empty.
  Result<MatchResult> match(const Job& job) const;

  const MatchConfig& config() const { return config_; }

 private:
  const LoadedCatalog& catalog_;
  MatchConfig config_;
};

/// Whether to tell a person that something in the catalog suits the job: the model's
/// P(top-1) reaches `good_match`, or a listed credential's own competencies cover at least
/// half of the essential requirements (the model was calibrated on programs for occupations
/// and is under-confident for a short posting against short courses; docs/matching.md).
bool is_good_match(double top1_probability, std::span<const CredentialMatch> listed,
                   float good_match);

/// A person's word for a relevance probability: "strongly related" (>= 0.6), "related"
/// (>= 0.3), "loosely related" (>= 0.1), else "unlikely to be related".
std::string_view relevance_label(double probability);

/// One line for a person: "covers 4 of 5 essential requirements · strongly related to the
/// job" (the relevance part only when ranked by relevance; optional ones when the job has any).
std::string match_headline(const CredentialMatch& m);

/// The result's caveat for a person, or "" when there is none: that no credential is a good
/// match (MatchResult::good_match false).
std::string match_note(const MatchResult& r);

/// Normalised, stemmed content words that both texts contain, in the first text's order.
std::vector<std::string> shared_terms(const std::string& a, const std::string& b);

}  // namespace credmatch::engine
