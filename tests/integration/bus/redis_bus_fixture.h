// Shared pieces of the Redis bus integration tests: a real redis-server per test (in the test's
// own temporary directory, on a free port), Redis bus options pointing at it, and a thread-safe
// recorder of what handlers saw.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/redis_bus.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/metrics.h"
#include "common/time.h"
#include "contracts/registry.h"
#include "testing/redis_server.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::bus::testing {

using orion::testing::RedisServer;
using orion::testing::TempDir;
using orion::testing::waitUntil;
using namespace std::chrono_literals;

inline std::shared_ptr<const contracts::ContractRegistry> contracts() {
  static const auto registry = [] {
    auto loaded = contracts::ContractRegistry::loadEmbedded();
    EXPECT_TRUE(loaded.isOk()) << loaded.status().toString();
    return loaded.isOk() ? *loaded : nullptr;
  }();
  return registry;
}

// A valid event; `n` in its data tells messages apart.
inline Json event(const Clock& clock, int n) {
  return Json{{"version", "1.0"},
              {"event_id", newUuid()},
              {"timestamp", formatRfc3339(clock.now())},
              {"source", "orion-watcher-host"},
              {"event_type", "metric_threshold_exceeded"},
              {"severity", "warning"},
              {"data", {{"n", n}}},
              {"tags", {{"node", "node-a"}}}};
}

// Every document a handler saw, and how often each event id came.
class Recorder {
 public:
  Status add(const Delivery& delivery) {
    std::lock_guard lock(mutex_);
    documents_.push_back(*delivery.document);
    attempts_.push_back(delivery.attempt);
    std::string id = delivery.document->value("event_id", "");
    if (!id.empty()) ++by_id_[id];
    return Status::ok();
  }
  Handler handler() {
    return [this](const Delivery& delivery) { return add(delivery); };
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return documents_.size();
  }
  std::vector<Json> documents() const {
    std::lock_guard lock(mutex_);
    return documents_;
  }
  std::vector<int> attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }
  std::map<std::string, int> byId() const {
    std::lock_guard lock(mutex_);
    return by_id_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Json> documents_;
  std::vector<int> attempts_;
  std::map<std::string, int> by_id_;
};

class RedisBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ORION_REQUIRE_REDIS();
    auto started = RedisServer::start({dir_.path(), std::nullopt, {}, true, true});
    ASSERT_TRUE(started.isOk()) << started.status().toString();
    redis_ = std::move(started).value();
  }

  // Options for a bus on this test's Redis, with timings short enough for tests.
  RedisBusOptions options() const {
    RedisBusOptions options;
    options.endpoint.host = "127.0.0.1";
    options.endpoint.port = redis_->port();
    options.endpoint.connect_timeout = 500ms;
    options.endpoint.read_timeout = 2s;
    options.reconnect = {20ms, 200ms};
    options.redelivery_delay = 10ms;
    options.state_dir = (dir_.path() / "state" / "bus").string();
    options.node = "node-a";
    return options;
  }

  std::unique_ptr<Bus> makeBus(const RedisBusOptions& options, MetricsRegistry& metrics) {
    auto made = makeRedisBus(options, contracts(), clock_, metrics);
    EXPECT_TRUE(made.isOk()) << made.status().toString();
    return made.isOk() ? std::move(made).value() : nullptr;
  }
  std::unique_ptr<Bus> makeBus() { return makeBus(options(), metrics_); }

  std::string cli(const std::vector<std::string>& args) {
    auto out = redis_->cli(args);
    EXPECT_TRUE(out.isOk()) << out.status().toString();
    return out.valueOr("");
  }
  int64_t xlen(const std::string& key) { return std::stoll(cli({"XLEN", key})); }

  // The dead letters written so far, parsed.
  std::vector<Json> deadLetters() {
    std::vector<Json> letters;
    std::string out = cli({"--json", "XRANGE", "orion:deadletters", "-", "+"});
    auto parsed = parseJson(out.empty() ? "[]" : out);
    if (!parsed || !parsed->is_array()) return letters;
    for (const Json& entry : *parsed) {
      // [id, [field, value, ...]]
      if (!entry.is_array() || entry.size() != 2 || !entry[1].is_array()) continue;
      const Json& fields = entry[1];
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i] == "data")
          letters.push_back(parseJson(fields[i + 1].get<std::string>()).valueOr(Json()));
      }
    }
    return letters;
  }

  TempDir dir_;
  RealClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<RedisServer> redis_;
};

}  // namespace orion::bus::testing
