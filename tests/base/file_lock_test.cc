#include "base/file_lock.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "tests/test_util.h"

namespace credmatch {
namespace {

TEST(ExclusiveFileLock, ASecondHolderIsRefusedUntilTheFirstLetsGo) {
  const std::string path = testing_util::unique_temp_path("lock_test.lock").string();
  std::optional<ExclusiveFileLock> first;
  {
    auto a = ExclusiveFileLock::try_acquire(path);
    ASSERT_TRUE(a.is_ok()) << a.status().to_string();
    first.emplace(std::move(*a));
  }
  auto b = ExclusiveFileLock::try_acquire(path);  // same process, another open file description
  ASSERT_FALSE(b.is_ok());
  EXPECT_EQ(b.status().code(), StatusCode::kBusy);
  EXPECT_NE(b.status().message().find("held by another writer"), std::string::npos);
  first.reset();
  auto c = ExclusiveFileLock::try_acquire(path);
  EXPECT_TRUE(c.is_ok()) << c.status().to_string();
  std::filesystem::remove(path);
}

TEST(ExclusiveFileLock, AnUnopenablePathIsAnIoError) {
  auto a = ExclusiveFileLock::try_acquire("/nonexistent-dir/x.lock");
  ASSERT_FALSE(a.is_ok());
  EXPECT_EQ(a.status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace credmatch
