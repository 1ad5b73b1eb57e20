// credmatch::Error: thrown for caller mistakes at a public API (dimension mismatch, k <= 0,
// using an object in the wrong state). Expected failures from files and input use Status.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace credmatch {

class Error : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
[[noreturn]] inline void throw_check_failed(const char* cond, const std::string& msg,
                                            const char* file, int line) {
  std::ostringstream out;
  out << "check failed: " << cond;
  if (!msg.empty()) out << " (" << msg << ")";
  out << " at " << file << ":" << line;
  throw Error(out.str());
}
}  // namespace detail

}  // namespace credmatch

/// Public-API argument check: throws credmatch::Error naming the condition, the values
/// (streamed into `msg`) and file:line. Example: CREDMATCH_CHECK(k > 0, "k=" << k);
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
