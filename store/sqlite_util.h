// Thin RAII wrappers over the sqlite3 C API, for the catalog store (store/): an owning
// connection, a prepared statement that finalizes itself, a transaction that rolls back unless
// committed, and the read helpers that throw where a read has no Status to return.
//
// Not thread safe: like the sqlite3* they wrap, use each object from one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/status.h"

namespace credmatch::engine::sqlite {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
/// An owning connection.
using Db = std::unique_ptr<sqlite3, CloseDb>;

/// kInternal (kCorruption for a damaged file, kIOError for a refused read or write) with
/// "WHAT: SQLITE MESSAGE".
inline Status error(sqlite3* db, std::string_view what, int rc) {
  const int primary = rc & 0xff;
  std::string msg = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::corruption(msg);
  if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY ||
      primary == SQLITE_FULL || primary == SQLITE_BUSY) {
    return Status::io_error(msg);
  }
  return Status::internal(msg);
}

/// Runs one or more statements that return no rows we need.
inline Status exec(sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::ok() : error(db, sql, rc);
}

/// A prepared statement. Parameters are 1-based (?1, ?2, ...), result columns 0-based.
class Statement {
 public:
  Statement() = default;

  static Result<Statement> prepare(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return error(db, "prepare \"" + std::string(sql) + "\"", rc);
    Statement s;
    s.stmt_.reset(stmt);
    return s;
  }

  /// Clears the previous run and its bindings; call before binding a new run.
  Statement& reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
    return *this;
  }
  Statement& bind(int i, std::string_view v) {
    // A null data pointer would bind SQL NULL; an empty string must stay ''.
    sqlite3_bind_text(stmt_.get(), i, v.data() != nullptr ? v.data() : "",
                      static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_.get(), i, v);
    return *this;
  }
  Statement& bind(int i, const std::optional<double>& v) {
    if (v) {
      sqlite3_bind_double(stmt_.get(), i, *v);
    } else {
      sqlite3_bind_null(stmt_.get(), i);
    }
    return *this;
  }

  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_.get()); }

  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_.get(), col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
  }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  std::optional<double> real(int col) const {
    if (sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(stmt_.get(), col);
  }

  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

// Read paths have no Status to return: a failure underneath (I/O error, corruption found
// mid-read) is exceptional there, and throws std::runtime_error.
[[noreturn]] inline void throw_error(sqlite3* db, std::string_view what, int rc) {
  throw std::runtime_error(error(db, what, rc).to_string());
}

/// A prepared statement, or throws std::runtime_error.
inline Statement prepare_or_throw(sqlite3* db, std::string_view sql) {
  auto st = Statement::prepare(db, sql);
  if (!st) throw std::runtime_error(st.status().to_string());
  return std::move(*st);
}

/// Calls fn(statement) for every row; throws std::runtime_error on a failed step.
template <typename Fn>
void for_each_row(sqlite3* db, Statement& st, Fn&& fn) {
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) fn(st);
  if (rc != SQLITE_DONE) throw_error(db, "read", rc);
}

/// Steps a statement that returns no row.
inline Status step_done(sqlite3* db, Statement& st) {
  const int rc = st.step();
  return rc == SQLITE_DONE ? Status::ok() : error(db, sqlite3_sql(st.get()), rc);
}

/// BEGIN IMMEDIATE on begin(); ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (active_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin() {
    CREDMATCH_RETURN_IF_ERROR(exec(db_, "BEGIN IMMEDIATE"));
    active_ = true;
    return Status::ok();
  }
  Status commit() {
    CREDMATCH_RETURN_IF_ERROR(exec(db_, "COMMIT"));
    active_ = false;
    return Status::ok();
  }

 private:
  sqlite3* db_;
  bool active_ = false;
};

}  // namespace credmatch::engine::sqlite
