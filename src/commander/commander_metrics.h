// The commander's metrics, in one place:
//   orion_commander_decisions_total{type}            decisions judged (duplicates excluded)
//   orion_commander_ignored_total{reason}            decisions with nothing to do
//   orion_commander_refused_total{reason}            execution refused (never executed)
//   orion_commander_awaiting                         REQUEST_APPROVAL decisions waiting (gauge)
//   orion_commander_approval_decisions_total{decision}  approval decisions received
//   orion_commander_approvals_refused_total{reason}  approvals refused (signature, expired, reuse)
//   orion_commander_executions_total{action,status}  actions executed, by outcome status
//   orion_commander_interrupted_total                actions found executing at start (not rerun)
//   orion_commander_executions_in_progress           executions queued or running (gauge)
//   orion_commander_publish_failures_total           action/outcome documents the bus refused
//   orion_commander_outbox                           of those, still waiting to be published
//   orion_commander_duplicates_total                 redelivered decisions/approvals, ignored
//   orion_commander_rejected_total                   deliveries that were not readable
#pragma once

#include <string>
#include <string_view>

#include "common/metrics.h"
#include "contracts/documents.h"

namespace orion::commander {

struct CommanderMetrics {
  explicit CommanderMetrics(MetricsRegistry& registry)
      : registry(registry),
        awaiting(registry.gauge("orion_commander_awaiting",
                                "REQUEST_APPROVAL decisions waiting for a signed approval.")),
        interrupted(registry.counter("orion_commander_interrupted_total",
                                     "Actions found executing at start, marked failed.")),
        in_progress(registry.gauge("orion_commander_executions_in_progress",
                                   "Executions queued or running on the commander's workers.")),
        publish_failures(registry.counter("orion_commander_publish_failures_total",
                                          "Action or outcome documents the bus refused.")),
        outbox(registry.gauge("orion_commander_outbox",
                              "Action or outcome documents the bus refused, waiting to be "
                              "published again (kept in the journal).")),
        duplicates(registry.counter("orion_commander_duplicates_total",
                                    "Redelivered decisions or approval decisions, ignored.")),
        rejected(registry.counter("orion_commander_rejected_total",
                                  "Deliveries that were not a readable document.")) {
    for (std::string_view reason :
         {"no_executor", "not_safe", "not_safe_now", "no_proposed_action"}) {
      refused(reason);
    }
  }

  Counter& decisions(contracts::DecisionType type) {
    return registry.counter("orion_commander_decisions_total", "Decisions judged, by type.",
                            {{"type", std::string(contracts::toString(type))}});
  }
  Counter& ignored(std::string_view reason) {
    return registry.counter("orion_commander_ignored_total",
                            "Decisions with nothing to execute, by reason.",
                            {{"reason", std::string(reason)}});
  }
  Counter& refused(std::string_view reason) {
    return registry.counter("orion_commander_refused_total",
                            "Executions refused (nothing executed), by reason.",
                            {{"reason", std::string(reason)}});
  }
  Counter& approvalDecisions(std::string_view decision) {
    return registry.counter("orion_commander_approval_decisions_total",
                            "Approval decisions received, by decision.",
                            {{"decision", std::string(decision)}});
  }
  Counter& approvalsRefused(std::string_view reason) {
    return registry.counter("orion_commander_approvals_refused_total",
                            "Approval decisions refused (nothing executed), by reason.",
                            {{"reason", std::string(reason)}});
  }
  Counter& executions(std::string_view action, std::string_view status) {
    return registry.counter("orion_commander_executions_total",
                            "Actions executed, by action type and outcome status.",
                            {{"action", std::string(action)}, {"status", std::string(status)}});
  }

  MetricsRegistry& registry;
  Gauge& awaiting;
  Counter& interrupted;
  Gauge& in_progress;
  Counter& publish_failures;
  Gauge& outbox;
  Counter& duplicates;
  Counter& rejected;
};

}  // namespace orion::commander
