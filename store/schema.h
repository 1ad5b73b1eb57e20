// The catalog database's schema (catalog.db): its tables, version and connection settings.
#pragma once

#include <string>

#include "base/status.h"
#include "store/sqlite_util.h"

namespace credmatch::engine {

/// Opens (and with `create`, creates) the catalog database at `db_path` with the store's
/// settings (foreign keys, WAL, busy timeout 10 s, 64 MiB page cache), creating the schema in an
/// empty database. kNotFound when absent and !create; kMismatch for a newer schema version or
/// an SQLite file that is not a catalog; kCorruption / kIOError from SQLite.
Result<sqlite::Db> open_catalog_db(const std::string& db_path, bool create);

}  // namespace credmatch::engine
