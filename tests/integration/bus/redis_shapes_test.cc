// The deployment shapes on a real redis-server with the real `orion` binary:
//  - `orion run` with a Redis URL: every module in one process, Redis between them;
//  - a node (`--modules watcher,commander`) and the core (`--modules
//    guardian,brain,approval,memory,api`) as two processes: an event observed on the node
//    becomes an incident and a decision on the core, and the decision is consumed by the
//    node's own commander group.
#include <gtest/gtest.h>
#include <signal.h>

#include "redis_bus_fixture.h"
#include "testing/audit_chain.h"

namespace orion::bus::testing {
namespace {

using orion::testing::ChildProcess;
using orion::testing::findChain;
using orion::testing::readAudit;

constexpr auto kPipelineDeadline = 30s;
constexpr auto kShutdownDeadline = 6s;

class RedisShapesTest : public RedisBusTest {
 protected:
  // A config for one process: its node name and state directory, the test's Redis, and (for a
  // node) disk thresholds every real filesystem crosses on the first sample.
  std::filesystem::path config(const std::string& name, bool tight_watcher) {
    std::string yaml = "node:\n  name: " + name +
                       "\n"
                       "state_dir: " +
                       stateDir(name).string() +
                       "\n"
                       "log:\n  level: info\n"
                       "bus:\n  url: " +
                       redis_->url() +
                       "\n"
                       "  reconnect_max_delay: 500ms\n";
    if (tight_watcher) {
      yaml +=
          "watcher:\n  host:\n    interval: 200ms\n    disk_percent: {warning: 1, critical: 2}\n";
    }
    return dir_.write(name + ".yaml", yaml);
  }
  std::filesystem::path stateDir(const std::string& name) const {
    return dir_.path() / (name + "-state");
  }
  std::filesystem::path audit(const std::string& name) const { return stateDir(name) / "audit"; }
  ChildProcess::Options childOptions() const { return {dir_.path(), std::nullopt, {}}; }

  // The groups Redis knows on `key`, from XINFO GROUPS.
  Json groups(const std::string& key) {
    auto parsed = parseJson(cli({"--json", "XINFO", "GROUPS", key}));
    return parsed && parsed->is_array() ? *parsed : Json::array();
  }
  std::optional<Json> group(const std::string& key, const std::string& name) {
    for (const Json& g : groups(key)) {
      if (g.is_object() && g.value("name", "") == name) return g;
    }
    return std::nullopt;
  }

  void stopCleanly(ChildProcess& process, const char* what) {
    ASSERT_TRUE(process.signal(SIGTERM)) << what;
    std::optional<int> code = process.waitExit(kShutdownDeadline);
    ASSERT_TRUE(code.has_value()) << what << " still running; stderr:\n" << process.err();
    EXPECT_EQ(*code, 0) << what << ":\n" << process.err();
  }
};

TEST_F(RedisShapesTest, OneProcessWithARedisUrlRunsThePipelineThroughRedis) {
  ChildProcess orion(ORION_BINARY,
                     {"run", "--no-summary", "--config", config("solo", true).string()},
                     childOptions());
  ASSERT_TRUE(orion.started()) << orion.error();
  std::optional<orion::testing::Chain> chain;
  ASSERT_TRUE(waitUntil(
      [&] {
        chain = findChain(readAudit(audit("solo")));
        return chain.has_value() || !orion.running();
      },
      kPipelineDeadline))
      << orion.err();
  ASSERT_TRUE(chain) << orion.err();
  EXPECT_EQ(chain->event["tags"]["node"], "solo");
  EXPECT_EQ(chain->decision["tags"]["node"], "solo");
  // The documents went through Redis: the streams hold them and every group caught up.
  EXPECT_GE(xlen("orion:events"), 1);
  EXPECT_GE(xlen("orion:decisions"), 1);
  ASSERT_TRUE(group("orion:events", "guardian").has_value());
  ASSERT_TRUE(group("orion:decisions", "commander-solo").has_value());
  stopCleanly(orion, "orion");
}

TEST_F(RedisShapesTest, ANodeAndTheCoreInTwoProcessesCarryAnEventToADecision) {
  // The core first: its groups exist before the node publishes (new groups start at "$").
  ChildProcess core(ORION_BINARY,
                    {"run", "--no-summary", "--config", config("core", false).string(), "--modules",
                     "guardian,brain,approval,memory,api"},
                    childOptions());
  ASSERT_TRUE(core.started()) << core.error();
  ASSERT_TRUE(waitUntil([&] { return group("orion:events", "guardian").has_value(); }, 10s))
      << core.err();

  ChildProcess node(ORION_BINARY,
                    {"run", "--no-summary", "--config", config("edge-1", true).string(),
                     "--modules", "watcher,commander"},
                    childOptions());
  ASSERT_TRUE(node.started()) << node.error();

  std::optional<orion::testing::Chain> chain;
  ASSERT_TRUE(waitUntil(
      [&] {
        chain = findChain(readAudit(audit("core")));
        return chain.has_value() || !core.running() || !node.running();
      },
      kPipelineDeadline))
      << "core:\n"
      << core.err() << "\nnode:\n"
      << node.err();
  ASSERT_TRUE(chain) << "core:\n" << core.err() << "\nnode:\n" << node.err();
  // The event was observed on the node and carries its name; the decision is addressed to it.
  EXPECT_EQ(chain->event["tags"]["node"], "edge-1");
  EXPECT_EQ(chain->decision["tags"]["node"], "edge-1");
  EXPECT_EQ(chain->decision["decision_type"], "NO_ACTION");
  // Only the node writes the audit-free side; the core has no watcher of its own.
  EXPECT_FALSE(std::filesystem::exists(audit("edge-1")));
  // The node's commander consumed the decision in its own group and acknowledged it.
  ASSERT_TRUE(waitUntil(
      [&] {
        auto g = group("orion:decisions", "commander-edge-1");
        return g && g->value("entries-read", 0) >= 1 && g->value("pending", 1) == 0;
      },
      10s))
      << groups("orion:decisions").dump();

  stopCleanly(node, "node");
  stopCleanly(core, "core");
}

}  // namespace
}  // namespace orion::bus::testing
