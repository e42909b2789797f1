// Pending approval requests and their expiry: the approval coordinator's logic, without the bus
// or threads. Deterministic: every operation takes the time it should consider as `now`, so tests
// drive it with a SimulatedClock reading.
//
// Silence is never permission: a request past its expires_at is removed by expire() and handed
// back to be recorded as expired; nothing ever executes it.
//
// Not thread-safe; the coordinator guards it with its mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::approval {

// The fields of an approval_request document the coordinator needs.
struct PendingRequest {
  std::string approval_request_id;
  std::string decision_id;
  std::string action_type;
  std::string risk_level;
  std::optional<std::string> incident_id;
  Json parameters = Json::object();  // requested_action.parameters
  std::string reasoning;             // requested_action.reasoning: the decision's explanation
  std::string action_hash;           // signing::actionHash(action_type, parameters)
  WallTime expires_at;
  WallTime received_at;         // when the coordinator stored it
  bool timeout_capped = false;  // expires_at was pulled in to the policy's timeout or max_timeout
  // tags.requires_override: "cooldown", "circuit_breaker" or both (signing/overrides.h) when
  // only a force with the matching flags may run it; "" otherwise. tags.cooldown_until: when
  // the cooldown ends (RFC 3339), "" when not given.
  std::string requires_override;
  std::string cooldown_until;

  // The stored (and listed) form: every field above, times as RFC 3339.
  Json toJson() const;
  static Result<PendingRequest> fromStored(const Json& stored);
};

// Reads an approval_request document (already schema-validated by the bus, but still checked):
// kInvalidArgument naming the field when one is missing, not a string, or expires_at is not an
// RFC 3339 date-time with an offset.
Result<PendingRequest> parseApprovalRequest(const Json& document);

struct PendingOptions {
  size_t capacity = 10000;                       // pending requests held at most
  Duration max_timeout = std::chrono::hours(1);  // no request waits longer than this
};

enum class AddResult {
  kAdded,           // stored until it is answered or expires
  kDuplicate,       // this approval_request_id is already pending; nothing changed
  kAlreadyExpired,  // expires_at <= now: not stored, to be reported as expired
};

struct AddOutcome {
  AddResult result = AddResult::kAdded;
  // The request dropped to make room when the map was full: the one closest to expiring. It is
  // treated like an expired request (never executable).
  std::optional<PendingRequest> evicted;
};

class PendingRequests {
 public:
  explicit PendingRequests(PendingOptions options) : options_(options) {}

  // Stores `request` received at `now`, capping its expiry at now + `timeout` (the policy's
  // per-action timeout; nullopt: none) and at now + max_timeout.
  AddOutcome add(PendingRequest request, WallTime now, std::optional<Duration> timeout = {});

  // Removes one request (answered); false when it was not pending.
  bool remove(const std::string& approval_request_id);
  // The pending request whose id is `id_or_prefix`, or the only one starting with it (at least 8
  // characters, so the admin may type the first block of a UUID). kNotFound when none,
  // kInvalidArgument when the prefix is ambiguous or shorter than 8 characters.
  Result<const PendingRequest*> lookup(std::string_view id_or_prefix) const;
  // Every pending request, soonest to expire first.
  std::vector<const PendingRequest*> all() const;

  // Removes and returns every request with expires_at <= now, soonest first.
  std::vector<PendingRequest> expire(WallTime now);

  // The earliest expires_at among pending requests, if any.
  std::optional<WallTime> nextExpiry() const;

  const PendingRequest* find(const std::string& approval_request_id) const;
  size_t size() const { return by_id_.size(); }

 private:
  void erase(const std::string& approval_request_id);
  PendingOptions options_;
  std::map<std::string, PendingRequest> by_id_;
  std::set<std::pair<WallTime, std::string>> by_expiry_;
};

}  // namespace orion::approval
