// The HTTP/1.1 JSON API and web page of `credmatch serve` (docs/api.md), on cpp-httplib.
//
//   POST /v1/match, /v1/gap, /v1/path     service/api.h Service, same JSON as the CLI
//   GET  /v1/credentials/{id}, /v1/search?q=&k=, /v1/occupations?q=&k=, /v1/health
//   GET  /metrics                          Prometheus text: requests by route and status,
//                                          latency histograms by route
//   POST /v1/credentials                   ingest JSONL credentials (bearer token)
//   POST /v1/admin/reload                  re-open the catalog directory (bearer token)
//   GET  /, /app.js, /style.css            the web page (web/, embedded at build time)
//
// Every handler catches everything: a bad request is a 4xx with
// {"error": {"status", "field", "message"}}, an unexpected failure a 500 of the same shape;
// nothing a client sends ends the process. Static files come from a fixed in-binary table,
// never from the file system, so no path can reach outside it.
//
// Thread safety: one Server is driven by one thread (listen()); stop() may be called from any
// thread (e.g. a signal-handling one). Each open keep-alive connection holds one of
// `connections` I/O threads (cpp-httplib serves a connection on one thread until it closes), and
// at most `threads` requests compute at once, admitted first come, first served: more clients
// than cores queue for a core instead of waiting for another client's connection to close.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "service/api.h"

namespace httplib {
class Server;
}

namespace credmatch::serve {

struct ServerConfig {
  std::string bind = "127.0.0.1";  // address to listen on; 0.0.0.0 for every interface
  int port = 8080;                 // 0 picks a free port (see Server::bind())
  int threads = 4;                 // requests computed at once (one core each)
  int connections = 64;            // connections served at once (an I/O thread each)
  std::string token;               // bearer token for write operations; empty = read-only
  int keep_alive_seconds = 2;      // idle keep-alive connections are closed after this
  int keep_alive_max_requests = 1000;
  bool log_requests = false;       // one spdlog info line per request

  /// Throws credmatch::Error naming the first invalid field.
  void validate() const;
};

/// Request counters and latency histograms in the Prometheus text format.
/// Thread-safe.
class Metrics {
 public:
  static constexpr std::array<double, 13> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5, 5.0};
  void observe(const std::string& route, int status, double seconds);
  /// The exposition text (version 0.0.4).
  std::string render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

/// One embedded file of the web page.
struct StaticFile {
  std::string_view path;  // "/index.html"
  std::string_view content_type;
  std::string_view body;
};
/// The embedded web page (generated from web/ at build time).
std::span<const StaticFile> web_files();

/// Admits at most `permits` holders at once, in arrival order (a ticket queue: a plain
/// semaphore lets late arrivals overtake, which stretches the latency tail under load).
/// Thread-safe.
class FifoGate {
 public:
  explicit FifoGate(int permits) : permits_(uint64_t(permits)) {}
  void acquire();
  void release();

 private:
  std::mutex m_;
  std::condition_variable cv_;
  const uint64_t permits_;
  uint64_t next_ticket_ = 0;  // tickets handed out
  uint64_t released_ = 0;     // holders that left; ticket t enters when t < released_ + permits_
};

class Server {
 public:
  Server(std::shared_ptr<engine::api::Service> service, ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listening socket; returns the port (the chosen one when config.port is 0).
  Result<int> bind();
  /// Serves until stop(); call after bind(). Requests in flight finish before it returns.
  void listen();
  /// Stops listen(); safe from any thread, and before listen() has started.
  void stop();
  bool running() const;

  engine::api::Service& service() { return *service_; }
  const Metrics& metrics() const { return metrics_; }

 private:
  void install_routes();

  std::shared_ptr<engine::api::Service> service_;
  ServerConfig config_;
  Metrics metrics_;
  FifoGate compute_;
  std::unique_ptr<httplib::Server> http_;
};

}  // namespace credmatch::serve
