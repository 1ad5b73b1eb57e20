// Feature hashing shared by the encoders: a 64-bit hash of a feature string within a group
// (word, bigram, char n-gram, ...), and a finaliser that decorrelates a hash before it picks a
// sketch slot and sign.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace credmatch::engine {

/// FNV-1a of the group tag then the bytes of `s`. The offset basis is one digit short of the
/// published 14695981039346656037; every saved encoder's vocabulary and sketch slots depend on
/// it, so it stays (the hash is still well mixed; splits.h uses the published one).
inline uint64_t feature_hash(char group, std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  mix(static_cast<unsigned char>(group));
  for (char c : s) mix(static_cast<unsigned char>(c));
  return h;
}

/// splitmix64 finaliser (Steele et al. 2014).
inline uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// An immutable map from feature hashes to their indexes (keys[i] → i), for the encoders'
/// per-feature lookups at query time: one open-addressed array at most half full, so a lookup
/// reads one cache line where std::unordered_map follows a node pointer and a binary search
/// over the sorted hashes touches ~17 lines (all cold after a scan of the catalog).
class FeatureTable {
 public:
  /// Maps keys[i] to i. Returns false, leaving the table empty, if two keys are equal.
  bool assign(std::span<const uint64_t> keys) {
    const int bits = std::max(4, int(std::bit_width(keys.size() * 2)));
    shift_ = 64 - bits;
    slots_.assign(size_t{1} << bits, Slot{0, -1});
    for (size_t i = 0; i < keys.size(); ++i) {
      Slot& slot = slots_[slot_of(keys[i])];
      if (slot.index >= 0) {
        slots_.clear();
        return false;
      }
      slot = Slot{keys[i], static_cast<int32_t>(i)};
    }
    return true;
  }

  /// The index of `hash`, or -1 if it is not a key.
  int32_t find(uint64_t hash) const {
    return slots_.empty() ? -1 : slots_[slot_of(hash)].index;
  }

 private:
  struct Slot {
    uint64_t hash;
    int32_t index;  // -1: empty
  };
  // The slot holding `hash`, or the empty slot where it would go (linear probing from a
  // Fibonacci hash: the top bits of hash * 2^64 / phi, well spread even for FNV's low bits).
  size_t slot_of(uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    for (size_t s = (hash * 0x9e3779b97f4a7c15ull) >> shift_;; s = (s + 1) & mask) {
      if (slots_[s].index < 0 || slots_[s].hash == hash) return s;
    }
  }
  std::vector<Slot> slots_;
  int shift_ = 64;
};

}  // namespace credmatch::engine
