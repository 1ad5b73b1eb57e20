// Writing a catalog safely (catalog/build.h, docs/reliability.md): one writer at a time, the
// swap leaves the old or the new catalog at DIR and nothing beside it, and what an interrupted
// build leaves behind is repaired by the next build or open. Crash points are reproduced by
// leaving the directories exactly as a process killed at that step would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/file_lock.h"
#include "catalog/build.h"
#include "catalog/catalog_files.h"
#include "catalog/loaded_catalog.h"
#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::engine {
namespace {

namespace fs = std::filesystem;

int64_t credentials_in(const std::string& dir) {
  auto cat = LoadedCatalog::open(dir);
  EXPECT_TRUE(cat.is_ok()) << cat.status().to_string();
  return cat.is_ok() ? int64_t((*cat)->credentials().size()) : -1;
}

TEST(CatalogSwap, ASecondWriterIsRefusedClearlyAndTheCatalogStaysWhole) {
  const std::string dir = testing_util::unique_temp_path("swap_lock").string();
  ASSERT_NE(testing_util::build_fixture_catalog(dir), nullptr);
  const int64_t before = credentials_in(dir);
  auto held = ExclusiveFileLock::try_acquire(catalog_lock_path(dir));  // another build running
  ASSERT_TRUE(held.is_ok()) << held.status().to_string();
  auto second = build_catalog(dir, testing_util::fixture_inputs(),
                              testing_util::fixture_build_options());
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.status().code(), StatusCode::kBusy);
  EXPECT_NE(second.status().message().find("another build or ingest is writing the catalog"),
            std::string::npos)
      << second.status().to_string();
  EXPECT_EQ(credentials_in(dir), before);
  EXPECT_FALSE(fs::exists(dir + ".staging"));
  fs::remove_all(dir);
  fs::remove(catalog_lock_path(dir));
}

TEST(CatalogSwap, ARebuildLeavesOneCatalogAndNothingBesideIt) {
  const std::string dir = testing_util::unique_temp_path("swap_clean").string();
  ASSERT_NE(testing_util::build_fixture_catalog(dir), nullptr);
  auto again = build_catalog(dir + "/", {}, testing_util::fixture_build_options());  // "DIR/"
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_FALSE(fs::exists(dir + ".staging"));
  EXPECT_FALSE(fs::exists(dir + ".old"));
  EXPECT_FALSE(fs::exists(dir + "/.staging"));
  EXPECT_EQ(credentials_in(dir), 10);
  fs::remove_all(dir);
  fs::remove(catalog_lock_path(dir));
}

TEST(CatalogSwap, EveryCrashPointLeavesACatalogTheNextStepRecovers) {
  const std::string dir = testing_util::unique_temp_path("swap_crash").string();
  ASSERT_NE(testing_util::build_fixture_catalog(dir), nullptr);
  const BuildOptions options = testing_util::fixture_build_options();

  // Killed while staging: a partial DIR.staging beside the intact catalog.
  fs::create_directories(dir + ".staging");
  { std::ofstream(dir + ".staging/catalog.db") << "partial"; }
  EXPECT_EQ(credentials_in(dir), 10);
  ASSERT_TRUE(build_catalog(dir, {}, options).is_ok());
  EXPECT_FALSE(fs::exists(dir + ".staging"));
  EXPECT_EQ(credentials_in(dir), 10);

  // Killed after the exchange, before the old catalog was removed: it waits at DIR.staging.
  fs::copy(dir, dir + ".staging");
  EXPECT_EQ(credentials_in(dir), 10);
  ASSERT_TRUE(build_catalog(dir, {}, options).is_ok());
  EXPECT_FALSE(fs::exists(dir + ".staging"));

  // Killed by an older credmatch between its two renames: only DIR.old. Opening restores it,
  // and so does the next build (which used to start from an empty catalog and delete DIR.old).
  fs::rename(dir, dir + ".old");
  EXPECT_EQ(credentials_in(dir), 10);
  EXPECT_FALSE(fs::exists(dir + ".old"));
  fs::rename(dir, dir + ".old");
  auto rebuilt = build_catalog(dir, {}, options);
  ASSERT_TRUE(rebuilt.is_ok()) << rebuilt.status().to_string();
  EXPECT_EQ(rebuilt->counts.credentials, 10);
  EXPECT_FALSE(fs::exists(dir + ".old"));
  fs::remove_all(dir);
  fs::remove(catalog_lock_path(dir));
}

}  // namespace
}  // namespace credmatch::engine
