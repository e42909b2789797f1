#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "config/config.h"
#include "testing/temp_dir.h"

namespace orion::cli {
namespace {

using ::testing::HasSubstr;

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Parses `args` as `orion <args>` with the config subcommand registered, runs the chosen action
// and captures what it printed.
CommandRun runOrion(std::vector<std::string> args, GlobalOptions global = {}) {
  CLI::App app("orion");
  Action action;
  addConfigCommand(app, global, action);
  args.insert(args.begin(), "orion");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(action) << "no action chosen";
  std::ostringstream out;
  std::ostringstream err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  CommandRun run;
  run.code = action ? action() : -1;
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

TEST(ConfigCommandTest, CheckValidFilePrintsOkAndExitsZero) {
  testing::TempDir dir;
  auto file = dir.write("orion.yaml", "brain: {autonomy_level: N0}\n").string();
  CommandRun run = runOrion({"config", "check", file});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "ok: " + file + "\n");
  EXPECT_EQ(run.err, "");
}

TEST(ConfigCommandTest, CheckInvalidFilePrintsEveryErrorAndExitsTwo) {
  testing::TempDir dir;
  auto file = dir.write("orion.yaml", "wacher: {}\nbus: {max_deliveries: 0}\n").string();
  CommandRun run = runOrion({"config", "check", file});
  EXPECT_EQ(run.code, kExitInvalid);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr(file + ":1: wacher: unknown key; did you mean 'watcher'?\n"));
  EXPECT_THAT(run.err, HasSubstr(file + ":2: bus.max_deliveries: expected an integer"));
}

TEST(ConfigCommandTest, CheckMissingFileExitsTwo) {
  testing::TempDir dir;
  auto file = (dir.path() / "absent.yaml").string();
  CommandRun run = runOrion({"config", "check", file});
  EXPECT_EQ(run.code, kExitInvalid);
  EXPECT_EQ(run.err, file + ": config file not found\n");
}

TEST(ConfigCommandTest, CheckDefaultsToTheGlobalConfigFile) {
  testing::TempDir dir;
  GlobalOptions global;
  global.config_file = dir.write("global.yaml", "api: {enabled: maybe}\n").string();
  CommandRun run = runOrion({"config", "check"}, global);
  EXPECT_EQ(run.code, kExitInvalid);
  EXPECT_THAT(run.err, HasSubstr(global.config_file + ":1: api.enabled:"));
}

TEST(ConfigCommandTest, CheckWithoutAnyFileChecksDefaults) {
  CommandRun run = runOrion({"config", "check"});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "ok: defaults and environment\n");
}

TEST(ConfigCommandTest, CheckHonoursTheEnvFile) {
  testing::TempDir dir;
  GlobalOptions global;
  global.env_file = dir.write("orion.env", "ORION_BUS_WHEN_FULL=sometimes\n").string();
  CommandRun run = runOrion({"config", "check"}, global);
  EXPECT_EQ(run.code, kExitInvalid);
  EXPECT_THAT(run.err, HasSubstr(global.env_file + ":1: ORION_BUS_WHEN_FULL: bus.when_full:"));
}

TEST(ConfigCommandTest, ShowPrintsTheEffectiveConfigWhichLoadsBack) {
  testing::TempDir dir;
  GlobalOptions global;
  global.config_file = dir.write("orion.yaml", "watcher: {host: {interval: 2s}}\n").string();
  global.env_file = dir.write("orion.env", "ORION_BRAIN_AUTONOMY_LEVEL=N1\n").string();
  global.state_dir = (dir.path() / "state").string();
  CommandRun run = runOrion({"config", "show"}, global);
  ASSERT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("interval: 2s"));
  EXPECT_THAT(run.out, HasSubstr("autonomy_level: N1"));
  EXPECT_THAT(run.out, HasSubstr("state_dir: \"" + global.state_dir + "\""));

  config::LoadOptions options;
  options.file = dir.write("shown.yaml", run.out);
  auto reloaded = config::loadConfig(options);
  ASSERT_TRUE(reloaded.isOk()) << reloaded.status().message();
  EXPECT_EQ(reloaded->brain.autonomy_level, config::Autonomy::kN1);
  EXPECT_EQ(reloaded->state_dir, global.state_dir);
}

TEST(ConfigCommandTest, ShowOnInvalidConfigExitsTwo) {
  testing::TempDir dir;
  GlobalOptions global;
  global.config_file = dir.write("orion.yaml", "brain: {autonomy_level: N9}\n").string();
  CommandRun run = runOrion({"config", "show"}, global);
  EXPECT_EQ(run.code, kExitInvalid);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr(global.config_file + ":1: brain.autonomy_level:"));
}

TEST(ConfigCommandTest, ConfigWithoutASubcommandIsAUsageError) {
  CLI::App app("orion");
  GlobalOptions global;
  Action action;
  addConfigCommand(app, global, action);
  const char* argv[] = {"orion", "config"};
  EXPECT_THROW(app.parse(2, argv), CLI::ParseError);
}

}  // namespace
}  // namespace orion::cli
