// CredentialProfiles: the catalog side of the relevance model (relevance/relevance_model.h),
// computed once for N credentials from their texts and the catalog's encoder:
//
//   title_vectors          E(title)                                N × dim, row-major
//   description_vectors    E(description)                          N × dim
//   whole_vectors          E(whole text)                           N × dim
//   competency_centroids   Cm = unit(Σ of the competency vectors)  N × dim (zero row: none)
//   whole_char()           char n-gram TF-IDF (text/lexical.h CharTfidfRanker) over the whole
//                          texts: idf from the credentials' whole texts only
//   title_char()           the same over the titles (idf from the titles)
//   whole_word()           word 1-2-gram TF-IDF (text/lexical.h WordTfidfRanker) over the whole
//                          texts
//   title_part_vectors()   E(part) of every part of every title (title_parts(): the title and
//                          its comma / slash / "and" parts), credential after credential
//   title_term_index(s)    title terms (styles: 5 code points, 4, or 5 after derive_stem())
//                          and their idf over the titles (relevance/title_terms.h)
//
// whole text = title + " " + description + " " + the matchable (teaches, assesses) competency
// texts in their order, joined by spaces. E(·) is Encoder::encode (unit rows, or zero rows
// for texts without a known feature).
//
// Persisting: save() writes the dense part (the four matrices, about 4 · N · dim · 4 bytes:
// 45 MB for the default catalog) in the self-checking container of base/binary_file.h, kind
// "relevance:profiles", with the encoder id and a fingerprint of the texts; load() refuses a
// file made with another encoder or from other texts (kMismatch) and rebuilds the lexical part
// from the texts (about a second for the default catalog), so a catalog build can store the
// profiles instead of re-encoding at every open.
//
// Thread safety: immutable after build()/load(); every const method is safe from several
// threads.
//
// Usage:
//   std::vector<CredentialText> texts = ...;   // one per credential
//   CredentialProfiles p = CredentialProfiles::build(texts, encoder);
//   CREDMATCH_RETURN_IF_ERROR(p.save(dir + "/relevance_profiles.bin"));
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "encode/encoder.h"
#include "relevance/title_terms.h"
#include "text/lexical.h"

namespace credmatch::engine {

/// What the relevance model reads of one credential.
struct CredentialText {
  std::string title;
  std::string description;
  std::vector<std::string> competencies;  // matchable competency texts, in the catalog's order
};

/// title + " " + description + " " + competencies joined by " " (see file comment).
std::string credential_whole_text(const CredentialText& credential);

/// 64-bit FNV-1a over every field of every credential, in order (separators included): what
/// a profiles file records, so it is never used with other texts.
uint64_t credential_texts_fingerprint(std::span<const CredentialText> credentials);

/// The title-term styles the features use (relevance/features.h tcov_, tcov4_, tcovd_).
inline constexpr TitleTermStyle kTitleStyles[] = {{5, false}, {4, false}, {5, true}};

inline constexpr char kProfilesFileKind[] = "relevance:profiles";
inline constexpr uint32_t kProfilesFormatVersion = 1;

class CredentialProfiles {
 public:
  /// Encodes the titles, descriptions and whole texts (batches of 256 on the thread pool).
  /// `competency_vectors`: empty (the competencies are encoded here), or the catalog's unit
  /// vectors of every credential's competencies, credential after credential in
  /// `credentials` order and each credential's competencies in order (Σ |competencies| rows
  /// of encoder.dim() floats, row-major; e.g. LoadedCatalog::competency_vector of each
  /// position of competencies_of(c)). Throws credmatch::Error if its size does not fit.
  static CredentialProfiles build(std::vector<CredentialText> credentials, const Encoder& encoder,
                                  std::span<const float> competency_vectors = {});

  /// Writes the dense part to `path` atomically (see file comment).
  Status save(const std::string& path) const;
  /// Reads a file written by save() for exactly these texts and this encoder (kMismatch
  /// otherwise; kNotFound, kCorruption as base/binary_file.h) and rebuilds the lexical part.
  static Result<CredentialProfiles> load(const std::string& path,
                                         std::vector<CredentialText> credentials,
                                         const Encoder& encoder);

  int64_t size() const { return static_cast<int64_t>(credentials_.size()); }
  int dim() const { return dim_; }
  const std::string& encoder_id() const { return encoder_id_; }
  const std::vector<CredentialText>& credentials() const { return credentials_; }
  /// Whole texts, one per credential.
  const std::vector<std::string>& whole_texts() const { return whole_texts_; }

  /// N × dim, row-major (see file comment).
  std::span<const float> title_vectors() const { return title_; }
  std::span<const float> description_vectors() const { return description_; }
  std::span<const float> whole_vectors() const { return whole_; }
  std::span<const float> competency_centroids() const { return centroid_; }

  /// P × dim, row-major; credential c's parts are rows [offsets[c], offsets[c + 1]).
  std::span<const float> title_part_vectors() const { return part_vectors_; }
  std::span<const int64_t> title_part_offsets() const { return part_offsets_; }

  const CharTfidfRanker& whole_char() const { return *whole_char_; }
  const CharTfidfRanker& title_char() const { return *title_char_; }
  /// Built on first use: only the word_ww feature reads it, which the shipped model does not
  /// use, so opening a catalog does not pay for it.
  const WordTfidfRanker& whole_word() const;
  /// kTitleStyles[i]: 0 the shipped features' (tcov_*), 1 tcov4_*, 2 tcovd_*.
  const TitleTermIndex& title_term_index(size_t style = 0) const;

 private:
  CredentialProfiles() = default;
  void build_lexical();
  void build_parts(const Encoder& encoder);  // title parts, re-encoded at load (short texts)

  std::vector<CredentialText> credentials_;
  std::vector<std::string> whole_texts_;
  int dim_ = 0;
  std::string encoder_id_;
  std::vector<float> title_, description_, whole_, centroid_;
  std::vector<float> part_vectors_;
  std::vector<int64_t> part_offsets_;
  std::shared_ptr<const CharTfidfRanker> whole_char_, title_char_;
  struct LazyWordRanker {
    std::once_flag once;
    std::shared_ptr<const WordTfidfRanker> ranker;
  };
  std::shared_ptr<LazyWordRanker> whole_word_ = std::make_shared<LazyWordRanker>();
  std::vector<std::shared_ptr<const TitleTermIndex>> title_terms_;  // one per kTitleStyles
};

/// Encodes `texts` in batches of 256 on the thread pool: texts.size() × encoder.dim() floats,
/// row-major. The batches are the same whatever the number of threads, so the result is too.
std::vector<float> encode_in_batches(const Encoder& encoder, std::span<const std::string> texts);

}  // namespace credmatch::engine
