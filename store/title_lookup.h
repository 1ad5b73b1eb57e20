// Suggestions for an occupation title that matched nothing (CatalogStore::find_job): "did you
// mean: data analyst, data scientist".
#pragma once

#include <string>
#include <vector>

#include "store/sqlite_util.h"

namespace credmatch::engine {

/// Up to `max` display titles of the catalog's jobs closest to `folded_query` (fold_title() of
/// the query, text/normalize.h): most title words shared first, then titles containing the
/// query, then trigram (Dice) similarity; titles sharing nothing with similarity below 0.5 are
/// not offered. A French "masculine/feminine" title is offered as its two forms. Throws
/// std::runtime_error when SQLite fails.
std::vector<std::string> suggest_titles(sqlite3* db, const std::string& folded_query, size_t max);

}  // namespace credmatch::engine
