#include "plan/path_candidates.h"

#include <Eigen/Core>
#include <algorithm>
#include <map>
#include <set>

#include "base/error.h"
#include "relevance/features.h"
#include "relevance/training.h"

namespace credmatch::engine {

std::string_view to_string(PathCandidateSource source) {
  switch (source) {
    case PathCandidateSource::kAuto: return "auto";
    case PathCandidateSource::kRelevance: return "relevance";
    case PathCandidateSource::kIndex: return "index";
  }
  return "?";
}

std::optional<PathCandidateSource> parse_path_candidate_source(std::string_view s) {
  for (PathCandidateSource c : {PathCandidateSource::kAuto, PathCandidateSource::kRelevance,
                                PathCandidateSource::kIndex}) {
    if (s == to_string(c)) return c;
  }
  return std::nullopt;
}

void PathCandidateConfig::validate() const {
  CREDMATCH_CHECK(neighbours > 0, "neighbours=" << neighbours);
  CREDMATCH_CHECK(min_relevance >= 0.0 && min_relevance <= 1.0, "min_relevance=" << min_relevance);
  CREDMATCH_CHECK(max_relevant > 0, "max_relevant=" << max_relevant);
  CREDMATCH_CHECK(fallback_count >= 0, "fallback_count=" << fallback_count);
  CREDMATCH_CHECK(fallback_relevance >= 0.0 && fallback_relevance <= min_relevance,
                  "fallback_relevance=" << fallback_relevance << " (at most min_relevance)");
}

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Credentials owning a competency within the `neighbours` nearest of an open requirement that
// reaches the partial threshold.
void add_index_candidates(const LoadedCatalog& catalog, const GapReport& report,
                          const GapConfig& config, int neighbours,
                          std::span<const float> queries, std::set<int32_t>& found) {
  const int d = catalog.encoder().dim();
  std::vector<int64_t> open;
  for (size_t r = 0; r < report.requirements.size(); ++r) {
    if (report.requirements[r].credit < 1.0) open.push_back(int64_t(r));
  }
  const int64_t n_comp = catalog.index().size();
  if (open.empty() || n_comp == 0) return;
  std::vector<float> q(open.size() * size_t(d));
  for (size_t i = 0; i < open.size(); ++i) {
    std::copy_n(queries.begin() + open[i] * d, d, q.begin() + int64_t(i) * d);
  }
  const int k = static_cast<int>(std::min<int64_t>(neighbours, n_comp));
  const auto hits = catalog.index().search(int64_t(open.size()), q, k,
                                           index::SearchParams{.threads = config.search_threads});
  for (size_t i = 0; i < hits.ids.size(); ++i) {
    if (hits.ids[i] >= 0 && hits.scores[i] >= config.partial_threshold) {
      found.insert(catalog.credential_of(hits.ids[i]));
    }
  }
}

}  // namespace

PathProblem build_path_problem(const LoadedCatalog& catalog, const Job& job,
                               const WorkerProfile& profile, const GapReport& report,
                               const GapConfig& config, const PathCandidateConfig& candidates,
                               const std::vector<int32_t>& extra) {
  candidates.validate();
  CREDMATCH_CHECK(report.requirements.size() == job.requirements.size(),
                  "report.requirements=" << report.requirements.size()
                                         << " job.requirements=" << job.requirements.size());
  PathProblem out;
  for (const auto& g : report.requirements) {
    out.requirements.push_back(
        {g.weight, g.credit, job.requirements[size_t(g.requirement)].importance == Importance::kEssential});
  }
  const RelevanceScorer* scorer = candidates.relevance ? candidates.relevance : catalog.relevance();
  out.source = candidates.source;
  if (out.source == PathCandidateSource::kAuto) {
    // Only a model fitted with this catalog's encoder has calibrated probabilities to cut at;
    // shipped weights on another encoder rank, but their P(relevant) means little.
    const bool calibrated = scorer && scorer->model().encoder_id == catalog.encoder().id();
    out.source = calibrated ? PathCandidateSource::kRelevance : PathCandidateSource::kIndex;
  }
  if (out.source == PathCandidateSource::kRelevance && scorer == nullptr) {
    throw Error("candidates \"relevance\": this catalog has no relevance model (its build "
                "skipped it); use \"index\" or \"auto\"");
  }

  std::set<int32_t> held;
  for (const auto& id : profile.completed) {
    if (auto c = catalog.find_credential(id)) held.insert(*c);
  }
  const size_t n_req = job.requirements.size();
  const int d = catalog.encoder().dim();
  std::vector<std::string> texts;
  for (const auto& q : job.requirements) texts.push_back(q.text);
  std::vector<float> queries(n_req * size_t(d));
  catalog.encoder().encode(texts, queries);

  std::set<int32_t> found(extra.begin(), extra.end());
  std::map<int32_t, double> relevance_of;
  const auto& langs = candidates.languages;
  auto language_allowed = [&](int32_t c) {
    const std::string& l = catalog.credentials()[size_t(c)].language;
    return langs.empty() || l.empty() || std::find(langs.begin(), langs.end(), l) != langs.end();
  };
  if (out.source == PathCandidateSource::kRelevance) {
    const std::vector<float> scores = scorer->score_all(
        make_job_profile(job, catalog.encoder(), queries, scorer->job_parts()),
        config.search_threads);
    out.considered = int64_t(scores.size());
    int taken = 0;
    for (int32_t c : rank_by_score(scores)) {  // most related first
      if (taken == candidates.max_relevant) break;
      const double p = scorer->model().probability(scores[size_t(c)]);
      if (p < candidates.fallback_relevance) break;
      if (p < candidates.min_relevance && taken >= candidates.fallback_count) break;
      if (held.count(c) || !language_allowed(c)) continue;
      relevance_of[c] = p;
      found.insert(c);
      ++taken;
    }
  } else {
    add_index_candidates(catalog, report, config, candidates.neighbours, queries, found);
  }
  for (int32_t c : held) found.erase(c);
  std::erase_if(found, [&](int32_t c) {
    return !language_allowed(c) && std::find(extra.begin(), extra.end(), c) == extra.end();
  });
  // Prerequisites, transitively (the store guarantees they exist; skip any that do not).
  std::vector<int32_t> stack(found.begin(), found.end());
  while (!stack.empty()) {
    const int32_t c = stack.back();
    stack.pop_back();
    for (const auto& pid : catalog.credentials()[size_t(c)].prerequisites) {
      auto p = catalog.find_credential(pid);
      if (p && !held.count(*p) && found.insert(*p).second) stack.push_back(*p);
    }
  }

  const Eigen::Map<const RowMatrix> q_all(queries.data(), Eigen::Index(n_req), d);
  std::map<int32_t, int> position;
  for (int32_t c : found) {
    position[c] = static_cast<int>(out.candidates.size());
    const Credential& cred = catalog.credentials()[size_t(c)];
    PlanCandidate k;
    k.id = cred.id;
    k.hours = cred.hours;
    k.cost = cred.cost;
    k.language = cred.language;
    // Exact similarities of every competency of c to every requirement: one matrix-vector
    // product per competency (Eigen vectorises it; a plain float loop is not vectorised at -O2).
    std::vector<CreditEvidence> best(n_req, CreditEvidence{-1, -1.0f});
    for (int64_t p : catalog.competencies_of(c)) {
      const Eigen::Map<const Eigen::VectorXf> v(catalog.competency_vector(p), d);
      const Eigen::VectorXf s = q_all * v;
      for (size_t r = 0; r < n_req; ++r) {
        if (s[Eigen::Index(r)] > best[r].similarity) best[r] = {p, s[Eigen::Index(r)]};
      }
    }
    // Relevance route: a credential added only as a prerequisite earns no credit, so that the
    // planner takes it as a prerequisite of a related one, never for itself.
    const bool prerequisite_only =
        out.source == PathCandidateSource::kRelevance && !relevance_of.count(c) &&
        std::find(extra.begin(), extra.end(), c) == extra.end();
    for (size_t r = 0; r < n_req; ++r) {
      k.credit.push_back(best[r].competency < 0 || prerequisite_only
                             ? 0.0
                             : gap_credit(best[r].similarity, config));
    }
    out.candidates.push_back(std::move(k));
    out.credential.push_back(c);
    out.evidence.push_back(std::move(best));
    const auto rel = relevance_of.find(c);
    out.relevance.push_back(rel == relevance_of.end() ? std::nullopt
                                                      : std::optional<double>(rel->second));
  }
  for (size_t i = 0; i < out.candidates.size(); ++i) {
    for (const auto& pid : catalog.credentials()[size_t(out.credential[i])].prerequisites) {
      auto p = catalog.find_credential(pid);
      if (p && position.count(*p)) out.candidates[i].prerequisites.push_back(position[*p]);
    }
  }
  return out;
}

}  // namespace credmatch::engine
