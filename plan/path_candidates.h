// Building a planner problem (plan/planner.h) from a catalog, a job and a worker's gap
// (plan/gap.h). Candidate credentials come from one of two routes (PathCandidateSource):
//
//   relevance  the credentials the catalog's relevance model (relevance/relevance_model.h)
//              finds related to the job as a whole: P(relevant) >= min_relevance, at most
//              max_relevant of them, most related first (with a fallback to the few most
//              related, see PathCandidateConfig). A plan then only holds credentials about
//              the target job (docs/paths.md, "Candidates").
//   index      the `neighbours` nearest competencies of every requirement the worker has not
//              fully covered, kept when they reach the partial threshold: any credential with
//              one near competency, whatever it is about. Used where the catalog has no
//              relevance model fitted with its own encoder (catalogs without labelled jobs,
//              which carry shipped weights, or above RelevanceBuildOptions::max_credentials).
//
// Either way the prerequisites of the candidates are added (transitively), and each
// candidate's credit per requirement is computed exactly from its competencies' vectors with
// gap_credit(), with the competency behind it (the evidence a plan shows). On the relevance
// route a credential that is only a prerequisite earns no credit: it enters a plan before the
// related credential that needs it, never on its own. Credentials the
// worker completed are never candidates, and are dropped from prerequisite lists.
//
// Thread safety: a pure function of its arguments; the catalog's const methods are used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/loaded_catalog.h"
#include "plan/gap.h"
#include "plan/planner.h"
#include "relevance/relevance_model.h"

namespace credmatch::engine {

enum class PathCandidateSource {
  kAuto,       // kRelevance when the catalog's relevance model was fitted with its encoder
               // (calibrated probabilities), else kIndex
  kRelevance,  // related to the job as a whole (see file comment)
  kIndex,      // near competencies of the open requirements
};
std::string_view to_string(PathCandidateSource source);
/// "auto" / "relevance" / "index"; nullopt otherwise.
std::optional<PathCandidateSource> parse_path_candidate_source(std::string_view s);

struct PathCandidateConfig {
  PathCandidateSource source = PathCandidateSource::kAuto;
  int neighbours = 64;         // kIndex: competencies retrieved per open requirement
  double min_relevance = 0.3;  // kRelevance: least P(relevant) (relevance_label's "related")
  int max_relevant = 10;       // kRelevance: most candidates, most related first
  /// kRelevance: when fewer than `fallback_count` credentials reach min_relevance, the most
  /// related ones down to `fallback_relevance` (relevance_label's "loosely related") make up
  /// that many, so that a job no credential is clearly about still gets its closest ones.
  int fallback_count = 3;
  double fallback_relevance = 0.1;
  /// kRelevance: the scorer to use; null = the catalog's (LoadedCatalog::relevance()). The
  /// evaluation passes models fitted without the job (out-of-fold).
  const RelevanceScorer* relevance = nullptr;
  /// Only credentials in these languages, or without one, are candidates (empty: any);
  /// prerequisites of a candidate are added whatever their language. compute_path() sets the
  /// worker's language and English when the worker gave a language and no limit.
  std::vector<std::string> languages;

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

/// The competency behind a candidate's credit for one requirement.
struct CreditEvidence {
  int64_t competency = -1;  // position in LoadedCatalog::competencies(); -1: none
  float similarity = 0.0f;
};

struct PathProblem {
  std::vector<PlanRequirement> requirements;  // one per job requirement, current = gap credit
  std::vector<PlanCandidate> candidates;
  std::vector<int32_t> credential;            // candidate i → index into catalog credentials()
  /// evidence[i][r]: candidate i's best competency for requirement r.
  std::vector<std::vector<CreditEvidence>> evidence;
  /// relevance[i]: P(candidate i relevant to the job); nullopt for the index route and for
  /// prerequisites the relevance route did not select.
  std::vector<std::optional<double>> relevance;
  PathCandidateSource source = PathCandidateSource::kIndex;  // the route taken
  int64_t considered = 0;  // kRelevance: credentials scored (the whole catalog)
};

/// `report` must come from GapAnalyzer::analyze(job, profile) with the same `config`.
/// `extra` (credential indices) are added as candidates even when the route did not select
/// them (for --explain of a named credential). Throws credmatch::Error for an invalid
/// `candidates` config, or kRelevance on a catalog without a relevance model and no scorer.
PathProblem build_path_problem(const LoadedCatalog& catalog, const Job& job,
                               const WorkerProfile& profile, const GapReport& report,
                               const GapConfig& config, const PathCandidateConfig& candidates = {},
                               const std::vector<int32_t>& extra = {});

}  // namespace credmatch::engine
