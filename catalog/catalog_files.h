// A catalog directory: everything `credmatch build` produces and every other verb reads.
//
//   DIR/catalog.db          records (SQLite, store/catalog_store.h)
//   DIR/encoder.bin         the fitted encoder (encode/encoder.h)
//   DIR/competencies.vec    one unit vector per matchable competency (index/vector_file.h),
//                           only when the index does not hold them itself (not for Flat)
//   DIR/competencies.index  the nearest-neighbour index over those vectors (index/)
//   DIR/gap_thresholds.json the gap thresholds calibrated for the encoder (plan/)
//   DIR/relevance_profiles.bin, DIR/relevance_model.json
//                           the relevance model's credential profiles and weights
//                           (catalog/catalog_relevance.h); without them the matcher ranks by
//                           requirement coverage
//
// catalog/build.h writes a directory (staged beside it, swapped in whole, writers serialised
// by DIR.lock); catalog/loaded_catalog.h reads one.
#pragma once

#include <string>

namespace credmatch::engine {

inline constexpr char kCatalogDbFile[] = "catalog.db";
inline constexpr char kEncoderFile[] = "encoder.bin";
inline constexpr char kVectorsFile[] = "competencies.vec";
inline constexpr char kIndexFile[] = "competencies.index";
/// The gap thresholds calibrated for the catalog's encoder (plan/gap_calibration.h), written
/// after a build; a rebuild carries it over (it records its encoder, so a stale one is
/// recognised and ignored).
inline constexpr char kGapThresholdsFile[] = "gap_thresholds.json";
inline constexpr char kRelevanceProfilesFile[] = "relevance_profiles.bin";
inline constexpr char kRelevanceModelFile[] = "relevance_model.json";

/// Beside DIR: DIR.lock (the writers' lock), DIR.staging (a build in progress), DIR.old (the
/// previous catalog during a swap by an older credmatch, which moved it aside first).
inline std::string catalog_lock_path(const std::string& dir) { return dir + ".lock"; }

/// If a swap was interrupted between moving DIR aside and moving the new one in (only DIR.old
/// left), puts DIR.old back. Harmless otherwise, and when two callers race.
void restore_interrupted_swap(const std::string& dir);

}  // namespace credmatch::engine
