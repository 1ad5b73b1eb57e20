// Helpers shared by the tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>

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

/// The whole content of a file ("" if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// What one run of a program printed and how it ended.
struct CliRun {
  int exit_code = -1;
  bool crashed = false;  // killed by a signal (a crash, never an acceptable answer)
  std::string out;       // stdout
  std::string err;       // stderr
};

#ifdef CREDMATCH_CLI_PATH
/// Runs the built `credmatch` binary with `args` (shell words), stdin closed.
inline CliRun run_cli(const std::string& args) {
  static std::atomic<int> counter{0};
  const std::string tag = std::to_string(counter++);
  const auto out = unique_temp_path("cli_out_" + tag + ".txt");
  const auto err = unique_temp_path("cli_err_" + tag + ".txt");
  const std::string cmd = std::string(CREDMATCH_CLI_PATH) + " " + args + " >" + out.string() +
                          " 2>" + err.string() + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.crashed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) >= 128);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}
#endif

}  // namespace credmatch::testing_util
