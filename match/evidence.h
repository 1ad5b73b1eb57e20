// Evidence for a listed credential (docs/matching.md, step 6): for each requirement, the
// credential's best competency, its similarity, whether it clears the threshold, the
// normalised words both statements share, and a sentence saying why. Internal to match/ (the
// public types, Evidence and CredentialMatch, are in match/matcher.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalog/loaded_catalog.h"
#include "match/matcher.h"
#include "match/similarity.h"

namespace credmatch::engine {

/// Thread safety: explain() is const and safe from several threads (the catalog's word cache
/// is).
class EvidenceWriter {
 public:
  /// Computes each requirement's content words once. catalog and job must outlive the writer;
  /// threshold: the similarity a requirement needs to count as covered.
  EvidenceWriter(const LoadedCatalog& catalog, const Job& job, float threshold);

  /// Credential c's match: its score as given, the essential/optional counts and one Evidence
  /// per requirement in the job's order. best: c's best competency for every requirement
  /// (ExactSimilarity::complete()).
  CredentialMatch explain(int32_t c, double score, const BestCompetencies& best) const;

 private:
  Evidence evidence_for(size_t r, float best, int64_t competency) const;

  const LoadedCatalog& catalog_;
  const Job& job_;
  float threshold_;
  std::vector<std::vector<std::string>> requirement_words_;  // per requirement
};

}  // namespace credmatch::engine
