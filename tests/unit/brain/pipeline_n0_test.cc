// The N0 pipeline on a real embedded bus: an event published by a producer becomes an incident
// (guardian), the incident becomes a NO_ACTION decision (brain), and the commander executes
// nothing. Waits use deadlines, never fixed sleeps.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "brain/brain.h"
#include "bus/embedded_bus.h"
#include "commander/commander.h"
#include "contracts/registry.h"
#include "guardian/guardian.h"
#include "testing/test_events.h"
#include "testing/wait.h"

namespace orion {
namespace {

using testing::metricEvent;
using testing::recoveryOf;
using testing::waitUntil;

// Records every document of one type, as an extra consumer group would (the audit trail does).
class Collector {
 public:
  Status attach(bus::Bus& bus, std::string type) {
    auto subscription =
        bus.subscribe({type, "test-" + type, "test-1"}, [this](const bus::Delivery& delivery) {
          std::lock_guard lock(mutex_);
          documents_.push_back(*delivery.document);
          return Status::ok();
        });
    if (!subscription) return subscription.status();
    subscription_ = std::move(subscription).value();
    return Status::ok();
  }
  std::vector<Json> documents() const {
    std::lock_guard lock(mutex_);
    return documents_;
  }
  size_t size() const { return documents().size(); }
  void stop() {
    if (subscription_) subscription_->stop();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Json> documents_;
  std::unique_ptr<bus::Subscription> subscription_;
};

class PipelineN0Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(registry.isOk()) << registry.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *registry, clock_, metrics_);
    ASSERT_TRUE(incidents_.attach(*bus_, "incident").isOk());
    ASSERT_TRUE(decisions_.attach(*bus_, "decision").isOk());
    ModuleContext context{*bus_, clock_, metrics_, "node-a"};
    services_.push_back(guardian::makeGuardian(config::GuardianConfig{}, context));
    services_.push_back(brain::makeBrain(config::BrainConfig{}, context));
    services_.push_back(commander::makeCommander(config::Config{}, context));
    for (auto& service : services_) ASSERT_TRUE(service->start().isOk()) << service->name();
  }

  void TearDown() override {
    for (auto& service : services_) service->stop(clock_.monotonic() + std::chrono::seconds(2));
    incidents_.stop();
    decisions_.stop();
  }

  // True once `group` has consumed and acknowledged everything on `type`'s stream.
  bool drained(std::string_view type, std::string_view group) {
    return waitUntil([&] { return bus_->backlog(type, group).empty(); });
  }

  RealClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_;
  Collector incidents_;
  Collector decisions_;
  std::vector<std::unique_ptr<Service>> services_;
};

TEST_F(PipelineN0Test, EventBecomesIncidentBecomesNoActionDecision) {
  auto event = metricEvent({}, clock_.now());
  ASSERT_TRUE(bus_->publish("event", event.toJson()).isOk());

  // The collectors are separate consumer groups on their own threads: the decision may be seen
  // before the incident is.
  ASSERT_TRUE(waitUntil([&] { return decisions_.size() == 1 && incidents_.size() == 1; }));
  Json incident = incidents_.documents().at(0);
  Json decision = decisions_.documents().at(0);
  EXPECT_EQ(incident["event_ids"], Json::array({event.event_id}));
  EXPECT_EQ(incident["state"], "open");
  EXPECT_EQ(decision["incident_id"], incident["incident_id"]);
  EXPECT_EQ(decision["decision_type"], "NO_ACTION");
  EXPECT_EQ(decision["autonomy_level"], "N0");
  ASSERT_TRUE(waitUntil([&] {
    return metrics_.read("orion_commander_ignored_total", {{"reason", "no_action"}}) == 1;
  }));
  EXPECT_EQ(metrics_.sum("orion_commander_refused_total"), 0);
}

TEST_F(PipelineN0Test, RepublishedEventAndResolutionAddNoDecision) {
  auto event = metricEvent({}, clock_.now());
  ASSERT_TRUE(bus_->publish("event", event.toJson()).isOk());
  ASSERT_TRUE(waitUntil([&] { return decisions_.size() == 1; }));

  ASSERT_TRUE(bus_->publish("event", event.toJson()).isOk());  // same event_id again
  ASSERT_TRUE(bus_->publish("event", recoveryOf({}, clock_.now()).toJson()).isOk());
  ASSERT_TRUE(waitUntil([&] { return incidents_.size() == 2; }));
  ASSERT_TRUE(drained("event", "guardian"));
  ASSERT_TRUE(drained("incident", "brain"));
  ASSERT_TRUE(drained("decision", "commander-node-a"));

  EXPECT_EQ(incidents_.documents().at(1)["state"], "resolved");
  EXPECT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(metrics_.read("orion_guardian_duplicates_total"), 1);
  EXPECT_EQ(metrics_.read("orion_brain_incidents_skipped_total", {{"state", "resolved"}}), 1);
}

}  // namespace
}  // namespace orion
