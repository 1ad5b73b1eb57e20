#include "plan/path_candidates.h"

#include <Eigen/Core>
#include <algorithm>
#include <map>
#include <set>

#include "base/error.h"

namespace credmatch::engine {

PathProblem build_path_problem(const LoadedCatalog& catalog, const Job& job,
                               const WorkerProfile& profile, const GapReport& report,
                               const GapConfig& config, int neighbours,
                               const std::vector<int32_t>& extra) {
  CREDMATCH_CHECK(neighbours > 0, "neighbours=" << neighbours);
  CREDMATCH_CHECK(report.requirements.size() == job.requirements.size(),
                  "report.requirements=" << report.requirements.size()
                                         << " job.requirements=" << job.requirements.size());
  PathProblem out;
  for (const auto& g : report.requirements) {
    out.requirements.push_back(
        {g.weight, g.credit, job.requirements[size_t(g.requirement)].importance == Importance::kEssential});
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

  // Retrieval: credentials owning a near competency of an open requirement.
  std::set<int32_t> found(extra.begin(), extra.end());
  std::vector<int64_t> open;
  for (size_t r = 0; r < n_req; ++r) {
    if (report.requirements[r].credit < 1.0) open.push_back(int64_t(r));
  }
  const int64_t n_comp = catalog.index().size();
  if (!open.empty() && n_comp > 0) {
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
  for (int32_t c : held) found.erase(c);
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

  const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
      q_all(queries.data(), Eigen::Index(n_req), d);  // n_req x d, row r = requirement r
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
    Eigen::VectorXf best = Eigen::VectorXf::Constant(Eigen::Index(n_req), -1.0f);
    for (int64_t p : catalog.competencies_of(c)) {
      const Eigen::Map<const Eigen::VectorXf> v(catalog.competency_vector(p), d);
      best = best.cwiseMax(q_all * v);
    }
    for (size_t r = 0; r < n_req; ++r) k.credit.push_back(gap_credit(best[Eigen::Index(r)], config));
    out.candidates.push_back(std::move(k));
    out.credential.push_back(c);
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
