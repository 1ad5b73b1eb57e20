#include "plan/gap.h"

#include <algorithm>

#include "base/error.h"
#include "index/kernels/scan_kernels.h"
#include "match/job_input.h"
#include "text/normalize.h"

namespace credmatch::engine {

void GapConfig::validate() const {
  CREDMATCH_CHECK(covered_threshold >= -1.0f && covered_threshold <= 1.0f,
                  "covered_threshold=" << covered_threshold);
  CREDMATCH_CHECK(partial_threshold >= -1.0f && partial_threshold <= covered_threshold,
                  "partial_threshold=" << partial_threshold
                                       << " covered_threshold=" << covered_threshold);
  CREDMATCH_CHECK(covered_threshold > 0.0f, "covered_threshold=" << covered_threshold);
  CREDMATCH_CHECK(essential_weight > 0.0f, "essential_weight=" << essential_weight);
  CREDMATCH_CHECK(optional_weight >= 0.0f, "optional_weight=" << optional_weight);
  CREDMATCH_CHECK(search_threads >= 0, "search_threads=" << search_threads);
}

std::string_view to_string(GapStatus status) {
  switch (status) {
    case GapStatus::kCovered: return "covered";
    case GapStatus::kPartial: return "partial";
    case GapStatus::kMissing: return "missing";
  }
  return "?";
}

double gap_credit(float s, const GapConfig& config) {
  if (s >= config.covered_threshold) return 1.0;
  // Partial credit rises from 0 at the partial threshold to half at the covered one: related
  // work is worth less than the skill itself, and a pair just above the partial threshold
  // (a noisy neighbour) earns almost nothing.
  if (s >= config.partial_threshold && config.covered_threshold > config.partial_threshold) {
    return kPartialCreditCap * (double(s) - config.partial_threshold) /
           (double(config.covered_threshold) - config.partial_threshold);
  }
  return 0.0;
}

GapAnalyzer::GapAnalyzer(const LoadedCatalog& catalog, GapConfig config)
    : catalog_(catalog), config_(config) {
  config_.validate();
}

Result<GapReport> GapAnalyzer::analyze(const Job& job, const WorkerProfile& profile) const {
  const auto& reqs = job.requirements;
  CREDMATCH_RETURN_IF_ERROR(check_job(job));
  std::vector<int32_t> completed;
  for (size_t i = 0; i < profile.completed.size(); ++i) {
    auto c = catalog_.find_credential(profile.completed[i]);
    if (!c) {
      return Status::not_found("completed[" + std::to_string(i) + "]: unknown credential \"" +
                               profile.completed[i] + "\"");
    }
    completed.push_back(*c);
  }
  auto held = resolve_skill_statements(profile, catalog_.store());
  if (!held) return held.status();

  const int d = catalog_.encoder().dim();
  std::vector<std::string> texts;
  for (const auto& q : reqs) texts.push_back(q.text);
  for (const auto& h : *held) texts.push_back(h.text);
  std::vector<float> vecs(texts.size() * size_t(d));
  catalog_.encoder().encode(texts, vecs);
  const float* req_vecs = vecs.data();
  const float* held_vecs = vecs.data() + reqs.size() * size_t(d);

  GapReport out;
  double total_w = 0, got_w = 0, ess_total = 0, ess_got = 0;
  for (size_t r = 0; r < reqs.size(); ++r) {
    RequirementGap g;
    g.requirement = static_cast<int>(r);
    g.weight = reqs[r].importance == Importance::kEssential ? config_.essential_weight
                                                             : config_.optional_weight;
    const float* q = req_vecs + r * size_t(d);
    bool any = false;
    auto consider = [&](float s, const std::string& text, const std::string& source) {
      if (!any || s > g.similarity) {
        any = true;
        g.similarity = s;
        g.held_text = text;
        g.held_source = source;
      }
    };
    for (size_t h = 0; h < held->size(); ++h) {
      consider(index::scan::dot_in_order(q, held_vecs + h * size_t(d), d), (*held)[h].text, (*held)[h].source);
    }
    for (int32_t c : completed) {
      for (int64_t p : catalog_.competencies_of(c)) {
        const auto& comp = catalog_.competencies()[size_t(p)];
        consider(index::scan::dot_in_order(q, catalog_.competency_vector(p), d), comp.text,
                 "completed " + comp.credential_id + " (" + comp.id + ")");
      }
    }
    if (!any) g.similarity = 0.0f;
    g.credit = any ? gap_credit(g.similarity, config_) : 0.0;
    g.status = g.credit >= 1.0 ? GapStatus::kCovered
               : g.credit > 0.0 ? GapStatus::kPartial
                                : GapStatus::kMissing;
    out.covered += g.status == GapStatus::kCovered;
    out.partial += g.status == GapStatus::kPartial;
    out.missing += g.status == GapStatus::kMissing;
    total_w += g.weight;
    got_w += g.weight * g.credit;
    if (reqs[r].importance == Importance::kEssential) {
      ess_total += g.weight;
      ess_got += g.weight * g.credit;
    }
    out.requirements.push_back(std::move(g));
  }
  out.coverage = total_w > 0 ? got_w / total_w : 0.0;
  out.essential_coverage = ess_total > 0 ? ess_got / ess_total : 1.0;

  // The catalog's best competency per requirement (the index is exact for "Flat").
  if (catalog_.index().size() > 0) {
    const index::SearchResult hits = catalog_.index().search(
        static_cast<int64_t>(reqs.size()), std::span<const float>(req_vecs, reqs.size() * size_t(d)),
        1, index::SearchParams{.threads = config_.search_threads});
    for (size_t r = 0; r < reqs.size(); ++r) {
      auto& g = out.requirements[r];
      if (hits.ids[r] < 0) continue;
      g.catalog_best = hits.scores[r];
      g.catalog_competency = hits.ids[r];
      g.catalog_covers = g.catalog_best >= config_.covered_threshold;
      g.catalog_partial = g.catalog_best >= config_.partial_threshold;
    }
  }
  for (const auto& g : out.requirements) {
    out.uncoverable += g.status != GapStatus::kCovered && !g.catalog_covers;
  }
  return out;
}

}  // namespace credmatch::engine
