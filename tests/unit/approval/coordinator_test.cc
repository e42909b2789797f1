// The approval coordinator service: subscription, validation, and the sweeper thread expiring
// requests as a SimulatedClock moves (waits use deadlines, never sleeps).
#include "approval/coordinator.h"

#include <gtest/gtest.h>

#include "approval/approval.h"
#include "test_requests.h"
#include "testing/fake_bus.h"
#include "testing/wait.h"

namespace orion::approval {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::approvalRequest;
using testing::FakeBus;
using testing::waitUntil;

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CoordinatorOptions options;
    options.max_sweep_wait = std::chrono::milliseconds(2);
    coordinator_ = makeCoordinator(options, ModuleContext{bus_, clock_, metrics_, "n"});
    ASSERT_TRUE(coordinator_->start().isOk());
  }
  void TearDown() override { coordinator_->stop(clock_.monotonic()); }

  double metric(std::string_view name) { return metrics_.read(name); }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  FakeBus bus_;
  std::unique_ptr<Service> coordinator_;
};

TEST_F(CoordinatorTest, SubscribesToApprovalRequests) {
  auto subscriptions = bus_.subscriptions();
  ASSERT_EQ(subscriptions.size(), 1u);
  EXPECT_EQ(subscriptions[0].type, "approval_request");
  EXPECT_EQ(subscriptions[0].group, "approval-coordinator");
  EXPECT_EQ(subscriptions[0].consumer, "coordinator-1");
}

TEST_F(CoordinatorTest, PendingRequestExpiresWhenTheClockPassesItAndNothingIsExecuted) {
  ASSERT_TRUE(
      bus_.deliver("approval_request", approvalRequest(clock_.now(), clock_.now() + minutes(5)))
          .isOk());
  EXPECT_EQ(metric("orion_approval_requests_total"), 1);
  EXPECT_EQ(metric("orion_approval_pending"), 1);

  clock_.advance(minutes(4));
  // Give the sweeper many chances to look at the clock; the request must still be pending.
  EXPECT_FALSE(waitUntil([&] { return metric("orion_approval_expired_total") > 0; },
                         std::chrono::milliseconds(50)));
  clock_.advance(minutes(1));
  ASSERT_TRUE(waitUntil([&] { return metric("orion_approval_expired_total") == 1; }));
  ASSERT_TRUE(waitUntil([&] { return metric("orion_approval_pending") == 0; }));
  // The expiry is recorded as a deny from the coordinator; nothing is executed.
  ASSERT_TRUE(waitUntil([&] { return bus_.published("approval_decision").size() == 1; }));
  Json record = bus_.published("approval_decision")[0];
  EXPECT_EQ(record["decision"], "deny");
  EXPECT_EQ(record["source"], "orion-approval-coordinator");
  EXPECT_EQ(record["tags"]["expired"], "true");
  EXPECT_FALSE(record.contains("action_id"));
  EXPECT_TRUE(bus_.published("action").empty());
}

TEST_F(CoordinatorTest, ExpiredOnArrivalIsCountedAndNotStored) {
  ASSERT_TRUE(bus_.deliver("approval_request",
                           approvalRequest(clock_.now() - minutes(10), clock_.now() - seconds(1)))
                  .isOk());
  EXPECT_EQ(metric("orion_approval_expired_total"), 1);
  EXPECT_EQ(metric("orion_approval_requests_total"), 0);
  EXPECT_EQ(metric("orion_approval_pending"), 0);
}

TEST_F(CoordinatorTest, RedeliveryIsIgnoredAndBadInputRejected) {
  Json request = approvalRequest(clock_.now(), clock_.now() + minutes(5));
  ASSERT_TRUE(bus_.deliver("approval_request", request).isOk());
  ASSERT_TRUE(bus_.deliver("approval_request", request, 2).isOk());
  EXPECT_EQ(metric("orion_approval_requests_total"), 1);
  EXPECT_EQ(metric("orion_approval_duplicates_total"), 1);

  request.erase("expires_at");
  Status status = bus_.deliver("approval_request", request);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("expires_at"), std::string::npos);
  EXPECT_EQ(metric("orion_approval_rejected_total"), 1);
}

TEST_F(CoordinatorTest, ExpiryBeyondTheMaximumIsCapped) {
  ASSERT_TRUE(bus_.deliver("approval_request",
                           approvalRequest(clock_.now(), clock_.now() + std::chrono::hours(3)))
                  .isOk());
  EXPECT_EQ(metric("orion_approval_timeout_capped_total"), 1);
  clock_.advance(std::chrono::hours(1));
  ASSERT_TRUE(waitUntil([&] { return metric("orion_approval_expired_total") == 1; }));
}

TEST(ApprovalFactoryTest, BuildsFromConfigAndStopsCleanly) {
  SimulatedClock clock;
  MetricsRegistry metrics;
  FakeBus bus;
  config::ApprovalConfig config;
  config.max_timeout = minutes(10);
  auto coordinator = makeApprovalCoordinator(config, "", ModuleContext{bus, clock, metrics, "n"});
  EXPECT_EQ(coordinator->name(), "approval");
  ASSERT_TRUE(coordinator->start().isOk());
  EXPECT_FALSE(coordinator->start().isOk());
  ASSERT_TRUE(
      bus.deliver("approval_request", approvalRequest(clock.now(), clock.now() + minutes(30)))
          .isOk());
  EXPECT_EQ(metrics.read("orion_approval_timeout_capped_total"), 1);
  coordinator->stop(clock.monotonic());
  coordinator->stop(clock.monotonic());  // idempotent
}

}  // namespace
}  // namespace orion::approval
