// A tiny deterministic encoder and catalog for the relevance tests: bag of words hashed into
// 16 dimensions, L2-normalised, so every dense feature can be checked by hand.
#pragma once

#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "encode/encoder.h"
#include "relevance/credential_profiles.h"
#include "store/splits.h"
#include "text/normalize.h"

namespace credmatch::testing_util {

class BagOfWordsEncoder final : public engine::Encoder {
 public:
  static constexpr int kDim = 16;
  std::string name() const override { return "test-bow"; }
  std::string id() const override { return "test-bow-16"; }
  int dim() const override { return kDim; }
  void encode(std::span<const std::string> texts, std::span<float> out) const override {
    CREDMATCH_CHECK(out.size() == texts.size() * kDim, "out.size()=" << out.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      float* v = out.data() + i * kDim;
      std::fill(v, v + kDim, 0.0f);
      for (const std::string& t : engine::tokenize(engine::normalize(texts[i]))) {
        v[engine::fnv1a64(t) % kDim] += 1.0f;
      }
      double n2 = 0;
      for (int k = 0; k < kDim; ++k) n2 += double(v[k]) * v[k];
      if (n2 > 0) {
        for (int k = 0; k < kDim; ++k) v[k] = static_cast<float>(v[k] / std::sqrt(n2));
      }
    }
  }
  std::string serialize() const override { return ""; }

  std::vector<float> vec(const std::string& text) const {
    std::vector<float> v(kDim);
    encode(std::span<const std::string>(&text, 1), v);
    return v;
  }
};

inline double dot(std::span<const float> a, std::span<const float> b) {
  double s = 0;
  for (size_t k = 0; k < a.size(); ++k) s += double(a[k]) * b[k];
  return s;
}

inline std::vector<float> unit_sum(const std::vector<std::vector<float>>& rows) {
  std::vector<double> s(rows.empty() ? 0 : rows[0].size(), 0.0);
  for (const auto& r : rows) {
    for (size_t k = 0; k < r.size(); ++k) s[k] += r[k];
  }
  double n2 = 0;
  for (double v : s) n2 += v * v;
  std::vector<float> out(s.size(), 0.0f);
  for (size_t k = 0; k < s.size() && n2 > 0; ++k) out[k] = static_cast<float>(s[k] / std::sqrt(n2));
  return out;
}

/// Four credentials: two nursing programmes, a welding one, and one without competencies.
inline std::vector<engine::CredentialText> tiny_credentials() {
  return {
      {"Licensed Practical Nurse Training", "Prepares practical nurses for patient care.",
       {"Administer medication to patients", "Monitor vital signs"}},
      {"Welding Technology/Welder", "Shapes and joins metal parts.",
       {"Weld metal parts with arc welding", "Read blueprints"}},
      {"Registered Nursing", "Prepares registered nurses.",
       {"Assess patient health", "Plan nursing care", "Administer medication"}},
      {"General Studies", "A broad programme of study.", {}},
  };
}

}  // namespace credmatch::testing_util
