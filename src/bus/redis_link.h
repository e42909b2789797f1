// Staying connected to Redis: the reconnect back-off, the health every connection of one bus
// reports to, and RedisLink, a connection that reopens itself. Internal to the Redis bus.
//
// Every thread of the Redis bus that talks to Redis (the writer, each subscription, the admin
// queries) owns one RedisLink. When Redis cannot be reached the link waits its back-off delay
// (capped exponential: initial, 2×, 4×, … up to max) and tries again, until it connects or its
// owner stops. The delays are time logic, measured on the injected Clock: a test with a
// SimulatedClock advances it and the next attempt happens; nothing sleeps for the whole delay.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "bus/redis_connection.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace orion::bus {

// Capped exponential back-off. `jitter` in [0, 1) spreads each delay over
// [delay × (1 − jitter), delay] so many nodes that lost the same Redis do not retry in step.
// Not thread-safe (one per link).
class Backoff {
 public:
  Backoff(Duration initial, Duration max, double jitter = 0.0, uint64_t seed = 1);
  // The delay to wait before the next attempt; each call doubles the next one, up to max.
  Duration next();
  // After a success: the next delay is `initial` again.
  void reset();
  int failures() const { return failures_; }

 private:
  Duration initial_;
  Duration max_;
  Duration current_;
  double jitter_;
  int failures_ = 0;
  std::minstd_rand random_;
};

// The health of one bus's connections. The bus is healthy when every registered link is
// connected. The first link to fail makes it degraded and the last one to reconnect makes it
// healthy again; each of those two changes is logged once (not once per link, not per message)
// and shown in the gauge orion_bus_redis_up. Thread-safe.
class RedisHealth {
 public:
  RedisHealth(std::string where, const Clock& clock, MetricsRegistry& metrics, Logger log);

  // A new link, not connected yet (the bus is not healthy until it connects).
  int addLink(std::string name);
  void removeLink(int link);
  void up(int link);
  void down(int link, const Status& why);

  bool healthy() const;
  // Extra words for the degraded/recovered log lines ("12 publishes queued locally").
  void setQueueDescription(std::function<std::string()> describe);

 private:
  enum class State { kConnecting, kUp, kDown };
  bool healthyLocked() const;
  std::string queueText() const;  // with mutex_ held

  const std::string where_;
  const Clock& clock_;
  Logger log_;
  Gauge& up_gauge_;
  Counter& failures_;
  mutable std::mutex mutex_;
  std::vector<std::pair<int, State>> links_;
  int next_link_ = 0;
  int down_ = 0;
  bool degraded_ = false;
  MonoTime degraded_since_{};
  std::function<std::string()> describe_queue_;
};

struct ReconnectPolicy {
  Duration initial = std::chrono::milliseconds(100);
  Duration max = std::chrono::seconds(5);
};

class RedisLink {
 public:
  // A link that is not `counted` does not take part in the bus's health (the admin link, which
  // only connects when asked and so would stay "down" after one failure).
  RedisLink(RedisEndpoint endpoint, ReconnectPolicy policy, const Clock& clock, RedisHealth& health,
            std::string name, bool counted = true);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // The open connection, or a new one. Each failed attempt marks the link down and waits the
  // next back-off delay on the Clock (checking `stopping` every few milliseconds of real time).
  // Returns nullptr only once `stopping` returns true. `fresh` is set when this call opened
  // the connection (the caller then redoes its setup: groups, pending entries, and confirm()s).
  RedisConnection* connect(const std::function<bool()>& stopping, bool* fresh = nullptr);

  // The caller's setup on a new connection worked: the link counts as up (the bus may be
  // healthy again) and the back-off starts over. Until then a new connection is not up, so a
  // Redis that accepts connections but refuses the setup (OOM at maxmemory, NOPERM) keeps the
  // bus degraded, backing off, instead of flapping between up and down on every attempt.
  void confirm();

  // The open connection, or nullptr; never tries to connect.
  RedisConnection* connected() { return connection_.get(); }

  // The open connection; else one attempt to open it if its back-off delay has passed (no
  // back-off waiting, but the attempt itself may take up to the connect timeout); else nullptr.
  // Needs no setup: a connection it opens is confirmed at once.
  RedisConnection* tryConnect(Status* error = nullptr);

  // A command failed at the transport level (or Redis refuses service): drops the connection
  // and marks the link down; the next connect() waits a back-off delay first.
  void fail(const Status& why);

  const std::string& name() const { return name_; }
  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  // One attempt to open the connection; on failure the link is down until the next delay.
  bool attempt(Status* error);
  // Waits until the Clock reaches `until` or `stopping` turns true; false when stopping.
  bool waitUntil(MonoTime until, const std::function<bool()>& stopping) const;

  const RedisEndpoint endpoint_;
  const Clock& clock_;
  RedisHealth& health_;
  const std::string name_;
  const int link_;
  Backoff backoff_;
  MonoTime next_attempt_{};
  std::unique_ptr<RedisConnection> connection_;
  bool confirmed_ = false;  // connection_ has been confirm()ed
};

}  // namespace orion::bus
