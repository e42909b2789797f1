// The containers source against a real podman API service started by the test (its own storage,
// socket and containers.conf; see tests/testing/podman_service.h): a kill is service_down within
// moments, a start service_up, a failing health check unhealthy, and a restarted engine is
// reconnected to and resynced. Under CI=true a missing podman fails these tests.
#include <gtest/gtest.h>

#include "common/time.h"
#include "testing/podman_suite.h"
#include "testing/wait.h"
#include "watcher_harness.h"

namespace orion::watcher {
namespace {

using namespace std::chrono_literals;
using orion::testing::PodmanService;
using orion::testing::waitUntil;
using testing::instance;
using testing::WatcherHarness;

class ContainersSourceTest : public orion::testing::PodmanSuite {
 protected:
  void TearDown() override {
    harness_.stop();
    PodmanSuite::TearDown();
  }

  config::ContainersSourceConfig settings() const {
    config::ContainersSourceConfig settings;
    settings.socket = "unix://" + podman_->socketPath();
    settings.interval = 300ms;  // resync often: podman 4 sends no health_status events
    return settings;
  }

  // Starts a detached container running `busybox sleep 3600` (plus `extra` run flags).
  std::string run(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "--detach", "--name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(PodmanService::kTestImage);
    Result<std::string> id = podman_->podman(args);
    EXPECT_TRUE(id) << id.status().toString();
    return id ? *id : "";
  }

  // Waits until the source has resynced `count` more times (its samples counter).
  bool resynced(int count = 2) {
    double start = harness_.metrics().read("orion_watcher_samples_total", {{"source", "engine"}});
    return waitUntil([&] {
      return harness_.metrics().read("orion_watcher_samples_total", {{"source", "engine"}}) >=
             start + count;
    });
  }

  bool connected() {
    return waitUntil([&] {
      return harness_.metrics().read("orion_watcher_containers_stream_connected",
                                     {{"source", "engine"}}) == 1;
    });
  }

  WatcherHarness harness_;
};

TEST_F(ContainersSourceTest, KillIsServiceDownAndStartIsServiceUp) {
  std::string id = run("web");
  ASSERT_TRUE(harness_.start({instance("containers", "engine", settings())}).isOk());
  ASSERT_TRUE(connected());
  ASSERT_TRUE(waitUntil([&] {
    return harness_.metrics().read("orion_watcher_containers_watched", {{"source", "engine"}}) == 1;
  }));
  EXPECT_TRUE(harness_.events().empty()) << "a running container needs no news";

  ASSERT_TRUE(podman_->podman({"kill", "web"}).isOk());
  ASSERT_TRUE(harness_.waitFor("service_down", "web"));
  Json down = harness_.eventsFor("service_down", "web")[0];
  EXPECT_EQ(down["source"], "orion-watcher-containers");
  EXPECT_EQ(down["severity"], "error");
  EXPECT_EQ(down["data"]["node"], "node-t");
  EXPECT_EQ(down["data"]["container_id"], id);
  EXPECT_EQ(down["data"]["image"], PodmanService::kTestImage);
  EXPECT_EQ(down["data"]["exit_code"], 137);
  EXPECT_EQ(down["data"]["reason"], "exited");
  EXPECT_EQ(down["data"]["state"], "down");
  EXPECT_TRUE(isRfc3339(down["data"].value("exited_at", ""))) << down["data"].dump();
  EXPECT_EQ(down["tags"]["node"], "node-t");

  ASSERT_TRUE(podman_->podman({"start", "web"}).isOk());
  ASSERT_TRUE(harness_.waitFor("service_up", "web"));
  EXPECT_EQ(harness_.eventsFor("service_up", "web")[0]["severity"], "info");
  // Resyncs keep running; none of them repeats what was announced.
  ASSERT_TRUE(resynced());
  EXPECT_EQ(harness_.eventsFor("service_down", "web").size(), 1u);
  EXPECT_EQ(harness_.eventsFor("service_up", "web").size(), 1u);
}

TEST_F(ContainersSourceTest, FailingHealthCheckIsAnUnhealthyEvent) {
  // Exec form (a JSON array): the image has no /bin/sh for the shell form.
  run("api", {"--health-cmd", R"(["/bin/busybox", "test", "-e", "/ok"])", "--health-retries", "1",
              "--health-interval", "1h"});
  ASSERT_TRUE(harness_.start({instance("containers", "engine", settings())}).isOk());
  ASSERT_TRUE(connected());
  // No systemd here: health checks run only when triggered.
  (void)podman_->podman({"healthcheck", "run", "api"});
  ASSERT_TRUE(harness_.waitFor("service_down", "api"));
  Json down = harness_.eventsFor("service_down", "api")[0];
  EXPECT_EQ(down["data"]["reason"], "unhealthy");
  EXPECT_EQ(down["data"]["health"], "unhealthy");
  EXPECT_EQ(down["severity"], "warning");

  ASSERT_TRUE(podman_->podman({"exec", "api", "/bin/busybox", "touch", "/ok"}).isOk());
  (void)podman_->podman({"healthcheck", "run", "api"});
  ASSERT_TRUE(harness_.waitFor("service_up", "api"));
}

TEST_F(ContainersSourceTest, SelectionByLabelOrName) {
  run("watched-by-label", {"--label", "orion.watch=true"});
  run("db-main");
  run("ignored");
  auto selective = settings();
  selective.select_labels = {"orion.watch=true"};
  selective.select_names = {"db-*"};
  ASSERT_TRUE(harness_.start({instance("containers", "engine", selective)}).isOk());
  ASSERT_TRUE(connected());
  for (const char* name : {"watched-by-label", "db-main", "ignored"}) {
    ASSERT_TRUE(podman_->podman({"kill", name}).isOk());
  }
  ASSERT_TRUE(harness_.waitFor("service_down", "watched-by-label"));
  ASSERT_TRUE(harness_.waitFor("service_down", "db-main"));
  ASSERT_TRUE(resynced());  // still nothing about the unselected one
  EXPECT_TRUE(harness_.eventsFor("service_down", "ignored").empty());
}

TEST_F(ContainersSourceTest, EngineRestartIsSurvivedAndMissedExitsAreResynced) {
  run("worker");
  ASSERT_TRUE(harness_.start({instance("containers", "engine", settings())}).isOk());
  ASSERT_TRUE(connected());

  podman_->stopService();
  ASSERT_TRUE(waitUntil([&] {
    return harness_.metrics().read("orion_watcher_containers_stream_connected",
                                   {{"source", "engine"}}) == 0;
  }));
  // The exit happens while nobody serves the API: no event can reach the source.
  ASSERT_TRUE(podman_->podman({"kill", "worker"}).isOk());
  ASSERT_TRUE(harness_.waitFor("external_api_failure", "container-engine"));

  ASSERT_TRUE(podman_->start().isOk());
  ASSERT_TRUE(connected());
  ASSERT_TRUE(harness_.waitFor("service_down", "worker"));
  EXPECT_EQ(harness_.eventsFor("service_down", "worker")[0]["data"]["exit_code"], 137);
  ASSERT_TRUE(harness_.waitFor("external_api_success", "container-engine"));
  EXPECT_GE(
      harness_.metrics().read("orion_watcher_containers_reconnects_total", {{"source", "engine"}}),
      1);
}

TEST_F(ContainersSourceTest, NoEngineAtTheSocketIsReportedNotFatal) {
  auto nowhere = settings();
  nowhere.socket = (podman_->dir() / "absent.sock").string();
  ASSERT_TRUE(harness_.start({instance("containers", "engine", nowhere)}).isOk());
  ASSERT_TRUE(harness_.waitFor("external_api_failure", "container-engine"));
  // The resync on the sampling thread fails too, and is counted (it may finish after the event
  // thread's report).
  EXPECT_TRUE(waitUntil([&] {
    return harness_.metrics().read("orion_watcher_sample_errors_total", {{"source", "engine"}}) >=
           1;
  }));
}

}  // namespace
}  // namespace orion::watcher
