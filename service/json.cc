#include "service/json.h"

namespace credmatch::engine::api {

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json credential_summary_json(const Credential& c) {
  return {{"id", c.id},         {"title", c.title},       {"provider", c.provider},
          {"kind", c.kind},     {"language", c.language}, {"hours", optional_number(c.hours)},
          {"cost", optional_number(c.cost)}, {"currency", c.currency}, {"url", c.url}};
}

json match_to_json(const LoadedCatalog& cat, const Job& job, const MatchConfig& config,
                   const MatchResult& r, double ms) {
  json reqs = json::array();
  for (size_t i = 0; i < job.requirements.size(); ++i) {
    const auto& q = job.requirements[i];
    const auto& s = r.requirements[i];
    json best = nullptr;
    if (s.best_competency >= 0) {
      const auto& comp = cat.competencies()[size_t(s.best_competency)];
      best = {{"competency_id", comp.id}, {"credential_id", comp.credential_id},
              {"text", comp.text}, {"score", s.best_score}};
    }
    reqs.push_back({{"text", q.text}, {"importance", to_string(q.importance)},
                    {"skill_id", q.skill_id}, {"covered_by_catalog", s.covered_by_catalog},
                    {"best_in_catalog", std::move(best)}});
  }
  // Arrays go into the initializer lists by std::move: nlohmann::json copies an lvalue there.
  json results = json::array();
  int rank = 0;
  for (const auto& m : r.credentials) {
    const auto& c = cat.credentials()[size_t(m.credential)];
    json evidence = json::array();
    for (const auto& e : m.evidence) {
      const auto& q = job.requirements[size_t(e.requirement)];
      evidence.push_back({{"requirement", e.requirement}, {"text", q.text},
                          {"importance", to_string(q.importance)}, {"covered", e.covered},
                          {"score", e.score}, {"competency_id", e.competency_id},
                          {"competency_text", e.competency_text},
                          {"shared_terms", e.shared_terms}, {"why", e.why}});
    }
    results.push_back({{"rank", ++rank},
                       {"credential", credential_summary_json(c)},
                       {"score", m.score},
                       {"headline", match_headline(m)},
                       {"relevance", m.relevance >= 0 ? json(m.relevance) : json(nullptr)},
                       {"coverage", m.coverage},
                       {"essential_covered", m.essential_covered},
                       {"essential_total", m.essential_total},
                       {"optional_covered", m.optional_covered},
                       {"optional_total", m.optional_total},
                       {"evidence", std::move(evidence)}});
  }
  return {{"job", {{"id", job.id}, {"title", job.title}, {"requirements", std::move(reqs)}}},
          {"config", {{"threshold", config.threshold}, {"essential_weight", config.essential_weight},
                      {"optional_weight", config.optional_weight}, {"neighbours", config.neighbours},
                      {"top", config.top}}},
          {"encoder", cat.encoder().id()},
          {"ranking", r.ranking == Ranking::kRelevance ? "relevance" : "coverage"},
          {"relevance_model", cat.relevance() ? json(cat.relevance()->fingerprint())
                                              : json(nullptr)},
          {"good_match", r.good_match},
          {"top1_probability", r.top1_probability >= 0 ? json(r.top1_probability) : json(nullptr)},
          {"note", match_note(r)},
          {"results", std::move(results)},
          {"candidates_rescored", r.candidates_rescored},
          {"milliseconds", ms}};
}

json gap_report_to_json(const LoadedCatalog& cat, const Job& job, const GapReport& r) {
  json reqs = json::array();
  for (const auto& g : r.requirements) {
    const auto& q = job.requirements[size_t(g.requirement)];
    json best = nullptr;
    if (g.catalog_competency >= 0) {
      const auto& comp = cat.competencies()[size_t(g.catalog_competency)];
      best = {{"competency_id", comp.id}, {"credential_id", comp.credential_id},
              {"text", comp.text}, {"score", g.catalog_best}};
    }
    reqs.push_back({{"text", q.text}, {"importance", to_string(q.importance)},
                    {"status", to_string(g.status)}, {"similarity", g.similarity},
                    {"credit", g.credit}, {"weight", g.weight},
                    {"evidence", g.held_text.empty()
                                     ? json(nullptr)
                                     : json{{"text", g.held_text}, {"source", g.held_source}}},
                    {"covered_by_catalog", g.catalog_covers}, {"best_in_catalog", std::move(best)}});
  }
  return {{"coverage", r.coverage}, {"essential_coverage", r.essential_coverage},
          {"covered", r.covered}, {"partial", r.partial}, {"missing", r.missing},
          {"uncoverable", r.uncoverable}, {"requirements", std::move(reqs)}};
}

json gap_to_json(const LoadedCatalog& cat, const Job& job, const GapConfig& config,
                 const GapThresholds& thresholds, const GapReport& report,
                 const std::vector<std::string>& with_ids, const GapReport* with_report) {
  json out = {{"job", {{"id", job.id}, {"title", job.title}}},
              {"thresholds", {{"covered", config.covered_threshold},
                              {"partial", config.partial_threshold},
                              {"provisional", !thresholds.calibrated},
                              {"calibrated", thresholds.calibrated},
                              {"source", thresholds.note}}},
              {"gap", gap_report_to_json(cat, job, report)}};
  if (with_report) {
    out["with"] = {{"credentials", with_ids}, {"gap", gap_report_to_json(cat, job, *with_report)}};
  }
  return out;
}

json path_to_json(const LoadedCatalog& cat, const Job& job, const GapReport& report,
                  const PathOptions& o, const PathOutcome& outcome) {
  const auto& pp = outcome.problem;
  const auto& plan = outcome.plan;
  auto cred_of = [&](int c) -> const Credential& {
    return cat.credentials()[size_t(pp.credential[size_t(c)])];
  };
  json steps = json::array();
  for (const auto& s : plan.steps) {
    const auto& c = cred_of(s.candidate);
    json improved = json::array(), evidence = json::array();
    for (int r : s.improved) {
      improved.push_back(job.requirements[size_t(r)].text);
      // The competency behind the credit (plan/path_candidates.h CreditEvidence).
      const CreditEvidence& e = pp.evidence[size_t(s.candidate)][size_t(r)];
      evidence.push_back(
          {{"requirement", job.requirements[size_t(r)].text},
           {"competency", e.competency >= 0 ? json(cat.competencies()[size_t(e.competency)].text) : json()},
           {"similarity", e.similarity},
           {"credit", pp.candidates[size_t(s.candidate)].credit[size_t(r)]}});
    }
    const std::optional<double>& rel = pp.relevance[size_t(s.candidate)];
    steps.push_back({{"credential_id", c.id}, {"title", c.title},
                     {"hours", optional_number(c.hours)}, {"cost", optional_number(c.cost)},
                     {"currency", c.currency}, {"prerequisite_only", s.prerequisite_only},
                     {"coverage_after", s.coverage_after}, {"improves", improved},
                     {"evidence", std::move(evidence)},
                     {"relevance", optional_number(rel)},
                     {"relevance_label", rel ? json(std::string(relevance_label(*rel))) : json()},
                     {"most_related", s.candidate == outcome.anchor}});
  }
  const PlanTotals totals = plan_totals(cat, outcome);
  json remaining = json::array();
  for (size_t r = 0; r < outcome.final_credit.size(); ++r) {
    if (outcome.final_credit[r] < 1.0) {
      remaining.push_back({{"text", job.requirements[r].text},
                           {"credit", outcome.final_credit[r]},
                           {"covered_by_catalog", report.requirements[r].catalog_covers}});
    }
  }
  json out = {{"job", {{"id", job.id}, {"title", job.title}}},
              {"status", to_string(plan.status)}, {"message", plan.message},
              {"algorithm", plan.algorithm},
              {"objective", to_string(plan.objective)},
              {"objective_requested", o.objective}, {"objective_note", plan.objective_note},
              {"objective_value", plan.objective_value}, {"lower_bound", plan.lower_bound},
              {"greedy_bound", plan.greedy_bound}, {"total_hours", plan.total_hours},
              {"total_cost", plan.total_cost}, {"coverage_before", plan.coverage_before},
              {"coverage_after", plan.coverage_after}, {"target", plan.target},
              {"reachable", plan.reachable}, {"candidates", pp.candidates.size()},
              {"candidates_source", to_string(pp.source)},
              {"languages", outcome.languages},
              {"hours_known", totals.hours}, {"steps_unknown_hours", totals.unknown_hours},
              {"steps_unknown_cost", totals.unknown_cost},
              {"hours_text", hours_text(totals)}, {"cost_text", cost_text(totals)},
              {"steps", std::move(steps)}, {"remaining", std::move(remaining)}};
  // The planner's goal (plan/planner.h): requirements to close, left open, not improvable.
  auto texts = [&](const std::vector<int>& rs) {
    json a = json::array();
    for (int r : rs) a.push_back(job.requirements[size_t(r)].text);
    return a;
  };
  out["goal"] = to_string(plan.goal);
  out["to_close"] = texts(plan.to_close);
  out["left_open"] = texts(plan.left_open);
  out["not_improvable"] = texts(plan.not_improvable);
  if (o.explain) {
    json ex = json::array();
    for (const auto& e : outcome.explanations) {
      ex.push_back({{"credential_id", cred_of(e.candidate).id}, {"title", cred_of(e.candidate).title},
                    {"chosen", e.chosen},
                    {"coverage_change", e.delta}, {"excluded_by_limits", e.excluded}});
    }
    out["explain"] = ex;
  }
  return out;
}

}  // namespace credmatch::engine::api
