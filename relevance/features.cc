#include "relevance/features.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "relevance/title_terms.h"

namespace credmatch::engine {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr std::string_view kJobSides = "tmwk";
constexpr std::string_view kZPrefix = "jz_";
constexpr std::string_view kCredentialSides = "tdwm";
constexpr std::array<std::string_view, 14> kLexical = {
    "dense_pp",       "char_ww",        "word_ww",        "char_tw",        "char_tt",        "tcov_ct_in_jt",
    "tcov_ct_in_jw",  "tcov_jt_in_ct",  "tcov4_ct_in_jt", "tcov4_ct_in_jw",
    "tcov4_jt_in_ct", "tcovd_ct_in_jt", "tcovd_ct_in_jw", "tcovd_jt_in_ct"};
constexpr std::string_view kTcovPrefixes[] = {"tcov_", "tcov4_", "tcovd_"};  // kTitleStyles order

// The plain feature computations of compute_features (no jz_ prefix).
using CredentialTerms = std::array<std::vector<std::vector<std::string>>, std::size(kTitleStyles)>;
void compute_one(const CredentialProfiles& profiles, const JobProfile& job,
                 std::string_view name, std::span<float> out, CredentialTerms& credential_terms);
bool is_plain_feature(std::string_view name);

// out[c] = Σ idf(t) over the job terms t in c's title / Σ idf(t) over the job terms.
void job_title_coverage(const TitleTermIndex& index, std::span<const std::string> job_terms,
                        std::span<const std::vector<std::string>> credential_terms,
                        std::span<float> out) {
  double mass = 0.0;
  for (const std::string& t : job_terms) mass += index.idf(t);
  for (size_t c = 0; c < out.size(); ++c) {
    double hit = 0.0;
    for (const std::string& t : job_terms) {
      if (std::binary_search(credential_terms[c].begin(), credential_terms[c].end(), t)) {
        hit += index.idf(t);
      }
    }
    out[c] = mass > 0 ? static_cast<float>(hit / mass) : 0.0f;
  }
}

}  // namespace

bool parse_dense_feature(std::string_view name, char* job_side, char* credential_side) {
  if (name.size() != 8 || !name.starts_with("dense_")) return false;
  if (kJobSides.find(name[6]) == std::string_view::npos) return false;
  if (kCredentialSides.find(name[7]) == std::string_view::npos) return false;
  *job_side = name[6];
  *credential_side = name[7];
  return true;
}

std::vector<std::string> known_features() {
  std::vector<std::string> out;
  for (char j : kJobSides) {
    for (char c : kCredentialSides) out.push_back(std::string("dense_") + j + c);
  }
  for (std::string_view l : kLexical) out.emplace_back(l);
  const size_t plain = out.size();
  for (size_t i = 0; i < plain; ++i) out.push_back(std::string(kZPrefix) + out[i]);
  return out;
}

namespace {
bool is_plain_feature(std::string_view name) {
  char j = 0, c = 0;
  return parse_dense_feature(name, &j, &c) ||
         std::find(kLexical.begin(), kLexical.end(), name) != kLexical.end();
}
// A (jz_-prefixed) plain feature, the operand of a product.
bool is_operand(std::string_view name) {
  if (name.starts_with(kZPrefix)) name.remove_prefix(kZPrefix.size());
  return is_plain_feature(name);
}
}  // namespace

bool is_known_feature(std::string_view name) {
  const size_t star = name.find('*');
  if (star != std::string_view::npos) {
    return is_operand(name.substr(0, star)) && is_operand(name.substr(star + 1));
  }
  return is_operand(name);
}

std::span<const float> JobProfile::vector(char job_side) const {
  switch (job_side) {
    case 't': return title_vector;
    case 'm': return requirement_centroid;
    case 'w': return whole_vector;
  }
  CREDMATCH_CHECK(false, "job side '" << job_side << "'");
  return {};
}

std::span<const float> credential_matrix(const CredentialProfiles& p, char side) {
  switch (side) {
    case 't': return p.title_vectors();
    case 'd': return p.description_vectors();
    case 'w': return p.whole_vectors();
    case 'm': return p.competency_centroids();
  }
  CREDMATCH_CHECK(false, "credential side '" << side << "'");
  return {};
}

std::string job_whole_text(const Job& job) {
  std::string out = strip_except_clause(job.title);
  for (const Requirement& r : job.requirements) out.append(" ").append(r.text);
  return out;
}

JobProfileParts JobProfileParts::for_features(std::span<const std::string> names) {
  JobProfileParts parts;
  parts.title_parts = false;
  parts.term_styles.fill(false);
  auto note = [&parts](std::string_view operand) {
    if (operand.starts_with(kZPrefix)) operand.remove_prefix(kZPrefix.size());
    if (operand == "dense_pp") parts.title_parts = true;
    for (size_t style = 0; style < std::size(kTcovPrefixes); ++style) {
      if (operand.starts_with(kTcovPrefixes[style])) parts.term_styles[style] = true;
    }
  };
  for (std::string_view name : names) {
    const size_t star = name.find('*');
    note(name.substr(0, star));
    if (star != std::string_view::npos) note(name.substr(star + 1));
  }
  return parts;
}

JobProfile make_job_profile(const Job& job, const Encoder& encoder,
                            std::span<const float> requirement_vectors,
                            const JobProfileParts& parts) {
  JobProfile p;
  p.title = strip_except_clause(job.title);
  p.whole_text = job_whole_text(job);
  const size_t dim = static_cast<size_t>(encoder.dim());
  const size_t reqs = job.requirements.size();
  // The requirements are encoded here unless the caller (the matcher) already has them.
  std::vector<std::string> texts = {p.title, p.whole_text};
  if (requirement_vectors.empty()) {
    for (const Requirement& r : job.requirements) texts.push_back(r.text);
  } else {
    CREDMATCH_CHECK(requirement_vectors.size() == reqs * dim,
                    "requirement vectors: " << requirement_vectors.size() << " floats for " << reqs
                                            << " requirements of dim " << dim);
  }
  std::vector<float> e(texts.size() * dim);
  encoder.encode(texts, e);
  p.title_vector.assign(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(dim));
  p.whole_vector.assign(e.begin() + static_cast<std::ptrdiff_t>(dim),
                        e.begin() + static_cast<std::ptrdiff_t>(2 * dim));
  if (requirement_vectors.empty()) {
    p.requirement_vectors.assign(e.begin() + static_cast<std::ptrdiff_t>(2 * dim), e.end());
  } else {
    p.requirement_vectors.assign(requirement_vectors.begin(), requirement_vectors.end());
  }
  std::vector<double> mean(dim, 0.0);
  for (size_t r = 0; r < reqs; ++r) {
    for (size_t k = 0; k < dim; ++k) mean[k] += p.requirement_vectors[r * dim + k];
  }
  double n2 = 0.0;
  for (double v : mean) n2 += v * v;  // the mean's direction: its 1/reqs factor cancels
  p.requirement_centroid.assign(dim, 0.0f);
  if (n2 > 0) {
    const double inv = 1.0 / std::sqrt(n2);
    for (size_t k = 0; k < dim; ++k) p.requirement_centroid[k] = static_cast<float>(mean[k] * inv);
  }
  if (parts.title_parts) {
    const std::vector<std::string> title = title_parts(p.title);
    p.title_part_vectors.assign(title.size() * dim, 0.0f);
    encoder.encode(title, p.title_part_vectors);
  }
  for (size_t i = 0; i < std::size(kTitleStyles); ++i) {
    if (!parts.term_styles[i]) continue;
    p.title_terms[i] = title_terms(p.title, kTitleStyles[i]);
    p.whole_terms[i] = title_terms(p.whole_text, kTitleStyles[i]);
  }
  return p;
}

namespace {

void compute_one(const CredentialProfiles& profiles, const JobProfile& job,
                 std::string_view name, std::span<float> out, CredentialTerms& credential_terms) {
  const int64_t n = profiles.size();
  const int dim = profiles.dim();
  char js = 0, cs = 0;
  if (parse_dense_feature(name, &js, &cs)) {
    const Eigen::Map<const RowMatrix> m(credential_matrix(profiles, cs).data(), n, dim);
    Eigen::Map<Eigen::VectorXf> o(out.data(), n);
    if (js != 'k') {
      const Eigen::Map<const Eigen::VectorXf> v(job.vector(js).data(), dim);
      o.noalias() = m * v;
      return;
    }
    // best requirement: max over the rows of R × N similarities
    const Eigen::Index reqs = Eigen::Index(job.requirement_vectors.size()) / dim;
    if (reqs == 0) {
      o.setZero();
      return;
    }
    const Eigen::Map<const RowMatrix> r(job.requirement_vectors.data(), reqs, dim);
    const RowMatrix sims = r * m.transpose();  // reqs × n
    o = sims.colwise().maxCoeff().transpose();
    return;
  }
  if (name == "dense_pp") {
    const Eigen::Index jp = Eigen::Index(job.title_part_vectors.size()) / dim;
    const std::span<const int64_t> off = profiles.title_part_offsets();
    const Eigen::Index cp = Eigen::Index(off.back());
    const Eigen::Map<const RowMatrix> a(job.title_part_vectors.data(), jp, dim);
    const Eigen::Map<const RowMatrix> b(profiles.title_part_vectors().data(), cp, dim);
    const Eigen::VectorXf best = (a * b.transpose()).colwise().maxCoeff().transpose();
    for (int64_t c = 0; c < n; ++c) {
      float m = 0.0f;
      for (int64_t q = off[size_t(c)]; q < off[size_t(c) + 1]; ++q) {
        m = q == off[size_t(c)] ? best[q] : std::max(m, best[q]);
      }
      out[size_t(c)] = m;
    }
  } else if (name == "word_ww") {
    const std::vector<float> s = profiles.whole_word().score_all(job.whole_text);
    std::copy(s.begin(), s.end(), out.begin());
  } else if (name == "char_ww" || name == "char_tw") {
    const std::vector<float> s =
        profiles.whole_char().score_all(name == "char_ww" ? job.whole_text : job.title);
    std::copy(s.begin(), s.end(), out.begin());
  } else if (name == "char_tt") {
    const std::vector<float> s = profiles.title_char().score_all(job.title);
    std::copy(s.begin(), s.end(), out.begin());
  } else if (name.starts_with("tcov")) {
    size_t style = 0;
    while (!name.starts_with(kTcovPrefixes[style])) ++style;
    const TitleTermIndex& index = profiles.title_term_index(style);
    const std::string_view kind = name.substr(kTcovPrefixes[style].size());
    const auto& jt = job.title_terms[style];
    if (kind == "ct_in_jt" || kind == "ct_in_jw") {
      index.coverage(kind == "ct_in_jt" ? jt : job.whole_terms[style], out);
    } else {
      auto& terms = credential_terms[style];
      if (terms.empty()) {
        for (const CredentialText& c : profiles.credentials()) {
          terms.push_back(title_terms(c.title, kTitleStyles[style]));
        }
      }
      job_title_coverage(index, jt, terms, out);
    }
  } else {
    CREDMATCH_CHECK(false, "unknown relevance feature '" << name << "'");
  }
}

}  // namespace

PairFeatures compute_features(const CredentialProfiles& profiles, const JobProfile& job,
                              std::span<const std::string> names) {
  const int64_t n = profiles.size();
  const int dim = profiles.dim();
  CREDMATCH_CHECK(static_cast<int>(job.title_vector.size()) == dim,
                  "job vectors of dim " << job.title_vector.size() << ", profiles of dim " << dim);
  PairFeatures t;
  t.names.assign(names.begin(), names.end());
  t.credentials = n;
  t.values.assign(names.size() * size_t(n), 0.0f);
  CredentialTerms terms;  // credential title terms, on demand
  // One operand (jz_-prefixed or plain) into `out`.
  auto operand = [&](std::string_view name, std::span<float> out) {
    const bool z = name.starts_with(kZPrefix);
    compute_one(profiles, job, z ? name.substr(kZPrefix.size()) : name, out, terms);
    if (!z || n == 0) return;
    double sum = 0, sum2 = 0;
    for (float v : out) {
      sum += v;
      sum2 += double(v) * v;
    }
    const double mean = sum / double(n);
    const double sd = std::sqrt(std::max(0.0, sum2 / double(n) - mean * mean));
    for (float& v : out) v = sd > 0 ? static_cast<float>((v - mean) / sd) : 0.0f;
  };
  std::vector<float> other;
  for (size_t f = 0; f < names.size(); ++f) {
    const std::string_view name = names[f];
    CREDMATCH_CHECK(is_known_feature(name), "unknown relevance feature '" << name << "'");
    std::span<float> out = std::span<float>(t.values).subspan(f * size_t(n), size_t(n));
    const size_t star = name.find('*');
    if (star == std::string_view::npos) {
      operand(name, out);
      continue;
    }
    operand(name.substr(0, star), out);
    other.assign(size_t(n), 0.0f);
    operand(name.substr(star + 1), other);
    for (size_t c = 0; c < size_t(n); ++c) out[c] *= other[c];
  }
  return t;
}

}  // namespace credmatch::engine
