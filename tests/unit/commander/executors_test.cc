// The command-running built-in executors with real processes: run_diagnostic (policy allow-list),
// exec actions (argv templates), restart_service (against a stub systemctl the test writes), and
// the registration of all of them. Dry run runs nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "commander/executor.h"
#include "commander/executors/builtin_parts.h"
#include "commander/runner.h"
#include "common/ids.h"
#include "policy_fixture.h"
#include "testing/temp_dir.h"

namespace orion::commander {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

const std::string kDiagnostics = R"yaml(version: "1.0"
diagnostics:
  - diagnostic_type: hello
    argv: [/bin/echo, "hello; $(id)"]
  - diagnostic_type: chatty
    argv: [/bin/sh, -c, "i=0; while [ $i -lt 500 ]; do echo 0123456789; i=$((i+1)); done"]
    max_output: 100
  - diagnostic_type: slow
    argv: [/bin/sleep, "5"]
    timeout: 1s
  - diagnostic_type: failing
    argv: [/bin/sh, -c, "echo broken >&2; exit 2"]
  - diagnostic_type: missing
    argv: [/nonexistent/tool]
)yaml";

const std::string kExecActions = R"yaml(version: "1.0"
exec_actions:
  - action_type: write_marker
    argv: [/usr/bin/touch, "{dir}/marker-{name}"]
    parameters:
      dir: {pattern: "/[A-Za-z0-9/._-]+"}
      name: {pattern: "[a-z]+"}
    risk: reversible
)yaml";

class ExecutorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::writePolicy(dir_);
    dir_.write("policies/diagnostics.yaml", kDiagnostics);
    dir_.write("policies/exec_actions.yaml", kExecActions);
    auto loaded = policy::Policy::load(dir);
    ASSERT_TRUE(loaded) << loaded.status().message();
    policy_ = *loaded;
    BuiltinOptions options;
    options.systemctl = writeSystemctl(0, 0).string();
    options.verify_timeout = 300ms;
    ASSERT_TRUE(registerBuiltinExecutors(registry_, options, clock_).isOk());
    ASSERT_TRUE(registerExecActions(registry_, *policy_).isOk());
  }

  // A stub systemctl: appends its argv (one line) to calls.log; `restart` exits `restart_code`,
  // `is-active` exits `active_code`.
  std::filesystem::path writeSystemctl(int restart_code, int active_code) {
    auto path = dir_.write(
        "bin/systemctl-" + std::to_string(restart_code) + std::to_string(active_code),
        "#!/bin/sh\necho \"$*\" >> " + (dir_.path() / "calls.log").string() +
            "\ncase \"$1\" in\n  restart) exit " + std::to_string(restart_code) +
            ";;\n  is-active) exit " + std::to_string(active_code) + ";;\nesac\nexit 64\n");
    ::chmod(path.c_str(), 0755);
    return path;
  }

  std::string calls() { return testing::readFile(dir_.path() / "calls.log"); }

  contracts::Outcome run(const std::string& type, Json parameters, bool dry_run = false,
                         Executor* executor = nullptr) {
    contracts::Action action;
    action.action_id = newUuid();
    action.decision_id = newUuid();
    action.action_type = type;
    action.parameters = std::move(parameters);
    if (executor == nullptr) executor = registry_.find(type);
    EXPECT_NE(executor, nullptr) << type;
    RunOptions options{10s, 2, 1ms, dry_run, policy_};
    return runAction(action, *executor, options, clock_, [] { return newUuid(); });
  }

  static std::string errorCode(const contracts::Outcome& outcome) {
    return outcome.error ? outcome.error->code : "";
  }

  TempDir dir_;
  RealClock clock_;
  policy::PolicyPtr policy_;
  ExecutorRegistry registry_;
};

TEST_F(ExecutorsTest, MetadataOfEachExecutor) {
  const auto& diagnostic = registry_.find("run_diagnostic")->metadata();
  EXPECT_EQ(diagnostic.risk, policy::DeclaredRisk::kReadOnly);
  EXPECT_TRUE(diagnostic.supports_dry_run);
  const auto& restart = registry_.find("restart_service")->metadata();
  EXPECT_EQ(restart.risk, policy::DeclaredRisk::kDestructive);
  EXPECT_TRUE(restart.verifiable);
  const auto& notify = registry_.find("send_notification")->metadata();
  EXPECT_TRUE(notify.supports_dry_run);
  const auto& exec = registry_.find("write_marker")->metadata();
  EXPECT_EQ(exec.risk, policy::DeclaredRisk::kReversible);
  EXPECT_FALSE(exec.idempotent);
  // restart_service has a backend now; the others still say they have none.
  auto unsupported = run("scale_service", Json::object());
  EXPECT_EQ(errorCode(unsupported), "NOT_SUPPORTED");
}

TEST_F(ExecutorsTest, DiagnosticOutputIsCapturedWithoutAShell) {
  auto outcome = run("run_diagnostic", Json{{"diagnostic_type", "hello"}, {"node", "n1"}});
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded) << errorCode(outcome);
  EXPECT_EQ(outcome.result->at("output"), "hello; $(id)\n");
  EXPECT_EQ(outcome.result->at("exit_code"), 0);
  EXPECT_EQ(outcome.result->at("truncated"), false);
  EXPECT_EQ(outcome.result->at("diagnostic_type"), "hello");
}

TEST_F(ExecutorsTest, DiagnosticOutputIsTruncatedAndSaysSo) {
  auto outcome = run("run_diagnostic", Json{{"diagnostic_type", "chatty"}});
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded) << errorCode(outcome);
  EXPECT_EQ(outcome.result->at("output").get<std::string>().size(), 100u);
  EXPECT_EQ(outcome.result->at("truncated"), true);
  EXPECT_EQ(outcome.result->at("output_bytes"), 5500);
}

TEST_F(ExecutorsTest, UnknownDiagnosticIsNotAllowedAndRunsNothing) {
  auto outcome = run("run_diagnostic", Json{{"diagnostic_type", "rm_everything"}});
  EXPECT_EQ(outcome.status, contracts::OutcomeStatus::kFailed);
  EXPECT_EQ(errorCode(outcome), "NOT_ALLOWED");
  EXPECT_NE(outcome.error->message.find("declared: chatty, failing, hello, missing, slow"),
            std::string::npos)
      << outcome.error->message;
  EXPECT_EQ(errorCode(run("run_diagnostic", Json::object())), "BAD_PARAMETERS");
}

TEST_F(ExecutorsTest, DiagnosticTimeoutFailureAndMissingCommand) {
  MonoTime before = clock_.monotonic();
  auto slow = run("run_diagnostic", Json{{"diagnostic_type", "slow"}});
  EXPECT_EQ(errorCode(slow), "TIMEOUT");
  EXPECT_EQ(slow.result->at("timed_out"), true);
  EXPECT_LT(clock_.monotonic() - before, 4s);
  EXPECT_EQ(slow.result->at("attempts").size(), 1u);  // never retried

  auto failing = run("run_diagnostic", Json{{"diagnostic_type", "failing"}});
  EXPECT_EQ(errorCode(failing), "COMMAND_FAILED");
  EXPECT_EQ(failing.result->at("exit_code"), 2);
  EXPECT_EQ(failing.result->at("output"), "broken\n");

  EXPECT_EQ(errorCode(run("run_diagnostic", Json{{"diagnostic_type", "missing"}})),
            "COMMAND_NOT_FOUND");
}

TEST_F(ExecutorsTest, DiagnosticDryRunRunsNothing) {
  auto outcome = run("run_diagnostic", Json{{"diagnostic_type", "slow"}}, true);
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded);
  EXPECT_EQ(outcome.result->at("would_run"), Json::array({"/bin/sleep", "5"}));
  EXPECT_FALSE(outcome.result->contains("exit_code"));
  EXPECT_LT(outcome.execution_time_ms, 1000);
}

TEST_F(ExecutorsTest, ExecActionRunsItsTemplateAndRefusesBadParameters) {
  std::string dir = dir_.path().string();
  auto outcome = run("write_marker", Json{{"dir", dir}, {"name", "ok"}});
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded) << outcome.error->message;
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "marker-ok"));

  auto injected = run("write_marker", Json{{"dir", dir}, {"name", "x /tmp/evil"}});
  EXPECT_EQ(errorCode(injected), "BAD_PARAMETERS");
  EXPECT_NE(injected.error->message.find("nothing ran"), std::string::npos);
  EXPECT_EQ(errorCode(run("write_marker", Json{{"dir", dir}})), "BAD_PARAMETERS");
  EXPECT_EQ(errorCode(run("write_marker", Json{{"dir", "-rf"}, {"name", "a"}})), "BAD_PARAMETERS");
  EXPECT_EQ(errorCode(run("write_marker", Json{{"dir", dir}, {"name", "a"}, {"more", "b"}})),
            "BAD_PARAMETERS");

  auto dry = run("write_marker", Json{{"dir", dir}, {"name", "dry"}}, true);
  ASSERT_EQ(dry.status, contracts::OutcomeStatus::kSucceeded);
  EXPECT_EQ(dry.result->at("would_run"), Json::array({"/usr/bin/touch", dir + "/marker-dry"}));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "marker-dry"));
}

TEST_F(ExecutorsTest, ExecActionWithoutItsDeclarationRunsNothing) {
  // The snapshot of the execution no longer declares it (a reloaded policy).
  TempDir other;
  auto bare = policy::Policy::load(testing::writePolicy(other));
  ASSERT_TRUE(bare);
  contracts::Action action;
  action.action_id = newUuid();
  action.action_type = "write_marker";
  action.parameters = Json{{"dir", dir_.path().string()}, {"name", "gone"}};
  RunOptions options{10s, 1, 1ms, false, *bare};
  auto outcome =
      runAction(action, *registry_.find("write_marker"), options, clock_, [] { return newUuid(); });
  EXPECT_EQ(outcome.error->code, "NOT_ALLOWED");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "marker-gone"));
}

TEST_F(ExecutorsTest, RestartServiceRunsSystemctlAndVerifies) {
  auto outcome = run("restart_service", Json{{"service_name", "nginx"}, {"node", "n1"}});
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded) << outcome.error->message;
  EXPECT_EQ(outcome.result->at("unit"), "nginx.service");
  EXPECT_EQ(outcome.result->at("verified"), true);
  EXPECT_EQ(calls(), "restart -- nginx.service\nis-active --quiet -- nginx.service\n");
}

TEST_F(ExecutorsTest, RestartServiceFailuresAndUnverifiedRestarts) {
  BuiltinOptions options;
  options.verify_timeout = 300ms;
  options.systemctl = writeSystemctl(1, 0).string();
  auto failing = makeRestartService(options);
  auto outcome = run("restart_service", Json{{"unit", "db.socket"}}, false, failing.get());
  EXPECT_EQ(errorCode(outcome), "RESTART_FAILED");
  EXPECT_EQ(outcome.result->at("exit_code"), 1);
  EXPECT_EQ(calls(), "restart -- db.socket\n");  // never verified, never retried

  options.systemctl = writeSystemctl(0, 3).string();
  auto inactive = makeRestartService(options);
  MonoTime before = clock_.monotonic();
  outcome = run("restart_service", Json{{"unit", "web@1"}}, false, inactive.get());
  EXPECT_EQ(errorCode(outcome), "VERIFY_FAILED");
  EXPECT_EQ(outcome.result->at("verified"), false);
  EXPECT_LT(clock_.monotonic() - before, 3s);
  EXPECT_NE(calls().find("is-active --quiet -- web@1.service"), std::string::npos);

  options.systemctl = (dir_.path() / "bin/no-systemctl").string();
  auto absent = makeRestartService(options);
  outcome = run("restart_service", Json{{"unit", "x"}}, false, absent.get());
  EXPECT_EQ(errorCode(outcome), "COMMAND_NOT_FOUND");
}

TEST_F(ExecutorsTest, RestartServiceRefusesBadUnitNamesAndDryRunRunsNothing) {
  for (const char* bad : {"-H", "a b", "x;reboot", "../etc", "web@.service", "", "ü"}) {
    auto outcome = run("restart_service", Json{{"unit", bad}});
    EXPECT_EQ(errorCode(outcome), "BAD_PARAMETERS") << bad;
  }
  auto dry = run("restart_service", Json{{"service_name", "nginx"}}, true);
  ASSERT_EQ(dry.status, contracts::OutcomeStatus::kSucceeded);
  EXPECT_EQ(dry.result->at("would_run").back(), "nginx.service");
  EXPECT_EQ(dry.result->at("would_verify").at(1), "is-active");
  EXPECT_EQ(calls(), "");
}

TEST(SystemdUnitNameTest, SuffixAndCharacters) {
  EXPECT_EQ(*systemdUnitName("nginx"), "nginx.service");
  EXPECT_EQ(*systemdUnitName("nginx.service"), "nginx.service");
  EXPECT_EQ(*systemdUnitName("backup.timer"), "backup.timer");
  EXPECT_EQ(*systemdUnitName("getty@tty1"), "getty@tty1.service");
  EXPECT_EQ(*systemdUnitName("my.app"), "my.app.service");
  EXPECT_EQ(*systemdUnitName("dev-disk-by\\x2duuid.device"), "dev-disk-by\\x2duuid.device");
  EXPECT_FALSE(systemdUnitName(std::string(260, 'a')).isOk());
  EXPECT_FALSE(systemdUnitName(".hidden").isOk());
}

}  // namespace
}  // namespace orion::commander
