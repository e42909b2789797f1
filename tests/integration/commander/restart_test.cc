// The commander against a real podman API service (tests/testing/podman_service.h): a SAFE
// restart_container decision restarts a dead container, verifies it is running and says so in
// the outcome; a container that does not exist fails without a retry. Under CI=true a missing
// podman fails these tests.
#include <gtest/gtest.h>

#include "commander/commander.h"
#include "common/ids.h"
#include "docker/docker_client.h"
#include "testing/decision_documents.h"
#include "testing/fake_bus.h"
#include "testing/podman_suite.h"

namespace orion::commander {
namespace {

using testing::PodmanService;

Json restartDecision(const std::string& container) {
  return orion::testing::decisionDocument(
      "EXECUTE_SAFE_ACTION", "restart_container",
      Json{{"container_id", container}, {"service_name", container}});
}

class CommanderRestartTest : public testing::PodmanSuite {
 protected:
  void SetUp() override {
    PodmanSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    CommanderOptions options;
    options.policy_dir = ORION_SOURCE_DIR "/policies";
    options.builtin.docker_socket = podman_->socketPath();
    options.builtin.verify_timeout = std::chrono::seconds(20);
    options.retry_backoff = std::chrono::milliseconds(10);
    commander_ = makeCommanderService(options, ModuleContext{bus_, clock_, metrics_, "n"});
    ASSERT_TRUE(commander_->start().isOk());
  }
  void TearDown() override {
    if (commander_) commander_->stop(clock_.monotonic());
    PodmanSuite::TearDown();
  }

  RealClock clock_;
  MetricsRegistry metrics_;
  testing::FakeBus bus_;
  std::unique_ptr<Service> commander_;
};

TEST_F(CommanderRestartTest, ADeadContainerIsRestartedAndVerifiedRunning) {
  ASSERT_TRUE(podman_
                  ->podman({"run", "--detach", "--name", "web", PodmanService::kTestImage,
                            "/bin/busybox", "sleep", "3600"})
                  .isOk());
  ASSERT_TRUE(podman_->podman({"kill", "web"}).isOk());
  docker::DockerClient engine(podman_->socketPath(), clock_);
  auto before = engine.inspectContainer("web");
  ASSERT_TRUE(before.isOk()) << before.status().toString();
  ASSERT_FALSE(before->running);

  ASSERT_TRUE(bus_.deliver("decision", restartDecision("web")).isOk());
  ASSERT_EQ(bus_.published("outcome").size(), 1u);
  Json outcome = bus_.published("outcome")[0];
  EXPECT_EQ(outcome["status"], "succeeded") << outcome.dump();
  EXPECT_EQ(outcome["result"]["verified"], true);
  EXPECT_EQ(outcome["result"]["state"], "running");
  auto after = engine.inspectContainer("web");
  ASSERT_TRUE(after.isOk());
  EXPECT_TRUE(after->running);
}

TEST_F(CommanderRestartTest, AnUnknownContainerFailsWithoutRetry) {
  ASSERT_TRUE(bus_.deliver("decision", restartDecision("no-such-container")).isOk());
  ASSERT_EQ(bus_.published("outcome").size(), 1u);
  Json outcome = bus_.published("outcome")[0];
  EXPECT_EQ(outcome["status"], "failed");
  EXPECT_EQ(outcome["error"]["code"], "RESTART_FAILED");
  EXPECT_EQ(outcome["result"]["attempts"].size(), 1u);
}

}  // namespace
}  // namespace orion::commander
