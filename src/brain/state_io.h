// Loading and saving the brain's SafetyState in its StateStore (`<state_dir>/brain/state.log`).
// Called by the brain service under its mutex: loadState() once at start, flushState() after
// every change.
#pragma once

#include "brain/safety_state.h"
#include "common/status.h"
#include "state/state_store.h"

namespace orion::brain {

// Rebuilds `state` (which should be empty) from every table of `store`. kDataLoss naming the
// table and key when a stored value is unreadable; the store's error otherwise.
Status loadState(const state::StateStore& store, SafetyState& state);

// Writes what changed since the last flush in one transaction and clears the dirty set; on error
// the dirty set stays, so the next flush tries again.
Status flushState(state::StateStore& store, SafetyState& state);

}  // namespace orion::brain
