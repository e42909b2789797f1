// The containers source against a real podman API service started by the test (its own storage,
// socket and containers.conf; see tests/testing/podman_service.h): a kill is service_down within
// moments (by the process-exit watch, before podman's own `die` event, with its exit code, and
// only once), a start service_up, a failing health check unhealthy, and a restarted engine is
// reconnected to and resynced. Under CI=true a missing podman fails these tests.
#include <gtest/gtest.h>

#include "common/time.h"
#include "testing/podman_suite.h"
#include "testing/wait.h"
#include "watcher/sources/containers/exit_status.h"
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

  double metric(const std::string& name, Labels labels = {}) {
    labels.emplace("source", "engine");
    return harness_.metrics().read(name, labels);
  }
  double announcedVia(const std::string& via) {
    return metric("orion_watcher_containers_down_announced_total", {{"via", via}});
  }
  // The source counts an announcement just after publishing it, so a test that has seen the
  // event waits for the count too.
  bool announcementsReach(const std::string& via, double count) {
    return waitUntil([&] { return announcedVia(via) == count; });
  }
  bool exitWatches(double count) {
    return waitUntil([&] { return metric("orion_watcher_containers_exit_watches") == count; });
  }

  void engineRestart(bool exit_watch);

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
  ASSERT_TRUE(exitWatches(1));

  ASSERT_TRUE(podman_->podman({"kill", "web"}).isOk());
  ASSERT_TRUE(harness_.waitFor("service_down", "web"));
  Json down = harness_.eventsFor("service_down", "web")[0];
  EXPECT_EQ(down["source"], "orion-watcher-containers");
  EXPECT_EQ(down["severity"], "error");
  EXPECT_EQ(down["data"]["node"], "node-t");
  EXPECT_EQ(down["data"]["container_id"], id);
  EXPECT_EQ(down["data"]["image"], PodmanService::kTestImage);
  // Seen by the exit watch; the kernel kept the status of a process that is conmon's child, not
  // ORION's (Linux 6.15+; older kernels only while conmon has not reaped it yet).
  if (!down["data"]["exit_code"].is_null() || containers::kernelKeepsExitStatus()) {
    EXPECT_EQ(down["data"]["exit_code"], 137) << down["data"].dump();
  }
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

TEST_F(ContainersSourceTest, AKillIsAnnouncedOnceByTheExitWatchBeforePodmansDieEvent) {
  run("web");
  ASSERT_TRUE(harness_.start({instance("containers", "engine", settings())}).isOk());
  ASSERT_TRUE(connected());
  ASSERT_TRUE(exitWatches(1)) << "a running, watched container's main process is watched";

  for (int round = 1; round <= 2; ++round) {
    double engine_events = metric("orion_watcher_containers_engine_events_total");
    ASSERT_TRUE(podman_->podman({"kill", "web"}).isOk());
    ASSERT_TRUE(harness_.waitFor("service_down", "web"));
    EXPECT_TRUE(announcementsReach("pidfd", round));
    EXPECT_TRUE(exitWatches(0));
    // podman's die event (and then resyncs) arrive later, and announce nothing more.
    ASSERT_TRUE(waitUntil(
        [&] { return metric("orion_watcher_containers_engine_events_total") > engine_events; }));
    ASSERT_TRUE(resynced());
    EXPECT_EQ(harness_.eventsFor("service_down", "web").size(), static_cast<size_t>(round));
    EXPECT_EQ(announcedVia("engine_event"), 0);
    EXPECT_EQ(announcedVia("resync"), 0);

    // Started again: a new process, watched again.
    ASSERT_TRUE(podman_->podman({"start", "web"}).isOk());
    ASSERT_TRUE(waitUntil([&] {
      return harness_.eventsFor("service_up", "web").size() == static_cast<size_t>(round);
    }));
    ASSERT_TRUE(exitWatches(1));
  }
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

TEST_F(ContainersSourceTest, WithoutTheExitWatchTheDieEventAnnouncesTheExit) {
  run("web");
  auto events_only = settings();
  events_only.exit_watch = false;
  // One resync (the first sample, at once) and no more, so that only the die event can find the
  // exit: with the usual 300 ms a resync on a slow machine got there first.
  events_only.interval = 1h;
  ASSERT_TRUE(harness_.start({instance("containers", "engine", events_only)}).isOk());
  ASSERT_TRUE(connected());
  ASSERT_TRUE(waitUntil([&] { return metric("orion_watcher_samples_total") >= 1; }));
  EXPECT_EQ(metric("orion_watcher_containers_exit_watches"), 0);

  ASSERT_TRUE(podman_->podman({"kill", "web"}).isOk());
  ASSERT_TRUE(harness_.waitFor("service_down", "web"));
  EXPECT_EQ(harness_.eventsFor("service_down", "web")[0]["data"]["exit_code"], 137);
  EXPECT_TRUE(announcementsReach("engine_event", 1));
  EXPECT_EQ(announcedVia("pidfd"), 0);
}

// The engine's API goes away, a container is killed meanwhile (podman's CLI needs no API), and
// the API comes back. With the exit watch the kernel tells the source at once; without it the
// resync after reconnecting finds the exit. Either way it is announced once.
void ContainersSourceTest::engineRestart(bool exit_watch) {
  run("worker");
  auto configured = settings();
  configured.exit_watch = exit_watch;
  ASSERT_TRUE(harness_.start({instance("containers", "engine", configured)}).isOk());
  ASSERT_TRUE(connected());
  ASSERT_TRUE(exitWatches(exit_watch ? 1 : 0));

  podman_->stopService();
  ASSERT_TRUE(waitUntil([&] {
    return harness_.metrics().read("orion_watcher_containers_stream_connected",
                                   {{"source", "engine"}}) == 0;
  }));
  ASSERT_TRUE(podman_->podman({"kill", "worker"}).isOk());
  ASSERT_TRUE(harness_.waitFor("external_api_failure", "container-engine"));
  if (exit_watch) {
    ASSERT_TRUE(harness_.waitFor("service_down", "worker"));
    EXPECT_TRUE(announcementsReach("pidfd", 1));
  }

  ASSERT_TRUE(podman_->start().isOk());
  ASSERT_TRUE(connected());
  ASSERT_TRUE(harness_.waitFor("service_down", "worker"));
  ASSERT_TRUE(harness_.waitFor("external_api_success", "container-engine"));
  ASSERT_TRUE(resynced());
  ASSERT_EQ(harness_.eventsFor("service_down", "worker").size(), 1u);
  if (!exit_watch) {
    EXPECT_EQ(harness_.eventsFor("service_down", "worker")[0]["data"]["exit_code"], 137);
    EXPECT_TRUE(announcementsReach("resync", 1));
  }
  EXPECT_GE(
      harness_.metrics().read("orion_watcher_containers_reconnects_total", {{"source", "engine"}}),
      1);
}

TEST_F(ContainersSourceTest, EngineRestartIsSurvivedAndTheExitMeanwhileIsAnnouncedOnce) {
  engineRestart(/*exit_watch=*/true);
}

TEST_F(ContainersSourceTest, EngineRestartIsSurvivedAndMissedExitsAreResynced) {
  engineRestart(/*exit_watch=*/false);
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
