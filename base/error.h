// credmatch::Error: thrown for caller mistakes at a public API (dimension mismatch, k <= 0,
// using an object in the wrong state). Expected failures from files and input use Status.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace credmatch {

class Error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Thrown by CREDMATCH_CHECK: an internal check failed (a bug, or a library caller passing
/// values the documentation rules out). what() names the condition and the values; where()
/// the source file and line, kept out of what() so that no message carries a source path.
/// Front ends answer "internal error" and keep both for the log.
class CheckFailed : public Error {
 public:
  CheckFailed(const std::string& what, std::string where) : Error(what), where_(std::move(where)) {}
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

namespace detail {
[[noreturn]] inline void throw_check_failed(const char* cond, const std::string& msg,
                                            const char* file, int line) {
  std::ostringstream out;
  out << "check failed: " << cond;
  if (!msg.empty()) out << " (" << msg << ")";
  throw CheckFailed(out.str(), std::string(file) + ":" + std::to_string(line));
}
}  // namespace detail

}  // namespace credmatch

/// Public-API argument check: throws credmatch::CheckFailed naming the condition and the values
/// (streamed into `msg`), with file:line in where(). Example: CREDMATCH_CHECK(k > 0, "k=" << k);
#define CREDMATCH_CHECK(cond, msg)                                                   \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::ostringstream credmatch_msg_;                                             \
      credmatch_msg_ << msg; /* NOLINT */                                            \
      ::credmatch::detail::throw_check_failed(#cond, credmatch_msg_.str(), __FILE__, \
                                              __LINE__);                             \
    }                                                                                \
  } while (0)

/// Internal invariant: checked in debug builds, compiled out with NDEBUG.
#ifdef NDEBUG
#define CREDMATCH_DCHECK(cond) ((void)0)
#else
#define CREDMATCH_DCHECK(cond) CREDMATCH_CHECK(cond, "internal invariant")
#endif
