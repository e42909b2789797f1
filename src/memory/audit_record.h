// One record of the audit file: a JSON object on one line,
//
//   {"seq":12,"recorded_at":"2026-01-14T12:00:00.123456Z","type":"event",
//    "entry_id":"1768392000123-0","document":{...the contract document as received...}}
//
// `seq` counts records from 1 and never repeats, across restarts. (The hash chain of issue 3 adds
// fields here; readers must ignore fields they do not know.) Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::memory {

struct AuditRecord {
  uint64_t seq = 0;
  std::string recorded_at;
  std::string type;
  std::string entry_id;
  Json document;
};

// The record's line, ending in '\n'. `document_json` is the document already serialised compactly
// (dumpJson), so callers can do that costly part outside their lock.
std::string formatRecord(uint64_t seq, WallTime recorded_at, std::string_view type,
                         std::string_view entry_id, std::string_view document_json);

// Parses one line (without its '\n'). kDataLoss naming what is missing or malformed.
Result<AuditRecord> parseRecord(std::string_view line);

// The field that holds a contract document's own id ("event_id" for "event", "command_id" for
// "edge.command"), or "" for a type memory does not know.
std::string_view documentIdField(std::string_view type);

// What makes a record a duplicate: the type and the document's own id; for a document without
// one, the bus entry id (a redelivery keeps it).
std::string recordKey(std::string_view type, std::string_view entry_id, const Json& document);

}  // namespace orion::memory
