// commander.systemctl and commander.notifications (send_notification's channels): good entries,
// every bad shape with file:line and key, environment overrides, and the docs/example in step.
#include "config/fields/fields.h"
#include "config_test_util.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::string_view kChannels =
    "commander:\n"                              // 1
    "  systemctl: /usr/bin/systemctl\n"         // 2
    "  notifications:\n"                        // 3
    "    - type: webhook\n"                     // 4
    "      name: default\n"                     // 5
    "      url: https://hooks.example.org/o\n"  // 6
    "      token_file: hook.token\n"            // 7
    "    - type: ntfy\n"                        // 8
    "      name: phone\n"                       // 9
    "      url: https://ntfy.sh/topic\n"        // 10
    "      tags: [orion, lab]\n"                // 11
    "      priority: high\n"                    // 12
    "      timeout: 3s\n";                      // 13

class NotificationsConfigTest : public ConfigFileTest {};

TEST_F(NotificationsConfigTest, ChannelsLoadWithTheirDefaults) {
  auto config = load(kChannels);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->commander.systemctl, "/usr/bin/systemctl");
  const auto& channels = config->commander.notifications;
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[0].name, "default");
  const auto& hook = std::get<WebhookChannelConfig>(channels[0].settings);
  EXPECT_EQ(hook.url, "https://hooks.example.org/o");
  EXPECT_EQ(hook.token_file, "hook.token");
  EXPECT_EQ(hook.timeout, 10s);
  const auto& ntfy = std::get<NtfyChannelConfig>(channels[1].settings);
  EXPECT_EQ(ntfy.tags, (std::vector<std::string>{"orion", "lab"}));
  EXPECT_EQ(ntfy.priority, "high");
  EXPECT_EQ(ntfy.timeout, 3s);

  auto defaults = load("");
  ASSERT_TRUE(defaults.isOk());
  EXPECT_EQ(defaults->commander.systemctl, "systemctl");
  EXPECT_TRUE(defaults->commander.notifications.empty());
}

TEST_F(NotificationsConfigTest, BadEntriesNameFileLineAndKey) {
  EXPECT_THAT(errors("commander:\n  notifications:\n    - type: slack\n      url: http://x/\n"),
              HasSubstr(at(3) + "commander.notifications[1].type: unknown type 'slack'"));
  EXPECT_THAT(errors("commander:\n  notifications:\n    - type: webhook\n      url: ftp://x/\n"),
              HasSubstr(at(4) + "commander.notifications[webhook].url: expected an http:// or "
                                "https:// URL, got 'ftp://x/'"));
  EXPECT_THAT(errors("commander:\n  notifications:\n    - type: webhook\n"),
              HasSubstr(at(3) + "commander.notifications[webhook]: url: required"));
  EXPECT_THAT(errors("commander:\n  notifications:\n    - type: ntfy\n      url: http://x/t\n"
                     "      priority: loud\n"),
              HasSubstr(at(5) + "commander.notifications[ntfy].priority: expected an ntfy "
                                "priority"));
  EXPECT_THAT(errors("commander:\n  notifications:\n    - type: webhook\n      url: http://x/\n"
                     "      timout: 5s\n"),
              HasSubstr(at(5) + "commander.notifications[webhook].timout: unknown key"));
  EXPECT_THAT(errors("commander:\n  notifications:\n    - type: webhook\n      url: http://x/\n"
                     "    - type: webhook\n      url: http://y/\n"),
              HasSubstr("duplicate instance name 'webhook'"));
  EXPECT_THAT(errors("commander:\n  systemctl: bin/systemctl\n"),
              HasSubstr(at(2) + "commander.systemctl: expected a command name (systemctl) or an "
                                "absolute path"));
}

TEST_F(NotificationsConfigTest, EnvironmentOverridesAChannelKey) {
  auto config = load(kChannels, {{"ORION_COMMANDER_NOTIFICATIONS_PHONE_URL", "http://10.0.0.2/t"},
                                 {"ORION_COMMANDER_SYSTEMCTL", "systemctl"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(std::get<NtfyChannelConfig>(config->commander.notifications[1].settings).url,
            "http://10.0.0.2/t");
  EXPECT_EQ(config->commander.systemctl, "systemctl");
}

TEST_F(NotificationsConfigTest, DocsNameEveryKeyOfEveryChannelType) {
  std::string docs =
      testing::readFile(std::filesystem::path(ORION_SOURCE_DIR) / "docs/configuration.md");
  for (const auto& type : notificationChannelTypes()) {
    EXPECT_NE(docs.find("`type: " + type.name + "`"), std::string::npos) << type.name;
    for (const auto& field : type.keys->fields()) {
      EXPECT_NE(docs.find("`" + type.name + "." + field.path + "`"), std::string::npos)
          << type.name << "." << field.path;
    }
  }
}

}  // namespace
}  // namespace orion::config
