// Index options: the part of a factory string after "Flat:", "hnsw:" or "ivf:"
// (index/index_factory.h). One syntax for every index that takes options: items separated by
// commas, each "key=value" (an integer) or a bare flag, in any order, a later item overriding
// an earlier one; e.g. "M=32,efc=200,int8,rerank=4".
//
// The re-ranking items are the same for every index with options. make_index() takes them out
// (take_rerank_options()) before the other items reach the index, and wraps that index in a
// RerankIndex (index/rerank_index.h):
//   rerank=N   keep every vector in fp32 too and re-score the best k * N candidates exactly;
//              0 <= N <= 1024, 0 = no re-ranking
//   ondisk     with rerank=N: keep no fp32 copy, read the k * N rows from a vectors file
//              (attach_vectors_file() in index/index_factory.h)
// Deprecated, still read: "rerank" (= rerank=4) and "rerankN" (= rerank=N, 1 <= N <= 1024),
// how "Flat:" and "hnsw:" spelled it before; each use adds a message to `warnings`.
//
// Errors: a malformed item throws credmatch::Error naming the index kind, the item and what
// was expected.
//
// Thread safety: the functions share no state.
//
// Usage (inside an index's spec parser):
//   for (const IndexOption& o : parse_index_options(spec, "hnsw")) {
//     if (o.key == "M") config.m = static_cast<int>(o.integer("hnsw", 2, 256));
//     else if (o.is_flag("int8")) config.int8 = true;
//     else throw_unknown_option(o, "hnsw", spec, "M=N, efc=N, ef=N, fp32, int8");
//   }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace credmatch::index {

/// One item of an options string: "key=value" (has_value) or a bare flag (key only).
struct IndexOption {
  std::string_view text;   // the whole item, for messages
  std::string_view key;    // before '=' (the whole item for a flag)
  std::string_view value;  // after '='; empty for a flag
  bool has_value = false;

  /// True for the bare flag `name` (not "name=...").
  bool is_flag(std::string_view name) const { return !has_value && key == name; }
  /// The value as an integer in [min, max]. Throws credmatch::Error naming `kind` and the item
  /// unless the item is key=INTEGER within that range.
  int64_t integer(std::string_view kind, int64_t min, int64_t max) const;
};

/// The items of `spec` in order ("" has none); they view `spec`. Throws credmatch::Error
/// naming `kind` for an empty item ("M=16,,efc=3", a trailing comma).
std::vector<IndexOption> parse_index_options(std::string_view spec, std::string_view kind);

/// Throws the credmatch::Error for an item the index of `kind` does not take: it names the
/// item and `spec`, and lists `accepted`.
[[noreturn]] void throw_unknown_option(const IndexOption& item, std::string_view kind,
                                       std::string_view spec, std::string_view accepted);

/// The re-ranking options of a factory string (see the file comment).
struct RerankOptions {
  static constexpr int kDefaultFactor = 4;  // what the deprecated bare "rerank" means
  static constexpr int kMaxFactor = 1024;

  int factor = 0;  // k * factor candidates are re-scored; 0: no re-ranking
  bool ondisk = false;

  /// ",rerank=N" or ",rerank=N,ondisk" ("" when factor is 0): what a re-ranking index's
  /// factory string adds to its base's.
  std::string spec() const;
};

/// Splits `spec` (the options of an index of `kind`) into the re-ranking options, stored in
/// *rerank, and the other items, returned in their order joined by commas: the spec of the
/// index that is re-ranked. A deprecated spelling adds a message naming the item and its
/// replacement to *warnings (when warnings is not null). Throws credmatch::Error for a
/// malformed or out-of-range factor and for "ondisk" without re-ranking.
std::string take_rerank_options(std::string_view spec, std::string_view kind, RerankOptions* rerank,
                                std::vector<std::string>* warnings);

}  // namespace credmatch::index
