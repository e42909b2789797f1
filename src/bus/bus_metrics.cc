#include "bus/bus_metrics.h"

namespace orion::bus {
namespace {

Counter& groupCounter(MetricsRegistry& m, std::string_view name, std::string_view help,
                      const std::string& type, const std::string& group) {
  return m.counter(name, help, {{"type", type}, {"group", group}});
}

}  // namespace

GroupMetrics makeGroupMetrics(MetricsRegistry& m, const std::string& type,
                              const std::string& group) {
  GroupMetrics metrics{
      groupCounter(m, "orion_bus_delivered_total", "Deliveries to a handler (incl. redeliveries)",
                   type, group),
      groupCounter(m, "orion_bus_acked_total", "Entries acknowledged (handled or dead-lettered)",
                   type, group),
      groupCounter(m, "orion_bus_redelivered_total", "Deliveries with attempt > 1", type, group),
      groupCounter(m, "orion_bus_dropped_total", "Entries trimmed before the group read them", type,
                   group),
      groupCounter(m, "orion_bus_duplicates_total",
                   "Redelivered messages recognised by the dedup window and not handled again",
                   type, group),
      groupCounter(m, "orion_bus_reclaimed_total",
                   "Pending entries taken over from a consumer idle past bus.claim_idle", type,
                   group),
      m.gauge("orion_bus_group_lag", "Entries unread or pending for the group",
              {{"type", type}, {"group", group}}),
      {}};
  for (size_t i = 0; i < kDeadletterReasonCount; ++i) {
    metrics.deadlettered[i] = &m.counter(
        "orion_bus_deadlettered_total", "Messages sent to the dead-letter stream, by reason",
        {{"type", type},
         {"group", group},
         {"reason", std::string(deadletterReasonName(static_cast<DeadletterReason>(i)))}});
  }
  return metrics;
}

}  // namespace orion::bus
