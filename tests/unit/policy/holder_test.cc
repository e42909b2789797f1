// PolicyHolder: a reload swaps the snapshot only if the new policy validates.
#include "policy/holder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "policy_fixture.h"

namespace orion::policy {
namespace {

using testing::TempDir;
using testing::writePolicy;

TEST(PolicyHolder, StartsFailClosedAndLoadsOnReload) {
  TempDir dir;
  PolicyHolder holder(writePolicy(dir));
  EXPECT_FALSE(holder.current()->loaded());
  EXPECT_EQ(holder.current()->classify("restart_container"), SafetyClass::kUnknown);
  ASSERT_TRUE(holder.reload().isOk());
  EXPECT_TRUE(holder.current()->loaded());
  EXPECT_EQ(holder.current()->classify("restart_container"), SafetyClass::kSafe);
  EXPECT_EQ(holder.failedReloads(), 0);
}

TEST(PolicyHolder, FirstLoadFailingKeepsNothingSafeAndSaysWhy) {
  TempDir dir;
  PolicyHolder holder(writePolicy(dir, {{"rules.yaml", "version: \"1.0\"\nrules: 3\n"}}));
  Status status = holder.reload();
  ASSERT_FALSE(status.isOk());
  EXPECT_FALSE(holder.current()->loaded());
  EXPECT_NE(holder.current()->problem().find("rules.yaml:2: rules: expected a list"),
            std::string::npos)
      << holder.current()->problem();
  EXPECT_EQ(holder.current()->classify("acknowledge_incident"), SafetyClass::kUnknown);
  EXPECT_EQ(holder.failedReloads(), 1);
}

TEST(PolicyHolder, InvalidReloadKeepsTheOldSnapshot) {
  TempDir dir;
  auto policy_dir = writePolicy(dir);
  PolicyHolder holder(policy_dir);
  ASSERT_TRUE(holder.reload().isOk());
  PolicyPtr before = holder.current();

  dir.write("policies/actions_safe.yaml", "version: \"1.0\"\nsafe_actions: nope\n");
  Status status = holder.reload();
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(holder.current(), before) << "a failed reload must not swap";
  EXPECT_EQ(holder.failedReloads(), 1);
  EXPECT_NE(holder.lastError().find("actions_safe.yaml:2"), std::string::npos);

  dir.write("policies/actions_safe.yaml",
            "version: \"1.0\"\nsafe_actions:\n  - action_type: restart_container\n  - "
            "action_type: send_notification\n  - action_type: acknowledge_incident\n");
  ASSERT_TRUE(holder.reload().isOk());
  EXPECT_NE(holder.current(), before);
  EXPECT_EQ(holder.failedReloads(), 0);
  EXPECT_EQ(holder.lastError(), "");
  // A reader that kept the old snapshot still reads it.
  EXPECT_EQ(before->rateLimitFor("restart_container")->count, 6);
  EXPECT_FALSE(holder.current()->rateLimitFor("restart_container").has_value());
}

TEST(PolicyHolder, ReadersDuringReloadsAlwaysSeeAValidSnapshot) {
  TempDir dir;
  PolicyHolder holder(writePolicy(dir));
  ASSERT_TRUE(holder.reload().isOk());
  std::atomic<bool> stop{false};
  std::atomic<int> unsafe{0};
  std::thread reader([&] {
    while (!stop.load()) {
      if (holder.current()->classify("restart_container") != SafetyClass::kSafe) ++unsafe;
    }
  });
  for (int i = 0; i < 20; ++i) {
    dir.write("policies/cooldowns.yaml",
              i % 2 == 0 ? "broken: [" : std::string(testing::kCooldownsYaml));
    holder.reload().ignore();  // half of them fail on purpose
  }
  stop.store(true);
  reader.join();
  EXPECT_EQ(unsafe.load(), 0);
}

}  // namespace
}  // namespace orion::policy
