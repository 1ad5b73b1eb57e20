#include "catalog/loaded_catalog.h"

#include <algorithm>
#include <filesystem>

#include "base/error.h"
#include "catalog/catalog_relevance.h"
#include "index/index_factory.h"
#include "index/kernels/scan_kernels.h"
#include "text/normalize.h"

namespace credmatch::engine {
namespace fs = std::filesystem;
namespace {

// Competency vector components (rows x dim) up to which the matcher's full scan pays off even on
// the portable int8 kernel (no VNNI): a few milliseconds per 20-requirement match.
constexpr int64_t kPortableFullScan = int64_t{1} << 20;

}  // namespace

Result<std::unique_ptr<LoadedCatalog>> LoadedCatalog::open(const std::string& dir) {
  const fs::path root(dir);
  std::error_code ec;
  restore_interrupted_swap(dir);  // a build killed mid-swap by an older credmatch
  if (!fs::exists(root / kCatalogDbFile, ec)) {
    return Status::not_found("no catalog at " + dir + " (run `credmatch build` first)");
  }
  std::unique_ptr<LoadedCatalog> cat(new LoadedCatalog());
  cat->dir_ = dir;
  auto store = CatalogStore::open((root / kCatalogDbFile).string(), /*create=*/false);
  if (!store) return store.status();
  cat->store_ = std::move(*store);
  auto encoder = load_encoder((root / kEncoderFile).string());
  if (!encoder) return encoder.status();
  cat->encoder_ = std::move(*encoder);
  const int dim = cat->encoder_->dim();
  const std::string& encoder_id = cat->encoder_->id();
  if (auto recorded = cat->store_->meta("encoder_id"); recorded && *recorded != encoder_id) {
    return Status::mismatch(dir + ": catalog.db was built with encoder " + *recorded +
                            " but encoder.bin is " + encoder_id + "; rebuild the catalog");
  }
  auto idx = index::load_index((root / kIndexFile).string(), dim, encoder_id);
  if (!idx) return idx.status();
  cat->index_ = std::move(*idx);
  // An exact flat index (Flat) holds the exact vectors already and scans them exhaustively.
  if (const std::optional<std::span<const float>> exact = cat->index_->exact_vectors()) {
    cat->vector_base_ = exact->data();
    const int64_t n = cat->index_->size();
    // Only where the int8 kernel is fast (VNNI), or the catalog small enough for the portable
    // one: elsewhere the flat index's fp32 scan (AVX2) is the faster route.
    if (index::scan::avx512_vnni_kernels() != nullptr || n * dim <= kPortableFullScan) {
      cat->full_scan_ = std::make_unique<index::BoundedInt8Scan>(cat->vector_base_, n, dim);
    }
  } else {
    auto vectors = index::load_vectors((root / kVectorsFile).string(), dim, encoder_id);
    if (!vectors) return vectors.status();
    cat->vectors_ = std::move(*vectors);
    cat->vector_base_ = cat->vectors_.data.data();
    if (cat->vectors_.n != cat->index_->size()) {
      return Status::corruption(dir + ": " + std::to_string(cat->vectors_.n) + " vectors but " +
                                std::to_string(cat->index_->size()) + " indexed; rebuild");
    }
    // An index that re-scores from disk reads its rows from the same vectors file.
    CREDMATCH_RETURN_IF_ERROR(
        index::attach_vectors_file(*cat->index_, (root / kVectorsFile).string(), encoder_id));
  }
  cat->competencies_ = cat->store_->matchable_competencies();
  if (static_cast<int64_t>(cat->competencies_.size()) != cat->index_->size()) {
    return Status::corruption(dir + ": catalog.db has " + std::to_string(cat->competencies_.size()) +
                              " matchable competencies but the index has " +
                              std::to_string(cat->index_->size()) + "; rebuild the catalog");
  }
  cat->credentials_ = cat->store_->credentials_summary();
  for (size_t i = 0; i < cat->credentials_.size(); ++i) {
    cat->credential_by_id_.emplace(cat->credentials_[i].id, static_cast<int32_t>(i));
  }
  cat->competencies_of_.resize(cat->credentials_.size());
  cat->credential_of_.resize(cat->competencies_.size());
  for (size_t p = 0; p < cat->competencies_.size(); ++p) {
    auto it = cat->credential_by_id_.find(cat->competencies_[p].credential_id);
    if (it == cat->credential_by_id_.end()) {
      return Status::corruption(dir + ": competency " + cat->competencies_[p].id +
                                " belongs to unknown credential " +
                                cat->competencies_[p].credential_id);
    }
    cat->credential_of_[p] = it->second;
    cat->competencies_of_[size_t(it->second)].push_back(static_cast<int64_t>(p));
  }
  if (cat->full_scan_) {
    cat->full_scan_offsets_.push_back(0);
    for (const std::vector<int64_t>& positions : cat->competencies_of_) {
      const size_t first = cat->full_scan_rows_.size();
      for (int64_t p : positions) cat->full_scan_rows_.push_back(cat->full_scan_->distinct_of(p));
      std::sort(cat->full_scan_rows_.begin() + std::ptrdiff_t(first), cat->full_scan_rows_.end());
      cat->full_scan_rows_.erase(
          std::unique(cat->full_scan_rows_.begin() + std::ptrdiff_t(first), cat->full_scan_rows_.end()),
          cat->full_scan_rows_.end());
      cat->full_scan_offsets_.push_back(cat->full_scan_rows_.size());
    }
  }
  // The relevance model, when the build made one (catalog/catalog_relevance.h).
  const fs::path profiles_file = root / kRelevanceProfilesFile, model_file = root / kRelevanceModelFile;
  if (fs::exists(profiles_file, ec) && fs::exists(model_file, ec)) {
    auto model = RelevanceModel::load(model_file.string());
    if (!model) return model.status();
    auto profiles = CredentialProfiles::load(profiles_file.string(), credential_texts(*cat),
                                             *cat->encoder_);
    if (!profiles) return profiles.status();
    cat->profiles_ = std::make_unique<CredentialProfiles>(std::move(*profiles));
    try {
      cat->relevance_ = std::make_unique<RelevanceScorer>(*cat->profiles_, *model);
    } catch (const Error& e) {
      return Status::mismatch(model_file.string() + ": " + e.what());
    }
  }
  return cat;
}

const float* LoadedCatalog::competency_vector(int64_t position) const {
  CREDMATCH_CHECK(position >= 0 && position < index_->size(),
                  "position=" << position << ", size=" << index_->size());
  return vector_base_ + static_cast<size_t>(position) * static_cast<size_t>(encoder_->dim());
}

const std::vector<std::string>& LoadedCatalog::competency_words(int64_t position) const {
  CREDMATCH_CHECK(position >= 0 && position < static_cast<int64_t>(competencies_.size()),
                  "position=" << position);
  {
    std::lock_guard<std::mutex> lock(words_mutex_);
    if (auto it = words_.find(position); it != words_.end()) return it->second;
  }
  // Computed outside the lock; a concurrent first use computes the same words, and the first
  // insertion wins.
  std::vector<std::string> words = content_words(competencies_[size_t(position)].text);
  std::lock_guard<std::mutex> lock(words_mutex_);
  return words_.try_emplace(position, std::move(words)).first->second;
}

std::optional<int32_t> LoadedCatalog::find_credential(std::string_view id) const {
  auto it = credential_by_id_.find(std::string(id));
  if (it == credential_by_id_.end()) return std::nullopt;
  return it->second;
}

}  // namespace credmatch::engine
