#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "bus/embedded_bus.h"
#include "contracts/registry.h"
#include "testing/host_tools.h"

namespace orion::api {
namespace {

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(contracts.isOk()) << contracts.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *contracts, clock_, metrics_);
    port_ = orion::testing::freeLoopbackPort();
    ASSERT_GT(port_, 0);
  }

  std::unique_ptr<Service> make(std::string listen) {
    config::Config config;
    config.api.enabled = true;
    config.api.listen = std::move(listen);
    return makeApiServer(config, ModuleContext{*bus_, clock_, metrics_, "node-a"});
  }
  std::string loopback() const { return "127.0.0.1:" + std::to_string(port_); }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_;
  int port_ = 0;
};

TEST_F(ApiServerTest, HealthIsOk) {
  auto server = make(loopback());
  ASSERT_TRUE(server->start().isOk());
  httplib::Client client("127.0.0.1", port_);
  auto response = client.Get("/health");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"status":"ok"})");
  EXPECT_EQ(response->get_header_value("Content-Type"), "application/json");
  server->stop(clock_.monotonic());
}

TEST_F(ApiServerTest, MetricsIsThePrometheusExposition) {
  metrics_.counter("orion_test_things_total", "Things", {{"kind", "a"}}).inc(7);
  auto server = make(loopback());
  ASSERT_TRUE(server->start().isOk());
  httplib::Client client("127.0.0.1", port_);
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  // The registry as rendered, but for the request counters, which count this request only once
  // it has been answered.
  auto withoutRequestSeries = [](const std::string& text) {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + start, end - start);
      if (line.find("orion_api_request") == std::string_view::npos) out.append(line).append("\n");
      start = end + 1;
    }
    return out;
  };
  EXPECT_EQ(withoutRequestSeries(response->body),
            withoutRequestSeries(metrics_.renderPrometheus()));
  EXPECT_NE(response->body.find("orion_test_things_total{kind=\"a\"} 7"), std::string::npos);
}

TEST_F(ApiServerTest, UnknownPathIsNotFound) {
  auto server = make(loopback());
  ASSERT_TRUE(server->start().isOk());
  httplib::Client client("127.0.0.1", port_);
  auto response = client.Get("/nope");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST_F(ApiServerTest, StopClosesTheListenerAndIsIdempotent) {
  auto server = make(loopback());
  ASSERT_TRUE(server->start().isOk());
  server->stop(clock_.monotonic());
  server->stop(clock_.monotonic());
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(std::chrono::seconds(1));
  EXPECT_FALSE(client.Get("/health"));
}

TEST_F(ApiServerTest, StopIsPromptEvenWithAnIdleKeepAliveConnection) {
  auto server = make(loopback());
  ASSERT_TRUE(server->start().isOk());
  httplib::Client client("127.0.0.1", port_);
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/health"));  // the connection now idles in a server worker
  RealClock real;
  MonoTime begin = real.monotonic();
  server->stop(real.monotonic() + std::chrono::milliseconds(500));
  // A Prometheus scraper keeps its connection open; stop() must not wait out a long keep-alive.
  EXPECT_LT(real.monotonic() - begin, std::chrono::milliseconds(1500));
}

TEST_F(ApiServerTest, StopIsBoundedWhenAClientConnectsAndSendsNothing) {
  auto server = make(loopback());
  ASSERT_TRUE(server->start().isOk());
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port_));
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  RealClock real;
  MonoTime begin = real.monotonic();
  server->stop(real.monotonic() + std::chrono::milliseconds(500));
  EXPECT_LT(real.monotonic() - begin, std::chrono::milliseconds(2500));
  close(fd);
}

TEST_F(ApiServerTest, StopRightAfterStartReturns) {
  for (int i = 0; i < 20; ++i) {
    auto server = make(loopback());
    ASSERT_TRUE(server->start().isOk());
    server->stop(clock_.monotonic());
  }
}

TEST_F(ApiServerTest, LocalhostNameIsLoopback) {
  auto server = make("localhost:" + std::to_string(port_));
  EXPECT_TRUE(server->start().isOk());
}

TEST_F(ApiServerTest, NonLoopbackAddressesAreRefused) {
  for (std::string host : {"0.0.0.0", "192.168.1.10", "[::]", "example.com"}) {
    auto server = make(host + ":" + std::to_string(port_));
    Status started = server->start();
    EXPECT_EQ(started.code(), StatusCode::kInvalidArgument) << host;
    EXPECT_NE(started.message().find("non-loopback"), std::string::npos) << started.message();
    EXPECT_NE(started.message().find("api.listen"), std::string::npos) << started.message();
  }
}

TEST_F(ApiServerTest, MalformedListenIsAClearError) {
  for (std::string listen : {"", "127.0.0.1", "127.0.0.1:", ":9750", "127.0.0.1:http",
                             "127.0.0.1:70000", "127.0.0.1:-1"}) {
    auto server = make(listen);
    Status started = server->start();
    EXPECT_EQ(started.code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_NE(started.message().find("api.listen"), std::string::npos) << started.message();
  }
}

TEST_F(ApiServerTest, PortInUseFailsToStart) {
  auto first = make(loopback());
  ASSERT_TRUE(first->start().isOk());
  auto second = make(loopback());
  Status started = second->start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_NE(started.message().find(loopback()), std::string::npos);
}

}  // namespace
}  // namespace orion::api
