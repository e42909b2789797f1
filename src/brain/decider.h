// The decider: what the brain decides about one incident, without the bus. Pure: the same
// incident, configured autonomy, clock reading and decision id always give the same decision.
// Called on the brain's subscription thread; safe to share between threads (immutable).
//
// This build has no policy engine (it arrives with issue 4), so every decision is the N0 one:
// NO_ACTION, SAFE, requires_approval false, no proposed_action, autonomy_level N0, with reasoning
// that says what was seen and why nothing is done. A configured N1–N3 fails closed to N0: the
// decision records the level actually applied (N0), its reasoning says which level was configured
// and why it is not applied, and the tag "configured_autonomy" carries the configured level.
#pragma once

#include <string>

#include "common/clock.h"
#include "config/config.h"
#include "contracts/documents.h"

namespace orion::brain {

class Decider {
 public:
  explicit Decider(config::Autonomy configured) : configured_(configured) {}

  // The level the operator asked for, and the level decisions are made at (always N0 here).
  config::Autonomy configured() const { return configured_; }
  contracts::AutonomyLevel applied() const { return contracts::AutonomyLevel::kN0; }
  // True when the configured level is above what this build can apply.
  bool degraded() const { return configured_ != config::Autonomy::kN0; }

  // The decision about `incident` (which should be open, see needsDecision()), timestamped `now`
  // and identified by `decision_id`. Never fails: an incident the brain cannot act on is exactly
  // the case NO_ACTION exists for.
  [[nodiscard]] contracts::Decision decide(const contracts::Incident& incident, WallTime now,
                                           std::string decision_id) const;

 private:
  config::Autonomy configured_;
};

// Only open incidents get decisions; resolved and acknowledged ones need none.
bool needsDecision(const contracts::Incident& incident);

// Identifies one revision of an incident: its id, state, severity and number of events. A
// redelivered incident has the same revision and must not get a second decision; an update
// (severity raised) is a new revision and gets its own.
std::string revisionOf(const contracts::Incident& incident);

}  // namespace orion::brain
