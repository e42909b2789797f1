// Fingerprints: which events describe the same condition, so the guardian can fold them into one
// incident. Pure functions, safe from any thread; used by the correlator (guardian thread only).
//
// A fingerprint names a condition, not an observation: the kind of failure, the node, the producer
// and what failed (a service, or a resource and one of its metrics). Severity and values are
// deliberately left out, so the warning, the critical and the recovery of one disk all share a
// fingerprint. A recovery event type (service_up) maps to the failure it ends (service_down).
//
// Fingerprints are 16 lower-case hex characters: the first 64 bits of the SHA-256 of the
// length-prefixed fields. SHA-256 rather than std::hash because a fingerprint is written into
// incidents (tag "fingerprint") and must mean the same thing across builds, machines and
// restarts, which std::hash does not promise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "contracts/documents.h"
#include "guardian/event_fields.h"

namespace orion::guardian {

// The failure event type that `event_type` reports on: "service_up" → "service_down",
// "edge_device_online" → "edge_device_offline", "external_api_success" →
// "external_api_failure"; every other type is its own condition.
std::string_view conditionTypeOf(std::string_view event_type);

// True for the event types whose only meaning is "the condition has ended" (service_up, ...).
bool isRecoveryType(std::string_view event_type);

// True when `event` says its condition has ended: a recovery event type, or severity info with
// data.state "recovered" (how the watcher reports a metric back under its levels).
bool isRecovery(const contracts::Event& event);

bool isRecovery(const EventFields& fields);

// The node the event is about: data.node, else tags.node, else "".
std::string nodeOf(const contracts::Event& event);

// The fingerprint of the condition `event` reports on (see above).
std::string fingerprintOf(const contracts::Event& event);

// A fingerprint as the number its 16 hex characters spell: how the correlator keys its tables
// (nothing to allocate, cheap to hash and compare). The numbers' order is the texts' order.
using FingerprintValue = uint64_t;
FingerprintValue fingerprintValueOf(const EventFields& fields);
// The 16 lower-case hex characters of `value`.
std::string fingerprintText(FingerprintValue value);
// The value of a fingerprint's text; nullopt unless it is 16 lower-case hex characters.
std::optional<FingerprintValue> parseFingerprint(std::string_view text);

// A stable incident id for the incident opened by `opening_event_id` on `fingerprint`: a UUID
// (version 8, RFC 9562 "custom") made from their SHA-256. A redelivered event therefore opens an
// incident with the same id, so a consumer can recognise the repeat. When the event's id is a
// UUIDv7 (as ORION's watchers make them), the incident's id begins with the same 48 bits of time
// instead of hash bits, so incident ids are time-ordered too (common/ids.h).
std::string incidentIdFor(std::string_view fingerprint, std::string_view opening_event_id);

// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256Hex(std::string_view data);

}  // namespace orion::guardian
