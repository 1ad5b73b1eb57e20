// What the matcher's stages pass each other: the job's requirement vectors, similarities as the
// scores use them (snapped), and a credential's best competency per requirement. Internal to
// match/ (the public API is match/matcher.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace credmatch::engine {

inline constexpr float kNoSimilarity = -std::numeric_limits<float>::infinity();

/// A similarity rounded to a multiple of 2^-20 (~1e-6). Kernels sum in different orders
/// (AVX-512, AVX2, portable), so scores equal in exact arithmetic (two credentials that each
/// have a competency identical to a requirement: cosine 1) come out ~1e-7 apart in an order
/// that depends on the CPU; rounded, they tie, and the documented tie-break (the shorter
/// credential, then the id) decides. Exact for |s| < 2^3: s * 2^20 and back are exact scalings.
inline float snap(float s) {
  constexpr float kGrid = 1048576.0f;  // 2^20
  return std::nearbyint(s * kGrid) * (1.0f / kGrid);
}

/// The job's requirements encoded: n unit vectors of dim floats, row-major (n * dim). A view:
/// the floats belong to the caller (Matcher::match) and outlive every stage.
struct RequirementVectors {
  const float* data = nullptr;
  int64_t n = 0;
  int dim = 0;

  /// Requirement r's vector (dim floats).
  const float* row(int64_t r) const { return data + r * dim; }
};

/// One credential's best competency for each requirement, exactly (fp32 from the stored
/// vectors, snapped). Entries the computation skipped (no competency, or pruned because it
/// cannot earn credit) stay at kNoSimilarity / -1.
struct BestCompetencies {
  std::vector<float> best;       // per requirement: snap(cos(r, argbest[r]))
  std::vector<int64_t> argbest;  // per requirement: competency position, or -1

  explicit BestCompetencies(size_t requirements = 0)
      : best(requirements, kNoSimilarity), argbest(requirements, -1) {}
};

}  // namespace credmatch::engine
