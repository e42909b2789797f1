#include "bus/deadletter.h"

#include "common/ids.h"

namespace orion::bus {

std::string_view deadletterReasonName(DeadletterReason reason) {
  switch (reason) {
    case DeadletterReason::kHandlerError:
      return "handler_error";
    case DeadletterReason::kPoison:
      return "poison";
    case DeadletterReason::kInvalid:
      return "invalid";
    case DeadletterReason::kTrimmed:
      return "trimmed";
    case DeadletterReason::kLost:
      return "lost";
  }
  return "unknown";
}

contracts::Deadletter makeDeadletter(const RejectedAt& where, std::string reason,
                                     const Json* document, std::string_view raw, WallTime now) {
  contracts::Deadletter letter;
  letter.deadletter_id = newUuid();
  letter.timestamp = now;
  letter.source = "orion-bus";
  letter.stream = std::string(where.stream);
  letter.contract_type = std::string(where.type);
  letter.reason = reason.empty() ? std::string("rejected") : std::move(reason);
  // The contract wants an object in original_document; anything else travels as its text.
  if (document != nullptr && document->is_object()) {
    letter.original_document = *document;
  } else {
    letter.original_raw = document != nullptr ? dumpJson(*document) : std::string(raw);
  }
  if (!where.entry_id.empty()) letter.original_entry_id = std::string(where.entry_id);
  if (!where.group.empty()) letter.consumer_group = std::string(where.group);
  letter.delivery_attempts = where.attempts;
  return letter;
}

}  // namespace orion::bus
