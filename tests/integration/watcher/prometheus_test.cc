// The prometheus source against a real `prometheus` (Debian package) the test starts on a free
// loopback port, scraping a target the test serves every second: a threshold rule on a served
// metric, `up == 0` as service_down when the target goes away, and Prometheus itself going down
// as external_api_failure. Under CI=true a missing prometheus fails these tests.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "e2e/child_process.h"
#include "testing/podman_service.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"
#include "watcher_harness.h"

namespace orion::watcher {
namespace {

using namespace std::chrono_literals;
using orion::testing::waitUntil;
using testing::instance;
using testing::WatcherHarness;

// The scrape target: /metrics with one gauge whose value the test sets.
class Target {
 public:
  explicit Target(int port) : port_(port) {
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
      response.set_content("# TYPE orion_test_temperature gauge\norion_test_temperature " +
                               std::to_string(value_.load()) + "\n",
                           "text/plain; version=0.0.4");
    });
    bool bound = server_.bind_to_port("127.0.0.1", port_);
    EXPECT_TRUE(bound) << "port " << port_;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    orion::testing::waitUntil([this] { return server_.is_running(); });
  }
  ~Target() {
    server_.stop();
    thread_.join();
  }
  void set(double value) { value_ = value; }

 private:
  int port_;
  httplib::Server server_;
  std::atomic<double> value_{42};
  std::thread thread_;
};

class PrometheusSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string prometheus = orion::testing::findExecutable("prometheus");
    ORION_REQUIRE_COMPONENT(
        prometheus.empty() ? "prometheus is not installed (scripts/install-deps.sh)" : "");
    target_port_ = orion::testing::freeLoopbackPort();
    prometheus_port_ = orion::testing::freeLoopbackPort();
    target_ = std::make_unique<Target>(target_port_);
    auto config = dir_.write("prometheus.yml",
                             "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                             "scrape_configs:\n  - job_name: target\n    static_configs:\n"
                             "      - targets: ['127.0.0.1:" +
                                 std::to_string(target_port_) + "']\n");
    std::filesystem::create_directories(dir_.path() / "logs");
    process_ = std::make_unique<orion::testing::ChildProcess>(
        prometheus,
        std::vector<std::string>{
            "--config.file=" + config.string(),
            "--storage.tsdb.path=" + (dir_.path() / "data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_)},
        orion::testing::ChildProcess::Options{dir_.path() / "logs", std::nullopt, {}});
    ASSERT_TRUE(process_->started()) << process_->error();
    httplib::Client client("127.0.0.1", prometheus_port_);
    // Ready, and the target scraped at least once (so `up` exists).
    ASSERT_TRUE(waitUntil(
        [&] {
          auto answer = client.Get("/api/v1/query?query=up");
          return answer && answer->status == 200 &&
                 answer->body.find("\"value\"") != std::string::npos;
        },
        30s))
        << process_->err();
  }
  void TearDown() override {
    harness_.stop();
    if (process_ && process_->running()) {
      process_->signal(SIGTERM);
      if (!process_->waitExit(10s)) process_->signal(SIGKILL);
      (void)process_->waitExit(5s);
    }
  }

  config::PrometheusSourceConfig settings(const std::string& query) const {
    config::PrometheusSourceConfig settings;
    settings.url = "http://127.0.0.1:" + std::to_string(prometheus_port_);
    settings.query = query;
    settings.interval = 200ms;
    settings.resource_label = "job";
    return settings;
  }

  orion::testing::TempDir dir_;
  int target_port_ = 0;
  int prometheus_port_ = 0;
  std::unique_ptr<Target> target_;
  std::unique_ptr<orion::testing::ChildProcess> process_;
  WatcherHarness harness_;
};

TEST_F(PrometheusSourceTest, ThresholdRuleOnAQueryAndUpZeroAsServiceDown) {
  auto temperature = settings("orion_test_temperature");
  temperature.threshold = {40, 80};
  temperature.metric = "temperature";
  temperature.unit = "celsius";
  auto up = settings("up{job=\"target\"}");
  up.mode = "service";
  ASSERT_TRUE(harness_
                  .start({instance("prometheus", "temperature", temperature),
                          instance("prometheus", "scrape-up", up)})
                  .isOk());

  ASSERT_TRUE(waitUntil([&] {
    for (const Json& event : harness_.events()) {
      if (event["event_type"] == "metric_threshold_exceeded") return true;
    }
    return false;
  }));
  Json firing;
  for (const Json& event : harness_.events()) {
    if (event["event_type"] == "metric_threshold_exceeded") firing = event;
  }
  EXPECT_EQ(firing["source"], "orion-watcher-prometheus");
  EXPECT_EQ(firing["severity"], "warning");
  EXPECT_EQ(firing["data"]["resource_type"], "prometheus");
  EXPECT_EQ(firing["data"]["resource"], "target");
  EXPECT_EQ(firing["data"]["metric"], "temperature");
  EXPECT_EQ(firing["data"]["unit"], "celsius");
  EXPECT_EQ(firing["data"]["value"], 42.0);
  EXPECT_EQ(firing["data"]["threshold"], 40.0);
  EXPECT_EQ(firing["data"]["query"], "orion_test_temperature");
  EXPECT_TRUE(harness_.eventsFor("service_down", "target").empty()) << "the target is up";

  target_.reset();  // the target goes away: the next scrape sets up = 0
  ASSERT_TRUE(harness_.waitFor("service_down", "target", 1, 30s));
  Json down = harness_.eventsFor("service_down", "target")[0];
  EXPECT_EQ(down["data"]["probe"], "prometheus");
  EXPECT_EQ(down["data"]["value"], 0.0);

  target_ = std::make_unique<Target>(target_port_);
  ASSERT_TRUE(harness_.waitFor("service_up", "target", 1, 30s));
}

TEST_F(PrometheusSourceTest, PrometheusDownIsAnExternalApiFailure) {
  auto temperature = settings("orion_test_temperature");
  temperature.threshold = {100, std::nullopt};
  ASSERT_TRUE(harness_.start({instance("prometheus", "temps", temperature)}).isOk());
  ASSERT_TRUE(waitUntil([&] {
    return harness_.metrics().read("orion_watcher_prometheus_series", {{"source", "temps"}}) == 1;
  }));
  process_->signal(SIGKILL);
  ASSERT_TRUE(process_->waitExit(10s).has_value());
  ASSERT_TRUE(harness_.waitFor("external_api_failure", "prometheus:temps"));
  Json failure = harness_.eventsFor("external_api_failure", "prometheus:temps")[0];
  EXPECT_EQ(failure["data"]["api"], "prometheus");
  EXPECT_FALSE(failure["data"].value("error", "").empty());
}

}  // namespace
}  // namespace orion::watcher
