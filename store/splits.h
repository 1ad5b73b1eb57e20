// Deterministic data splits shared by evaluation, encoder training and threshold calibration,
// so that nothing is evaluated on what it was trained or tuned on (docs/quality.md, "Splits").
//
// An item (ESCO skill URI, ESCO occupation URI, JobBERT title) falls in a split by a stable
// 64-bit FNV-1a hash of its key, so the assignment never depends on file order or platform:
//   hash % 10 in {0, 1} -> kEval         evaluation only (never trained or tuned on)
//   hash % 10 == 2      -> kCalibration  threshold calibration only (gap, docs/paths.md)
//   otherwise           -> kTrain        encoder training and tuning
#pragma once

#include <cstdint>
#include <string_view>

namespace credmatch::engine {

enum class Split { kTrain, kEval, kCalibration };

/// 64-bit FNV-1a of the bytes of `key`.
constexpr uint64_t fnv1a64(std::string_view key) {
  uint64_t h = 14695981039346656037ull;
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

/// The split of an item identified by `key` (a URI, or a normalised title).
constexpr Split split_of(std::string_view key) {
  const uint64_t bucket = fnv1a64(key) % 10;
  if (bucket < 2) return Split::kEval;
  if (bucket == 2) return Split::kCalibration;
  return Split::kTrain;
}

constexpr const char* split_name(Split s) {
  switch (s) {
    case Split::kTrain: return "train";
    case Split::kEval: return "eval";
    case Split::kCalibration: return "calibration";
  }
  return "?";
}

}  // namespace credmatch::engine
