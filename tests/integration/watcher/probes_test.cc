// http, tcp and process probes against a server, a listening socket and processes the test
// starts: N failures are service_down naming what failed, recovery is service_up.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "e2e/child_process.h"
#include "testing/podman_service.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"
#include "watcher_harness.h"

namespace orion::watcher {
namespace {

using namespace std::chrono_literals;
using testing::instance;
using testing::WatcherHarness;

// An HTTP server on a free loopback port whose /health answer the test controls.
class TestServer {
 public:
  TestServer() {
    server_.Get("/health", [this](const httplib::Request&, httplib::Response& response) {
      response.status = status_.load();
      response.set_content(body(), "text/plain");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& response) {
      std::this_thread::sleep_for(300ms);  // the component under test is slow, not the test
      response.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    orion::testing::waitUntil([this] { return server_.is_running(); });
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void answer(int status, std::string text) {
    std::lock_guard lock(mutex_);
    status_ = status;
    body_ = std::move(text);
  }

 private:
  std::string body() {
    std::lock_guard lock(mutex_);
    return body_;
  }
  httplib::Server server_;
  int port_ = 0;
  std::atomic<int> status_{200};
  std::mutex mutex_;
  std::string body_ = "all ok";
  std::thread thread_;
};

config::HttpProbeConfig httpSettings(const std::string& url) {
  config::HttpProbeConfig settings;
  settings.url = url;
  settings.interval = 50ms;
  settings.timeout = 2s;
  settings.fire_after = 2;
  settings.clear_after = 1;
  return settings;
}

TEST(HttpProbeTest, BadStatusIsDownAndRecoveryIsUp) {
  TestServer server;
  WatcherHarness harness;
  auto settings = httpSettings(server.url("/health"));
  settings.labels = {{"team", "media"}};
  ASSERT_TRUE(harness.start({instance("http", "jellyfin", settings)}).isOk());
  ASSERT_TRUE(orion::testing::waitUntil([&] {
    return harness.metrics().read("orion_watcher_probe_up", {{"source", "jellyfin"}}) == 1;
  }));

  server.answer(503, "maintenance");
  ASSERT_TRUE(harness.waitFor("service_down", "jellyfin"));
  Json down = harness.eventsFor("service_down", "jellyfin")[0];
  EXPECT_EQ(down["source"], "orion-watcher-http");
  EXPECT_EQ(down["severity"], "error");
  EXPECT_EQ(down["data"]["node"], "node-t");
  EXPECT_EQ(down["data"]["probe"], "http");
  EXPECT_EQ(down["data"]["status"], 503);
  EXPECT_EQ(down["data"]["target"], server.url("/health"));
  EXPECT_EQ(down["data"]["error"], "status 503 is not one of 2xx, 3xx");
  EXPECT_GE(down["data"]["consecutive_failures"], 2);
  EXPECT_TRUE(down["data"].contains("latency_ms"));
  EXPECT_EQ(down["tags"]["team"], "media") << "instance labels become tags";

  server.answer(200, "all ok");
  ASSERT_TRUE(harness.waitFor("service_up", "jellyfin"));
  EXPECT_EQ(harness.eventsFor("service_down", "jellyfin").size(), 1u);
}

TEST(HttpProbeTest, BodyLatencyAndRefusedConnectionsAreFailuresSaidPlainly) {
  TestServer server;
  WatcherHarness harness;
  auto body = httpSettings(server.url("/health"));
  body.body_contains = "healthy";
  auto slow = httpSettings(server.url("/slow"));
  slow.max_latency = 100ms;
  auto refused = httpSettings("http://127.0.0.1:1/");
  refused.service_name = "nothing-there";
  ASSERT_TRUE(harness
                  .start({instance("http", "body", body), instance("http", "slow", slow),
                          instance("http", "refused", refused)})
                  .isOk());
  ASSERT_TRUE(harness.waitFor("service_down", "body"));
  EXPECT_EQ(harness.eventsFor("service_down", "body")[0]["data"]["error"],
            "the body does not contain 'healthy'");
  ASSERT_TRUE(harness.waitFor("service_down", "slow"));
  std::string slow_error = harness.eventsFor("service_down", "slow")[0]["data"]["error"];
  EXPECT_NE(slow_error.find("over the 100 ms bound"), std::string::npos) << slow_error;
  ASSERT_TRUE(harness.waitFor("service_down", "nothing-there"));
  Json refused_down = harness.eventsFor("service_down", "nothing-there")[0];
  EXPECT_FALSE(refused_down["data"].contains("status"));
  EXPECT_FALSE(refused_down["data"].value("error", "").empty());
}

// A TCP listener on a free loopback port.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    EXPECT_EQ(::listen(fd_, 64), 0);
  }
  ~Listener() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(TcpProbeTest, ClosedPortIsDownNamingTheTarget) {
  Listener listener;
  WatcherHarness harness;
  config::TcpProbeConfig settings;
  settings.port = listener.port();
  settings.interval = 50ms;
  settings.timeout = 1s;
  ASSERT_TRUE(harness.start({instance("tcp", "postgres", settings)}).isOk());
  ASSERT_TRUE(orion::testing::waitUntil([&] {
    return harness.metrics().read("orion_watcher_probe_up", {{"source", "postgres"}}) == 1;
  }));
  listener.close();
  ASSERT_TRUE(harness.waitFor("service_down", "postgres"));
  Json down = harness.eventsFor("service_down", "postgres")[0];
  EXPECT_EQ(down["source"], "orion-watcher-tcp");
  EXPECT_EQ(down["data"]["target"], "127.0.0.1:" + std::to_string(listener.port()));
  EXPECT_NE(down["data"].value("error", "").find("refused"), std::string::npos)
      << down["data"].dump();
}

TEST(ProcessCheckTest, ByNameAndByPidfile) {
  orion::testing::TempDir dir;
  // A copy of sleep under a name no other process on the machine has.
  std::filesystem::path sleeper = dir.path() / "orion-sleeper";
  std::filesystem::copy_file(orion::testing::findExecutable("sleep"), sleeper);
  orion::testing::ChildProcess process(sleeper.string(), {"600"}, {dir.path(), std::nullopt, {}});
  ASSERT_TRUE(process.started()) << process.error();
  std::filesystem::path pidfile = dir.write("sleeper.pid", std::to_string(process.pid()) + "\n");

  config::ProcessCheckConfig by_name;
  by_name.process_name = "orion-sleeper";
  by_name.interval = 50ms;
  config::ProcessCheckConfig by_pidfile;
  by_pidfile.pidfile = pidfile.string();
  by_pidfile.interval = 50ms;
  WatcherHarness harness;
  ASSERT_TRUE(harness
                  .start({instance("process", "sleeper", by_name),
                          instance("process", "sleeper-pid", by_pidfile)})
                  .isOk());
  ASSERT_TRUE(orion::testing::waitUntil([&] {
    return harness.metrics().read("orion_watcher_probe_up", {{"source", "sleeper"}}) == 1 &&
           harness.metrics().read("orion_watcher_probe_up", {{"source", "sleeper-pid"}}) == 1;
  }));
  ASSERT_TRUE(process.signal(SIGKILL));
  ASSERT_TRUE(process.waitExit(5s).has_value());
  ASSERT_TRUE(harness.waitFor("service_down", "sleeper"));
  ASSERT_TRUE(harness.waitFor("service_down", "sleeper-pid"));
  Json by_name_down = harness.eventsFor("service_down", "sleeper")[0];
  EXPECT_EQ(by_name_down["source"], "orion-watcher-process");
  EXPECT_EQ(by_name_down["data"]["count"], 0);
  EXPECT_EQ(by_name_down["data"]["error"],
            "0 process(es) named 'orion-sleeper' running, expected at least 1");
  std::string pid_error = harness.eventsFor("service_down", "sleeper-pid")[0]["data"]["error"];
  EXPECT_NE(pid_error.find("is not running"), std::string::npos) << pid_error;
}

}  // namespace
}  // namespace orion::watcher
