// End to end: the real `orion` binary, started as a child process in a temporary directory.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>

#include "child_process.h"
#include "common/json.h"
#include "testing/audit_chain.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kPipelineDeadline = 20s;
constexpr auto kShutdownDeadline = 5s;

class OrionE2eTest : public ::testing::Test {
 protected:
  std::filesystem::path stateDir() const { return dir_.path() / "state"; }
  std::filesystem::path auditDir() const { return stateDir() / "audit"; }

  // A config whose disk thresholds every real filesystem crosses on the first sample.
  std::filesystem::path tightConfig(const std::string& log_level = "info",
                                    const std::string& more_yaml = "") const {
    return dir_.write("orion.yaml", "state_dir: " + stateDir().string() +
                                        "\n"
                                        "log:\n"
                                        "  level: " +
                                        log_level +
                                        "\n"
                                        "watcher:\n"
                                        "  host:\n"
                                        "    interval: 200ms\n"
                                        "    disk_percent: {warning: 1, critical: 2}\n" +
                                        more_yaml);
  }

  ChildProcess::Options options() const { return {dir_.path(), std::nullopt, {}}; }

  // Runs the pipeline until a full event → incident → decision chain is audited, then stops it
  // with `signal` and checks a clean exit.
  void runPipelineThenStopWith(int signal) {
    ChildProcess orion(ORION_BINARY, {"run", "--config", tightConfig().string()}, options());
    ASSERT_TRUE(orion.started()) << orion.error();

    std::optional<Chain> chain;
    bool complete = waitUntil(
        [&] {
          chain = findChain(readAudit(auditDir()));
          return chain.has_value() || !orion.running();
        },
        kPipelineDeadline);
    ASSERT_TRUE(complete && chain)
        << "no event → incident → decision chain in " << auditDir() << " within 20 s; stderr:\n"
        << orion.err();

    EXPECT_EQ(chain->decision.value("decision_type", ""), "NO_ACTION");
    EXPECT_EQ(chain->decision.value("incident_id", ""), chain->incident.value("incident_id", ""));
    auto ids = chain->incident["event_ids"];
    EXPECT_NE(std::find(ids.begin(), ids.end(), chain->event["event_id"]), ids.end());
    EXPECT_EQ(chain->event.value("event_type", ""), "metric_threshold_exceeded");

    ASSERT_TRUE(orion.signal(signal));
    std::optional<int> code = orion.waitExit(kShutdownDeadline);
    ASSERT_TRUE(code.has_value()) << "still running 5 s after the signal; stderr:\n" << orion.err();
    EXPECT_EQ(*code, 0) << orion.err();

    // Nothing half-written: the trail ends with a newline and every line is a JSON record.
    std::string audit = readAuditText(auditDir());
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit.back(), '\n');
    size_t lines = std::count(audit.begin(), audit.end(), '\n');
    EXPECT_EQ(readAudit(auditDir()).size(), lines);
    last_incident_ = chain->incident.value("incident_id", "");
    // stdout is not a terminal here: no live summary, logs only on stderr.
    EXPECT_EQ(orion.out(), "");
  }

  TempDir dir_;
  std::string last_incident_;  // of the chain runPipelineThenStopWith found
};

TEST_F(OrionE2eTest, PipelineAuditsEventIncidentDecisionAndSigtermExitsCleanly) {
  runPipelineThenStopWith(SIGTERM);
}

TEST_F(OrionE2eTest, SigintExitsCleanlyToo) { runPipelineThenStopWith(SIGINT); }

TEST_F(OrionE2eTest, TheTrailOfARunVerifiesAndAnswersQueries) {
  runPipelineThenStopWith(SIGTERM);
  ASSERT_FALSE(last_incident_.empty());
  RunResult verify = runToCompletion(
      ORION_BINARY, {"audit", "verify", "--state-dir", stateDir().string(), "--output", "json"},
      options());
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  auto report = parseJson(verify.out);
  ASSERT_TRUE(report) << verify.out;
  EXPECT_EQ((*report)["ok"], true);
  EXPECT_GE((*report)["records"].get<int>(), 3);
  RunResult query = runToCompletion(ORION_BINARY,
                                    {"audit", "query", "--state-dir", stateDir().string(),
                                     "--incident", last_incident_, "--output", "json"},
                                    options());
  EXPECT_EQ(query.code, 0) << query.err;
  auto chain = parseJson(query.out);
  ASSERT_TRUE(chain) << query.out;
  EXPECT_EQ((*chain)["found"], true);
  EXPECT_GE((*chain)["chain"]["events"].size(), 1u);
  EXPECT_GE((*chain)["chain"]["decisions"].size(), 1u);
}

TEST_F(OrionE2eTest, KillNineThenRestartRepairsAndTheTrailVerifies) {
  for (int run = 0; run < 3; ++run) {
    size_t before = readAudit(auditDir()).size();
    ChildProcess orion(ORION_BINARY, {"run", "--config", tightConfig().string()}, options());
    ASSERT_TRUE(orion.started()) << orion.error();
    // The first run records an event, its incident and a decision. After a restart the guardian
    // still holds those incidents open (its state survives), so the watcher's new events are
    // absorbed: on a host with a single mount that is one new record.
    size_t expected = run == 0 ? before + 2 : before;
    ASSERT_TRUE(
        waitUntil([&] { return readAudit(auditDir()).size() > expected; }, kPipelineDeadline))
        << orion.err();
    ASSERT_TRUE(orion.signal(SIGKILL));
    EXPECT_EQ(orion.waitExit(kShutdownDeadline), 128 + SIGKILL);
  }
  ChildProcess orion(ORION_BINARY, {"run", "--config", tightConfig().string()}, options());
  ASSERT_TRUE(orion.started());
  size_t before = readAudit(auditDir()).size();
  ASSERT_TRUE(waitUntil([&] { return readAudit(auditDir()).size() > before; }, kPipelineDeadline));
  ASSERT_TRUE(orion.signal(SIGTERM));
  EXPECT_EQ(orion.waitExit(kShutdownDeadline), 0) << orion.err();
  RunResult verify = runToCompletion(
      ORION_BINARY, {"audit", "verify", "--state-dir", stateDir().string()}, options());
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.out.rfind("ok: ", 0), 0u) << verify.out;
}

// Three seconds after start the daemon gives back the clean file pages start-up mapped
// (common/clean_pages.h, daemon/page_release.h); code that runs afterwards (here the policy loader,
// which only start-up had run, and the control socket's CLI) maps its pages back and works.
TEST_F(OrionE2eTest, AfterReleasingItsStartUpPagesTheDaemonStillServesAndStops) {
  std::filesystem::path config =
      tightConfig("debug", "brain:\n  policy_dir: " ORION_SOURCE_DIR "/policies\n");
  ChildProcess orion(ORION_BINARY, {"run", "--config", config.string()}, options());
  ASSERT_TRUE(orion.started()) << orion.error();
  ASSERT_TRUE(waitUntil(
      [&] {
        return orion.err().find("of clean file pages from") != std::string::npos ||
               !orion.running();
      },
      kPipelineDeadline));
  ASSERT_TRUE(orion.running()) << orion.err();

  ASSERT_TRUE(orion.signal(SIGHUP));
  EXPECT_TRUE(waitUntil([&] {
    return orion.err().find("SIGHUP: policy reloaded") != std::string::npos;
  })) << orion.err();
  RunResult shown =
      runToCompletion(ORION_BINARY, {"autonomy", "show", "--config", config.string()}, options());
  EXPECT_EQ(shown.code, 0) << shown.err;
  EXPECT_NE(shown.out.find("autonomy: N0"), std::string::npos) << shown.out;

  ASSERT_TRUE(orion.signal(SIGTERM));
  EXPECT_EQ(orion.waitExit(kShutdownDeadline), 0) << orion.err();
}

TEST_F(OrionE2eTest, StateDirIsOwnerOnly) {
  ChildProcess orion(ORION_BINARY, {"run", "--config", tightConfig().string()}, options());
  ASSERT_TRUE(orion.started()) << orion.error();
  ASSERT_TRUE(waitUntil([&] { return !readAudit(auditDir()).empty(); }, kPipelineDeadline));
  auto perms = std::filesystem::status(stateDir()).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
  orion.signal(SIGTERM);
  EXPECT_EQ(orion.waitExit(kShutdownDeadline), 0);
}

TEST_F(OrionE2eTest, UnknownConfigKeyExitsTwoNamingFileLineAndKey) {
  auto file = dir_.write("bad.yaml",
                         "watcher:\n"
                         "  host:\n"
                         "    intervall: 200ms\n");
  RunResult result = runToCompletion(ORION_BINARY, {"run", "--config", file.string()}, options());
  EXPECT_EQ(result.code, 2) << result.err;
  EXPECT_NE(result.err.find(file.string() + ":3"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("intervall"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(stateDir()));
}

TEST_F(OrionE2eTest, TlsRedisBusUrlExitsTwoWithAClearMessage) {
  auto file = dir_.write("redis.yaml", "state_dir: " + stateDir().string() +
                                           "\nbus:\n  url: rediss://127.0.0.1:6379\n");
  RunResult result = runToCompletion(ORION_BINARY, {"run", "--config", file.string()}, options());
  EXPECT_EQ(result.code, 2) << result.err;
  EXPECT_NE(result.err.find(file.string() + ":3"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("TLS"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(stateDir()));
}

TEST_F(OrionE2eTest, UnknownModuleExitsTwoNamingTheValidOnes) {
  RunResult result = runToCompletion(
      ORION_BINARY, {"run", "--state-dir", stateDir().string(), "--modules", "memory,gardian"},
      options());
  EXPECT_EQ(result.code, 2) << result.err;
  EXPECT_NE(result.err.find("gardian"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("guardian"), std::string::npos) << result.err;
}

TEST_F(OrionE2eTest, ConfigCheckOnAValidFileExitsZero) {
  RunResult result =
      runToCompletion(ORION_BINARY, {"config", "check", tightConfig().string()}, options());
  EXPECT_EQ(result.code, 0) << result.err;
}

TEST_F(OrionE2eTest, ContractsValidateRejectsAnInvalidDocumentOnStdin) {
  auto input = dir_.write("event.json", R"({"version":"1.0","event_id":"not-a-uuid"})");
  ChildProcess::Options with_stdin = options();
  with_stdin.stdin_file = input;
  RunResult result =
      runToCompletion(ORION_BINARY, {"contracts", "validate", "event", "-"}, with_stdin);
  EXPECT_EQ(result.code, 2) << result.out << result.err;
  EXPECT_NE((result.out + result.err).find("event_id"), std::string::npos)
      << result.out << result.err;
}

TEST_F(OrionE2eTest, VersionNamesTheBuildAndTheAllocatorInUse) {
  RunResult result = runToCompletion(ORION_BINARY, {"version"}, options());
  EXPECT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("orion ", 0), 0u) << result.out;
  // The allocator is found at run time: jemalloc only when its malloc serves the process.
  EXPECT_NE(result.out.find(" build, " ORION_EXPECT_ALLOCATOR), std::string::npos) << result.out;
}

TEST_F(OrionE2eTest, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(runToCompletion(ORION_BINARY, {}, options()).code, 2);
  EXPECT_EQ(runToCompletion(ORION_BINARY, {"frobnicate"}, options()).code, 2);
  EXPECT_EQ(runToCompletion(ORION_BINARY, {"run", "--no-such-flag"}, options()).code, 2);
  RunResult help = runToCompletion(ORION_BINARY, {"--help"}, options());
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace orion::testing
