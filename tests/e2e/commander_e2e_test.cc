// End to end, the real `orion` binary acting on real containers: a private podman API service
// (tests/testing/podman_service.h) serves the Docker Engine API that both the watcher and the
// commander use. Each test copies the shipped policies, adjusts what it needs (shorter cooldowns,
// restart_container made RISKY), writes a config and runs `orion run` against it.
//
//  (a) N2: a container dies → restarted → verified; the trail links event, incident, decision,
//      action and outcome by ids, in that order. A container that never becomes healthy fails
//      verification until its circuit breaker opens, and the next decision says so.
//  (b) N3: the restart waits for the admin; `orion approve` runs it exactly once; the same
//      approval again is refused; a wrong key is refused and audited; deny ends a request; a
//      request nobody answers expires and never runs; an open breaker asks the admin, and only
//      `orion force --override-breaker` runs the action.
//  (c) dry run: nothing runs; the outcome says what would have.
//  (d) kill -9 while an action executes: after the restart it is failed, "interrupted", and not
//      run again.
//
// Under CI=true a missing podman fails these tests (ORION_REQUIRE_COMPONENT).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "child_process.h"
#include "common/json.h"
#include "common/time.h"
#include "policy_edits.h"
#include "testing/audit_chain.h"
#include "testing/podman_suite.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kDeadline = 30s;

std::vector<Json> documentsOf(const std::vector<AuditRecord>& records, const std::string& type) {
  std::vector<Json> out;
  for (const auto& record : records) {
    if (record.type == type) out.push_back(record.document);
  }
  return out;
}

// Index of the first record of `type` whose document has `key` == `value`; -1 if none.
int indexOf(const std::vector<AuditRecord>& records, const std::string& type,
            const std::string& key, const std::string& value) {
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].type == type && records[i].document.value(key, "") == value) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

class CommanderE2eTest : public PodmanSuite {
 protected:
  void SetUp() override {
    PodmanSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fs::copy(ORION_SOURCE_DIR "/policies", policies());
    // One decision per event, and restarts as often as the test kills.
    ASSERT_TRUE(edit(policies() / "cooldowns.yaml",
                     "  - action_type: restart_container\n    cooldown: 5m",
                     "  - action_type: restart_container\n    cooldown: 0s"));
    ASSERT_TRUE(
        edit(policies() / "cooldowns.yaml", "decision_cooldown: 30s", "decision_cooldown: 0s"));
    ASSERT_TRUE(edit(policies() / "rules.yaml", "          node: \"{node}\"\n        attempts: 2",
                     "          node: \"{node}\"\n        attempts: 10"));
    ASSERT_TRUE(edit(policies() / "actions_safe.yaml", "max_frequency: \"6 per hour\"",
                     "max_frequency: unlimited"));
    key_ = dir_.write("admin.key", "0123456789abcdef0123456789abcdef\n");
    fs::permissions(key_, fs::perms::owner_read | fs::perms::owner_write);
    wrong_key_ = dir_.write("wrong.key", "fedcba9876543210fedcba9876543210\n");
    fs::permissions(wrong_key_, fs::perms::owner_read | fs::perms::owner_write);
  }

  void TearDown() override {
    orion_.reset();
    PodmanSuite::TearDown();
  }

  fs::path policies() const { return dir_.path() / "policies"; }
  fs::path stateDir() const { return dir_.path() / "state"; }
  fs::path auditDir() const { return stateDir() / "audit"; }
  fs::path socket() const { return stateDir() / "control.sock"; }

  // restart_container needs the admin: out of the SAFE list, into the RISKY one.
  void makeRestartRisky(const std::string& approval_timeout) {
    ASSERT_TRUE(orion::testing::makeRestartRisky(policies(), approval_timeout));
  }

  fs::path writeConfig(const std::string& autonomy, const std::string& commander_extra = "") {
    return dir_.write("orion.yaml", "state_dir: " + stateDir().string() +
                                        "\n"
                                        "log:\n  level: info\n"
                                        "brain:\n  autonomy_level: " +
                                        autonomy + "\n  policy_dir: " + policies().string() +
                                        "\n"
                                        "guardian:\n  flap_threshold: 1000\n"
                                        "approval:\n  admin_key_file: " +
                                        key_.string() +
                                        "\n"
                                        "commander:\n  docker_socket: " +
                                        podman_->socketPath() + "\n  verify_timeout: 2s\n" +
                                        commander_extra +
                                        "watcher:\n"
                                        "  host:\n    enabled: false\n"
                                        "  sources:\n"
                                        "    - type: containers\n"
                                        "      socket: " +
                                        podman_->socketPath() + "\n      interval: 500ms\n");
  }

  ChildProcess::Options options() const { return {dir_.path(), std::nullopt, {}}; }

  void startOrion(const fs::path& config) {
    config_ = config;
    orion_ = std::make_unique<ChildProcess>(
        ORION_BINARY, std::vector<std::string>{"run", "--config", config.string(), "--no-summary"},
        options());
    ASSERT_TRUE(orion_->started()) << orion_->error();
    ASSERT_TRUE(waitUntil([&] { return fs::exists(socket()) || !orion_->running(); }, kDeadline));
    ASSERT_TRUE(orion_->running()) << orion_->err();
    // The containers source has taken its first inventory (it logs each watched container).
    std::this_thread::sleep_for(1500ms);
  }

  void stopOrion() {
    ASSERT_TRUE(orion_->signal(SIGTERM));
    auto code = orion_->waitExit(15s);
    ASSERT_TRUE(code.has_value()) << orion_->err();
    EXPECT_EQ(*code, 0) << orion_->err();
    orion_.reset();
  }

  RunResult cli(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config_.string());
    return runToCompletion(ORION_BINARY, args, options());
  }

  void runContainer(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"run", "--detach", "--name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const char* word : {PodmanService::kTestImage, "/bin/busybox", "sleep", "3600"}) {
      args.emplace_back(word);
    }
    auto ran = podman_->podman(args);
    ASSERT_TRUE(ran.isOk()) << ran.status().toString();
  }

  // A container whose health check never runs (no systemd here to trigger it) stays
  // "starting": a restart of it never verifies as healthy.
  void runNeverHealthy(const std::string& name) {
    runContainer(name, {"--health-cmd", R"(["/bin/busybox", "true"])", "--health-interval", "1h"});
  }

  bool running(const std::string& name) {
    auto state = podman_->podman({"inspect", "--format", "{{.State.Running}}", name});
    return state.isOk() && *state == "true";
  }

  void kill(const std::string& name) {
    auto killed = podman_->podman({"kill", name});
    ASSERT_TRUE(killed.isOk()) << killed.status().toString();
    // Not waited for: at N2 ORION may have restarted it before a `podman inspect` could look.
  }

  // Waits until the trail holds `count` records of `type` matching `match`; returns them all.
  std::vector<Json> waitFor(const std::string& type, size_t count,
                            const std::function<bool(const Json&)>& match = nullptr,
                            std::chrono::milliseconds deadline = kDeadline) {
    std::vector<Json> found;
    waitUntil(
        [&] {
          found.clear();
          for (const Json& document : documentsOf(readAudit(auditDir()), type)) {
            if (!match || match(document)) found.push_back(document);
          }
          return found.size() >= count || (orion_ && !orion_->running());
        },
        deadline);
    return found;
  }

  // The request id of the one approval request waiting, from `orion approvals`.
  std::string pendingRequestId() {
    auto listed = cli({"approvals"});
    EXPECT_EQ(listed.code, 0) << listed.err;
    size_t line = listed.out.find("waiting:\n");
    if (line == std::string::npos) return "";
    std::string rest = listed.out.substr(line + 9);
    return rest.substr(0, rest.find(' '));
  }

  TempDir dir_;
  fs::path key_;
  fs::path wrong_key_;
  fs::path config_;
  std::unique_ptr<ChildProcess> orion_;
};

bool isRestart(const Json& document) {
  return document.value("action_type", "") == "restart_container";
}

TEST_F(CommanderE2eTest, N2RestartsADeadContainerAndTheTrailLinksEveryStepInOrder) {
  runContainer("web");
  startOrion(writeConfig("N2"));
  kill("web");

  auto outcomes = waitFor("outcome", 1);
  ASSERT_EQ(outcomes.size(), 1u) << orion_->err();
  EXPECT_EQ(outcomes[0]["status"], "succeeded") << outcomes[0].dump();
  EXPECT_EQ(outcomes[0]["result"]["verified"], true) << outcomes[0].dump();
  EXPECT_TRUE(running("web"));

  auto records = readAudit(auditDir());
  std::string action_id = outcomes[0]["action_id"];
  int outcome_at = indexOf(records, "outcome", "action_id", action_id);
  int action_at = indexOf(records, "action", "action_id", action_id);
  ASSERT_GE(action_at, 0);
  std::string decision_id = records[action_at].document["decision_id"];
  int decision_at = indexOf(records, "decision", "decision_id", decision_id);
  ASSERT_GE(decision_at, 0);
  const Json& decision = records[decision_at].document;
  EXPECT_EQ(decision["decision_type"], "EXECUTE_SAFE_ACTION");
  std::string incident_id = decision["incident_id"];
  int incident_at = indexOf(records, "incident", "incident_id", incident_id);
  ASSERT_GE(incident_at, 0);
  std::string event_id = records[incident_at].document["event_ids"][0];
  int event_at = indexOf(records, "event", "event_id", event_id);
  ASSERT_GE(event_at, 0);
  EXPECT_EQ(records[event_at].document["event_type"], "service_down");
  ASSERT_GE(outcome_at, 0);
  // In order: each step's document is stamped after the one it answers. (The trail's record
  // order is memory's arrival order, which follows each stream's order but not the order across
  // streams: an action may be recorded just before its decision.)
  std::vector<WallTime> stamps;
  for (int at : {event_at, incident_at, decision_at, action_at, outcome_at}) {
    auto stamp = parseRfc3339(records[at].document.value("timestamp", ""));
    ASSERT_TRUE(stamp.isOk()) << records[at].document.dump();
    stamps.push_back(*stamp);
  }
  EXPECT_TRUE(std::is_sorted(stamps.begin(), stamps.end()))
      << "event, incident, decision, action, outcome timestamps out of order";
  // The action's transitions: pending → executing → succeeded, each audited.
  std::vector<std::string> states;
  for (const auto& record : records) {
    if (record.type == "action" && record.document.value("action_id", "") == action_id) {
      states.push_back(record.document.value("state", ""));
    }
  }
  EXPECT_EQ(states, (std::vector<std::string>{"pending", "executing", "succeeded"}));
  stopOrion();
  auto verified = cli({"audit", "verify"});
  EXPECT_EQ(verified.code, 0) << verified.out << verified.err;
}

TEST_F(CommanderE2eTest, N2AContainerThatNeverRecoversTripsTheBreakerAndTheDecisionSaysWhy) {
  runNeverHealthy("api");
  startOrion(writeConfig("N2"));
  for (size_t failures = 1; failures <= 3; ++failures) {
    kill("api");
    auto outcomes = waitFor("outcome", failures);
    ASSERT_EQ(outcomes.size(), failures) << orion_->err();
    EXPECT_EQ(outcomes.back()["status"], "failed") << outcomes.back().dump();
    EXPECT_EQ(outcomes.back()["error"]["code"], "VERIFY_FAILED") << outcomes.back().dump();
    // The restart itself worked: wait for it before killing again.
    ASSERT_TRUE(waitUntil([&] { return running("api"); }, 10s));
  }
  kill("api");
  auto refused = waitFor("decision", 1, [](const Json& decision) {
    return decision.dump().find("circuit") != std::string::npos &&
           decision.value("decision_type", "") != "EXECUTE_SAFE_ACTION";
  });
  ASSERT_EQ(refused.size(), 1u) << orion_->err();
  EXPECT_NE(refused[0].value("reasoning", "").find("breaker"), std::string::npos)
      << refused[0].dump();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(waitFor("outcome", 4, nullptr, 1ms).size(), 3u) << "a fourth restart ran";
  EXPECT_FALSE(running("api"));
  stopOrion();
}

TEST_F(CommanderE2eTest, N3AnOpenBreakerAsksTheAdminAndOnlyAForceWithTheOverrideRuns) {
  runNeverHealthy("queue");
  startOrion(writeConfig("N3"));
  for (size_t failures = 1; failures <= 3; ++failures) {
    kill("queue");
    auto outcomes = waitFor("outcome", failures);
    ASSERT_EQ(outcomes.size(), failures) << orion_->err();
    EXPECT_EQ(outcomes.back()["status"], "failed") << outcomes.back().dump();
    ASSERT_TRUE(waitUntil([&] { return running("queue"); }, 10s));
  }
  kill("queue");
  auto requests = waitFor("approval_request", 1);
  ASSERT_EQ(requests.size(), 1u) << orion_->err();
  EXPECT_EQ(requests[0]["tags"].value("requires_override", ""), "circuit_breaker")
      << requests[0].dump();
  std::string request = pendingRequestId();
  ASSERT_FALSE(request.empty());
  auto listed = cli({"approvals"});
  EXPECT_NE(listed.out.find("--override-breaker"), std::string::npos) << listed.out;

  auto approved = cli({"approve", request, "--reason", "try once more"});
  EXPECT_EQ(approved.code, 2) << approved.out << approved.err;
  EXPECT_NE(approved.err.find("--override-breaker"), std::string::npos) << approved.err;
  auto forced =
      cli({"force", request, "--reason", "I fixed the image; try it", "--override-breaker"});
  ASSERT_EQ(forced.code, 0) << forced.out << forced.err;
  auto outcomes = waitFor("outcome", 4);
  ASSERT_EQ(outcomes.size(), 4u) << orion_->err();
  auto forced_actions = waitFor(
      "action", 1,
      [](const Json& action) {
        return isRestart(action) && action["tags"].value("override_circuit_breaker", "") == "true";
      },
      1ms);
  EXPECT_FALSE(forced_actions.empty());
  stopOrion();
}

TEST_F(CommanderE2eTest, N3RunsAnApprovedRestartOnceAndRefusesReuseWrongKeysAndDenials) {
  makeRestartRisky("600s");
  runContainer("db");
  startOrion(writeConfig("N3"));
  kill("db");

  ASSERT_EQ(waitFor("approval_request", 1).size(), 1u) << orion_->err();
  std::string request = pendingRequestId();
  ASSERT_FALSE(request.empty());
  // Nothing runs while the admin thinks.
  std::this_thread::sleep_for(2s);
  EXPECT_FALSE(running("db"));
  EXPECT_TRUE(waitFor("action", 1, isRestart, 1ms).empty());

  // Signed with a key that is not the admin's: refused, and the refusal is in the trail.
  auto forged = cli({"approve", request, "--reason", "forged", "--key-file", wrong_key_.string()});
  EXPECT_NE(forged.code, 0) << forged.out;
  auto dead = waitFor("deadletter", 1);
  ASSERT_EQ(dead.size(), 1u) << orion_->err();
  EXPECT_NE(dead[0].dump().find("signature"), std::string::npos) << dead[0].dump();
  EXPECT_FALSE(running("db"));

  auto short_force = cli({"force", request, "--reason", "short"});
  EXPECT_EQ(short_force.code, 2) << short_force.out << short_force.err;

  auto approved = cli({"approve", request, "--reason", "it is safe now"});
  ASSERT_EQ(approved.code, 0) << approved.out << approved.err;
  auto outcomes = waitFor("outcome", 1);
  ASSERT_EQ(outcomes.size(), 1u) << orion_->err();
  EXPECT_EQ(outcomes[0]["status"], "succeeded") << outcomes[0].dump();
  EXPECT_TRUE(running("db"));

  auto again = cli({"approve", request, "--reason", "once more"});
  EXPECT_NE(again.code, 0);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(waitFor("outcome", 2, nullptr, 1ms).size(), 1u) << "the approval was used twice";

  // A denial ends the next request: nothing runs.
  kill("db");
  ASSERT_EQ(waitFor("approval_request", 2).size(), 2u) << orion_->err();
  std::string second = pendingRequestId();
  ASSERT_FALSE(second.empty());
  ASSERT_NE(second, request);
  auto denied = cli({"deny", second, "--reason", "leave it down"});
  ASSERT_EQ(denied.code, 0) << denied.out << denied.err;
  std::this_thread::sleep_for(2s);
  EXPECT_FALSE(running("db"));
  EXPECT_EQ(waitFor("outcome", 2, nullptr, 1ms).size(), 1u);
  EXPECT_EQ(pendingRequestId(), "");
  stopOrion();
}

TEST_F(CommanderE2eTest, N3ARequestNobodyAnswersExpiresAndNeverRuns) {
  makeRestartRisky("2s");
  ASSERT_TRUE(edit(policies() / "approvals.yaml",
                   "  - action_type: restart_service\n    timeout: 300s",
                   "  - action_type: restart_container\n    timeout: 2s\n"
                   "  - action_type: restart_service\n    timeout: 300s"));
  runContainer("cache");
  startOrion(writeConfig("N3"));
  kill("cache");
  ASSERT_EQ(waitFor("approval_request", 1).size(), 1u) << orion_->err();
  std::string request = pendingRequestId();
  ASSERT_FALSE(request.empty());

  auto expired = waitFor("approval_decision", 1,
                         [](const Json& answer) { return answer.value("decision", "") == "deny"; });
  ASSERT_EQ(expired.size(), 1u) << orion_->err();
  EXPECT_EQ(expired[0]["tags"].value("expired", ""), "true") << expired[0].dump();
  auto late = cli({"approve", request, "--reason", "too late now"});
  EXPECT_NE(late.code, 0);
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(running("cache"));
  EXPECT_TRUE(waitFor("outcome", 1, nullptr, 1ms).empty());
  stopOrion();
}

TEST_F(CommanderE2eTest, DryRunRunsNothingAndRecordsWhatItWouldHaveDone) {
  runContainer("web");
  startOrion(writeConfig("N2", "  dry_run: true\n"));
  kill("web");
  auto outcomes = waitFor("outcome", 1);
  ASSERT_EQ(outcomes.size(), 1u) << orion_->err();
  EXPECT_NE(outcomes[0].dump().find("would"), std::string::npos) << outcomes[0].dump();
  auto actions = waitFor("action", 1, isRestart, 1ms);
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions[0]["dry_run"], true);
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(running("web"));
  stopOrion();
}

TEST_F(CommanderE2eTest, KillNineDuringAnActionMarksItInterruptedAndNeverRerunsIt) {
  runNeverHealthy("slow");
  fs::path config = writeConfig("N2");
  // Verification waits up to 60 s for a health that never comes: time to kill ORION mid-action.
  ASSERT_TRUE(edit(config, "verify_timeout: 2s", "verify_timeout: 60s\n  action_timeout: 90s"));
  startOrion(config);
  kill("slow");
  auto executing = waitFor("action", 1, [](const Json& action) {
    return isRestart(action) && action.value("state", "") == "executing";
  });
  ASSERT_EQ(executing.size(), 1u) << orion_->err();
  std::string action_id = executing[0]["action_id"];
  ASSERT_TRUE(orion_->signal(SIGKILL));
  orion_->waitExit(10s);
  orion_.reset();

  startOrion(config_);
  auto outcomes = waitFor("outcome", 1, [&](const Json& outcome) {
    return outcome.value("action_id", "") == action_id;
  });
  ASSERT_EQ(outcomes.size(), 1u) << orion_->err();
  EXPECT_EQ(outcomes[0]["status"], "failed");
  EXPECT_EQ(outcomes[0]["error"]["code"], "INTERRUPTED") << outcomes[0].dump();
  std::this_thread::sleep_for(2s);
  size_t executions = waitFor(
                          "action", 2,
                          [&](const Json& action) {
                            return action.value("action_id", "") == action_id &&
                                   action.value("state", "") == "executing";
                          },
                          1ms)
                          .size();
  EXPECT_EQ(executions, 1u) << "the interrupted action ran again";
  stopOrion();
}

}  // namespace
}  // namespace orion::testing
