#include "match/evidence.h"

#include <algorithm>
#include <cstdio>

#include "text/normalize.h"

namespace credmatch::engine {
namespace {

// The words of wa that wb contains, once each, in wa's order. Statements are short (tens of
// words), so linear searches beat building a hash set.
std::vector<std::string> common_words(const std::vector<std::string>& wa,
                                      const std::vector<std::string>& wb) {
  std::vector<std::string> out;
  for (const std::string& w : wa) {
    if (std::find(wb.begin(), wb.end(), w) != wb.end() &&
        std::find(out.begin(), out.end(), w) == out.end()) {
      out.push_back(w);
    }
  }
  return out;
}

std::string format_score(float s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(s));
  return buf;
}

}  // namespace

// Declared in match/matcher.h (public).
std::vector<std::string> shared_terms(const std::string& a, const std::string& b) {
  return common_words(content_words(a), content_words(b));
}

EvidenceWriter::EvidenceWriter(const LoadedCatalog& catalog, const Job& job, float threshold)
    : catalog_(catalog),
      job_(job),
      threshold_(threshold),
      requirement_words_(job.requirements.size()) {
  for (size_t r = 0; r < requirement_words_.size(); ++r) {
    requirement_words_[r] = content_words(job.requirements[r].text);
  }
}

CredentialMatch EvidenceWriter::explain(int32_t c, double score,
                                        const BestCompetencies& best) const {
  CredentialMatch m;
  m.credential = c;
  m.score = score;
  for (size_t r = 0; r < job_.requirements.size(); ++r) {
    Evidence ev = evidence_for(r, best.best[r], best.argbest[r]);
    const bool essential = job_.requirements[r].importance == Importance::kEssential;
    (essential ? m.essential_total : m.optional_total) += 1;
    if (ev.covered) (essential ? m.essential_covered : m.optional_covered) += 1;
    m.evidence.push_back(std::move(ev));
  }
  return m;
}

Evidence EvidenceWriter::evidence_for(size_t r, float best, int64_t competency) const {
  Evidence ev;
  ev.requirement = static_cast<int>(r);
  ev.competency = competency;
  ev.score = competency >= 0 ? best : 0.0f;
  ev.covered = ev.competency >= 0 && ev.score >= threshold_;
  if (ev.competency >= 0) {
    const IndexedCompetency& comp = catalog_.competencies()[size_t(ev.competency)];
    ev.competency_id = comp.id;
    ev.competency_text = comp.text;
    ev.shared_terms =
        common_words(requirement_words_[r], catalog_.competency_words(ev.competency));
  }
  if (ev.covered) {
    ev.why = "similarity " + format_score(ev.score) + " >= threshold " + format_score(threshold_);
    if (!ev.shared_terms.empty()) {
      ev.why += "; shared terms:";
      for (size_t i = 0; i < ev.shared_terms.size(); ++i) {
        ev.why += (i ? ", " : " ") + ev.shared_terms[i];
      }
    }
  } else if (ev.competency >= 0) {
    ev.why = "no match: best competency scores " + format_score(ev.score) + " < threshold " +
             format_score(threshold_);
  } else {
    ev.why = "no match: the credential lists no competency";
  }
  return ev;
}

}  // namespace credmatch::engine
