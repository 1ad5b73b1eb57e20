#include "match/coverage_score.h"

namespace credmatch::engine {

CoverageScore::CoverageScore(const Job& job, const MatchConfig& config)
    : threshold_(config.threshold), weight_(job.requirements.size()) {
  for (size_t r = 0; r < weight_.size(); ++r) {
    weight_[r] = job.requirements[r].importance == Importance::kEssential
                     ? config.essential_weight
                     : config.optional_weight;
    total_weight_ += weight_[r];
  }
  if (total_weight_ <= 0.0) total_weight_ = 1.0;  // only optional requirements at weight 0
}

}  // namespace credmatch::engine
