// End to end, the admin's side: `orion policy check`, and a running `orion run` steered through
// its control socket by `orion autonomy show|set` and `orion policy reload`, and by SIGHUP. The
// real binary, in a temporary directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "child_process.h"
#include "testing/audit_chain.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPolicies = ORION_SOURCE_DIR "/policies";

class AdminE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(kPolicies, dir_.path() / "policies");
    config_ = dir_.write("orion.yaml",
                         "state_dir: " + (dir_.path() / "state").string() +
                             "\nbrain:\n  policy_dir: " + (dir_.path() / "policies").string() +
                             "\nwatcher:\n  host:\n    enabled: false\n");
  }

  ChildProcess::Options options() const { return {dir_.path(), std::nullopt, {}}; }
  RunResult cli(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config_.string());
    return runToCompletion(ORION_BINARY, args, options());
  }
  std::filesystem::path socket() const { return dir_.path() / "state" / "control.sock"; }

  std::unique_ptr<ChildProcess> startOrion() {
    auto orion = std::make_unique<ChildProcess>(
        ORION_BINARY, std::vector<std::string>{"run", "--config", config_.string(), "--no-summary"},
        options());
    EXPECT_TRUE(orion->started()) << orion->error();
    EXPECT_TRUE(
        waitUntil([&] { return std::filesystem::exists(socket()) || !orion->running(); }, 20s));
    EXPECT_TRUE(orion->running()) << orion->err();
    return orion;
  }
  void stopOrion(ChildProcess& orion) {
    ASSERT_TRUE(orion.signal(SIGTERM));
    auto code = orion.waitExit(5s);
    ASSERT_TRUE(code.has_value()) << orion.err();
    EXPECT_EQ(*code, 0) << orion.err();
  }

  TempDir dir_;
  std::filesystem::path config_;
};

TEST_F(AdminE2eTest, PolicyCheckExitsZeroOrTwoWithFileLineKey) {
  auto good = runToCompletion(ORION_BINARY, {"policy", "check", kPolicies}, options());
  EXPECT_EQ(good.code, 0) << good.err;
  EXPECT_NE(good.out.find("ok: "), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("SAFE and"), std::string::npos) << good.out;

  dir_.write("policies/cooldowns.yaml",
             "version: \"1.0\"\naction_cooldowns:\n  - action_type: "
             "restart_containr\n    cooldown: 5 minutes\n");
  auto bad = cli({"policy", "check"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("cooldowns.yaml:4: action_cooldowns[0].cooldown: expected a duration"),
            std::string::npos)
      << bad.err;
}

TEST_F(AdminE2eTest, WithoutARunningOrionTheCliSaysSo) {
  auto shown = cli({"autonomy", "show"});
  EXPECT_EQ(shown.code, 1);
  EXPECT_NE(shown.err.find("not running"), std::string::npos) << shown.err;
}

TEST_F(AdminE2eTest, TheAdminChangesAutonomyAndReloadsThePolicy) {
  auto orion = startOrion();
  ASSERT_TRUE(orion->running());

  auto shown = cli({"autonomy", "show"});
  EXPECT_EQ(shown.code, 0) << shown.err;
  EXPECT_NE(shown.out.find("autonomy: N0 (configured N0, from config)"), std::string::npos)
      << shown.out;

  EXPECT_EQ(cli({"autonomy", "set", "N2"}).code, 2) << "--reason is required";
  EXPECT_EQ(cli({"autonomy", "set", "N2", "--reason", "short"}).code, 2);
  auto set = cli({"autonomy", "set", "N2", "--reason", "containers restart cleanly now"});
  EXPECT_EQ(set.code, 0) << set.err;
  EXPECT_NE(set.out.find("autonomy changed from N0 to N2"), std::string::npos) << set.out;
  EXPECT_NE(set.out.find("uid " + std::to_string(getuid())), std::string::npos) << set.out;

  // The change is in the audit trail, with who and why.
  std::filesystem::path audit = dir_.path() / "state" / "audit";
  EXPECT_TRUE(waitUntil([&] {
    std::string text = readAuditText(audit);
    return text.find("autonomy_change") != std::string::npos &&
           text.find("containers restart cleanly now") != std::string::npos;
  }));

  auto reloaded = cli({"policy", "reload"});
  EXPECT_EQ(reloaded.code, 0) << reloaded.err;
  EXPECT_NE(reloaded.out.find("policy reloaded from"), std::string::npos) << reloaded.out;

  // A broken edit is refused (exit 2, file:line) and the running policy stays.
  std::filesystem::path safe = dir_.path() / "policies" / "actions_safe.yaml";
  std::string original = readFile(safe);
  dir_.write("policies/actions_safe.yaml", "version: \"1.0\"\nsafe_actions: nope\n");
  auto refused = cli({"policy", "reload"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("actions_safe.yaml:2: safe_actions: expected a list"),
            std::string::npos)
      << refused.err;

  // SIGHUP does the same: refused while broken, loaded once fixed; the daemon keeps running.
  ASSERT_TRUE(orion->signal(SIGHUP));
  EXPECT_TRUE(waitUntil([&] {
    return orion->err().find("SIGHUP: policy not reloaded") != std::string::npos;
  })) << orion->err();
  dir_.write("policies/actions_safe.yaml", original);
  ASSERT_TRUE(orion->signal(SIGHUP));
  EXPECT_TRUE(waitUntil([&] {
    return orion->err().find("SIGHUP: policy reloaded") != std::string::npos;
  })) << orion->err();
  EXPECT_TRUE(orion->running());
  stopOrion(*orion);

  // After a restart the admin's level is still in force.
  auto again = startOrion();
  auto after = cli({"autonomy", "show"});
  EXPECT_EQ(after.code, 0) << after.err;
  EXPECT_NE(after.out.find("autonomy: N2 (configured N0, from runtime)"), std::string::npos)
      << after.out;
  stopOrion(*again);
}

}  // namespace
}  // namespace orion::testing
