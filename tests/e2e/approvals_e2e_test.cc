// End to end, the admin's approval commands against the real binary: a key file open to others
// stops `orion run` and the CLI; with a proper key, `orion approvals` lists nothing waiting and
// answering an unknown request is refused (exit 2).
#include <gtest/gtest.h>

#include <filesystem>

#include "child_process.h"
#include "clean_exit.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class ApprovalsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(ORION_SOURCE_DIR "/policies", dir_.path() / "policies");
    key_ = dir_.write("admin.key", "0123456789abcdef0123456789abcdef\n");
    fs::permissions(key_, fs::perms::owner_read | fs::perms::owner_write);
    config_ = dir_.write("orion.yaml",
                         "state_dir: " + (dir_.path() / "state").string() +
                             "\nbrain:\n  policy_dir: " + (dir_.path() / "policies").string() +
                             "\napproval:\n  admin_key_file: " + key_.string() +
                             "\nwatcher:\n  host:\n    enabled: false\n");
  }

  ChildProcess::Options options() const { return {dir_.path(), std::nullopt, {}}; }
  RunResult cli(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config_.string());
    return runToCompletion(ORION_BINARY, args, options());
  }
  fs::path socket() const { return dir_.path() / "state" / "control.sock"; }

  TempDir dir_;
  fs::path key_;
  fs::path config_;
};

TEST_F(ApprovalsE2eTest, AKeyFileOpenToOthersStopsOrionAndTheCli) {
  fs::permissions(key_, fs::perms::owner_read | fs::perms::others_read);
  auto run = cli({"run", "--no-summary"});
  EXPECT_NE(run.code, 0);
  EXPECT_NE(run.err.find("chmod 600"), std::string::npos) << run.err;
  auto approve = cli({"approve", "0123456789", "--reason", "fine"});
  EXPECT_EQ(approve.code, 2);
  EXPECT_NE(approve.err.find("chmod 600"), std::string::npos) << approve.err;
}

TEST_F(ApprovalsE2eTest, ListAndAnswersTalkToTheRunningOrion) {
  ChildProcess orion(ORION_BINARY, {"run", "--config", config_.string(), "--no-summary"},
                     options());
  ASSERT_TRUE(orion.started()) << orion.error();
  ASSERT_TRUE(waitUntil([&] { return fs::exists(socket()) || !orion.running(); }, 20s));
  ASSERT_TRUE(orion.running()) << orion.err();

  auto listed = cli({"approvals"});
  EXPECT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("no approval request is waiting"), std::string::npos) << listed.out;

  // Exit 1: no such request is pending (docs/approvals.md).
  auto unknown = cli({"approve", "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b", "--reason", "fine"});
  EXPECT_EQ(unknown.code, 1) << unknown.err;
  EXPECT_NE(unknown.err.find("no pending approval request"), std::string::npos) << unknown.err;

  // Exit 2: an id prefix shorter than 8 characters is refused before anything is asked.
  auto short_prefix = cli({"approve", "0b7e7c1", "--reason", "fine"});
  EXPECT_EQ(short_prefix.code, 2) << short_prefix.err;

  stopAndExpectCleanExit(orion);
}

}  // namespace
}  // namespace orion::testing
