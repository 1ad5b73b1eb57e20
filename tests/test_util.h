// Helpers shared by the tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace credmatch::testing_util {

/// A path in the temp directory that no other test process uses (ctest runs tests in
/// parallel, one process each): credmatch_<pid>_<name>.
inline std::filesystem::path unique_temp_path(std::string_view name) {
  return std::filesystem::temp_directory_path() /
         ("credmatch_" + std::to_string(getpid()) + "_" + std::string(name));
}

}  // namespace credmatch::testing_util
