// Exact ranking of a query set against a target set, the way `credmatch rank`, `credmatch eval`
// and the Python module's rank() do it: lexical rankers by name (text/lexical.h), or a dense
// encoder with exact inner-product search (index/flat_index.h).
//
// Thread safety: rank() is const and safe from several threads at once.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "encode/encoder.h"
#include "index/flat_index.h"
#include "text/lexical.h"

namespace credmatch::engine {

/// Texts encoded per batch (targets and queries): the batches, and so the scan kernels that
/// score them, are the same in every front end.
inline constexpr size_t kRankBatch = 256;

/// The names make_lexical_ranker() accepts.
inline constexpr std::string_view kLexicalRankers[] = {"bm25", "tfidf-char"};

/// The exact lexical ranker called `name` ("bm25": Bm25Ranker, "tfidf-char": CharTfidfRanker)
/// fitted on `targets`; nullptr for any other name.
std::unique_ptr<LexicalRanker> make_lexical_ranker(std::string_view name,
                                                   std::span<const std::string> targets);

/// The ids of the `k` best targets of every query by `ranker`, queries spread over the
/// thread pool (base/thread_pool.h).
std::vector<std::vector<int64_t>> rank_lexical(const LexicalRanker& ranker,
                                               std::span<const std::string> queries, int k);

/// `encoder`'s vectors of the targets in an exact FlatIndex; queries ranked by inner product.
class DenseRanker {
 public:
  /// `encoder` must outlive the ranker. Encodes the targets in batches of kRankBatch.
  DenseRanker(const Encoder& encoder, std::span<const std::string> targets);

  /// The min(k, size()) best targets of each query, best first (ids index the targets);
  /// queries are encoded and searched in batches of kRankBatch.
  std::vector<RankedList> rank(std::span<const std::string> queries, int k) const;
  int64_t size() const { return index_.size(); }

 private:
  const Encoder& encoder_;
  index::FlatIndex index_;
};

}  // namespace credmatch::engine
