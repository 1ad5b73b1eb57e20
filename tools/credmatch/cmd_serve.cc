// `credmatch serve`: the HTTP JSON API and web page over one catalog (tools/serve/server.h,
// docs/api.md). SIGHUP reloads the catalog directory; SIGINT / SIGTERM stop after the requests
// in flight are answered.
#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <unistd.h>
#include <sstream>
#include <thread>

#include "catalog/catalog_relevance.h"
#include "service/api.h"
#include "tools/credmatch/cli.h"
#include "tools/serve/server.h"

namespace credmatch::cli {
namespace {

int g_signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
  const unsigned char c = static_cast<unsigned char>(sig);
  (void)!write(g_signal_pipe[1], &c, 1);
}

struct ServeArgs {
  int port = 8080;
  std::string bind = "127.0.0.1";
  int threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  int connections = 64;
  std::string token_file;
  bool log_requests = false;
};

Result<std::string> read_token(const std::string& path) {
  std::string token;
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) return Status::not_found("--token-file " + path + ": cannot open");
    std::stringstream buf;
    buf << in.rdbuf();
    token = buf.str();
  } else if (const char* env = std::getenv("CREDMATCH_SERVE_TOKEN"); env && *env) {
    token = env;
  } else {
    return std::string();
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.size() < 16) {
    return Status::invalid_argument(
        (path.empty() ? std::string("$CREDMATCH_SERVE_TOKEN") : "--token-file " + path) +
        ": the token must have at least 16 characters");
  }
  return token;
}

int run_serve(const GlobalOptions& g, const ServeArgs& a) {
  auto token = read_token(a.token_file);
  if (!token) return fail(token.status());
  // An ingest rebuilds the catalog as `credmatch build` would, relevance model included.
  engine::BuildOptions build;
  build.relevance = engine::shipped_relevance_options(default_data_dir());
  auto service = engine::api::Service::open(catalog_dir(g), {}, build);
  if (!service) return fail(service.status());
  serve::ServerConfig config;
  config.bind = a.bind;
  config.port = a.port;
  config.threads = a.threads;
  config.connections = std::max(a.connections, a.threads);
  config.token = *token;
  config.log_requests = a.log_requests;

  serve::Server server(std::shared_ptr<engine::api::Service>(std::move(*service)), config);
  auto port = server.bind();
  if (!port) return fail(port.status());
  // Signal handlers only write the signal number to a pipe (async-signal-safe); this thread
  // acts on it. A mask would not do: libraries (OpenBLAS) start threads before main().
  if (pipe(g_signal_pipe) != 0) return fail("cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
  const auto health = server.service().health();
  std::cout << "credmatch serve: http://" << a.bind << ":" << *port << "/ (catalog "
            << catalog_dir(g) << ": " << health["counts"]["credentials"] << " credentials, "
            << health["counts"]["matchable_competencies"] << " competencies; " << a.threads
            << " threads; " << (config.token.empty() ? "read-only" : "writes need the token")
            << ")" << std::endl;

  std::thread signal_thread([&server] {
    for (;;) {
      unsigned char sig = 0;
      const ssize_t n = read(g_signal_pipe[0], &sig, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n != 1 || sig == 0) return;  // 0: the server stopped by itself
      if (sig == SIGHUP) {
        const Status st = server.service().reload();
        if (st) {
          spdlog::info("SIGHUP: catalog reloaded, generation {}", server.service().generation());
        } else {
          spdlog::error("SIGHUP: reload failed, still serving the previous catalog: {}",
                        st.message());
        }
        continue;
      }
      spdlog::info("signal {}: stopping after the requests in flight", int(sig));
      server.stop();
    }
  });
  server.listen();
  const unsigned char done = 0;
  (void)!write(g_signal_pipe[1], &done, 1);
  signal_thread.join();
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
  std::cout << "credmatch serve: stopped" << std::endl;
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, GlobalOptions& g) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "HTTP JSON API and web page over the catalog (docs/api.md)");
  cmd->add_option("--port", args->port, "TCP port (0 picks a free one)")
      ->check(CLI::Range(0, 65535))->capture_default_str();
  cmd->add_option("--bind", args->bind, "Address to listen on (0.0.0.0: every interface)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Requests computed at once")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  cmd->add_option("--connections", args->connections,
                  "Client connections served at once (each open keep-alive connection holds "
                  "an I/O thread; more wait to be accepted)")
      ->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--token-file", args->token_file,
                  "File holding the bearer token that allows writes (POST /v1/credentials, "
                  "/v1/admin/reload); else $CREDMATCH_SERVE_TOKEN; none: read-only")
      ->type_name("FILE");
  cmd->add_flag("--log-requests", args->log_requests, "Log one line per request (--log-level info)");
  cmd->callback([&g, args] { g_exit_code = run_serve(g, *args); });
}

}  // namespace credmatch::cli
