// The brain's metrics, declared in one place. Built once at start from the registry; updated
// under the brain's mutex from its subscription, ticker and control threads.
//
//   orion_brain_incidents_total                     incident documents handled (not duplicates)
//   orion_brain_decisions_total{type,autonomy}      decisions made
//   orion_brain_gate_blocks_total{gate}             decisions a gate blocked (first blocker)
//   orion_brain_duplicates_total                    redelivered incident revisions, ignored
//   orion_brain_incident_updates_total              updates that only added events (no decision)
//   orion_brain_incidents_skipped_total{state}      resolved/acknowledged incidents
//   orion_brain_incidents_rejected_total            deliveries that were not a readable incident
//   orion_brain_rechecks_total                      re-decisions (a gate lifted, a failed outcome)
//   orion_brain_actions_total{result}               action documents: started, duplicate, ignored
//   orion_brain_outcomes_total{result}              outcomes: applied, parked, duplicate
//   orion_brain_actions_lost_total                  in-flight actions given up (no outcome in 1 h)
//   orion_brain_publish_failures_total              documents the bus refused (kept, retried)
//   orion_brain_outbox_pending (gauge)              documents decided, not yet published
//   orion_brain_state_write_failures_total          state store writes that failed (retried)
//   orion_brain_state_evictions_total               state entries dropped to stay within bounds
//   orion_brain_policy_valid (gauge)                1 when a valid policy is loaded
//   orion_brain_policy_reloads_total{result}        reloads: ok, failed (the old one stays)
//   orion_brain_autonomy_level (gauge)              0–3, the level in force
//   orion_brain_breakers_open (gauge)               circuit breakers open or half-open
//   orion_brain_cooldowns_active (gauge)            (action, entity) pairs still cooling down
//   orion_brain_actions_in_flight (gauge)           actions started without an outcome yet
//   orion_brain_budget_remaining (gauge)            automatic actions left in the budget window
//                                                   (-1 when the budget is disabled)
//   (these four are refreshed when /metrics is rendered)
//   orion_brain_autonomy_changes_total              runtime changes by the admin
#pragma once

#include <string>

#include "common/metrics.h"
#include "contracts/documents.h"

namespace orion::brain {

struct BrainMetrics {
  explicit BrainMetrics(MetricsRegistry& registry);

  Counter& decisions(const contracts::Decision& decision);
  Counter& gateBlocks(std::string_view gate);
  Counter& skipped(contracts::IncidentState state);
  Counter& actions(std::string_view result);
  Counter& outcomes(std::string_view result);
  Counter& reloads(std::string_view result);

  MetricsRegistry& registry;
  Counter& incidents;
  Counter& duplicates;
  Counter& updates;
  Counter& rejected;
  Counter& rechecks;
  Counter& actions_lost;
  Counter& publish_failures;
  Gauge& outbox_pending;
  Counter& state_write_failures;
  Counter& state_evictions;
  Gauge& policy_valid;
  Gauge& autonomy_level;
  Counter& autonomy_changes;
  Gauge& breakers_open;
  Gauge& cooldowns_active;
  Gauge& actions_in_flight;
  Gauge& budget_remaining;
};

}  // namespace orion::brain
