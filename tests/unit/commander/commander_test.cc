// The commander service on a synchronous fake bus, with the shipped policies, a test admin key and
// a state directory: SAFE actions run once, RISKY ones wait for a signed approval, and the journal
// survives a restart (an action left executing is marked interrupted, never rerun).
#include "commander/commander.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "common/ids.h"
#include "common/time.h"
#include "signing/approval_signature.h"
#include "state/state_store.h"
#include "testing/decision_documents.h"
#include "testing/fake_bus.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::commander {
namespace {

using contracts::ApprovalVerdict;
using testing::FakeBus;

constexpr const char* kKey = "0123456789abcdef-admin";

Json decisionJson(std::string_view type, std::optional<std::string> action = std::nullopt,
                  Json parameters = Json::object(), std::string node = "n") {
  return testing::decisionDocument(type, std::move(action), std::move(parameters), std::move(node));
}

// An executor that counts its runs and can be told to block (to simulate a crash mid-action).
class CountingExecutor final : public Executor {
 public:
  CountingExecutor(std::string type, std::atomic<int>& runs, policy::DeclaredRisk risk)
      : runs_(runs), metadata_{std::move(type), risk, false, false, true, "test"} {}
  const ExecutorMetadata& metadata() const override { return metadata_; }
  Execution execute(const contracts::Action& action, const ExecutionContext&) override {
    ++runs_;
    Execution done = Execution::succeeded(Json{{"ran", action.action_type}});
    done.verified = true;
    return done;
  }

 private:
  std::atomic<int>& runs_;
  ExecutorMetadata metadata_;
};

class CommanderServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = dir_.write("admin.key", kKey);
    std::filesystem::permissions(key, std::filesystem::perms::owner_read);
    start();
  }
  void TearDown() override { stop(); }

  void start(bool dry_run = false) {
    CommanderOptions options;
    options.dry_run = dry_run;
    options.policy_dir = ORION_SOURCE_DIR "/policies";
    options.admin_key_file = "admin.key";
    std::vector<std::unique_ptr<Executor>> extra;
    extra.push_back(std::make_unique<CountingExecutor>("restart_container", restarts_,
                                                       policy::DeclaredRisk::kReversible));
    extra.push_back(std::make_unique<CountingExecutor>("restart_service", service_restarts_,
                                                       policy::DeclaredRisk::kDestructive));
    commander_ = makeCommanderService(
        options, ModuleContext{bus_, clock_, metrics_, "n", dir_.path().string()},
        std::move(extra));
    ASSERT_TRUE(commander_->start().isOk());
  }
  void stop() {
    if (commander_) commander_->stop(clock_.monotonic());
    commander_.reset();
  }

  double metric(std::string_view name, const Labels& labels = {}) {
    return metrics_.read(name, labels);
  }

  Json approvalFor(const Json& decision, ApprovalVerdict verdict,
                   const signing::AdminKey& key = signing::AdminKey::fromBytes(kKey),
                   bool override_breaker = false, bool override_cooldown = false) {
    signing::AnswerSpec spec;
    spec.override_circuit_breaker = override_breaker;
    spec.override_cooldown = override_cooldown;
    spec.approval_request_id = newUuid();
    spec.decision_id = decision["decision_id"];
    spec.action_type = decision["proposed_action"]["action_type"];
    spec.action_hash =
        signing::actionHash(spec.action_type, decision["proposed_action"]["parameters"]);
    spec.verdict = verdict;
    spec.reason = "approved for the commander test";
    spec.admin_identity = "cli:tester";
    return signing::makeSignedAnswer(spec, key, clock_.now()).toJson();
  }

  std::vector<std::string> actionStates() {
    std::vector<std::string> states;
    for (const Json& a : bus_.published("action")) states.push_back(a["state"]);
    return states;
  }

  testing::TempDir dir_;
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  FakeBus bus_;
  std::atomic<int> restarts_{0};
  std::atomic<int> service_restarts_{0};
  std::unique_ptr<Service> commander_;
};

TEST_F(CommanderServiceTest, SubscribesToDecisionsAndApprovalDecisionsAtOnce) {
  auto subscriptions = bus_.subscriptions();
  ASSERT_EQ(subscriptions.size(), 2u);
  EXPECT_EQ(subscriptions[0].type, "decision");
  EXPECT_EQ(subscriptions[0].group, "commander-n");
  EXPECT_EQ(subscriptions[1].type, "approval_decision");
  EXPECT_EQ(subscriptions[1].group, "commander-approval-n");
}

TEST_F(CommanderServiceTest, NoActionAndSuggestionsAreIgnored) {
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("NO_ACTION")).isOk());
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("SUGGEST_ACTION", "restart_container")).isOk());
  EXPECT_EQ(metric("orion_commander_ignored_total", {{"reason", "no_action"}}), 1);
  EXPECT_EQ(metric("orion_commander_ignored_total", {{"reason", "suggestion_only"}}), 1);
  EXPECT_TRUE(bus_.published("action").empty());
}

TEST_F(CommanderServiceTest, SafeActionRunsOnceWithItsLifecycleAndOutcome) {
  Json decision = decisionJson("EXECUTE_SAFE_ACTION", "restart_container",
                               Json{{"container_id", "abc"}, {"service_name", "web"}});
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  ASSERT_TRUE(bus_.deliver("decision", decision, 2).isOk());  // redelivered
  EXPECT_EQ(restarts_, 1);
  EXPECT_EQ(actionStates(), (std::vector<std::string>{"pending", "executing", "succeeded"}));
  ASSERT_EQ(bus_.published("outcome").size(), 1u);
  Json outcome = bus_.published("outcome")[0];
  Json action = bus_.published("action")[0];
  EXPECT_EQ(outcome["action_id"], action["action_id"]);
  EXPECT_EQ(action["decision_id"], decision["decision_id"]);
  EXPECT_EQ(action["tags"]["incident_id"], decision["incident_id"]);
  EXPECT_EQ(action["tags"]["target"], "web");
  EXPECT_EQ(action["source"], "orion-brain");
  EXPECT_EQ(outcome["status"], "succeeded");
  EXPECT_EQ(outcome["result"]["verified"], true);
  EXPECT_EQ(metric("orion_commander_duplicates_total"), 1);
}

TEST_F(CommanderServiceTest, WhatTheBusRefusesIsKeptAndPublishedInOrderLater) {
  Json decision = decisionJson("EXECUTE_SAFE_ACTION", "restart_container",
                               Json{{"container_id", "abc"}, {"service_name", "web"}});
  bus_.failPublishes(2);  // pending and executing are refused
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  EXPECT_EQ(restarts_, 1);
  // The retry published them, then the end of the action, in order.
  ASSERT_TRUE(testing::waitUntil([&] { return bus_.published("outcome").size() == 1; },
                                 std::chrono::seconds(5)));
  EXPECT_EQ(actionStates(), (std::vector<std::string>{"pending", "executing", "succeeded"}));
  EXPECT_EQ(metric("orion_commander_publish_failures_total"), 1);
  EXPECT_EQ(metric("orion_commander_outbox"), 0);
}

TEST_F(CommanderServiceTest, TheOutboxSurvivesARestart) {
  Json decision = decisionJson("EXECUTE_SAFE_ACTION", "restart_container",
                               Json{{"container_id", "abc"}, {"service_name", "web"}});
  bus_.failPublishes(1000000);
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  EXPECT_EQ(metric("orion_commander_outbox"), 4);  // pending, executing, succeeded, outcome
  stop();
  bus_.failPublishes(0);
  start();
  EXPECT_EQ(actionStates(), (std::vector<std::string>{"pending", "executing", "succeeded"}));
  EXPECT_EQ(bus_.published("outcome").size(), 1u);
  EXPECT_EQ(restarts_, 1);
}

TEST_F(CommanderServiceTest, SafeDecisionOfAnActionThePolicyCallsRiskyIsRefused) {
  // restart_service is RISKY in the shipped policy: a decision claiming SAFE is not trusted.
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "restart_service",
                                                    Json{{"service_name", "sshd"}}))
                  .isOk());
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "format_disk")).isOk());
  EXPECT_EQ(metric("orion_commander_refused_total", {{"reason", "not_safe_now"}}), 1);
  EXPECT_EQ(metric("orion_commander_refused_total", {{"reason", "no_executor"}}), 1);
  EXPECT_EQ(service_restarts_, 0);
  EXPECT_TRUE(bus_.published("action").empty());
}

TEST_F(CommanderServiceTest, DiagnosticsRunFromThePolicyInForce) {
  // The shipped diagnostics.yaml: load_average is `cat /proc/loadavg`, run for real.
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "run_diagnostic",
                                                    Json{{"diagnostic_type", "load_average"}}))
                  .isOk());
  ASSERT_EQ(bus_.published("outcome").size(), 1u);
  Json outcome = bus_.published("outcome")[0];
  EXPECT_EQ(outcome["status"], "succeeded") << outcome.dump();
  EXPECT_EQ(outcome["result"]["argv"], Json::array({"/usr/bin/cat", "/proc/loadavg"}));
  EXPECT_NE(outcome["result"]["output"].get<std::string>().find('/'), std::string::npos);
  // An undeclared type runs nothing and says so.
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "run_diagnostic",
                                                    Json{{"diagnostic_type", "format_disk"}}))
                  .isOk());
  ASSERT_EQ(bus_.published("outcome").size(), 2u);
  EXPECT_EQ(bus_.published("outcome")[1]["error"]["code"], "NOT_ALLOWED");
}

TEST_F(CommanderServiceTest, ExecActionsOfThePolicyHaveExecutorsAndAreRisky) {
  // show_service_log (shipped exec_actions.yaml) is in neither list: RISKY, never run as SAFE.
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "show_service_log",
                                                    Json{{"unit", "nginx.service"}}))
                  .isOk());
  EXPECT_EQ(metric("orion_commander_refused_total", {{"reason", "not_safe_now"}}), 1);
  EXPECT_EQ(metric("orion_commander_refused_total", {{"reason", "no_executor"}}), 0);
  EXPECT_TRUE(bus_.published("action").empty());
}

TEST_F(CommanderServiceTest, UnsupportedActionsFailClearly) {
  Json decision = decisionJson("REQUEST_APPROVAL", "scale_service", Json{{"service_name", "web"}});
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kApprove)).isOk());
  ASSERT_EQ(bus_.published("outcome").size(), 1u);
  Json outcome = bus_.published("outcome")[0];
  EXPECT_EQ(outcome["status"], "failed");
  EXPECT_EQ(outcome["error"]["code"], "NOT_SUPPORTED");
  EXPECT_NE(outcome["error"]["message"].get<std::string>().find("not supported on this deployment"),
            std::string::npos);
}

TEST_F(CommanderServiceTest, RiskyActionWaitsForASignedApprovalAndRunsExactlyOnce) {
  Json decision =
      decisionJson("REQUEST_APPROVAL", "restart_service", Json{{"service_name", "sshd"}});
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  EXPECT_EQ(metric("orion_commander_awaiting"), 1);
  EXPECT_EQ(service_restarts_, 0);

  // A forged approval (another key) is refused; the decision keeps waiting.
  ASSERT_TRUE(bus_.deliver("approval_decision",
                           approvalFor(decision, ApprovalVerdict::kApprove,
                                       signing::AdminKey::fromBytes("not-the-admin-key!")))
                  .isOk());
  EXPECT_EQ(metric("orion_commander_approvals_refused_total", {{"reason", "bad_signature"}}), 1);
  EXPECT_EQ(service_restarts_, 0);

  clock_.advance(std::chrono::minutes(2));
  Json approval = approvalFor(decision, ApprovalVerdict::kApprove);
  ASSERT_TRUE(bus_.deliver("approval_decision", approval).isOk());
  EXPECT_EQ(service_restarts_, 1);
  ASSERT_EQ(bus_.published("action").size(), 3u);
  Json action = bus_.published("action")[2];
  EXPECT_EQ(action["approval_id"], approval["approval_id"]);
  EXPECT_EQ(action["action_id"], approval["action_id"]);
  EXPECT_EQ(action["source"], "orion-approval-cli");
  EXPECT_EQ(action["safety_classification"], "RISKY");

  // The same approval again (a copy with a new envelope is still the same approval id).
  Json reused = approval;
  ASSERT_TRUE(bus_.deliver("approval_decision", reused, 2).isOk());
  bus_.deliver("decision", decision, 2).ignore();
  EXPECT_EQ(service_restarts_, 1);
}

TEST_F(CommanderServiceTest, ADecisionHeldBackByABreakerRunsOnlyOnAForceThatOverridesIt) {
  Json decision =
      decisionJson("REQUEST_APPROVAL", "restart_service", Json{{"service_name", "sshd"}});
  decision["tags"]["requires_override"] = "circuit_breaker";
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kApprove)).isOk());
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kForce)).isOk());
  EXPECT_EQ(metric("orion_commander_approvals_refused_total", {{"reason", "override_required"}}),
            2);
  EXPECT_EQ(service_restarts_, 0);
  EXPECT_EQ(metric("orion_commander_awaiting"), 1) << "still waiting for the right answer";
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kForce,
                                                    signing::AdminKey::fromBytes(kKey), true))
          .isOk());
  EXPECT_EQ(service_restarts_, 1);
}

TEST_F(CommanderServiceTest, ADecisionHeldBackByItsCooldownRunsOnAForceOrOnceTheCooldownEnded) {
  Json decision =
      decisionJson("REQUEST_APPROVAL", "restart_service", Json{{"service_name", "sshd"}});
  decision["tags"]["requires_override"] = "cooldown";
  decision["tags"]["cooldown_until"] = formatRfc3339(clock_.now() + std::chrono::minutes(2));
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kApprove)).isOk());
  EXPECT_EQ(metric("orion_commander_approvals_refused_total", {{"reason", "override_required"}}),
            1);
  EXPECT_EQ(service_restarts_, 0);
  // After the cooldown, a plain approve is enough.
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kApprove)).isOk());
  EXPECT_EQ(service_restarts_, 1);

  Json forced = decisionJson("REQUEST_APPROVAL", "restart_service", Json{{"service_name", "cron"}});
  forced["tags"]["requires_override"] = "cooldown";
  forced["tags"]["cooldown_until"] = formatRfc3339(clock_.now() + std::chrono::hours(1));
  ASSERT_TRUE(bus_.deliver("decision", forced).isOk());
  ASSERT_TRUE(bus_.deliver("approval_decision",
                           approvalFor(forced, ApprovalVerdict::kForce,
                                       signing::AdminKey::fromBytes(kKey), false, true))
                  .isOk());
  EXPECT_EQ(service_restarts_, 2);
}

TEST_F(CommanderServiceTest, DenyEndsTheWaitAndALaterApprovalIsRefused) {
  Json decision =
      decisionJson("REQUEST_APPROVAL", "restart_service", Json{{"service_name", "sshd"}});
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kDeny)).isOk());
  EXPECT_EQ(metric("orion_commander_awaiting"), 0);
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kApprove)).isOk());
  EXPECT_EQ(service_restarts_, 0);
}

TEST_F(CommanderServiceTest, ExpiredApprovalAndApprovalOfAnotherActionAreRefused) {
  Json decision =
      decisionJson("REQUEST_APPROVAL", "restart_service", Json{{"service_name", "sshd"}});
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  Json other = decision;
  other["proposed_action"]["parameters"]["service_name"] = "nginx";
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(other, ApprovalVerdict::kApprove)).isOk());
  EXPECT_EQ(metric("orion_commander_approvals_refused_total", {{"reason", "other_action"}}), 1);

  Json approval = approvalFor(decision, ApprovalVerdict::kApprove);
  clock_.advance(std::chrono::minutes(6));  // the answer was valid for 5 minutes
  ASSERT_TRUE(bus_.deliver("approval_decision", approval).isOk());
  EXPECT_EQ(metric("orion_commander_approvals_refused_total", {{"reason", "expired"}}), 1);
  EXPECT_EQ(service_restarts_, 0);
}

TEST_F(CommanderServiceTest, AwaitingDecisionSurvivesARestart) {
  Json decision =
      decisionJson("REQUEST_APPROVAL", "restart_service", Json{{"service_name", "sshd"}});
  ASSERT_TRUE(bus_.deliver("decision", decision).isOk());
  stop();
  start();
  EXPECT_EQ(metric("orion_commander_awaiting"), 1);
  ASSERT_TRUE(
      bus_.deliver("approval_decision", approvalFor(decision, ApprovalVerdict::kApprove)).isOk());
  EXPECT_EQ(service_restarts_, 1);
}

TEST_F(CommanderServiceTest, DryRunRecordsWhatWouldRunAndRunsNothing) {
  stop();
  start(/*dry_run=*/true);
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "restart_container",
                                                    Json{{"container_id", "abc"}}))
                  .isOk());
  EXPECT_EQ(restarts_, 0);
  ASSERT_EQ(bus_.published("outcome").size(), 1u);
  EXPECT_EQ(bus_.published("outcome")[0]["result"]["dry_run"], true);
  EXPECT_EQ(bus_.published("action")[0]["dry_run"], true);
}

TEST_F(CommanderServiceTest, AnActionLeftExecutingIsMarkedInterruptedAndNotRerun) {
  stop();
  // What a crash mid-action leaves in the journal.
  {
    auto store = state::StateStore::open(dir_.path() / "commander" / "state.log");
    ASSERT_TRUE(store.isOk());
    contracts::Action action;
    action.action_id = newUuid();
    action.timestamp = clock_.now();
    action.decision_id = newUuid();
    action.action_type = "restart_container";
    action.state = contracts::ActionState::kExecuting;
    ASSERT_TRUE((*store)
                    ->put("executions", action.decision_id,
                          Json{{"action", action.toJson()}, {"state", "executing"}})
                    .isOk());
  }
  start();
  EXPECT_EQ(metric("orion_commander_interrupted_total"), 1);
  EXPECT_EQ(restarts_, 0);
  ASSERT_EQ(bus_.published("outcome").size(), 1u);
  EXPECT_EQ(bus_.published("outcome")[0]["error"]["code"], "INTERRUPTED");
  EXPECT_EQ(actionStates(), (std::vector<std::string>{"failed"}));
  // The next start finds it finished.
  stop();
  start();
  EXPECT_EQ(metric("orion_commander_interrupted_total"), 1);
}

TEST_F(CommanderServiceTest, DecisionsForAnotherNodeOrNoNodeAreIgnored) {
  ASSERT_TRUE(bus_.deliver("decision", decisionJson("EXECUTE_SAFE_ACTION", "restart_container",
                                                    Json::object(), "other"))
                  .isOk());
  Json unaddressed = decisionJson("EXECUTE_SAFE_ACTION", "restart_container");
  unaddressed.erase("tags");
  ASSERT_TRUE(bus_.deliver("decision", unaddressed).isOk());
  EXPECT_EQ(metric("orion_commander_ignored_total", {{"reason", "other_node"}}), 2);
  EXPECT_EQ(restarts_, 0);
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
