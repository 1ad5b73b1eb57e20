// Writing records into the catalog database: the store's half of ingest (the parsing half is
// store/ingest.h). Internal to store/; CatalogStore::ingest() is the public entry point.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "store/catalog_store.h"
#include "store/ingest.h"
#include "store/sqlite_util.h"

namespace credmatch::engine {

/// Parses and stores every input in one transaction on `db` (see CatalogStore::ingest() for
/// the order and the checks); `db_path` names the database in messages.
Status ingest_records(sqlite3* db, const std::string& db_path, const std::vector<InputFile>& inputs,
                      IngestStats* stats);

}  // namespace credmatch::engine
