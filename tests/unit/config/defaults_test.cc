#include "config/defaults.h"

#include <unistd.h>

#include "config_test_util.h"

namespace orion::config {
namespace {

TEST(DefaultStateDirTest, RootUsesVarLib) {
  EXPECT_EQ(defaultStateDir({{"HOME", "/root"}, {"XDG_STATE_HOME", "/x"}}, 0), "/var/lib/orion");
}

TEST(DefaultStateDirTest, UserPrefersXdgStateHome) {
  EXPECT_EQ(defaultStateDir({{"HOME", "/home/ada"}, {"XDG_STATE_HOME", "/home/ada/st"}}, 1000),
            "/home/ada/st/orion");
}

TEST(DefaultStateDirTest, RelativeOrEmptyXdgStateHomeIsIgnored) {
  EXPECT_EQ(defaultStateDir({{"HOME", "/home/ada"}, {"XDG_STATE_HOME", "state"}}, 1000),
            "/home/ada/.local/state/orion");
  EXPECT_EQ(defaultStateDir({{"HOME", "/home/ada"}, {"XDG_STATE_HOME", ""}}, 1000),
            "/home/ada/.local/state/orion");
}

TEST(DefaultStateDirTest, FallsBackToHomeThenCurrentDirectory) {
  EXPECT_EQ(defaultStateDir({{"HOME", "/home/ada"}}, 1000), "/home/ada/.local/state/orion");
  EXPECT_EQ(defaultStateDir({}, 1000), "./orion-state");
  EXPECT_EQ(defaultStateDir({{"HOME", ""}}, 1000), "./orion-state");
}

TEST(DefaultStateDirTest, PublicFunctionUsesTheEffectiveUid) {
  std::map<std::string, std::string> environment = {{"HOME", "/home/ada"}};
  EXPECT_EQ(defaultStateDir(environment),
            defaultStateDir(environment, static_cast<unsigned>(geteuid())));
}

TEST(DefaultsTest, NodeNameDefaultsToTheHostName) {
  char buffer[256] = {};
  ASSERT_EQ(gethostname(buffer, sizeof(buffer) - 1), 0);
  auto config = loadConfig(LoadOptions{});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->node.name, std::string(buffer));
  EXPECT_FALSE(config->node.name.empty());
}

TEST(DefaultsTest, StateDirDefaultFollowsTheEnvironment) {
  LoadOptions options;
  options.environment = {{"HOME", "/home/ada"}, {"XDG_STATE_HOME", "/var/state"}};
  auto config = loadConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->state_dir, defaultStateDir(options.environment));
}

TEST(ProcessEnvironmentTest, ReadsTheRealEnvironment) {
  ASSERT_EQ(setenv("ORION_CONFIG_TEST_PROBE", "a=b", 1), 0);
  auto environment = processEnvironment();
  unsetenv("ORION_CONFIG_TEST_PROBE");
  EXPECT_EQ(environment["ORION_CONFIG_TEST_PROBE"], "a=b");
}

}  // namespace
}  // namespace orion::config
