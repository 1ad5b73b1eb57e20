#include "index/vector_index.h"

#include <limits>

#include "base/error.h"

namespace credmatch::index {

SearchResult SearchResult::padded(int64_t n, int k) {
  SearchResult result;
  result.k = k;
  result.ids.assign(static_cast<size_t>(n) * static_cast<size_t>(k), -1);
  result.scores.assign(static_cast<size_t>(n) * static_cast<size_t>(k),
                       -std::numeric_limits<float>::infinity());
  return result;
}

void check_search_args(int dim, int64_t n, std::span<const float> queries, int k) {
  CREDMATCH_CHECK(k > 0, "k=" << k);
  CREDMATCH_CHECK(n >= 0, "n=" << n);
  CREDMATCH_CHECK(queries.size() == static_cast<size_t>(n) * static_cast<size_t>(dim),
                  "queries.size()=" << queries.size() << ", n=" << n << ", dim=" << dim);
}

void check_add_args(int dim, int64_t n, std::span<const float> vectors) {
  CREDMATCH_CHECK(n >= 0, "n=" << n);
  CREDMATCH_CHECK(vectors.size() == static_cast<size_t>(n) * static_cast<size_t>(dim),
                  "vectors.size()=" << vectors.size() << ", n=" << n << ", dim=" << dim);
}

}  // namespace credmatch::index
