// What the index keeps about a record, taken from its document (docs/audit_log_format.md,
// "Index"): the node, the service, a status word, the document's own id and the ids it refers
// to — the links the causal chain follows:
//
//   incident → event_ids          decision → incident_id          approval_request → decision_id,
//   approval_decision → decision_id, approval_request_id, action_id     action → decision_id,
//   approval_id          outcome → action_id          validation, approval → decision_id
//   deadletter → the original document's id
//
// The same function runs on the bus thread when a record is written and when the index is
// rebuilt from the log, so both give the same rows. Pure, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "memory/chain_hasher.h"

namespace orion::memory {

struct IndexFields {
  std::string node;
  std::string service;  // "" when the document names none
  std::string status;   // incident/action state, outcome status, decision type, …; "" for none
  std::string id;       // the document's own id ("" when none)
  std::vector<std::string> refs;
  // Entities the reconciliation queries follow (incident, action, approval_request): whether
  // this record leaves its entity closed (a resolved incident) or open; unset for other types.
  std::optional<bool> closed;
  // The entity this record closes: an outcome its action, an approval decision its request.
  std::string closes;
};

// One record as the index stores it: where it is in the log, when it was recorded, its type and
// the fields above.
struct IndexRow {
  uint64_t seq = 0;
  int64_t micros = 0;  // recorded_at
  std::string type;
  uint64_t offset = 0;  // of its line in its segment (the segment follows from the seq)
  uint32_t length = 0;  // of the line, without '\n'
  Digest hash;          // its chain value, to check the index still matches the log
  IndexFields fields;
};

// The node a document came from or concerns: tags.node, else data.node, else `fallback` (the node
// memory runs on).
std::string nodeOf(const Json& document, std::string_view fallback);

IndexFields indexFieldsOf(std::string_view type, const Json& document, std::string_view node);

}  // namespace orion::memory
