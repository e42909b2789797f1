// The commander service on a synchronous fake bus: two subscriptions, refusals counted once per
// decision, approval decisions counted and ignored.
#include "commander/commander.h"

#include <gtest/gtest.h>

#include "common/ids.h"
#include "common/time.h"
#include "testing/fake_bus.h"

namespace orion::commander {
namespace {

using testing::FakeBus;

Json decisionJson(std::string_view type, std::optional<std::string> action = std::nullopt,
                  std::string node = "n") {
  Json d{{"version", "1.0"},
         {"decision_id", newUuid()},
         {"timestamp", "2026-01-01T00:00:00Z"},
         {"source", "orion-brain"},
         {"incident_id", newUuid()},
         {"decision_type", type},
         {"safety_classification", type == "REQUEST_APPROVAL" ? "RISKY" : "SAFE"},
         {"requires_approval", type == "REQUEST_APPROVAL"},
         {"reasoning", "a decision for the commander test"},
         {"tags", {{"node", node}}}};
  if (action) d["proposed_action"] = Json{{"action_type", *action}, {"parameters", Json::object()}};
  return d;
}

Json approvalDecisionJson(std::string_view decision) {
  return Json{{"version", "1.0"},
              {"approval_id", newUuid()},
              {"timestamp", "2026-01-01T00:00:00Z"},
              {"source", "orion-approval-cli"},
              {"approval_request_id", newUuid()},
              {"decision_id", newUuid()},
              {"decision", decision},
              {"admin_identity", "admin"},
              {"reason", "looks right"},
              {"issued_at", "2026-01-01T00:00:00Z"},
              {"expires_at", "2026-01-01T00:05:00Z"}};
}

class CommanderServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    commander_ =
        makeCommander(config::CommanderConfig{}, ModuleContext{bus_, clock_, metrics_, "n"});
    ASSERT_TRUE(commander_->start().isOk());
  }
  void TearDown() override { commander_->stop(clock_.monotonic()); }

  double metric(std::string_view name, const Labels& labels = {}) {
    return metrics_.read(name, labels);
  }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  FakeBus bus_;
  std::unique_ptr<Service> commander_;
};

TEST_F(CommanderServiceTest, SubscribesToDecisionsAndApprovalDecisionsAtOnce) {
  auto subscriptions = bus_.subscriptions();
  ASSERT_EQ(subscriptions.size(), 2u);
  EXPECT_EQ(subscriptions[0].type, "decision");
  EXPECT_EQ(subscriptions[0].group, "commander-n");
  EXPECT_EQ(subscriptions[0].consumer, "commander-1");
  EXPECT_EQ(subscriptions[1].type, "approval_decision");
  EXPECT_EQ(subscriptions[1].group, "commander-approval-n");
  EXPECT_EQ(subscriptions[1].consumer, "commander-approval-1");
}

TEST_F(CommanderServiceTest, NoActionAndSuggestionsAreIgnored) {
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("NO_ACTION")).isOk());
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("SUGGEST_ACTION", "restart_service")).isOk());
  EXPECT_EQ(metric("orion_commander_ignored_total", {{"reason", "no_action"}}), 1);
  EXPECT_EQ(metric("orion_commander_ignored_total", {{"reason", "suggestion_only"}}), 1);
  EXPECT_EQ(metrics_.sum("orion_commander_refused_total"), 0);
  EXPECT_TRUE(bus_.published("action").empty());
  EXPECT_TRUE(bus_.published("outcome").empty());
}

TEST_F(CommanderServiceTest, ExecutionRequestsAreRefusedOncePerDecision) {
  Json execute = decisionJson("EXECUTE_SAFE_ACTION", "acknowledge_incident");
  ASSERT_TRUE(bus_.deliver("decision", execute).isOk());
  ASSERT_TRUE(bus_.deliver("decision", execute, 2).isOk());  // redelivered
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("REQUEST_APPROVAL", "restart_service")).isOk());
  EXPECT_EQ(metric("orion_commander_refused_total", {{"reason", "no_executor"}}), 2);
  EXPECT_EQ(metric("orion_commander_duplicates_total"), 1);
  EXPECT_EQ(metric("orion_commander_decisions_total", {{"type", "EXECUTE_SAFE_ACTION"}}), 1);
  EXPECT_TRUE(bus_.published("action").empty());
  EXPECT_TRUE(bus_.published("outcome").empty());
}

TEST_F(CommanderServiceTest, DecisionsForAnotherNodeOrNoNodeAreIgnored) {
  ASSERT_TRUE(
      bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "restart_service", "other"))
          .isOk());
  Json unaddressed = decisionJson("EXECUTE_SAFE_ACTION", "restart_service");
  unaddressed.erase("tags");
  ASSERT_TRUE(bus_.deliver("decision", unaddressed).isOk());
  EXPECT_EQ(metric("orion_commander_ignored_total", {{"reason", "other_node"}}), 2);
  EXPECT_EQ(metrics_.sum("orion_commander_refused_total"), 0);
  EXPECT_EQ(metrics_.sum("orion_commander_decisions_total"), 0);
}

TEST_F(CommanderServiceTest, ApprovalDecisionsAreCountedAndIgnored) {
  Json approve = approvalDecisionJson("approve");
  ASSERT_TRUE(bus_.deliver("approval_decision", approve).isOk());
  ASSERT_TRUE(bus_.deliver("approval_decision", approve, 2).isOk());
  ASSERT_TRUE(bus_.deliver("approval_decision", approvalDecisionJson("force")).isOk());
  EXPECT_EQ(metric("orion_commander_approval_decisions_total", {{"decision", "approve"}}), 1);
  EXPECT_EQ(metric("orion_commander_approval_decisions_total", {{"decision", "force"}}), 1);
  EXPECT_EQ(metric("orion_commander_duplicates_total"), 1);
  EXPECT_TRUE(bus_.published("action").empty());
}

TEST_F(CommanderServiceTest, UnreadableDocumentsAreRejected) {
  EXPECT_EQ(bus_.deliver("decision", Json{{"decision_type", "NO_ACTION"}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bus_.deliver("approval_decision", Json{{"decision", 1}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(metric("orion_commander_rejected_total"), 2);
}

}  // namespace
}  // namespace orion::commander
