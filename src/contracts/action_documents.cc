// Typed views of the execution side of the pipeline: action, outcome, approval_request and
// approval_decision (documents.h).
#include <utility>

#include "common/time.h"
#include "contracts/document_fields.h"
#include "contracts/documents.h"

namespace orion::contracts {

namespace {

using fields::EnumNames;
using fields::Reader;

constexpr EnumNames<ActionState, 5> kActionStates{"action state",
                                                  {{{ActionState::kPending, "pending"},
                                                    {ActionState::kExecuting, "executing"},
                                                    {ActionState::kSucceeded, "succeeded"},
                                                    {ActionState::kFailed, "failed"},
                                                    {ActionState::kRolledBack, "rolled_back"}}}};

constexpr EnumNames<OutcomeStatus, 3> kOutcomeStatuses{
    "outcome status",
    {{{OutcomeStatus::kSucceeded, "succeeded"},
      {OutcomeStatus::kFailed, "failed"},
      {OutcomeStatus::kRolledBack, "rolled_back"}}}};

constexpr EnumNames<ApprovalVerdict, 3> kApprovalVerdicts{"approval decision",
                                                          {{{ApprovalVerdict::kApprove, "approve"},
                                                            {ApprovalVerdict::kDeny, "deny"},
                                                            {ApprovalVerdict::kForce, "force"}}}};

// Actions and approval requests are about a decided risk: UNKNOWN has been resolved to RISKY
// before either is written, so reading one back is an error.
Result<SafetyClass> decidedSafety(const Json& document, std::string_view key) {
  Result<SafetyClass> safety = fields::requiredEnum<SafetyClass>(document, key, parseSafetyClass);
  if (safety.isOk() && *safety == SafetyClass::kUnknown) {
    return invalidArgument("field '" + std::string(key) + "': expected SAFE or RISKY, got UNKNOWN");
  }
  return safety;
}

// An optional object member: absent stays nullopt, present must be an object.
Result<std::optional<Json>> optionalObject(const Json& document, std::string_view key) {
  if (!document.contains(key)) return std::optional<Json>();
  Result<Json> value = fields::objectMember(document, key, true);
  if (!value.isOk()) return value.status();
  return std::optional<Json>(std::move(value).value());
}

// An optional boolean whose absence means false (the schema's default).
Result<bool> flag(const Json& document, std::string_view key) {
  Result<std::optional<bool>> value = fields::optionalBool(document, key);
  if (!value.isOk()) return value.status();
  return value->value_or(false);
}

}  // namespace

std::string_view toString(ActionState state) { return kActionStates.name(state); }
Result<ActionState> parseActionState(std::string_view text) { return kActionStates.parse(text); }

std::string_view toString(OutcomeStatus status) { return kOutcomeStatuses.name(status); }
Result<OutcomeStatus> parseOutcomeStatus(std::string_view text) {
  return kOutcomeStatuses.parse(text);
}

std::string_view toString(ApprovalVerdict verdict) { return kApprovalVerdicts.name(verdict); }
Result<ApprovalVerdict> parseApprovalVerdict(std::string_view text) {
  return kApprovalVerdicts.parse(text);
}

// ---- action --------------------------------------------------------------------------------

Json Action::toJson() const {
  Json doc = fields::envelope();
  doc["action_id"] = action_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["decision_id"] = decision_id;
  doc["action_type"] = action_type;
  doc["safety_classification"] = toString(safety_classification);
  doc["state"] = toString(state);
  doc["parameters"] = parameters.is_object() ? parameters : Json::object();
  if (approval_id) doc["approval_id"] = *approval_id;
  doc["rollback_enabled"] = rollback_enabled;
  doc["dry_run"] = dry_run;
  fields::putTags(doc, tags);
  return doc;
}

Result<Action> Action::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  Action action;
  Reader reader;
  reader.read(fields::requiredString(document, "action_id"), action.action_id);
  reader.read(fields::requiredTime(document, "timestamp"), action.timestamp);
  reader.read(fields::requiredString(document, "source"), action.source);
  reader.read(fields::requiredString(document, "decision_id"), action.decision_id);
  reader.read(fields::requiredString(document, "action_type"), action.action_type);
  reader.read(decidedSafety(document, "safety_classification"), action.safety_classification);
  reader.read(fields::requiredEnum<ActionState>(document, "state", parseActionState), action.state);
  reader.read(fields::objectMember(document, "parameters", true), action.parameters);
  reader.read(fields::optionalString(document, "approval_id"), action.approval_id);
  reader.read(flag(document, "rollback_enabled"), action.rollback_enabled);
  reader.read(flag(document, "dry_run"), action.dry_run);
  reader.read(fields::tags(document), action.tags);
  if (!reader.ok()) return reader.status();
  return action;
}

// ---- outcome -------------------------------------------------------------------------------

Json Outcome::toJson() const {
  Json doc = fields::envelope();
  doc["outcome_id"] = outcome_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["action_id"] = action_id;
  doc["status"] = toString(status);
  doc["execution_time_ms"] = execution_time_ms;
  if (result) doc["result"] = *result;
  if (error) {
    Json out = {{"code", error->code}, {"message", error->message}};
    if (error->details) out["details"] = *error->details;
    doc["error"] = std::move(out);
  }
  doc["rollback_executed"] = rollback_executed;
  fields::putTags(doc, tags);
  return doc;
}

Result<Outcome> Outcome::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  Outcome outcome;
  Reader reader;
  reader.read(fields::requiredString(document, "outcome_id"), outcome.outcome_id);
  reader.read(fields::requiredTime(document, "timestamp"), outcome.timestamp);
  reader.read(fields::requiredString(document, "source"), outcome.source);
  reader.read(fields::requiredString(document, "action_id"), outcome.action_id);
  reader.read(fields::requiredEnum<OutcomeStatus>(document, "status", parseOutcomeStatus),
              outcome.status);
  reader.read(fields::requiredInteger(document, "execution_time_ms"), outcome.execution_time_ms);
  if (reader.ok() && outcome.execution_time_ms < 0) {
    reader.check(invalidArgument("field 'execution_time_ms': expected an integer >= 0"));
  }
  reader.read(optionalObject(document, "result"), outcome.result);
  std::optional<Json> error;
  reader.read(optionalObject(document, "error"), error);
  if (reader.ok() && error) {
    OutcomeError parsed;
    Reader error_reader;
    error_reader.read(fields::requiredString(*error, "code"), parsed.code);
    error_reader.read(fields::requiredString(*error, "message"), parsed.message);
    error_reader.read(optionalObject(*error, "details"), parsed.details);
    reader.check(error_reader.status().withContext("field 'error'"));
    outcome.error = std::move(parsed);
  }
  if (reader.ok() && outcome.status == OutcomeStatus::kFailed && !outcome.error) {
    reader.check(invalidArgument("field 'error': required when status is failed"));
  }
  reader.read(flag(document, "rollback_executed"), outcome.rollback_executed);
  reader.read(fields::tags(document), outcome.tags);
  if (!reader.ok()) return reader.status();
  return outcome;
}

// ---- approval_request ----------------------------------------------------------------------

Json ApprovalRequest::toJson() const {
  Json doc = fields::envelope();
  doc["approval_request_id"] = approval_request_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["decision_id"] = decision_id;
  doc["action_type"] = action_type;
  doc["risk_level"] = toString(risk_level);
  Json requested = {
      {"action_type", requested_action.action_type},
      {"parameters",
       requested_action.parameters.is_object() ? requested_action.parameters : Json::object()}};
  if (requested_reason) requested["reasoning"] = *requested_reason;
  doc["requested_action"] = std::move(requested);
  doc["expires_at"] = formatRfc3339(expires_at);
  if (incident_id) doc["incident_id"] = *incident_id;
  fields::putTags(doc, tags);
  return doc;
}

Result<ApprovalRequest> ApprovalRequest::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  ApprovalRequest request;
  Reader reader;
  reader.read(fields::requiredString(document, "approval_request_id"), request.approval_request_id);
  reader.read(fields::requiredTime(document, "timestamp"), request.timestamp);
  reader.read(fields::requiredString(document, "source"), request.source);
  reader.read(fields::requiredString(document, "decision_id"), request.decision_id);
  reader.read(fields::requiredString(document, "action_type"), request.action_type);
  reader.read(decidedSafety(document, "risk_level"), request.risk_level);
  Json requested;
  reader.read(fields::objectMember(document, "requested_action", true), requested);
  if (reader.ok()) {
    Reader requested_reader;
    requested_reader.read(fields::requiredString(requested, "action_type"),
                          request.requested_action.action_type);
    requested_reader.read(fields::objectMember(requested, "parameters", true),
                          request.requested_action.parameters);
    requested_reader.read(fields::optionalString(requested, "reasoning"), request.requested_reason);
    reader.check(requested_reader.status().withContext("field 'requested_action'"));
  }
  reader.read(fields::requiredTime(document, "expires_at"), request.expires_at);
  reader.read(fields::optionalString(document, "incident_id"), request.incident_id);
  reader.read(fields::tags(document), request.tags);
  if (!reader.ok()) return reader.status();
  return request;
}

// ---- approval_decision ---------------------------------------------------------------------

Json ApprovalDecision::toJson() const {
  Json doc = fields::envelope();
  doc["approval_id"] = approval_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["approval_request_id"] = approval_request_id;
  doc["decision_id"] = decision_id;
  doc["decision"] = toString(decision);
  doc["admin_identity"] = admin_identity;
  doc["reason"] = reason;
  doc["issued_at"] = formatRfc3339(issued_at);
  doc["expires_at"] = formatRfc3339(expires_at);
  if (action_id) doc["action_id"] = *action_id;
  doc["override_circuit_breaker"] = override_circuit_breaker;
  doc["override_cooldown"] = override_cooldown;
  fields::putTags(doc, tags);
  return doc;
}

Result<ApprovalDecision> ApprovalDecision::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  ApprovalDecision answer;
  Reader reader;
  reader.read(fields::requiredString(document, "approval_id"), answer.approval_id);
  reader.read(fields::requiredTime(document, "timestamp"), answer.timestamp);
  reader.read(fields::requiredString(document, "source"), answer.source);
  reader.read(fields::requiredString(document, "approval_request_id"), answer.approval_request_id);
  reader.read(fields::requiredString(document, "decision_id"), answer.decision_id);
  reader.read(fields::requiredEnum<ApprovalVerdict>(document, "decision", parseApprovalVerdict),
              answer.decision);
  reader.read(fields::requiredString(document, "admin_identity"), answer.admin_identity);
  reader.read(fields::requiredString(document, "reason"), answer.reason);
  reader.read(fields::requiredTime(document, "issued_at"), answer.issued_at);
  reader.read(fields::requiredTime(document, "expires_at"), answer.expires_at);
  reader.read(fields::optionalString(document, "action_id"), answer.action_id);
  reader.read(flag(document, "override_circuit_breaker"), answer.override_circuit_breaker);
  reader.read(flag(document, "override_cooldown"), answer.override_cooldown);
  reader.read(fields::tags(document), answer.tags);
  if (!reader.ok()) return reader.status();
  return answer;
}

}  // namespace orion::contracts
