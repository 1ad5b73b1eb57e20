// The labelled ranking tasks of `credmatch eval` (docs/quality.md), built from the shipped
// data directory (data/: ESCO skills and occupations, data/eval/ benchmark sentences and
// titles), evaluation split only (store/splits.h):
//   skill_norm        ESCO alternative label -> its skill
//   job_essential     ESCO occupation title + description -> its essential skills
//   tech_test, tech_validation, house_validation
//                     job-ad sentence -> its ESCO skills (Decorte et al. 2022)
//   jobbert_dev, jobbert_test
//                     vacancy title -> its ESCO occupation (Decorte et al. 2021)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace credmatch::engine {

/// Queries ranked against a fixed set of target texts, with the relevant targets of each.
struct RankingTask {
  std::string name;
  std::string description;
  std::vector<std::string> targets;  // target texts; ids are positions
  std::vector<std::string> queries;
  std::vector<std::vector<int64_t>> relevant;  // per query, target positions
};

/// The tasks named in `wanted` ("all" for every task above), each with at most `max_queries`
/// queries evenly spread over its list (0 = all). kInvalidArgument for an unknown name;
/// kNotFound / kInvalidArgument for missing or malformed data files.
Result<std::vector<RankingTask>> load_ranking_tasks(const std::string& data_dir,
                                                    const std::vector<std::string>& wanted,
                                                    int64_t max_queries);

}  // namespace credmatch::engine
