#include "tools/serve/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <sstream>

#include "base/error.h"
#include "text/normalize.h"

namespace credmatch::serve {

using engine::api::ApiError;
using nlohmann::json;

void ServerConfig::validate() const {
  if (port < 0 || port > 65535) throw Error("port must be in 0..65535, got " + std::to_string(port));
  if (threads < 1 || threads > 1024) {
    throw Error("threads must be in 1..1024, got " + std::to_string(threads));
  }
  if (connections < threads || connections > 4096) {
    throw Error("connections must be in threads.." + std::to_string(4096) + ", got " +
                std::to_string(connections));
  }
  if (bind.empty()) throw Error("bind must not be empty");
  if (keep_alive_seconds < 1) throw Error("keep_alive_seconds must be >= 1");
  if (keep_alive_max_requests < 1) throw Error("keep_alive_max_requests must be >= 1");
}

// ---------------------------------------------------------------------------------------------
// Metrics

void Metrics::observe(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  out << "# HELP credmatch_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE credmatch_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "credmatch_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  }
  out << "# HELP credmatch_http_request_duration_seconds Time from routing to response, by "
         "route.\n"
         "# TYPE credmatch_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "credmatch_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\""
          << number(kBuckets[i]) << "\"} " << h.buckets[i] << "\n";
    }
    out << "credmatch_http_request_duration_seconds_bucket{route=\"" << route
        << "\",le=\"+Inf\"} " << h.count << "\n";
    out << "credmatch_http_request_duration_seconds_sum{route=\"" << route << "\"} "
        << number(h.sum) << "\n";
    out << "credmatch_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count
        << "\n";
  }
  return out.str();
}

// ---------------------------------------------------------------------------------------------
// Server

namespace {

// Set by the pre-routing handler and the route wrappers, read by the logger: all three run on
// the worker thread that answers the request.
thread_local std::chrono::steady_clock::time_point t_start{};
thread_local const char* t_route = nullptr;

// Invalid UTF-8 a client sent (a path or parameter echoed in an error) is written as U+FFFD:
// the strict dump() throws on it, which outside a route handler ends the process.
void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

// Route parameters and query values reach the engine as text: bytes that are not UTF-8 are a
// client error (400 naming the parameter), not a 404 or a 500 further in.
void check_utf8(const httplib::Request& req) {
  for (size_t i = 1; i < req.matches.size(); ++i) {
    if (!engine::is_valid_utf8(req.matches[i].str())) {
      throw ApiError(400, "path", "path: not valid UTF-8 (percent-decoded)");
    }
  }
  for (const auto& [name, value] : req.params) {
    if (!engine::is_valid_utf8(name)) {
      throw ApiError(400, "", "query: a parameter name is not valid UTF-8");
    }
    if (!engine::is_valid_utf8(value)) {
      throw ApiError(400, name, name + ": not valid UTF-8 (percent-decoded)");
    }
  }
}

void send_error(httplib::Response& res, const ApiError& e) {
  if (e.status() == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"credmatch\"");
  send_json(res, e.status(), e.to_json());
}

// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
bool same_token(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  }
  return diff == 0 && !b.empty();
}

int query_int(const httplib::Request& req, const char* name, int fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  try {
    size_t used = 0;
    const long n = std::stol(v, &used);
    if (used != v.size() || n < INT32_MIN || n > INT32_MAX) throw std::invalid_argument(v);
    return int(n);
  } catch (const std::exception&) {
    throw ApiError(400, name, std::string(name) + ": must be an integer, got \"" + v + "\"");
  }
}

}  // namespace

void FifoGate::acquire() {
  std::unique_lock<std::mutex> lock(m_);
  const uint64_t ticket = next_ticket_++;
  cv_.wait(lock, [&] { return ticket < released_ + permits_; });
}

void FifoGate::release() {
  {
    std::lock_guard<std::mutex> lock(m_);
    ++released_;
  }
  cv_.notify_all();
}

Server::Server(std::shared_ptr<engine::api::Service> service, ServerConfig config)
    : service_(std::move(service)), config_(std::move(config)), compute_(config_.threads),
      http_(std::make_unique<httplib::Server>()) {
  config_.validate();
  const size_t connections = size_t(config_.connections);
  http_->new_task_queue = [connections] { return new httplib::ThreadPool(connections); };
  http_->set_keep_alive_timeout(config_.keep_alive_seconds);
  http_->set_keep_alive_max_count(size_t(config_.keep_alive_max_requests));
  // httplib writes a response's headers and body separately: with Nagle's algorithm on, the
  // body then waits for the client's delayed ACK (~40 ms on Linux) on every keep-alive
  // request after the first.
  http_->set_tcp_nodelay(true);
  // The larger of the two limits; each route checks its own (413 with a JSON body).
  http_->set_payload_max_length(
      std::max(service_->limits().max_body_bytes, service_->limits().max_ingest_bytes));
  http_->set_read_timeout(10, 0);
  http_->set_write_timeout(10, 0);
  install_routes();
}

Server::~Server() { stop(); }

Result<int> Server::bind() {
  if (config_.port == 0) {
    const int port = http_->bind_to_any_port(config_.bind);
    if (port < 0) return Status::io_error("cannot bind " + config_.bind + " (any port)");
    return port;
  }
  if (!http_->bind_to_port(config_.bind, config_.port)) {
    return Status::io_error("cannot bind " + config_.bind + ":" + std::to_string(config_.port) +
                            " (in use, or not an address of this machine)");
  }
  return config_.port;
}

void Server::listen() { http_->listen_after_bind(); }
void Server::stop() { http_->stop(); }
bool Server::running() const { return http_->is_running(); }

void Server::install_routes() {
  httplib::Server& s = *http_;
  const auto limits = service_->limits();

  // Every route runs through this: timing label, JSON errors, no exception escapes, and the
  // compute gate (all but health and metrics, which must answer while the server is busy).
  auto wrap = [this](const char* route, auto fn) {
    const bool gated = std::string_view(route) != "/v1/health" && std::string_view(route) != "/metrics";
    return [this, route, fn, gated](const httplib::Request& req, httplib::Response& res) {
      t_route = route;
      struct Admission {
        FifoGate* gate;
        explicit Admission(FifoGate* g) : gate(g) { if (gate) gate->acquire(); }
        ~Admission() { if (gate) gate->release(); }
      } admission(gated ? &compute_ : nullptr);
      try {
        check_utf8(req);
        fn(req, res);
      } catch (const ApiError& e) {
        send_error(res, e);
      } catch (const CheckFailed& e) {  // details in the log only: no internal check or path
        spdlog::error("{} {}: {} at {}", req.method, req.path, e.what(), e.where());
        send_error(res, ApiError(500, "", "internal error (logged on the server)"));
      } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", req.method, req.path, e.what());
        send_error(res, ApiError(500, "", "internal error (logged on the server)"));
      } catch (...) {
        send_error(res, ApiError(500, "", "internal error"));
      }
    };
  };
  auto require_token = [this](const httplib::Request& req) {
    if (config_.token.empty()) {
      throw ApiError(403, "", "this server is read-only: start it with --token-file FILE (or "
                              "$CREDMATCH_SERVE_TOKEN) to allow writes");
    }
    const std::string auth = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() <= kBearer.size() || auth.compare(0, kBearer.size(), kBearer) != 0 ||
        !same_token(std::string_view(auth).substr(kBearer.size()), config_.token)) {
      throw ApiError(401, "Authorization", "Authorization: a valid \"Bearer TOKEN\" is required");
    }
  };
  auto json_body = [limits](const httplib::Request& req) {
    // The media type exactly (parameters such as "; charset=utf-8" allowed): a missing type
    // or "application/jsonx" is not JSON.
    const std::string type = req.get_header_value("Content-Type");
    std::string media = type.substr(0, type.find(';'));
    media.erase(media.find_last_not_of(" \t") + 1);
    media.erase(0, std::min(media.size(), media.find_first_not_of(" \t")));
    std::transform(media.begin(), media.end(), media.begin(),
                   [](unsigned char ch) { return char(std::tolower(ch)); });
    if (media != "application/json") {
      throw ApiError(415, "Content-Type",
                     type.empty() ? std::string("Content-Type: expected application/json, got none")
                                  : "Content-Type: expected application/json, got \"" + type + "\"");
    }
    return engine::api::parse_body(req.body, limits.max_body_bytes);
  };

  s.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    t_start = std::chrono::steady_clock::now();
    t_route = nullptr;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const double seconds =
        t_start == std::chrono::steady_clock::time_point{}
            ? 0.0
            : std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    metrics_.observe(t_route ? t_route : "unmatched", res.status, seconds);
    if (config_.log_requests) {
      spdlog::info("{} {} {} {:.2f} ms", req.method, req.path, res.status, seconds * 1e3);
    }
    t_start = {};
    t_route = nullptr;
  });
  // Statuses httplib sets itself (unknown route 404, body too large 413, bad request 400) get
  // the same JSON error shape as ours; our own error bodies are left alone.
  // httplib calls this outside any try block: nothing in it may throw.
  s.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    try {
      std::string msg = "HTTP status " + std::to_string(res.status);
      if (res.status == 400) msg = "malformed HTTP request";
      if (res.status == 404) msg = "no such resource: " + req.path;
      if (res.status == 405) msg = "method not allowed on " + req.path;
      if (res.status == 413) msg = "request body exceeds the limit";
      if (res.status == 414) msg = "request URI too long";
      send_json(res, res.status, ApiError(res.status, "", msg).to_json());
    } catch (...) {
      res.set_content("{\"error\": {\"status\": " + std::to_string(res.status) + "}}",
                      "application/json");
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_json(res, 500, ApiError(500, "", "internal error").to_json());
  });

  s.Post("/v1/match", wrap("/v1/match", [this, json_body](const auto& req, auto& res) {
    send_json(res, 200, service_->match(json_body(req)));
  }));
  s.Post("/v1/gap", wrap("/v1/gap", [this, json_body](const auto& req, auto& res) {
    send_json(res, 200, service_->gap(json_body(req)));
  }));
  s.Post("/v1/path", wrap("/v1/path", [this, json_body](const auto& req, auto& res) {
    send_json(res, 200, service_->path(json_body(req)));
  }));
  s.Get(R"(/v1/credentials/(.+))",
        wrap("/v1/credentials/{id}", [this](const httplib::Request& req, auto& res) {
          send_json(res, 200, service_->credential(req.matches[1].str()));
        }));
  s.Get("/v1/search", wrap("/v1/search", [this](const httplib::Request& req, auto& res) {
    std::vector<std::string> kinds;
    if (req.has_param("kinds")) {
      std::stringstream in(req.get_param_value("kinds"));
      for (std::string k; std::getline(in, k, ',');) {
        if (!k.empty()) kinds.push_back(k);
      }
    }
    send_json(res, 200,
              service_->search(req.get_param_value("q"), query_int(req, "k", 10), kinds));
  }));
  s.Get("/v1/occupations", wrap("/v1/occupations", [this](const httplib::Request& req, auto& res) {
    send_json(res, 200, service_->occupations(req.get_param_value("q"), query_int(req, "k", 10)));
  }));
  s.Get("/v1/health", wrap("/v1/health", [this](const auto&, auto& res) {
    send_json(res, 200, service_->health());
  }));
  s.Get("/metrics", wrap("/metrics", [this](const auto&, auto& res) {
    res.status = 200;
    res.set_content(metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
  }));
  s.Post("/v1/credentials",
         wrap("/v1/credentials", [this, require_token](const httplib::Request& req, auto& res) {
           require_token(req);
           json out = service_->ingest_credentials(req.body);
           spdlog::info("ingested {} credentials; catalog generation {}",
                        out["ingested"]["credentials"].get<int64_t>(),
                        out["generation"].get<int64_t>());
           send_json(res, 200, out);
         }));
  s.Post("/v1/admin/reload",
         wrap("/v1/admin/reload", [this, require_token](const httplib::Request& req, auto& res) {
           require_token(req);
           const Status st = service_->reload();
           if (!st) throw ApiError(500, "", "reload failed, still serving the previous catalog: " +
                                                st.message());
           spdlog::info("catalog reloaded; generation {}", service_->generation());
           send_json(res, 200, service_->health());
         }));

  // The web page: exact paths from the embedded table only.
  for (const StaticFile& f : web_files()) {
    auto serve = wrap("/", [f](const auto&, auto& res) {
      res.status = 200;
      res.set_content(std::string(f.body), std::string(f.content_type));
      res.set_header("Cache-Control", "no-cache");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                     "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    });
    std::string pattern;  // the path as a regex matching only itself
    for (char c : f.path) {
      if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) pattern += '\\';
      pattern += c;
    }
    s.Get(pattern, serve);
    if (f.path == "/index.html") s.Get("/", serve);
  }
}

}  // namespace credmatch::serve
