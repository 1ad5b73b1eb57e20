#include "store/connection_pool.h"

#include <stdexcept>
#include <utility>

#include "store/schema.h"

namespace credmatch::engine {

ConnectionPool::ConnectionPool(std::string db_path, sqlite::Db first) : path_(std::move(db_path)) {
  free_.push_back(std::move(first));
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() const {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      sqlite::Db db = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  auto db = open_catalog_db(path_, /*create=*/false);
  if (!db) return db.status();
  return Lease(this, std::move(*db));
}

ConnectionPool::Lease ConnectionPool::acquire_or_throw() const {
  auto lease = acquire();
  if (!lease) throw std::runtime_error(lease.status().to_string());
  return std::move(*lease);
}

void ConnectionPool::give_back(sqlite::Db db) const {
  std::lock_guard lock(mu_);
  free_.push_back(std::move(db));
}

}  // namespace credmatch::engine
