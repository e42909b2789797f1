// The deployment shapes on a real redis-server with the real `orion` binary:
//  - `orion run` with a Redis URL: every module in one process, Redis between them;
//  - a node (`--modules watcher,commander`) and the core (`--modules
//    guardian,brain,approval,memory,api`) as two processes: an event observed on the node
//    becomes an incident and a decision on the core, and the decision is consumed by the
//    node's own commander group;
//  - the admin on a third host (no ORION of its own, only the bus.url): `orion approvals` and
//    `orion approve` reach the core's approval coordinator through Redis (bus/redis_control.h);
//  - `orion run` on the host of its Redis, through Redis's unix socket (a unix:// bus.url).
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>

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
  std::filesystem::path config(const std::string& name, bool tight_watcher,
                               const std::string& bus_url = "") {
    std::string yaml = "node:\n  name: " + name +
                       "\n"
                       "state_dir: " +
                       stateDir(name).string() +
                       "\n"
                       "log:\n  level: info\n"
                       "bus:\n  url: " +
                       (bus_url.empty() ? redis_->url() : bus_url) +
                       "\n"
                       "  reconnect_max_delay: 500ms\n";
    if (tight_watcher) {
      yaml +=
          "watcher:\n  host:\n    interval: 200ms\n    disk_percent: {warning: 1, critical: 2}\n";
    }
    return dir_.write(name + ".yaml", yaml);
  }
  // The admin key every process and the admin's CLI share (mode 0600).
  std::filesystem::path adminKey() {
    std::filesystem::path key = dir_.path() / "admin.key";
    if (!std::filesystem::exists(key)) {
      key = dir_.write("admin.key", "0123456789abcdef0123456789abcdef\n");
      std::filesystem::permissions(
          key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    return key;
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

  // Waits until the audit trail of process `name` holds an event → incident → decision chain.
  std::optional<orion::testing::Chain> waitForChain(ChildProcess& orion, const std::string& name) {
    std::optional<orion::testing::Chain> chain;
    EXPECT_TRUE(waitUntil(
        [&] {
          chain = findChain(readAudit(audit(name)));
          return chain.has_value() || !orion.running();
        },
        kPipelineDeadline))
        << orion.err();
    return chain;
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
  std::optional<orion::testing::Chain> chain = waitForChain(orion, "solo");
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

TEST_F(RedisShapesTest, OneProcessOnTheHostOfItsRedisGoesThroughItsUnixSocket) {
  ChildProcess orion(
      ORION_BINARY,
      {"run", "--no-summary", "--config", config("local", true, redis_->unixUrl()).string()},
      childOptions());
  ASSERT_TRUE(orion.started()) << orion.error();
  std::optional<orion::testing::Chain> chain = waitForChain(orion, "local");
  ASSERT_TRUE(chain) << orion.err();
  EXPECT_GE(xlen("orion:decisions"), 1);
  // ORION's connections are on the socket: Redis lists each with the socket's path as its
  // address; the only other client is the redis-cli asking (over TCP).
  std::string clients = cli({"CLIENT", "LIST"});
  std::istringstream lines(clients);
  int on_socket = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("cmd=client|list") != std::string::npos) continue;
    EXPECT_NE(line.find("addr=" + redis_->socketPath().string() + ":0 "), std::string::npos)
        << line;
    ++on_socket;
  }
  EXPECT_GE(on_socket, 3) << clients;
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

TEST_F(RedisShapesTest, TheAdminOnAnotherHostAnswersThroughRedis) {
  // The core at N3 with the shipped policies: a critically full disk on the node proposes
  // prune_images, which is RISKY and waits for the admin.
  std::string keyed = "approval:\n  admin_key_file: " + adminKey().string() + "\n";
  std::filesystem::path core_config = config("core", false);
  {
    std::string yaml = orion::testing::readFile(core_config) + keyed +
                       "brain:\n  autonomy_level: N3\n  policy_dir: " ORION_SOURCE_DIR
                       "/policies\n";
    core_config = dir_.write("core.yaml", yaml);
  }
  std::filesystem::path node_config =
      dir_.write("edge-1.yaml", orion::testing::readFile(config("edge-1", true)) + keyed);
  // The admin's laptop: only the bus and the key; no ORION runs there (no control socket).
  std::filesystem::path admin_config =
      dir_.write("admin.yaml", "state_dir: " + stateDir("laptop").string() +
                                   "\nbus:\n  url: " + redis_->url() + "\n" + keyed);

  ChildProcess core(ORION_BINARY,
                    {"run", "--no-summary", "--config", core_config.string(), "--modules",
                     "guardian,brain,approval,memory,api"},
                    childOptions());
  ASSERT_TRUE(core.started()) << core.error();
  ASSERT_TRUE(waitUntil([&] { return group("orion:events", "guardian").has_value(); }, 10s))
      << core.err();
  ChildProcess node(
      ORION_BINARY,
      {"run", "--no-summary", "--config", node_config.string(), "--modules", "watcher,commander"},
      childOptions());
  ASSERT_TRUE(node.started()) << node.error();

  std::string request_id;
  ASSERT_TRUE(waitUntil(
      [&] {
        for (const auto& record : readAudit(audit("core"))) {
          if (record.type == "approval_request") {
            request_id = record.document.value("approval_request_id", "");
          }
        }
        return !request_id.empty() || !core.running() || !node.running();
      },
      kPipelineDeadline))
      << "core:\n"
      << core.err() << "\nnode:\n"
      << node.err();
  ASSERT_FALSE(request_id.empty()) << core.err();

  auto admin = [&](std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(admin_config.string());
    return orion::testing::runToCompletion(ORION_BINARY, args, childOptions());
  };
  auto listed = admin({"approvals"});
  EXPECT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find(request_id), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("prune_images"), std::string::npos) << listed.out;

  // Forced onto the socket, the laptop has no ORION to ask (exit 1).
  auto socket_only = admin({"approvals", "--via", "socket"});
  EXPECT_EQ(socket_only.code, 1) << socket_only.err;  // there is no ORION on the laptop

  auto approved = admin({"approve", request_id.substr(0, 8), "--reason", "free the disk now"});
  ASSERT_EQ(approved.code, 0) << approved.err << approved.out;
  EXPECT_NE(approved.out.find("approve"), std::string::npos) << approved.out;

  // The coordinator accepted it and published the decision, naming the admin as claimed.
  Json decision;
  ASSERT_TRUE(waitUntil(
      [&] {
        for (const auto& record : readAudit(audit("core"))) {
          if (record.type == "approval_decision" &&
              record.document.value("approval_request_id", "") == request_id) {
            decision = record.document;
          }
        }
        return !decision.is_null();
      },
      10s))
      << core.err();
  EXPECT_EQ(decision["decision"], "approve");
  EXPECT_EQ(decision["admin_identity"].get<std::string>().rfind("redis:", 0), 0u)
      << decision.dump();

  // Single use, through Redis too.
  auto again = admin({"approve", request_id.substr(0, 8), "--reason", "free the disk now"});
  EXPECT_EQ(again.code, 1) << again.err;
  EXPECT_NE(again.err.find("no pending approval request"), std::string::npos) << again.err;

  stopCleanly(node, "node");
  stopCleanly(core, "core");
}

}  // namespace
}  // namespace orion::bus::testing
