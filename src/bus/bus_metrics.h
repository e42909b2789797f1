// The metrics both buses keep per consumer group (labels `type` and `group`), declared in one
// place. Internal to the bus module; the names are listed in embedded_bus.h and redis_bus.h.
#pragma once

#include <array>
#include <string>

#include "bus/deadletter.h"
#include "common/metrics.h"

namespace orion::bus {

struct GroupMetrics {
  Counter& delivered;    // orion_bus_delivered_total: handler calls, redeliveries included
  Counter& acked;        // orion_bus_acked_total: handled, dead-lettered or duplicate
  Counter& redelivered;  // orion_bus_redelivered_total: deliveries with attempt > 1
  Counter& dropped;      // orion_bus_dropped_total: trimmed before the group handled them
  Counter& duplicates;   // orion_bus_duplicates_total: recognised redeliveries, not handled
  Counter& reclaimed;    // orion_bus_reclaimed_total: taken over from an idle consumer
  Gauge& lag;            // orion_bus_group_lag: unread + pending (embedded bus)
  std::array<Counter*, kDeadletterReasonCount> deadlettered;  // orion_bus_deadlettered_total

  Counter& deadletteredFor(DeadletterReason r) { return *deadlettered[static_cast<size_t>(r)]; }
};

GroupMetrics makeGroupMetrics(MetricsRegistry& metrics, const std::string& type,
                              const std::string& group);

}  // namespace orion::bus
