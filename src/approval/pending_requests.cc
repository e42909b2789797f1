#include "approval/pending_requests.h"

#include <algorithm>

#include "common/time.h"

namespace orion::approval {
namespace {

Result<std::string> requiredString(const Json& document, std::string_view key) {
  auto it = document.find(key);
  if (it == document.end()) {
    return invalidArgument("approval_request: missing required field '" + std::string(key) + "'");
  }
  if (!it->is_string()) {
    return invalidArgument("approval_request: field '" + std::string(key) +
                           "': expected a string, got " + it->type_name());
  }
  return it->get<std::string>();
}

}  // namespace

Result<PendingRequest> parseApprovalRequest(const Json& document) {
  if (!document.is_object()) {
    return invalidArgument(std::string("approval_request: expected an object, got ") +
                           document.type_name());
  }
  PendingRequest request;
  for (auto [key, field] : {std::pair{"approval_request_id", &request.approval_request_id},
                            std::pair{"decision_id", &request.decision_id},
                            std::pair{"action_type", &request.action_type},
                            std::pair{"risk_level", &request.risk_level}}) {
    auto value = requiredString(document, key);
    if (!value) return value.status();
    *field = std::move(value).value();
  }
  auto expires_text = requiredString(document, "expires_at");
  if (!expires_text) return expires_text.status();
  auto expires_at = parseRfc3339(*expires_text);
  if (!expires_at) {
    return expires_at.status().withContext("approval_request: field 'expires_at'");
  }
  request.expires_at = *expires_at;
  if (auto it = document.find("incident_id"); it != document.end() && it->is_string()) {
    request.incident_id = it->get<std::string>();
  }
  return request;
}

AddOutcome PendingRequests::add(PendingRequest request, WallTime now) {
  AddOutcome outcome;
  if (by_id_.contains(request.approval_request_id)) {
    outcome.result = AddResult::kDuplicate;
    return outcome;
  }
  request.received_at = now;
  if (request.expires_at <= now) {
    outcome.result = AddResult::kAlreadyExpired;
    return outcome;
  }
  WallTime latest = now + std::chrono::duration_cast<WallTime::duration>(options_.max_timeout);
  if (request.expires_at > latest) {
    request.expires_at = latest;
    request.timeout_capped = true;
  }
  if (by_id_.size() >= std::max<size_t>(options_.capacity, 1)) {
    // Dropping the request closest to its deadline loses the least waiting time, and a dropped
    // request can only ever become "not executed", which is the safe side.
    std::string victim = by_expiry_.begin()->second;
    outcome.evicted = by_id_.at(victim);
    erase(victim);
  }
  by_expiry_.emplace(request.expires_at, request.approval_request_id);
  by_id_.emplace(request.approval_request_id, std::move(request));
  return outcome;
}

std::vector<PendingRequest> PendingRequests::expire(WallTime now) {
  std::vector<PendingRequest> expired;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    std::string id = by_expiry_.begin()->second;
    expired.push_back(by_id_.at(id));
    erase(id);
  }
  return expired;
}

std::optional<WallTime> PendingRequests::nextExpiry() const {
  if (by_expiry_.empty()) return std::nullopt;
  return by_expiry_.begin()->first;
}

const PendingRequest* PendingRequests::find(const std::string& approval_request_id) const {
  auto it = by_id_.find(approval_request_id);
  return it == by_id_.end() ? nullptr : &it->second;
}

void PendingRequests::erase(const std::string& approval_request_id) {
  auto it = by_id_.find(approval_request_id);
  if (it == by_id_.end()) return;
  by_expiry_.erase({it->second.expires_at, approval_request_id});
  by_id_.erase(it);
}

}  // namespace orion::approval
