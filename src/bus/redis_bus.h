// The Redis bus: the Bus interface (bus.h) on Redis Streams, wire-compatible with the original
// ORION, so modules in several processes and on several hosts share one Redis. Selected by
// `bus.url: redis://[user:password@]host[:port][/db]`.
//
// Wire format. Each contract type has one stream, "<prefix>:<type>s" ("orion:events"); each
// entry has exactly one field, `data`, holding the JSON document; every XADD trims with
// approximate MAXLEN (bus.max_stream_length). A foreign client that writes `data` entries is
// read like ORION itself.
//
// Publishing (redis_writer.h). publish() validates the document (kNotFound for an unknown type,
// kInvalidArgument listing the failures, nothing written) and returns an empty entry id at once.
// From inside a handler of this bus the document joins the batch's outbox, which the
// subscription's thread writes itself before acknowledging the batch; from anywhere else it is
// queued locally and one writer thread writes the queue in order with pipelined XADDs. While
// Redis is unreachable the queue holds up to bus.local_queue_capacity documents (then drops the
// oldest, counted) and is drained in order when Redis is back.
//
// Consuming (redis_consumer.h). One consumer group per module (the SubscribeOptions group); the
// Redis consumer name is "<consumer>@<node>" so the same module on two hosts has two consumers.
// A new group starts at the end of the stream ("$": only what is published after it exists) or,
// with bus.new_group_start: beginning, at "0" (everything the stream retains). An existing group
// keeps its position: a restarted module first takes back its own pending entries, then reads
// on from where its group stopped, so nothing published while it was down is missed (within
// MAXLEN). Each subscription has its own connection and thread: XREADGROUP ... BLOCK, then for
// each entry: parse, validate on consume (once per process: the other groups reading the stream
// reuse the result), check the group's dedup window, call the handler. The batch is acknowledged
// (one XACK, sent with the next XREADGROUP) only after the handlers succeeded, what they
// published is in Redis, and their dedup keys are persisted. A failing handler is retried locally
// after bus.redelivery_delay × attempt, up to bus.max_deliveries; kInvalidArgument from the handler
// means "never" and is not retried. Entries pending longer than bus.claim_idle on any consumer of
// the group (one that crashed) are taken over with XAUTOCLAIM. Poison entries (no `data` field, not
// JSON, invalid, or failing max_deliveries times) go to "<prefix>:deadletters" (the `deadletter`
// contract, with the reason and the original entry id) and are then acknowledged.
//
// Idempotence (dedup_window.h). Every delivery is checked against its group's window of recent
// document keys (id + hash of the text), persisted in `<state_dir>/bus/<group>.log`: a message
// delivered twice (lost ack, reclaim, a publish resent after a broken connection) reaches the
// handler once.
//
// Connections (redis_link.h). AUTH with a password or an ACL user and password, connect and
// reply timeouts, reconnect with capped exponential back-off on the injected Clock. While any
// connection is down the bus is degraded: healthy() is false, orion_bus_redis_up is 0, and the
// change is logged once each way. Nothing fails because Redis is down: publishes queue,
// subscriptions wait and resume.
//
// Threads: the writer, one thread per subscription, and the caller's thread for publish() and
// backlog() (which queries Redis on a connection of its own). Everything is safe to call from
// any thread, including from inside a handler.
#pragma once

#include <memory>
#include <string>

#include "bus/bus.h"
#include "bus/redis_connection.h"
#include "bus/redis_link.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "contracts/registry.h"

namespace orion::bus {

struct RedisBusOptions {
  RedisEndpoint endpoint;
  std::string stream_prefix = "orion";
  size_t max_stream_length = 10000;  // approximate MAXLEN on every XADD
  int max_deliveries = 5;
  Duration redelivery_delay = std::chrono::milliseconds(50);  // × the attempt
  ReconnectPolicy reconnect;
  size_t local_queue_capacity = 10000;
  Duration claim_idle = std::chrono::seconds(30);
  bool new_groups_from_beginning = false;  // "0" instead of "$"
  size_t dedup_window = 20000;             // keys per group and type
  std::string state_dir;    // where the dedup windows persist ("" keeps them in memory only)
  std::string node;         // consumer names become "<consumer>@<node>" ("" leaves them as given)
  size_t read_count = 128;  // entries per XREADGROUP
};

// Metrics, in addition to the per-group ones of bus_metrics.h (labels type, group):
//   orion_bus_published_total{type}        written to Redis
//   orion_bus_publish_rejected_total{type} refused by validation
//   orion_bus_publish_failed_total{type}   refused by Redis for good (NOPERM, ...) or dropped
//   orion_bus_local_queue_length           publishes waiting for Redis (gauge)
//   orion_bus_local_queue_dropped_total    dropped from the full local queue
//   orion_bus_redis_up                     1 while every connection is up (gauge)
//   orion_bus_redis_connection_failures_total
//
// Connects once before returning: kPermissionDenied (wrong password, unknown user) or another
// refusal fails here; an unreachable Redis does not (the bus starts degraded and keeps trying).
// `clock` and `metrics` must outlive the bus.
Result<std::unique_ptr<Bus>> makeRedisBus(
    RedisBusOptions options, std::shared_ptr<const contracts::ContractRegistry> contracts,
    const Clock& clock, MetricsRegistry& metrics);

}  // namespace orion::bus
