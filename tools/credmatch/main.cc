// credmatch: match skills to credentials. One subcommand per verb; see `credmatch --help`.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "base/error.h"
#include "tools/credmatch/cli.h"

namespace credmatch::cli {

int g_exit_code = 0;

std::string default_catalog_dir() {
  if (const char* env = std::getenv("CREDMATCH_CATALOG"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return (std::filesystem::path(xdg) / "credmatch" / "catalog").string();
  }
  const char* home = std::getenv("HOME");
  return (std::filesystem::path(home && *home ? home : ".") / ".local" / "share" / "credmatch" /
          "catalog")
      .string();
}

std::string catalog_dir(const GlobalOptions& g) {
  return g.catalog.empty() ? default_catalog_dir() : g.catalog;
}

std::string default_data_dir() {
  if (const char* env = std::getenv("CREDMATCH_DATA"); env && *env) return env;
  return CREDMATCH_SOURCE_DATA_DIR;
}

void Progress::operator()(std::string_view stage, double fraction) {
  if (!isatty(STDERR_FILENO)) return;
  const int percent = static_cast<int>(fraction * 100.0);
  if (stage == last_stage_ && percent == last_percent_) return;
  if (active_ && stage != last_stage_) std::cerr << "\n";
  last_stage_ = stage;
  last_percent_ = percent;
  active_ = true;
  std::cerr << "\r  " << stage << " " << percent << "%   " << std::flush;
}

void Progress::finish() {
  if (active_) std::cerr << "\n";
  active_ = false;
}

int fail(const Status& status) { return fail(status.message()); }

int fail(const std::string& message) {
  std::cerr << "credmatch: error: " << message << "\n";
  g_exit_code = 1;
  return 1;
}

}  // namespace credmatch::cli

int main(int argc, char** argv) {
  using namespace credmatch::cli;
  CLI::App app{"credmatch: match job requirements to credentials, with evidence"};
  app.set_version_flag("--version", std::string("credmatch ") + CREDMATCH_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the verb: `credmatch match --json ...`
  GlobalOptions g;
  app.add_option("--catalog", g.catalog,
                 "Catalog directory (default: $CREDMATCH_CATALOG or ~/.local/share/credmatch/catalog)")
      ->type_name("DIR");
  app.add_flag("--json", g.json, "Machine-readable JSON output on stdout");
  app.add_option("--log-level", g.log_level, "Log level on stderr")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.parse_complete_callback([&g] {
    auto logger = spdlog::stderr_color_mt("credmatch");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(g.log_level));
  });
  add_build_command(app, g);
  add_match_command(app, g);
  add_info_command(app, g);
  add_gap_command(app, g), add_path_command(app, g);
  add_rank_command(app, g), add_eval_command(app, g);
  add_serve_command(app, g);
  add_calibrate_command(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const credmatch::CheckFailed& e) {
    // An internal check: a bug to report, not a message for the user (no check, no path).
    std::cerr << "credmatch: internal error (please report it with the command you ran)";
    if (std::getenv("CREDMATCH_DEBUG") != nullptr) {
      std::cerr << ": " << e.what() << " at " << e.where();
    } else {
      std::cerr << "; CREDMATCH_DEBUG=1 shows the details";
    }
    std::cerr << "\n";
    return 1;
  } catch (const std::exception& e) {
    // Caller mistakes surface as credmatch::Error with a message for the user; never let one
    // end in a crash.
    std::cerr << "credmatch: error: " << e.what() << "\n";
    return 1;
  }
  return g_exit_code;
}
