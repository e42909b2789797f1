#include "brain/brain_metrics.h"

#include "brain/gates.h"

namespace orion::brain {

BrainMetrics::BrainMetrics(MetricsRegistry& r)
    : registry(r),
      incidents(r.counter("orion_brain_incidents_total", "Incident documents handled.")),
      duplicates(
          r.counter("orion_brain_duplicates_total", "Redelivered incident revisions, ignored.")),
      updates(r.counter("orion_brain_incident_updates_total",
                        "Incident updates that only added events (no new decision).")),
      rejected(r.counter("orion_brain_incidents_rejected_total",
                         "Deliveries on the incident stream that were not readable.")),
      rechecks(r.counter("orion_brain_rechecks_total",
                         "Incidents decided again after a gate lifted or an action failed.")),
      actions_lost(r.counter("orion_brain_actions_lost_total",
                             "Started actions with no outcome within the TTL, given up on.")),
      publish_failures(r.counter("orion_brain_publish_failures_total",
                                 "Documents the bus refused (kept in the outbox, retried).")),
      outbox_pending(r.gauge("orion_brain_outbox_pending", "Decided documents not yet published.")),
      state_write_failures(r.counter("orion_brain_state_write_failures_total",
                                     "Safety state writes that failed (retried).")),
      state_evictions(r.counter("orion_brain_state_evictions_total",
                                "Safety state entries dropped to stay within bounds.")),
      policy_valid(r.gauge("orion_brain_policy_valid",
                           "1 when a valid policy is loaded; 0 means nothing is SAFE.")),
      autonomy_level(r.gauge("orion_brain_autonomy_level", "Autonomy level in force (0-3).")),
      autonomy_changes(r.counter("orion_brain_autonomy_changes_total",
                                 "Runtime autonomy changes made by the admin.")),
      breakers_open(r.gauge("orion_brain_breakers_open", "Circuit breakers open or half-open.")),
      cooldowns_active(
          r.gauge("orion_brain_cooldowns_active", "Actions still cooling down on their entity.")),
      actions_in_flight(
          r.gauge("orion_brain_actions_in_flight", "Actions started without an outcome yet.")),
      budget_remaining(r.gauge("orion_brain_budget_remaining",
                               "Automatic actions left in the budget window (-1: disabled).")) {
  // Registered up front so dashboards read 0, not absent.
  for (auto state :
       {contracts::IncidentState::kResolved, contracts::IncidentState::kAcknowledged}) {
    skipped(state);
  }
  for (std::string_view gate : kGateOrder) gateBlocks(gate);
  for (std::string_view result : {"ok", "failed"}) reloads(result);
  r.counter("orion_brain_decisions_total", "Decisions made, by type and autonomy level.",
            {{"type", "NO_ACTION"}, {"autonomy", "N0"}});
}

Counter& BrainMetrics::decisions(const contracts::Decision& decision) {
  std::string autonomy(decision.autonomy_level ? contracts::toString(*decision.autonomy_level)
                                               : "none");
  return registry.counter(
      "orion_brain_decisions_total", "Decisions made, by type and autonomy level.",
      {{"type", std::string(contracts::toString(decision.decision_type))}, {"autonomy", autonomy}});
}

Counter& BrainMetrics::gateBlocks(std::string_view gate) {
  return registry.counter("orion_brain_gate_blocks_total",
                          "Decisions a gate blocked (the first blocking gate).",
                          {{"gate", std::string(gate)}});
}

Counter& BrainMetrics::skipped(contracts::IncidentState state) {
  return registry.counter("orion_brain_incidents_skipped_total",
                          "Incidents that need no decision, by state.",
                          {{"state", std::string(contracts::toString(state))}});
}

Counter& BrainMetrics::actions(std::string_view result) {
  return registry.counter("orion_brain_actions_total", "Action documents seen, by result.",
                          {{"result", std::string(result)}});
}

Counter& BrainMetrics::outcomes(std::string_view result) {
  return registry.counter("orion_brain_outcomes_total", "Outcome documents seen, by result.",
                          {{"result", std::string(result)}});
}

Counter& BrainMetrics::reloads(std::string_view result) {
  return registry.counter("orion_brain_policy_reloads_total", "Policy reloads, by result.",
                          {{"result", std::string(result)}});
}

}  // namespace orion::brain
