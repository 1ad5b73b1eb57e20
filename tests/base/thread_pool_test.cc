#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace credmatch {
namespace {

// run_parallel runs every task even when some throw, then rethrows the lowest task's exception.
TEST(ThreadPool, RunsEveryTaskAndRethrowsTheFirstFailure) {
  for (int64_t tasks : {1, 2, 7, 64}) {
    SCOPED_TRACE("tasks=" + std::to_string(tasks));
    std::vector<std::atomic<int>> ran(static_cast<size_t>(tasks));
    run_parallel(tasks, [&](int64_t t) { ran[static_cast<size_t>(t)]++; });
    for (const auto& r : ran) EXPECT_EQ(r.load(), 1);
    for (auto& r : ran) r = 0;
    try {
      run_parallel(tasks, [&](int64_t t) {
        ran[static_cast<size_t>(t)]++;
        if (t == tasks - 1 || t == tasks / 2) throw std::runtime_error("task " + std::to_string(t));
      });
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "task " + std::to_string(tasks / 2));
    }
    for (const auto& r : ran) EXPECT_EQ(r.load(), 1);
  }
}

TEST(ThreadPool, NestedAndConcurrentLoopsRunOnTheCallerWhenThePoolIsBusy) {
  std::atomic<int> inner{0};
  run_parallel(4, [&](int64_t) { run_parallel(3, [&](int64_t) { inner++; }); });
  EXPECT_EQ(inner.load(), 12);
}

}  // namespace
}  // namespace credmatch
