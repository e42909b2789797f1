// The approval coordinator's metrics, in one place:
//   orion_approval_requests_total             approval requests accepted for waiting
//   orion_approval_expired_total              requests that expired (on arrival or while pending)
//   orion_approval_evicted_total              requests dropped to stay within capacity
//   orion_approval_duplicates_total           redelivered requests, ignored
//   orion_approval_rejected_total             deliveries that were not a readable request
//   orion_approval_timeout_capped_total       requests whose expiry was pulled in
//   orion_approval_answers_total{decision}    admin answers accepted and published
//   orion_approval_answers_refused_total      answers refused (bad signature, expired, ...)
//   orion_approval_publish_failures_total     answers the bus refused (kept, retried)
//   orion_approval_pending (gauge)            requests waiting now
#pragma once

#include <string>
#include <string_view>

#include "common/metrics.h"

namespace orion::approval {

struct ApprovalMetrics {
  explicit ApprovalMetrics(MetricsRegistry& registry)
      : registry(registry),
        requests(registry.counter("orion_approval_requests_total",
                                  "Approval requests accepted for waiting.")),
        expired(registry.counter("orion_approval_expired_total",
                                 "Approval requests that expired unanswered (never executed).")),
        evicted(registry.counter("orion_approval_evicted_total",
                                 "Approval requests dropped to stay within capacity.")),
        duplicates(registry.counter("orion_approval_duplicates_total",
                                    "Redelivered approval requests, ignored.")),
        rejected(registry.counter("orion_approval_rejected_total",
                                  "Deliveries that were not a readable approval request.")),
        capped(registry.counter("orion_approval_timeout_capped_total",
                                "Approval requests whose expiry was capped.")),
        refused_answers(registry.counter("orion_approval_answers_refused_total",
                                         "Admin answers refused (signature, expiry, reason...).")),
        publish_failures(registry.counter("orion_approval_publish_failures_total",
                                          "Answers the bus refused; kept and retried.")),
        pending(registry.gauge("orion_approval_pending", "Approval requests waiting now.")) {}

  Counter& answers(std::string_view decision) {
    return registry.counter("orion_approval_answers_total", "Admin answers accepted, by decision.",
                            {{"decision", std::string(decision)}});
  }

  MetricsRegistry& registry;
  Counter& requests;
  Counter& expired;
  Counter& evicted;
  Counter& duplicates;
  Counter& rejected;
  Counter& capped;
  Counter& refused_answers;
  Counter& publish_failures;
  Gauge& pending;
};

}  // namespace orion::approval
