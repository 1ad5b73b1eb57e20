// Builders: engine results -> the JSON the CLI prints with --json, the HTTP API answers and
// the Python module returns (as dicts), so the three cannot drift apart. Shapes: docs/api.md.
//
// Thread safety: pure functions (the catalog is only read).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "catalog/loaded_catalog.h"
#include "match/matcher.h"
#include "plan/gap.h"
#include "plan/gap_calibration.h"
#include "plan/path.h"
#include "store/records.h"

namespace credmatch::engine::api {

using nlohmann::json;

/// A number, or null when unknown.
json optional_number(const std::optional<double>& v);
/// id, title, provider, kind, language, hours, cost, currency, url of a credential.
json credential_summary_json(const Credential& c);

/// `credmatch match --json`: job with per-requirement catalog summary, config, encoder id,
/// ranked results with evidence, candidates_rescored, milliseconds.
json match_to_json(const LoadedCatalog& catalog, const Job& job, const MatchConfig& config,
                   const MatchResult& result, double milliseconds);

/// The "gap" object of `credmatch gap --json`: coverage figures and one entry per requirement.
json gap_report_to_json(const LoadedCatalog& catalog, const Job& job, const GapReport& report);

/// `credmatch gap --json`: job, thresholds (values, whether calibrated, where they came from:
/// `thresholds`), gap, and "with" when `with_report` is given.
json gap_to_json(const LoadedCatalog& catalog, const Job& job, const GapConfig& config,
                 const GapThresholds& thresholds, const GapReport& report,
                 const std::vector<std::string>& with_ids, const GapReport* with_report);

/// `credmatch path --json`: status, objective, totals, coverage before/after, ordered steps
/// with hours, cost and coverage after each, remaining requirements, "explain" if asked.
json path_to_json(const LoadedCatalog& catalog, const Job& job, const GapReport& report,
                  const PathOptions& options, const PathOutcome& outcome);

}  // namespace credmatch::engine::api
