// The embedded bus: an in-process Bus with Redis-Streams semantics (see bus.h). The default engine
// of `orion run`: no server, nothing to configure. Messages live in memory only; what a module
// must keep across a restart it keeps through memory's audit trail.
#pragma once

#include <memory>

#include "bus/bus.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "contracts/registry.h"

namespace orion::bus {

enum class WhenFull {
  kDropOldest,  // trim the oldest entry (Redis MAXLEN semantics); groups that had not read it lose
                // it
  kBlock,       // make the publisher wait for the slowest group, then fail with kResourceExhausted
};

struct EmbeddedBusOptions {
  std::string stream_prefix = "orion";
  size_t max_stream_length = 10000;
  WhenFull when_full = WhenFull::kDropOldest;
  Duration block_timeout = std::chrono::milliseconds(100);
  int max_deliveries = 5;  // attempts before a failing message is dead-lettered
  // A failed attempt is redelivered after redelivery_delay × attempt, counted from when the
  // attempt was taken for delivery.
  Duration redelivery_delay = std::chrono::milliseconds(50);
};

// Metrics (all labelled with `type`, and `group` where it applies):
//   orion_bus_published_total, orion_bus_publish_rejected_total, orion_bus_delivered_total,
//   orion_bus_acked_total, orion_bus_redelivered_total, orion_bus_deadlettered_total{reason},
//   orion_bus_dropped_total (trimmed before a group read them), orion_bus_publish_blocked_total,
//   orion_bus_stream_length (gauge), orion_bus_group_lag (gauge: unread + pending)
std::unique_ptr<Bus> makeEmbeddedBus(EmbeddedBusOptions options,
                                     std::shared_ptr<const contracts::ContractRegistry> contracts,
                                     const Clock& clock, MetricsRegistry& metrics);

}  // namespace orion::bus
