// Building a catalog directory (catalog/catalog_files.h) from input files: ingest, fit and
// train the encoder, encode and index every matchable competency.
//
// build_catalog() never modifies DIR in place: it stages a complete new catalog beside it and
// swaps directories at the end, so a failed build (bad input, full disk) leaves the previous
// catalog exactly as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/catalog_files.h"
#include "catalog/catalog_relevance.h"
#include "encode/domain_training.h"
#include "encode/lexical_fusion.h"
#include "encode/tfidf_svd_encoder.h"
#include "store/catalog_store.h"
#include "store/ingest.h"

namespace credmatch::engine {

struct BuildOptions {
  std::string index_factory = "Flat";  // see index/index_factory.h: "Flat", "faiss:HNSW32", ...
  TfidfSvdConfig encoder;              // encoder v1 settings (docs/matching.md, "Knobs")
  /// "tfidf-svd": the fitted LSA projection as is; "domain": then trained on the catalog's
  /// taxonomy pairs (CatalogStore::training_pairs(), encode/domain_training.h); "hybrid": the
  /// domain encoder fused with lexical sketches of the catalog's statements
  /// (encode/lexical_fusion.h).
  std::string encoder_family = "hybrid";
  DomainTrainingConfig training;       // used by "domain" and "hybrid"
  FusionConfig fusion;                 // used by "hybrid"
  /// When set, the encoder saved in this file is used as is (no fitting, no training) and
  /// encoder_family, encoder, training and fusion are ignored.
  std::string encoder_file;
  /// The relevance model's profiles and weights (catalog/catalog_relevance.h).
  RelevanceBuildOptions relevance;
  /// Called with a stage name and the fraction done (0..1); may be empty.
  std::function<void(std::string_view stage, double fraction)> progress;
};

struct BuildReport {
  IngestStats ingested;
  CatalogCounts counts;
  std::string encoder_id;
  int64_t encoder_features = 0;
  int64_t training_pairs = 0;          // "domain", "hybrid": pairs trained on
  std::vector<double> training_loss;   // "domain", "hybrid": mean loss per epoch
  std::string encoder_note;            // why the encoder differs from the one asked for
  RelevanceBuildReport relevance;
  double ingest_seconds = 0, fit_seconds = 0, encode_seconds = 0, index_seconds = 0,
         relevance_seconds = 0,
         total_seconds = 0;
};

/// Ingests `inputs` into the catalog at `dir` (created if missing; records with existing ids
/// are replaced), refits the encoder on all the catalog's text, re-encodes and re-indexes every
/// matchable competency, and replaces `dir` atomically. Errors leave `dir` untouched.
Result<BuildReport> build_catalog(const std::string& dir, const std::vector<InputFile>& inputs,
                                  const BuildOptions& options);

}  // namespace credmatch::engine
