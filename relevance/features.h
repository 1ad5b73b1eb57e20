// The relevance model's features of (job, credential) pairs, computed for one job against
// every credential of a CredentialProfiles at once (docs/quality.md, "Employer task").
//
// Job side (JobProfile): T = strip_except_clause(title) (relevance/title_terms.h); Wj = T + " "
// + the requirement texts joined by spaces; E(T), E(Wj); Jm = unit(mean of E(requirement)).
//
// Feature names (all similarities are inner products of unit vectors, i.e. cosines):
//   dense_XY       X: t = E(T), m = Jm, w = E(Wj)  ·  Y: t = E(title), d = E(description),
//                  w = E(whole text), m = Cm (relevance/credential_profiles.h); 12 features;
//                  X = k: the best requirement, max_r E(r) · Y (4 more)
//   char_ww        char n-gram TF-IDF cosine of Wj and the whole text (idf: whole texts)
//   word_ww        word 1-2-gram TF-IDF cosine of Wj and the whole text (idf: whole texts)
//   char_tw        the same for T and the whole text
//   char_tt        the same for T and the title (idf: titles)
//   tcov_ct_in_jt  coverage of the credential's title terms by T's title terms
//   tcov_ct_in_jw  the same by Wj's title terms (relevance/title_terms.h)
//   tcov_jt_in_ct  Σ idf of T's title terms found in the credential's title / Σ idf of T's
//   tcov4_*        the tcov_* features with title terms cut to 4 code points ("nurs")
//   tcovd_*        the tcov_* features with derive_stem()'d title terms (title_terms.h)
//   jz_NAME        feature NAME standardised over the job's credentials (per-job z-score)
//   dense_pp       max over the parts p of T and q of the credential title of E(p) · E(q)
//                  (title_parts(): the titles and their comma / slash / "and" parts)
//   A*B            the product of features A and B (neither a product itself)
// The default model uses kDefaultFeatures.
//
// Thread safety: pure functions of their (const) arguments; safe from several threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "encode/encoder.h"
#include "relevance/credential_profiles.h"
#include "store/records.h"

namespace credmatch::engine {

/// The eight features of the shipped model, in its order.
inline constexpr std::array<std::string_view, 8> kDefaultFeatures = {
    "dense_tt", "dense_mw", "tcov_ct_in_jt", "dense_tm",
    "dense_mm", "dense_wd", "tcov_ct_in_jw", "char_ww"};

/// Every name compute_features() knows (see file comment).
std::vector<std::string> known_features();
bool is_known_feature(std::string_view name);

/// For a dense feature "dense_XY": the job side X ('t', 'm', 'w', 'k') and the credential
/// matrix Y ('t', 'd', 'w', 'm'); false for any other name.
bool parse_dense_feature(std::string_view name, char* job_side, char* credential_side);

/// The job side of the features (see file comment).
struct JobProfile {
  std::string title;                        // T
  std::string whole_text;                   // Wj
  std::vector<float> title_vector;          // E(T), dim
  std::vector<float> requirement_centroid;  // Jm, dim (zero without requirements)
  std::vector<float> whole_vector;          // E(Wj), dim
  std::vector<float> requirement_vectors;   // E(r) of every requirement, R × dim
  std::vector<float> title_part_vectors;    // E(part) of title_parts(T), parts × dim
  /// Title terms of T and of Wj, one list per style of kTitleStyles
  /// (relevance/credential_profiles.h): [0] the shipped features'.
  std::array<std::vector<std::string>, std::size(kTitleStyles)> title_terms, whole_terms;

  /// The job vector of a dense feature's job side ('t', 'm' or 'w').
  std::span<const float> vector(char job_side) const;
};

/// The optional parts of a JobProfile, each computed only when a feature reads it: a match
/// pays for what its model uses (the shipped model reads no title part and one term style).
struct JobProfileParts {
  bool title_parts = true;                                      // title_part_vectors (dense_pp)
  std::array<bool, std::size(kTitleStyles)> term_styles{true, true, true};  // tcov*_ features

  /// Just what the features `names` (each known_features(), products and jz_ included) read.
  static JobProfileParts for_features(std::span<const std::string> names);
};

/// Wj (see file comment): the job's title without its except clause, then its requirement
/// texts, joined by spaces; what the whole-document features and peers read of a job.
std::string job_whole_text(const Job& job);

/// Every requirement counts, essential or optional (the employer task's are all essential).
/// `requirement_vectors`: E(r) of every requirement (R × dim, from `encoder`) when the caller
/// has them already, or empty (encoded here). Parts left out by `parts` stay empty.
JobProfile make_job_profile(const Job& job, const Encoder& encoder,
                            std::span<const float> requirement_vectors = {},
                            const JobProfileParts& parts = {});

/// Features of one job against every credential: column f (names[f]) holds size() values,
/// credential order.
struct PairFeatures {
  std::vector<std::string> names;
  int64_t credentials = 0;
  std::vector<float> values;  // names.size() × credentials, column after column

  std::span<const float> column(size_t f) const {
    return std::span<const float>(values).subspan(f * size_t(credentials), size_t(credentials));
  }
};

/// The named features (each known_features()) of `job` against every credential. Throws
/// credmatch::Error for an unknown name or a profile made with another dimension.
PairFeatures compute_features(const CredentialProfiles& profiles, const JobProfile& job,
                              std::span<const std::string> names);

/// The N × dim credential matrix of a dense feature's credential side ('t', 'd', 'w', 'm').
std::span<const float> credential_matrix(const CredentialProfiles& profiles, char side);

}  // namespace credmatch::engine
