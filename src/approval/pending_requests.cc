#include "approval/pending_requests.h"

#include <algorithm>

#include "common/time.h"
#include "signing/approval_signature.h"

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
  if (auto tags = document.find("tags"); tags != document.end() && tags->is_object()) {
    if (auto it = tags->find("requires_override"); it != tags->end() && it->is_string()) {
      request.requires_override = it->get<std::string>();
    }
    if (auto it = tags->find("cooldown_until"); it != tags->end() && it->is_string()) {
      request.cooldown_until = it->get<std::string>();
    }
  }
  if (auto it = document.find("requested_action"); it != document.end() && it->is_object()) {
    if (auto p = it->find("parameters"); p != it->end() && p->is_object()) request.parameters = *p;
    if (auto r = it->find("reasoning"); r != it->end() && r->is_string()) {
      request.reasoning = r->get<std::string>();
    }
    // The action the admin approves is the requested one; a mismatch with the top-level
    // action_type would make the hash bind something other than what is shown.
    if (auto t = it->find("action_type");
        t != it->end() && t->is_string() && t->get<std::string>() != request.action_type) {
      return invalidArgument("approval_request: requested_action.action_type '" +
                             t->get<std::string>() + "' differs from action_type '" +
                             request.action_type + "'");
    }
  }
  request.action_hash = signing::actionHash(request.action_type, request.parameters);
  return request;
}

Json PendingRequest::toJson() const {
  Json out{{"approval_request_id", approval_request_id},
           {"decision_id", decision_id},
           {"action_type", action_type},
           {"risk_level", risk_level},
           {"parameters", parameters},
           {"reasoning", reasoning},
           {"action_hash", action_hash},
           {"expires_at", formatRfc3339(expires_at)},
           {"received_at", formatRfc3339(received_at)},
           {"timeout_capped", timeout_capped}};
  if (incident_id) out["incident_id"] = *incident_id;
  if (!requires_override.empty()) out["requires_override"] = requires_override;
  if (!cooldown_until.empty()) out["cooldown_until"] = cooldown_until;
  return out;
}

Result<PendingRequest> PendingRequest::fromStored(const Json& stored) {
  if (!stored.is_object())
    return Status(StatusCode::kDataLoss, "stored approval request: not an object");
  PendingRequest request;
  try {
    request.approval_request_id = stored.at("approval_request_id").get<std::string>();
    request.decision_id = stored.at("decision_id").get<std::string>();
    request.action_type = stored.at("action_type").get<std::string>();
    request.risk_level = stored.at("risk_level").get<std::string>();
    request.parameters = stored.at("parameters");
    request.reasoning = stored.value("reasoning", "");
    request.action_hash = stored.at("action_hash").get<std::string>();
    request.timeout_capped = stored.value("timeout_capped", false);
    request.requires_override = stored.value("requires_override", "");
    request.cooldown_until = stored.value("cooldown_until", "");
    if (stored.contains("incident_id")) {
      request.incident_id = stored["incident_id"].get<std::string>();
    }
    auto expires_at = parseRfc3339(stored.at("expires_at").get<std::string>());
    auto received_at = parseRfc3339(stored.at("received_at").get<std::string>());
    if (!expires_at || !received_at)
      return Status(StatusCode::kDataLoss, "stored approval request: bad time");
    request.expires_at = *expires_at;
    request.received_at = *received_at;
  } catch (const Json::exception& error) {
    return Status(StatusCode::kDataLoss, std::string("stored approval request: ") + error.what());
  }
  return request;
}

AddOutcome PendingRequests::add(PendingRequest request, WallTime now,
                                std::optional<Duration> timeout) {
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
  Duration longest = timeout ? std::min(*timeout, options_.max_timeout) : options_.max_timeout;
  WallTime latest = now + std::chrono::duration_cast<WallTime::duration>(longest);
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

bool PendingRequests::remove(const std::string& approval_request_id) {
  if (!by_id_.contains(approval_request_id)) return false;
  erase(approval_request_id);
  return true;
}

Result<const PendingRequest*> PendingRequests::lookup(std::string_view id_or_prefix) const {
  if (auto it = by_id_.find(std::string(id_or_prefix)); it != by_id_.end()) return &it->second;
  if (id_or_prefix.size() < 8) {
    return invalidArgument("approval request '" + std::string(id_or_prefix) +
                           "': give the full id or at least its first 8 characters");
  }
  const PendingRequest* found = nullptr;
  for (auto it = by_id_.lower_bound(std::string(id_or_prefix));
       it != by_id_.end() && it->first.starts_with(id_or_prefix); ++it) {
    if (found != nullptr) {
      return invalidArgument("approval request '" + std::string(id_or_prefix) +
                             "' is ambiguous: give more of the id");
    }
    found = &it->second;
  }
  if (found == nullptr) {
    return notFound("no pending approval request '" + std::string(id_or_prefix) +
                    "' (unknown, already answered, or expired)");
  }
  return found;
}

std::vector<const PendingRequest*> PendingRequests::all() const {
  std::vector<const PendingRequest*> out;
  for (const auto& entry : by_expiry_) out.push_back(&by_id_.at(entry.second));
  return out;
}

void PendingRequests::erase(const std::string& approval_request_id) {
  auto it = by_id_.find(approval_request_id);
  if (it == by_id_.end()) return;
  by_expiry_.erase({it->second.expires_at, approval_request_id});
  by_id_.erase(it);
}

}  // namespace orion::approval
