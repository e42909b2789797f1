// The correlator's state in the guardian's StateStore (`<state_dir>/guardian/state.log`): used by
// the guardian service (under its mutex) after every event and sweep, and once at start.
#pragma once

#include "common/status.h"
#include "guardian/correlator.h"
#include "state/state_store.h"

namespace orion::guardian {

// Adds a put (or an erase, for what no longer exists) of every key the correlator changed since
// its last clearDirty() to `batch`. The caller applies the batch and then calls clearDirty().
void addChanges(const Correlator& correlator, state::Batch& batch);

// Restores every table into `correlator` (which should be new) and finishes the restore.
// kDataLoss naming the table and key for an unreadable value; the store's error otherwise.
Status loadCorrelator(const state::StateStore& store, Correlator& correlator);

}  // namespace orion::guardian
