// Status and Result<T>: how expected failures from the outside world (files, parse errors,
// corrupt index, not found) travel back to the caller. Modelled on leveldb::Status.
//
// Caller mistakes at a public API (a dimension mismatch, k <= 0) throw credmatch::Error
// instead (see base/error.h).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace credmatch {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // malformed input: parse error, bad field value
  kNotFound,         // file, id or label does not exist
  kCorruption,       // checksum mismatch, truncated or garbled file
  kMismatch,         // well-formed but incompatible (dimension, encoder id, format version)
  kIOError,          // the operating system refused a read or write
  kInternal,         // a library we call failed unexpectedly
  kBusy,             // another writer holds the resource (a catalog being built): try again
};

const char* status_code_name(StatusCode code);

/// Outcome of an operation that can fail for reasons outside the caller's control.
/// The message names the place (file:line: field) and the reason.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status invalid_argument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status not_found(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status mismatch(std::string msg) { return {StatusCode::kMismatch, std::move(msg)}; }
  static Status io_error(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status busy(std::string msg) { return {StatusCode::kBusy, std::move(msg)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "corruption: index.bin: checksum mismatch (stored 1a2b, computed 3c4d)"
  std::string to_string() const;

  /// Returns a copy whose message is prefixed with `context` and ": ".
  Status with_context(const std::string& context) const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}    // NOLINT: implicit by design

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace credmatch

/// Returns early from a function returning Status (or Result<T>) when `expr` fails.
#define CREDMATCH_RETURN_IF_ERROR(expr)            \
  do {                                             \
    ::credmatch::Status credmatch_status_ = (expr); \
    if (!credmatch_status_.is_ok()) return credmatch_status_; \
  } while (0)
