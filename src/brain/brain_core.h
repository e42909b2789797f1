// The brain's core: the decider plus everything that happens around it, without the bus,
// threads or files. Deterministic: the same sequence of calls with the same policy snapshots,
// clock readings and ids gives the same decisions and the same SafetyState.
//
//   onIncident  a new revision of an open incident is decided (decider.h); a redelivery or an
//               update that only adds events is not; resolved/acknowledged incidents stop being
//               followed.
//   onAction    an action started: it is in flight (its cooldown key blocks a second one; a
//               half-open breaker's trial).
//   onOutcome   it ended: cooldowns, rate windows, budget, breakers and the escalation ladder
//               count it. A failed outcome re-decides the incident it was for at once (the
//               ladder may have moved on).
//   onTick      incidents that a time-limited gate blocked are decided again once it lifts;
//               expired state is dropped.
//   setAutonomy the admin's runtime level change (autonomy.h).
// Everything to publish goes to the SafetyState's outbox, in order; the service publishes it and
// calls published() for each document the bus took.
//
// Not thread-safe: the service calls it under one mutex.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "brain/autonomy.h"
#include "brain/decider.h"
#include "brain/safety_state.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::brain {

struct BrainCoreOptions {
  contracts::AutonomyLevel configured = contracts::AutonomyLevel::kN0;
  StateLimits limits;
  // The shortest wait before a blocked incident is looked at again.
  Duration min_recheck = std::chrono::seconds(1);
};

enum class IncidentVerdict {
  kDecided,    // a decision is in the outbox
  kUpdated,    // same revision with more events: remembered, not decided again
  kDuplicate,  // this revision was decided already
  kSkipped,    // resolved or acknowledged: no decision
};
enum class ActionVerdict { kStarted, kDuplicate, kIgnored };
enum class OutcomeVerdict { kApplied, kParked, kDuplicate };

class BrainCore {
 public:
  // `new_id` makes decision and approval request ids (newUuid in production).
  BrainCore(BrainCoreOptions options, std::function<std::string()> new_id);

  IncidentVerdict onIncident(const contracts::Incident& incident, const policy::Policy& policy,
                             WallTime now);
  ActionVerdict onAction(const contracts::Action& action, const policy::Policy& policy,
                         WallTime now);
  OutcomeVerdict onOutcome(const contracts::Outcome& outcome, const policy::Policy& policy,
                           WallTime now);
  // Re-decides what is due; returns how many in-flight actions were given up on (no outcome
  // within the TTL).
  size_t onTick(const policy::Policy& policy, WallTime now);

  // An admin's change through the control socket; the document goes to the outbox.
  Result<AutonomyChange> setAutonomy(const AutonomyChangeRequest& request, WallTime now);
  contracts::AutonomyLevel level() const;
  contracts::AutonomyLevel configured() const { return options_.configured; }

  // The decisions made since the last call (for metrics and logs), oldest first.
  std::vector<DecisionResult> takeDecided();

  // The outbox's front entry was published.
  void published(uint64_t sequence) { state_.dequeue(sequence); }

  SafetyState& state() { return state_; }
  const SafetyState& state() const { return state_; }

 private:
  void decideAndRecord(const contracts::Incident& incident, const policy::Policy& policy,
                       WallTime now);
  void applyOutcome(const contracts::Outcome& outcome, const policy::Policy& policy, WallTime now);

  BrainCoreOptions options_;
  std::function<std::string()> new_id_;
  SafetyState state_;
  std::vector<DecisionResult> decided_;
  std::optional<WallTime> last_expiry_;
};

}  // namespace orion::brain
