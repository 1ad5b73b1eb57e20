// A catalog directory (catalog/catalog_files.h) opened for matching: the store, the encoder,
// the index and the competency vectors, checked against each other, immutable after open().
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "catalog/catalog_files.h"
#include "encode/encoder.h"
#include "index/bounded_int8_scan.h"
#include "index/vector_file.h"
#include "index/vector_index.h"
#include "store/catalog_store.h"
#include "store/records.h"
#include "relevance/credential_profiles.h"
#include "relevance/relevance_model.h"

namespace credmatch::engine {

/// A catalog loaded for matching: read-only, immutable after open().
/// Thread safety: every method is safe from several threads at once (the store leases a
/// connection per call).
class LoadedCatalog {
 public:
  /// Opens DIR, checking that the encoder, vectors and index agree (ids, dims, counts).
  static Result<std::unique_ptr<LoadedCatalog>> open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const Encoder& encoder() const { return *encoder_; }
  const index::VectorIndex& index() const { return *index_; }
  const CatalogStore& store() const { return *store_; }

  /// Matchable competencies; position i is vector id i in the index.
  std::span<const IndexedCompetency> competencies() const { return competencies_; }
  /// The unit vector of competency `position` (dim() floats).
  const float* competency_vector(int64_t position) const;
  /// Credentials (without their competency lists), ordered by id.
  const std::vector<Credential>& credentials() const { return credentials_; }
  /// Credential index (into credentials()) owning competency `position`.
  int32_t credential_of(int64_t position) const { return credential_of_[size_t(position)]; }
  /// Competency positions of credential `c`.
  std::span<const int64_t> competencies_of(int32_t c) const { return competencies_of_[size_t(c)]; }
  std::optional<int32_t> find_credential(std::string_view id) const;
  /// content_words() of competency `position`'s text, computed on first use and kept: the
  /// matcher's evidence asks for the same competencies request after request, and normalising
  /// a statement costs microseconds. Entries are never removed (at most one per competency).
  const std::vector<std::string>& competency_words(int64_t position) const;
  /// An int8 copy of the competency vectors with error bounds, for scoring every competency at
  /// once (the matcher); built at open() when the index is an exact flat scan, else nullptr.
  const index::BoundedInt8Scan* full_scan() const { return full_scan_.get(); }
  /// The relevance model (catalog/catalog_relevance.h) over every credential, or nullptr when
  /// the catalog was built without one.
  const RelevanceScorer* relevance() const { return relevance_.get(); }

  /// With full_scan(): the distinct rows of credential c's competencies (each once).
  std::span<const int32_t> full_scan_rows_of(int32_t c) const {
    return {full_scan_rows_.data() + full_scan_offsets_[size_t(c)],
            full_scan_rows_.data() + full_scan_offsets_[size_t(c) + 1]};
  }

 private:
  LoadedCatalog() = default;
  std::string dir_;
  std::unique_ptr<CatalogStore> store_;
  std::unique_ptr<Encoder> encoder_;
  std::unique_ptr<index::VectorIndex> index_;
  index::VectorMatrix vectors_;  // empty when the index itself holds exact vectors
  const float* vector_base_ = nullptr;
  std::vector<IndexedCompetency> competencies_;
  std::vector<Credential> credentials_;
  std::vector<int32_t> credential_of_;
  std::vector<std::vector<int64_t>> competencies_of_;
  std::unordered_map<std::string, int32_t> credential_by_id_;
  std::unique_ptr<index::BoundedInt8Scan> full_scan_;
  std::unique_ptr<CredentialProfiles> profiles_;
  std::unique_ptr<RelevanceScorer> relevance_;
  mutable std::mutex words_mutex_;
  // Node-based: a reference to an entry stays valid while other entries are added.
  mutable std::unordered_map<int64_t, std::vector<std::string>> words_;
  std::vector<size_t> full_scan_offsets_;  // credential c: rows [offsets[c], offsets[c + 1])
  std::vector<int32_t> full_scan_rows_;
};

}  // namespace credmatch::engine
