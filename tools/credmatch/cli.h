// Shared pieces of the `credmatch` command-line tool: options every verb takes, the default
// catalog location, terminal progress, and output helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace credmatch::cli {

struct GlobalOptions {
  std::string catalog;          // --catalog DIR; empty = default_catalog_dir()
  bool json = false;            // --json
  std::string log_level = "warn";
};

/// $CREDMATCH_CATALOG, else $XDG_DATA_HOME/credmatch/catalog, else
/// ~/.local/share/credmatch/catalog.
std::string default_catalog_dir();
std::string catalog_dir(const GlobalOptions& g);

/// The folder of shipped default data: $CREDMATCH_DATA, else the source tree's data/.
std::string default_data_dir();

/// Prints "stage 42%" on one refreshed line when stderr is a terminal; silent otherwise.
class Progress {
 public:
  void operator()(std::string_view stage, double fraction);
  void finish();

 private:
  std::string last_stage_;
  int last_percent_ = -1;
  bool active_ = false;
};

/// Prints "credmatch: error: <message>" on stderr and returns exit code 1.
int fail(const Status& status);
int fail(const std::string& message);

// Verbs: each adds its subcommand to `app` and runs it when parsed.
void add_build_command(CLI::App& app, GlobalOptions& g);
void add_match_command(CLI::App& app, GlobalOptions& g);
void add_info_command(CLI::App& app, GlobalOptions& g);
void add_gap_command(CLI::App& app, GlobalOptions& g); void add_path_command(CLI::App& app, GlobalOptions& g);
void add_rank_command(CLI::App& app, GlobalOptions& g); void add_eval_command(CLI::App& app, GlobalOptions& g);
void add_serve_command(CLI::App& app, GlobalOptions& g);
void add_calibrate_command(CLI::App& app, GlobalOptions& g);  // calibrate-gap

/// Set by the verb that ran: the process exit code.
extern int g_exit_code;

}  // namespace credmatch::cli
