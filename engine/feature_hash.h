// Feature hashing shared by the encoders: a 64-bit hash of a feature string within a group
// (word, bigram, char n-gram, ...), and a finaliser that decorrelates a hash before it picks a
// sketch slot and sign.
#pragma once

#include <cstdint>
#include <string_view>

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

}  // namespace credmatch::engine
