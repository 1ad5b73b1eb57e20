// credmatch_load_client: an open-loop HTTP load generator for `credmatch serve`
// (bench/load_test.sh). Request i is due at start + i / rate and is sent by one of
// --connections keep-alive clients; its latency is measured from the time it was DUE, so a
// server that falls behind shows it in the percentiles (no coordinated omission), and also
// from the time it was sent (service time). Prints one JSON object.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string path = "/v1/match";
  std::string body_file;
  double rate = 200;
  double duration = 60;
  int connections = 2;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())));
  return v[i];
}

int usage(const char* msg) {
  std::cerr << "credmatch_load_client: " << msg
            << "\nusage: credmatch_load_client --body FILE [--host H] [--port P] [--path /v1/match]"
               " [--rate 200] [--duration 60] [--connections 2]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + k).c_str());
    const std::string v = argv[++i];
    try {
      if (k == "--host") a.host = v;
      else if (k == "--port") a.port = std::stoi(v);
      else if (k == "--path") a.path = v;
      else if (k == "--body") a.body_file = v;
      else if (k == "--rate") a.rate = std::stod(v);
      else if (k == "--duration") a.duration = std::stod(v);
      else if (k == "--connections") a.connections = std::stoi(v);
      else return usage(("unknown option " + k).c_str());
    } catch (const std::exception&) {
      return usage(("bad value for " + k + ": " + v).c_str());
    }
  }
  if (a.body_file.empty()) return usage("--body FILE is required");
  if (a.rate <= 0 || a.duration <= 0 || a.connections < 1) return usage("rate, duration, connections must be > 0");
  std::ifstream in(a.body_file);
  if (!in) return usage(("cannot open " + a.body_file).c_str());
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string body = buf.str();

  const int64_t total = int64_t(a.rate * a.duration);
  const auto start = Clock::now() + std::chrono::milliseconds(200);
  auto due = [&](int64_t i) {
    return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(i) / a.rate));
  };
  std::mutex mu;
  std::vector<double> from_due, from_send;
  from_due.reserve(size_t(total));
  from_send.reserve(size_t(total));
  std::atomic<int64_t> ok{0}, errors{0}, next{0};
  std::string first_error;
  std::vector<std::thread> workers;
  for (int c = 0; c < a.connections; ++c) {
    workers.emplace_back([&] {
      httplib::Client client(a.host, a.port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // headers and body are separate writes (see server.cc)
      client.set_read_timeout(10, 0);
      for (;;) {
        // Requests are handed out in due order to whichever connection is free.
        const int64_t i = next++;
        if (i >= total) return;
        std::this_thread::sleep_until(due(i));
        const auto sent = Clock::now();
        auto r = client.Post(a.path, body, "application/json");
        const auto done = Clock::now();
        const bool good = r && r->status == 200;
        (good ? ok : errors)++;
        std::lock_guard lock(mu);
        if (!good && first_error.empty()) {
          first_error = r ? "HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 200)
                          : "transport error " + httplib::to_string(r.error());
        }
        from_due.push_back(std::chrono::duration<double, std::milli>(done - due(i)).count());
        from_send.push_back(std::chrono::duration<double, std::milli>(done - sent).count());
      }
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  nlohmann::json out = {
      {"path", a.path},
      {"target_rate", a.rate},
      {"duration_s", a.duration},
      {"connections", a.connections},
      {"requests", total},
      {"ok", ok.load()},
      {"errors", errors.load()},
      {"first_error", first_error},
      {"elapsed_s", elapsed},
      {"achieved_rate", double(ok.load() + errors.load()) / elapsed},
      {"latency_ms_from_due", {{"p50", percentile(from_due, 50)}, {"p90", percentile(from_due, 90)},
                               {"p99", percentile(from_due, 99)}, {"max", percentile(from_due, 100)}}},
      {"latency_ms_from_send", {{"p50", percentile(from_send, 50)}, {"p90", percentile(from_send, 90)},
                                {"p99", percentile(from_send, 99)}, {"max", percentile(from_send, 100)}}}};
  std::cout << out.dump(2) << std::endl;
  return errors.load() == 0 ? 0 : 1;
}
