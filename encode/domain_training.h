// Domain encoder training: fine-tunes the semantic projection of a TfidfSvdEncoder so that
// statements that mean the same (an ESCO alternative label and its preferred label, a French
// label and its English one) or that belong together (an occupation and its essential skills,
// a skill and its description) land close, and unrelated ones far apart.
//
// Objective: symmetric InfoNCE with in-batch negatives (van den Oord et al. 2018; as in CLIP,
// Radford et al. 2021) on cosine similarities scaled by 1 / temperature. Pairs sharing a query
// or target group are masked out of each other's negatives (several alternative labels of one
// skill are not negatives of each other). The projection starts from the fitted LSA projection
// (so training refines, not replaces, the corpus statistics) and is updated with lazy Adam
// (Kingma and Ba 2015) on the rows the batch touched. The lexical sketch block is unchanged.
//
// Deterministic: pairs are shuffled with `seed`, and every sum runs in a fixed order, so the
// same inputs give the same model bit for bit on any machine with the same float behaviour.
//
// Thread safety: train_domain_encoder() is a pure function of its inputs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"
#include "encode/tfidf_svd_encoder.h"

namespace credmatch::engine {

struct DomainTrainingConfig {
  int epochs = 4;                // passes over the pairs
  int batch_size = 512;          // in-batch negatives per pair: batch_size - 1
  float temperature = 0.05f;     // InfoNCE softmax temperature (τ)
  float learning_rate = 0.02f;   // Adam step, relative to the RMS of the initial projection
  float beta1 = 0.9f;            // Adam moment decay rates
  float beta2 = 0.999f;
  uint64_t seed = 7;             // shuffling

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

struct DomainTrainingReport {
  int64_t pairs = 0;                // pairs used (both sides have a semantic feature)
  int64_t steps = 0;                // optimiser steps
  double seconds = 0.0;
  std::vector<double> epoch_loss;   // mean InfoNCE loss per epoch (ln(batch) = chance)
};

/// Trains a "domain" encoder from `base` (its features, idf, sketch and projection as the
/// starting point) on `pairs`. Throws credmatch::Error if the config is invalid or no pair
/// has features on both sides.
std::unique_ptr<TfidfSvdEncoder> train_domain_encoder(
    const TfidfSvdEncoder& base, std::span<const TrainingPair> pairs,
    const DomainTrainingConfig& config, DomainTrainingReport* report = nullptr,
    const std::function<void(double fraction)>& progress = {});

}  // namespace credmatch::engine
