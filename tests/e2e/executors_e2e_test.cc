// End to end, the real `orion` binary at N2 running the executors that need no container
// engine, with the shipped policies and rules: every host crosses the memory and disk levels
// set here (memory straight to critical: a warning first would be acknowledged by the shipped
// `acknowledge` rule, and an acknowledged incident gets no further action), so
//   - memory critical → rule host-pressure → run_diagnostic memory_percent: the allow-listed
//     `ps` really runs (argv from diagnostics.yaml, never a shell) and its output is in the
//     outcome, truncated to the declared size;
//   - disk warning → rule disk-filling → send_notification: the `default` webhook channel
//     receives a real HTTP POST from the commander, carrying the incident's severity, node and
//     message.
// The HTTP receivers are a cpp-httplib server of the test's own on loopback.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "child_process.h"
#include "clean_exit.h"
#include "common/json.h"
#include "testing/audit_chain.h"
#include "testing/host_tools.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct Received {
  std::string path;
  std::string body;
  httplib::Headers headers;
};

// What the channels received.
class Receiver {
 public:
  Receiver() {
    server_.Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      received_.push_back({request.path, request.body, request.headers});
      response.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::vector<Received> received(const std::string& path) const {
    std::lock_guard lock(mutex_);
    std::vector<Received> out;
    for (const Received& r : received_) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
};

std::optional<Json> outcomeOf(const std::vector<AuditRecord>& records,
                              const std::string& action_type) {
  std::set<std::string> action_ids;
  for (const auto& record : records) {
    if (record.type == "action" && record.document.value("action_type", "") == action_type) {
      action_ids.insert(record.document.value("action_id", ""));
    }
  }
  for (const auto& record : records) {
    if (record.type == "outcome" && action_ids.contains(record.document.value("action_id", ""))) {
      return record.document;
    }
  }
  return std::nullopt;
}

TEST(ExecutorsE2eTest, DiagnosticsRunAndNotificationsReachTheirChannels) {
  ORION_REQUIRE_COMPONENT(std::filesystem::exists("/usr/bin/ps")
                              ? ""
                              : "/usr/bin/ps (Debian package procps) is not installed");
  TempDir dir;
  Receiver receiver;
  ASSERT_GT(receiver.port(), 0);
  fs::copy(ORION_SOURCE_DIR "/policies", dir.path() / "policies");
  std::string base = "http://127.0.0.1:" + std::to_string(receiver.port());
  fs::path config =
      dir.write("orion.yaml", "state_dir: " + (dir.path() / "state").string() +
                                  "\n"
                                  "node:\n  name: e2e-host\n"
                                  "brain:\n  autonomy_level: N2\n  policy_dir: " +
                                  (dir.path() / "policies").string() +
                                  "\n"
                                  "watcher:\n  host:\n    interval: 200ms\n"
                                  "    memory_percent: {warning: 0.1, critical: 0.2}\n"
                                  "    disk_percent: {warning: 1, critical: 100}\n"
                                  "commander:\n  notifications:\n"
                                  "    - type: webhook\n      name: default\n"
                                  "      url: " +
                                  base + "/hook\n");
  ChildProcess orion(ORION_BINARY, {"run", "--no-summary", "--config", config.string()},
                     {dir.path(), std::nullopt, {}});
  ASSERT_TRUE(orion.started()) << orion.error();
  const fs::path audit = dir.path() / "state" / "audit";

  std::optional<Json> diagnostic;
  ASSERT_TRUE(waitUntil(
      [&] {
        diagnostic = outcomeOf(readAudit(audit), "run_diagnostic");
        return (diagnostic.has_value() && !receiver.received("/hook").empty()) || !orion.running();
      },
      30s))
      << orion.err();
  ASSERT_TRUE(diagnostic.has_value()) << orion.err();

  // The diagnostic ran the allow-listed ps and kept its output.
  EXPECT_EQ(diagnostic->value("status", ""), "succeeded") << diagnostic->dump();
  const Json result = diagnostic->value("result", Json::object());
  EXPECT_EQ(result.value("diagnostic_type", ""), "memory_percent") << result.dump();
  EXPECT_EQ(result.value("exit_code", -1), 0) << result.dump();
  EXPECT_NE(result.value("output", "").find("RSS"), std::string::npos) << result.dump();
  EXPECT_LE(result.value("output", "").size(), 16384u) << "max_output from diagnostics.yaml";
  ASSERT_TRUE(result.contains("argv")) << result.dump();
  EXPECT_EQ(result["argv"][0], "/usr/bin/ps");

  // The webhook got the incident's severity, node and message as JSON.
  auto hooks = receiver.received("/hook");
  ASSERT_FALSE(hooks.empty());
  auto body = parseJson(hooks.front().body);
  ASSERT_TRUE(body.isOk()) << hooks.front().body;
  EXPECT_EQ(body->value("node", ""), "e2e-host") << body->dump();
  EXPECT_FALSE(body->value("severity", "").empty()) << body->dump();
  EXPECT_NE(body->value("message", "").find("on e2e-host"), std::string::npos) << body->dump();
  auto notified = outcomeOf(readAudit(audit), "send_notification");
  ASSERT_TRUE(notified.has_value());
  EXPECT_EQ(notified->value("status", ""), "succeeded") << notified->dump();

  stopAndExpectCleanExit(orion);
}

}  // namespace
}  // namespace orion::testing
