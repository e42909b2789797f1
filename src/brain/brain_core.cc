#include "brain/brain_core.h"

#include <algorithm>

#include "contracts/registry.h"

namespace orion::brain {

namespace {

using contracts::DecisionType;

constexpr size_t kRevisionsPerIncident = 16;

// The commander reports a success it could not confirm with result.verified = false; such a
// success neither closes a breaker nor resets a ladder (it still counts as an execution).
bool verifiedSuccess(const contracts::Outcome& outcome) {
  if (!outcome.result || !outcome.result->is_object()) return true;
  auto it = outcome.result->find("verified");
  return it == outcome.result->end() || !it->is_boolean() || it->get<bool>();
}

bool proposesAction(DecisionType type) {
  return type == DecisionType::kExecuteSafeAction || type == DecisionType::kRequestApproval ||
         type == DecisionType::kSuggestAction;
}

}  // namespace

BrainCore::BrainCore(BrainCoreOptions options, std::function<std::string()> new_id)
    : options_(options), new_id_(std::move(new_id)), state_(options.limits) {}

contracts::AutonomyLevel BrainCore::level() const {
  return effectiveLevel(options_.configured, state_.autonomy());
}

IncidentVerdict BrainCore::onIncident(const contracts::Incident& incident,
                                      const policy::Policy& policy, WallTime now) {
  std::string revision = revisionOf(incident);
  if (const TrackedIncident* tracked = state_.incident(incident.incident_id)) {
    const auto& seen = tracked->revisions;
    if (std::find(seen.begin(), seen.end(), revision) != seen.end()) {
      if (incident.event_ids.size() <= tracked->incident.event_ids.size()) {
        return IncidentVerdict::kDuplicate;
      }
      // More events, same state and severity: keep the latest document for later re-decisions.
      state_.updateIncident(incident, now);
      return IncidentVerdict::kUpdated;
    }
  }
  if (!needsDecision(incident)) {
    TrackedIncident& tracked = state_.track(incident, now);
    tracked.revisions.push_back(revision);
    tracked.retry_at.reset();
    tracked.awaiting_outcome = false;
    return IncidentVerdict::kSkipped;
  }
  decideAndRecord(incident, policy, now);
  TrackedIncident* tracked = state_.mutableIncident(incident.incident_id);
  tracked->revisions.push_back(revision);
  if (tracked->revisions.size() > kRevisionsPerIncident) {
    tracked->revisions.erase(tracked->revisions.begin());
  }
  return IncidentVerdict::kDecided;
}

void BrainCore::decideAndRecord(const contracts::Incident& incident, const policy::Policy& policy,
                                WallTime now) {
  std::string decision_id = new_id_();
  std::string approval_request_id = new_id_();
  DecisionResult result =
      decide(DecideInput{incident, policy, state_, level(), now, decision_id, approval_request_id});
  state_.recordDecision(result.record);
  TrackedIncident& tracked = state_.track(incident, now);
  DecisionType type = result.decision.decision_type;
  if (proposesAction(type)) tracked.last_actionable = now;
  tracked.retry_at.reset();
  if (result.retry_at) tracked.retry_at = std::max(*result.retry_at, now + options_.min_recheck);
  // An executed action reports back; so does an approved one. A failure re-decides.
  tracked.awaiting_outcome =
      type == DecisionType::kExecuteSafeAction || type == DecisionType::kRequestApproval;
  state_.enqueue(std::string(contracts::type::kDecision), result.decision.toJson());
  if (result.approval_request) {
    state_.enqueue(std::string(contracts::type::kApprovalRequest),
                   result.approval_request->toJson());
  }
  decided_.push_back(std::move(result));
}

ActionVerdict BrainCore::onAction(const contracts::Action& action, const policy::Policy& policy,
                                  WallTime now) {
  // A dry run executes nothing, so it must not use up a cooldown, a budget or a breaker trial.
  if (action.dry_run) return ActionVerdict::kIgnored;
  if (state_.finished(action.action_id) || state_.inFlight(action.action_id) != nullptr) {
    return ActionVerdict::kDuplicate;
  }
  InFlight started;
  started.action_id = action.action_id;
  started.decision_id = action.decision_id;
  started.action_type = action.action_type;
  started.cooldown_key =
      cooldownKeyOf(action.action_type, policy.cooldownKey(action.action_type, action.parameters));
  started.target = policy.targetOf(action.action_type, action.parameters);
  started.automatic = !action.approval_id.has_value();
  started.started = std::min(action.timestamp, now);
  state_.startAction(std::move(started), policy);
  // The outcome may have been consumed first (separate streams, separate threads).
  if (std::optional<Json> parked = state_.takeParkedOutcome(action.action_id)) {
    if (auto outcome = contracts::Outcome::fromJson(*parked)) applyOutcome(*outcome, policy, now);
  }
  return ActionVerdict::kStarted;
}

OutcomeVerdict BrainCore::onOutcome(const contracts::Outcome& outcome, const policy::Policy& policy,
                                    WallTime now) {
  if (state_.finished(outcome.action_id)) return OutcomeVerdict::kDuplicate;
  if (state_.inFlight(outcome.action_id) == nullptr) {
    state_.parkOutcome(outcome.action_id, outcome.toJson(), now);
    return OutcomeVerdict::kParked;
  }
  applyOutcome(outcome, policy, now);
  return OutcomeVerdict::kApplied;
}

void BrainCore::applyOutcome(const contracts::Outcome& outcome, const policy::Policy& policy,
                             WallTime now) {
  const InFlight* action = state_.inFlight(outcome.action_id);
  if (action == nullptr) return;
  std::string decision_id = action->decision_id;
  bool failed = outcome.status != contracts::OutcomeStatus::kSucceeded;
  std::vector<std::string> awaiting = state_.incidentsAwaiting(decision_id);
  state_.finishAction(outcome.action_id, outcome.status, verifiedSuccess(outcome),
                      std::min(outcome.timestamp, now), policy);
  for (const std::string& incident_id : awaiting) {
    TrackedIncident* tracked = state_.mutableIncident(incident_id);
    tracked->awaiting_outcome = false;
    // A failure re-decides at once: the ladder may have moved to its next step. (Its cooldown
    // now counts this execution, so the same step is not simply repeated.)
    if (failed) {
      contracts::Incident incident = tracked->incident;
      decideAndRecord(incident, policy, now);
    }
  }
}

size_t BrainCore::onTick(const policy::Policy& policy, WallTime now) {
  for (const std::string& incident_id : state_.dueIncidents(now)) {
    const TrackedIncident* tracked = state_.incident(incident_id);
    if (tracked == nullptr) continue;
    contracts::Incident incident = tracked->incident;
    decideAndRecord(incident, policy, now);
  }
  // Expiry walks every table; once a minute is plenty for TTLs of minutes to days.
  if (last_expiry_ && now - *last_expiry_ < std::chrono::minutes(1)) return 0;
  last_expiry_ = now;
  return state_.expire(now, policy);
}

Result<AutonomyChange> BrainCore::setAutonomy(const AutonomyChangeRequest& request, WallTime now) {
  auto change = planAutonomyChange(request, level(), options_.configured, now, new_id_());
  if (!change) return change.status();
  state_.setAutonomy(change->record);
  state_.enqueue("autonomy_change", change->document);
  return change;
}

std::vector<DecisionResult> BrainCore::takeDecided() {
  std::vector<DecisionResult> out;
  out.swap(decided_);
  return out;
}

}  // namespace orion::brain
