// Connections to one catalog database, leased one caller at a time, so that a CatalogStore
// serves several threads at once without locks in its callers (as leveldb's DB does): SQLite
// connections opened with SQLITE_OPEN_NOMUTEX must each be used by one thread at a time, and
// separate connections read concurrently (WAL), each seeing only committed transactions.
//
// Thread safety: acquire() may be called from any thread; a Lease is used by one thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/sqlite_util.h"

namespace credmatch::engine {

class ConnectionPool {
 public:
  /// `first` is an open connection to `db_path` (store/schema.h); more are opened on demand.
  ConnectionPool(std::string db_path, sqlite::Db first);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  /// One connection for the lifetime of the lease; returned to the pool by its destructor.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), db_(std::move(other.db_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (db_) pool_->give_back(std::move(db_));
    }
    sqlite3* get() const { return db_.get(); }

   private:
    friend class ConnectionPool;
    Lease(const ConnectionPool* pool, sqlite::Db db) : pool_(pool), db_(std::move(db)) {}
    const ConnectionPool* pool_;
    sqlite::Db db_;
  };

  /// A free connection, or a newly opened one (as many as callers at once). Errors as
  /// open_catalog_db().
  Result<Lease> acquire() const;
  /// acquire() for read paths, which have no Status to return: throws std::runtime_error.
  Lease acquire_or_throw() const;

  const std::string& path() const { return path_; }

 private:
  void give_back(sqlite::Db db) const;

  std::string path_;
  mutable std::mutex mu_;
  mutable std::vector<sqlite::Db> free_;
};

}  // namespace credmatch::engine
