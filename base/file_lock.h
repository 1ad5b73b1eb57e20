// An exclusive advisory lock on a file (flock), held for the lifetime of the object: how a
// catalog's writers (build, ingest) keep out of each other's way while readers never wait.
//
// flock() locks belong to the open file description, so two locks taken in one process (two
// threads, two objects) exclude each other like two processes do; the kernel drops the lock
// when the process dies, so a killed writer never leaves a stale lock behind.
//
// Thread safety: distinct objects are independent; one object is not shared.
#pragma once

#include <string>

#include "base/status.h"

namespace credmatch {

class ExclusiveFileLock {
 public:
  /// Creates `path` if missing and locks it without waiting: kBusy when another holder
  /// has it, kIoError when the file cannot be opened.
  static Result<ExclusiveFileLock> try_acquire(const std::string& path);

  ExclusiveFileLock(ExclusiveFileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ExclusiveFileLock& operator=(ExclusiveFileLock&& other) noexcept;
  ExclusiveFileLock(const ExclusiveFileLock&) = delete;
  ExclusiveFileLock& operator=(const ExclusiveFileLock&) = delete;
  ~ExclusiveFileLock();

 private:
  explicit ExclusiveFileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace credmatch
