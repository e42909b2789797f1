// The autonomy level in force, and the admin's runtime changes to it.
//
// The configured level (brain.autonomy_level) is where ORION starts. `orion autonomy set N2
// --reason "..."` changes it at runtime through the control socket: the change names who made it
// (the socket peer's uid from the kernel, never a claimed name) and why, is published as an
// `autonomy_change` document (stream orion:autonomy_changes, audited by memory) and kept in the
// brain's state store, so it survives a restart — until the configured level itself is edited:
// a runtime level is kept only while the configuration still says what it said when the admin
// set it, so editing the file is always a way back.
//
// Issue 6 adds signed admin commands: a change will then also carry and check the admin's
// signature (see control.h); the document gains an optional field, compatibly.
#pragma once

#include <optional>
#include <string>

#include "brain/safety_state.h"
#include "common/json.h"
#include "common/status.h"
#include "contracts/documents.h"

namespace orion::brain {

// The level decisions are made at: the recorded runtime level while the configuration still
// says what it did when that level was set, else the configured one.
contracts::AutonomyLevel effectiveLevel(contracts::AutonomyLevel configured,
                                        const std::optional<AutonomyRecord>& runtime);

struct AutonomyChangeRequest {
  std::string level;   // "N2" (case-insensitive)
  std::string reason;  // at least 10 characters once trimmed
  std::string changed_by;
  int64_t uid = -1;
  int64_t pid = 0;
  std::string user;
};

// Validates the request against the current level. kInvalidArgument for an unknown level or a
// missing/short reason; kFailedPrecondition when the level is already in force. On success the
// record to keep and the `autonomy_change` document to publish.
struct AutonomyChange {
  AutonomyRecord record;
  Json document;
};
Result<AutonomyChange> planAutonomyChange(const AutonomyChangeRequest& request,
                                          contracts::AutonomyLevel current,
                                          contracts::AutonomyLevel configured, WallTime now,
                                          std::string change_id);

// What `orion autonomy show` prints: level, configured level, whether a runtime change is in
// force, and that change's who, why and when.
Json describeAutonomy(contracts::AutonomyLevel configured,
                      const std::optional<AutonomyRecord>& runtime);

}  // namespace orion::brain
