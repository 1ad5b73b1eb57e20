// tools/serve/server.h over real loopback HTTP (httplib::Client): every endpoint, JSON errors,
// limits, path traversal, the write token, reload while requests run, metrics; and
// `credmatch serve` as a process: SIGHUP reload and graceful SIGTERM.
#include "tools/serve/server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/fixture_catalog.h"
#include "tests/test_util.h"

namespace credmatch::serve {
namespace {

using nlohmann::json;
using testing_util::unique_temp_path;

constexpr char kToken[] = "test-token-0123456789abcdef";

// A server on a free loopback port, served from a background thread.
class RunningServer {
 public:
  RunningServer(const std::string& dir, std::string token, engine::api::Limits limits = {},
                ServerConfig config = {}) {
    auto s = engine::api::Service::open(dir, limits, testing_util::fixture_build_options());
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    config.port = 0;
    if (config.threads == ServerConfig{}.threads) config.threads = 4;
    config.token = std::move(token);
    server_ = std::make_unique<Server>(std::shared_ptr<engine::api::Service>(std::move(*s)), config);
    auto port = server_->bind();
    EXPECT_TRUE(port.is_ok());
    port_ = *port;
    thread_ = std::thread([this] { server_->listen(); });
  }
  ~RunningServer() {
    server_->stop();
    thread_.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  Server& server() { return *server_; }

 private:
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(unique_temp_path("serve_catalog").string());
    ASSERT_NE(testing_util::build_fixture_catalog(*dir_), nullptr);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::string* dir_;
};
std::string* ServeTest::dir_ = nullptr;

const std::string kJob = R"({"job": {"title": "analyst", "requirements": [
  {"text": "Write SQL queries to select and filter records in a relational database"},
  {"text": "Analyse tabular data with pandas in Python"},
  {"text": "Track changes to files with Git version control", "importance": "optional"}]}})";

json body_of(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response";
  if (!r) return nullptr;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << r->body;
  return json::parse(r->body, nullptr, false);
}

// The error object of a response, checking the shape every error has.
json error_of(const httplib::Result& r, int status) {
  EXPECT_TRUE(r);
  if (!r) return nullptr;
  EXPECT_EQ(r->status, status) << r->body;
  const json j = body_of(r);
  EXPECT_TRUE(j.contains("error")) << r->body;
  if (!j.contains("error")) return nullptr;
  EXPECT_EQ(j["error"]["status"], status);
  EXPECT_TRUE(j["error"]["field"].is_string());
  EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  return j["error"];
}

TEST_F(ServeTest, EveryReadEndpointAnswers) {
  RunningServer srv(*dir_, "");
  auto c = srv.client();
  json m = body_of(c.Post("/v1/match", kJob, "application/json"));
  EXPECT_EQ(m["results"][0]["credential"]["id"], "t:sql");

  json g = body_of(c.Post("/v1/gap", R"({"occupation": "data analyst", "skills": "write SQL queries"})",
                          "application/json"));
  EXPECT_EQ(g["gap"]["requirements"][0]["status"], "covered");

  json p = body_of(c.Post("/v1/path", R"({"occupation": "job:analyst", "skills": []})", "application/json"));
  EXPECT_FALSE(p["steps"].empty());
  EXPECT_TRUE(p["steps"][0].contains("coverage_after"));

  json cred = body_of(c.Get("/v1/credentials/t:sql"));
  EXPECT_EQ(cred["id"], "t:sql");
  json s = body_of(c.Get("/v1/search?q=SQL%20queries&k=3"));
  EXPECT_EQ(s["competencies"][0]["credential_id"], "t:sql");
  EXPECT_EQ(s["skills"][0]["id"], "s:sql");
  json o = body_of(c.Get("/v1/occupations?q=nurse"));
  EXPECT_EQ(o["occupations"][0]["id"], "job:nurse");
  json h = body_of(c.Get("/v1/health"));
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["counts"]["credentials"], 10);

  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<title>credmatch"), std::string::npos);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  for (const char* f : {"/index.html", "/app.js", "/style.css"}) {
    auto r = c.Get(f);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << f;
    EXPECT_FALSE(r->body.empty()) << f;
  }
  // Nothing on the page loads from elsewhere.
  for (const char* f : {"/index.html", "/app.js", "/style.css"}) {
    const std::string body = c.Get(f)->body;
    EXPECT_EQ(body.find("http://"), std::string::npos) << f;
    EXPECT_EQ(body.find("https://"), std::string::npos) << f;
  }

  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("credmatch_http_requests_total{route=\"/v1/match\",status=\"200\"} 1"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("credmatch_http_request_duration_seconds_count{route=\"/v1/match\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("# TYPE credmatch_http_request_duration_seconds histogram"),
            std::string::npos);
}

// One compute worker and more keep-alive clients than that: a connection that stays open must
// not keep the others waiting (cpp-httplib serves a connection on one thread until it closes;
// with only `threads` connection threads, a second client waited for the first's keep-alive to
// expire, here 60 s, past its 10 s read timeout).
TEST_F(ServeTest, OpenKeepAliveConnectionsDoNotBlockOtherClients) {
  ServerConfig config;
  config.threads = 1;
  config.connections = 8;
  config.keep_alive_seconds = 60;
  RunningServer server(*dir_, "", {}, config);
  std::vector<httplib::Client> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(server.client());
    clients.back().set_keep_alive(true);
    clients.back().set_read_timeout(10, 0);
  }
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < clients.size(); ++i) {
      auto r = clients[i].Post("/v1/match", kJob, "application/json");
      ASSERT_TRUE(r) << "client " << i << " round " << round << ": " << httplib::to_string(r.error());
      EXPECT_EQ(r->status, 200);
    }
  }
}

TEST_F(ServeTest, BadRequestsGetJsonErrorsNamingTheField) {
  engine::api::Limits limits;
  limits.max_body_bytes = 4096;
  RunningServer srv(*dir_, "", limits);
  auto c = srv.client();
  EXPECT_EQ(error_of(c.Post("/v1/match", R"({"job": {"title": "t", "requirements": [{"text": "sql"}, {"text": ""}]}})",
                            "application/json"),
                     400)["field"],
            "job.requirements[1].text");
  EXPECT_EQ(error_of(c.Post("/v1/match", "{not json", "application/json"), 400)["field"], "");
  EXPECT_EQ(error_of(c.Post("/v1/match", kJob, "text/plain"), 415)["field"], "Content-Type");
  // The media type exactly: not a prefix, not absent; parameters and case are fine.
  EXPECT_EQ(error_of(c.Post("/v1/match", kJob, "application/jsonx"), 415)["field"], "Content-Type");
  EXPECT_EQ(error_of(c.Post("/v1/match", kJob, ""), 415)["field"], "Content-Type");
  EXPECT_EQ(c.Post("/v1/match", kJob, "Application/JSON; charset=utf-8")->status, 200);
  // Documented ranges hold at their ends; an integer beyond 64 bits is named as sent.
  EXPECT_EQ(c.Post("/v1/match", R"({"occupation": "data analyst", "threshold": -1})",
                   "application/json")->status, 200);
  const json huge = error_of(c.Post("/v1/match", R"({"occupation": "data analyst", "top": 18446744073709551615})",
                                    "application/json"), 400);
  EXPECT_EQ(huge["field"], "top");
  EXPECT_NE(huge["message"].get<std::string>().find("got 18446744073709551615"), std::string::npos)
      << huge.dump();
  EXPECT_EQ(c.Post("/v1/gap", R"({"occupation": "data analyst", "skills": "sql", "partial_threshold": -1})",
                   "application/json")->status, 200);
  EXPECT_EQ(error_of(c.Post("/v1/gap", R"({"occupation": "job:analyst"})", "application/json"), 400)["field"],
            "profile");
  EXPECT_EQ(error_of(c.Post("/v1/match", R"({"occupation": "astronaut"})", "application/json"), 404)["field"],
            "occupation");
  EXPECT_EQ(error_of(c.Get("/v1/credentials/t:nope"), 404)["field"], "id");
  EXPECT_EQ(error_of(c.Get("/v1/search?q=sql&k=abc"), 400)["field"], "k");
  EXPECT_EQ(error_of(c.Get("/v1/search?q=sql&k=0"), 400)["field"], "k");
  EXPECT_EQ(error_of(c.Get("/v1/search"), 400)["field"], "q");
  error_of(c.Get("/v1/nothing"), 404);
  error_of(c.Get("/v1/match"), 404);  // GET on a POST route

  // Oversize body: 413, and the server keeps answering.
  const std::string big = R"({"text": ")" + std::string(8000, 'a') + R"("})";
  error_of(c.Post("/v1/match", big, "application/json"), 413);
  EXPECT_EQ(c.Get("/v1/health")->status, 200);
}

// Two inputs once ended the process, no token needed: invalid UTF-8 in a URL (an uncaught
// exception while the 404 handler wrote the path into JSON) and deeply nested JSON (stack
// exhaustion). Each is now a 4xx, and the server keeps answering.
TEST_F(ServeTest, InvalidUtf8InTheUrlIsAClientErrorAndTheServerKeepsServing) {
  RunningServer srv(*dir_, "");
  auto c = srv.client();
  error_of(c.Get("/%FF"), 404);
  error_of(c.Get("/v1/%C3%28/x"), 404);
  EXPECT_EQ(error_of(c.Get("/v1/credentials/%C3%28"), 400)["field"], "path");
  EXPECT_EQ(error_of(c.Get("/v1/search?q=sql&k=%FF"), 400)["field"], "k");
  EXPECT_EQ(error_of(c.Get("/v1/search?q=%FE%FF"), 400)["field"], "q");
  EXPECT_EQ(error_of(c.Get("/v1/occupations?q=caf%C3"), 400)["field"], "q");
  EXPECT_EQ(c.Get("/v1/health")->status, 200);
}

TEST_F(ServeTest, DeeplyNestedBodiesAreRefusedAndTheServerKeepsServing) {
  RunningServer srv(*dir_, "");
  auto c = srv.client();
  const std::string open(60000, '['), close(60000, ']');
  const std::pair<const char*, std::string> cases[] = {
      {"/v1/match", R"({"occupation": "job:analyst", "top": )" + open + close + "}"},
      {"/v1/match", R"({"job": {"title": "t", "requirements": )" + open + close + "}}"},
      {"/v1/path", R"({"occupation": "job:analyst", "skills": [], "explain": )" + open + close + "}"},
      {"/v1/gap", R"({"occupation": "job:analyst", "profile": {"skills": )" + open + close + "}}"},
      {"/v1/match", open + close},
  };
  for (const auto& [route, body] : cases) {
    const json e = error_of(c.Post(route, body, "application/json"), 400);
    EXPECT_NE(e["message"].get<std::string>().find("nest deeper than 64 levels"), std::string::npos)
        << route << ": " << e.dump();
  }
  EXPECT_EQ(c.Get("/v1/health")->status, 200);
}

TEST_F(ServeTest, StaticFilesCannotReachOutsideTheEmbeddedPage) {
  RunningServer srv(*dir_, "");
  auto c = srv.client();
  for (const char* path :
       {"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e%2fCMakeLists.txt",
        "/index.html/../../CMakeLists.txt", "/web/app.js", "/./app.js/..", "/app.js%00.html",
        "//etc/passwd", "/app_js", "/CMakeLists.txt", "/service/api.h"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 404 || r->status == 400) << path << " -> " << r->status;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("cmake_minimum_required"), std::string::npos) << path;
  }
}

TEST_F(ServeTest, WritesNeedTheBearerToken) {
  const std::string copy = unique_temp_path("serve_ingest_catalog").string();
  std::filesystem::remove_all(copy);
  std::filesystem::copy(*dir_, copy, std::filesystem::copy_options::recursive);
  const std::string record =
      R"({"id": "t:pivot", "title": "Spreadsheets with Excel", "competencies": [{"text": "Build pivot tables in Excel"}]})"
      "\n";
  {
    RunningServer read_only(copy, "");
    auto c = read_only.client();
    error_of(c.Post("/v1/credentials", record, "application/x-ndjson"), 403);
    error_of(c.Post("/v1/admin/reload", "", "application/json"), 403);
  }
  RunningServer srv(copy, kToken);
  auto c = srv.client();
  auto none = c.Post("/v1/credentials", record, "application/x-ndjson");
  EXPECT_EQ(error_of(none, 401)["field"], "Authorization");
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer realm=\"credmatch\"");
  c.set_bearer_token_auth("wrong-token-0123456789abcdef");
  error_of(c.Post("/v1/credentials", record, "application/x-ndjson"), 401);
  error_of(c.Get("/v1/credentials/t:pivot"), 404);

  c.set_bearer_token_auth(kToken);
  json out = body_of(c.Post("/v1/credentials", record, "application/x-ndjson"));
  EXPECT_EQ(out["ingested"]["credentials"], 1);
  EXPECT_EQ(body_of(c.Get("/v1/credentials/t:pivot"))["title"], "Spreadsheets with Excel");
  EXPECT_EQ(error_of(c.Post("/v1/credentials", "{\"id\": \"t:x\"}\n", "application/x-ndjson"), 400)["field"],
            "body:1");
  json reloaded = body_of(c.Post("/v1/admin/reload", "", "application/json"));
  EXPECT_EQ(reloaded["generation"], 3);
  std::filesystem::remove_all(copy);
}

TEST_F(ServeTest, ReloadDuringRequestsDropsNone) {
  RunningServer srv(*dir_, kToken);
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      auto c = srv.client();
      while (!stop) {
        auto r = c.Post("/v1/match", kJob, "application/json");
        (r && r->status == 200 ? ok : bad)++;
      }
    });
  }
  auto admin = srv.client();
  admin.set_bearer_token_auth(kToken);
  for (int i = 0; i < 5; ++i) {
    auto r = admin.Post("/v1/admin/reload", "", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  while (ok < 30 && bad == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_GE(ok, 30);
  EXPECT_EQ(srv.server().service().generation(), 6);
}

#ifdef CREDMATCH_CLI_PATH
// `credmatch serve` as a process: prints its address, reloads on SIGHUP, stops on SIGTERM.
TEST_F(ServeTest, ServeProcessReloadsOnSighupAndStopsOnSigterm) {
  const auto out_file = unique_temp_path("serve_stdout.txt");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    execl(CREDMATCH_CLI_PATH, CREDMATCH_CLI_PATH, "serve", "--catalog", dir_->c_str(), "--port",
          "0", "--threads", "2", static_cast<char*>(nullptr));
    _exit(127);
  }
  int port = 0;
  const std::regex address(R"(http://127\.0\.0\.1:(\d+)/)");
  for (int i = 0; i < 600 && port == 0; ++i) {
    std::smatch m;
    const std::string text = testing_util::slurp(out_file);
    if (std::regex_search(text, m, address)) port = std::stoi(m[1]);
    else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(port, 0) << testing_util::slurp(out_file);
  httplib::Client c("127.0.0.1", port);
  EXPECT_EQ(body_of(c.Get("/v1/health"))["generation"], 1);
  ASSERT_EQ(kill(pid, SIGHUP), 0);
  int generation = 1;
  for (int i = 0; i < 200 && generation == 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    generation = body_of(c.Get("/v1/health"))["generation"].get<int>();
  }
  EXPECT_EQ(generation, 2);
  EXPECT_EQ(c.Post("/v1/match", kJob, "application/json")->status, 200);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(testing_util::slurp(out_file).find("stopped"), std::string::npos);
  std::filesystem::remove(out_file);
}
#endif

}  // namespace
}  // namespace credmatch::serve
