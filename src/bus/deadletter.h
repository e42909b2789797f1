// The dead-letter path both buses share: why a message left its stream unhandled, and the
// `deadletter` document (contracts/deadletter.schema.json) that records it on
// "<prefix>:deadletters". Internal to the bus module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"
#include "contracts/documents.h"

namespace orion::bus {

// Why a message left its stream through the dead-letter path (the `reason` label of
// orion_bus_deadlettered_total). kLost counts messages that should have been dead-lettered but
// could not be: the dead-letter publish failed, or the message was itself a dead-letter.
enum class DeadletterReason { kHandlerError, kPoison, kInvalid, kTrimmed, kLost };
inline constexpr size_t kDeadletterReasonCount = 5;
std::string_view deadletterReasonName(DeadletterReason reason);

// Where a rejected message came from.
struct RejectedAt {
  std::string_view stream;    // "orion:events"
  std::string_view type;      // "event"
  std::string_view group;     // the consumer group that gave up on it ("" at publish)
  std::string_view entry_id;  // its stream entry id ("" when it had none)
  int attempts = 0;           // handler calls so far
};

// The dead letter for a message whose document is `document` when it parsed as JSON (nullptr
// when it did not), else `raw`, its text. A JSON object travels as original_document; anything
// else as original_raw. `reason` must not be empty.
contracts::Deadletter makeDeadletter(const RejectedAt& where, std::string reason,
                                     const Json* document, std::string_view raw, WallTime now);

}  // namespace orion::bus
