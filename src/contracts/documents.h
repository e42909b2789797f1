// Typed views of the contracts the pipeline produces and consumes.
//
// A producer fills a struct and calls toJson(); the bus validates the result against the schema
// before it is published. A consumer receives a document the bus has already validated and calls
// fromJson() to get typed fields; fromJson() still fails cleanly (kInvalidArgument naming the
// field) rather than trusting its input. Field names are the wire names of the v1.0 contracts
// (see contracts/*.schema.json); optional fields are std::optional or empty containers and are
// omitted from toJson() when unset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "contracts/tags.h"

namespace orion::contracts {

inline constexpr std::string_view kContractVersion = "1.0";

// ---- event ---------------------------------------------------------------------------------

enum class EventSeverity { kInfo, kWarning, kError, kCritical };
std::string_view toString(EventSeverity severity);
Result<EventSeverity> parseEventSeverity(std::string_view text);

struct Event {
  std::string event_id;
  WallTime timestamp;
  std::string source;      // ^orion-[a-z0-9-]+$, e.g. "orion-watcher-host"
  std::string event_type;  // metric_threshold_exceeded, service_down, service_up, ...
  EventSeverity severity = EventSeverity::kInfo;
  Json data = Json::object();
  Tags tags;

  Json toJson() const;
  static Result<Event> fromJson(const Json& document);
};

// ---- incident ------------------------------------------------------------------------------

enum class IncidentSeverity { kLow, kMedium, kHigh, kCritical };
std::string_view toString(IncidentSeverity severity);
Result<IncidentSeverity> parseIncidentSeverity(std::string_view text);
// info→low, warning→medium, error→high, critical→critical: an incident never claims more than
// its events observed.
IncidentSeverity incidentSeverityFor(EventSeverity severity);

enum class IncidentState { kOpen, kAcknowledged, kResolved };
std::string_view toString(IncidentState state);
Result<IncidentState> parseIncidentState(std::string_view text);

struct Incident {
  std::string incident_id;
  WallTime timestamp;
  std::string source = "orion-guardian";
  std::string incident_type;  // service_outage, metric_anomaly, edge_device_failure, ...
  IncidentSeverity severity = IncidentSeverity::kLow;
  std::vector<std::string> event_ids;
  WallTime window_start;  // correlation_window.start
  WallTime window_end;    // correlation_window.end
  IncidentState state = IncidentState::kOpen;
  std::optional<std::string> description;
  Tags tags;

  Json toJson() const;
  // Appends the document's text, exactly dumpJson(toJson()), without building the tree: for
  // the guardian's and the brain's state, which write an incident at every revision.
  void appendJsonText(std::string& out) const;
  static Result<Incident> fromJson(const Json& document);
};

// ---- decision ------------------------------------------------------------------------------

enum class DecisionType { kNoAction, kSuggestAction, kExecuteSafeAction, kRequestApproval };
std::string_view toString(DecisionType type);
Result<DecisionType> parseDecisionType(std::string_view text);

enum class SafetyClass { kSafe, kRisky, kUnknown };
std::string_view toString(SafetyClass safety);
Result<SafetyClass> parseSafetyClass(std::string_view text);

enum class AutonomyLevel { kN0, kN1, kN2, kN3 };
std::string_view toString(AutonomyLevel level);
Result<AutonomyLevel> parseAutonomyLevel(std::string_view text);

struct ProposedAction {
  std::string action_type;
  Json parameters = Json::object();
};

struct Decision {
  std::string decision_id;
  WallTime timestamp;
  std::string source = "orion-brain";
  std::string incident_id;
  DecisionType decision_type = DecisionType::kNoAction;
  SafetyClass safety_classification = SafetyClass::kSafe;
  bool requires_approval = false;
  std::string reasoning;  // at least 10 characters
  std::optional<ProposedAction> proposed_action;
  std::optional<AutonomyLevel> autonomy_level;
  Tags tags;

  Json toJson() const;
  static Result<Decision> fromJson(const Json& document);
};

// ---- action --------------------------------------------------------------------------------

enum class ActionState { kPending, kExecuting, kSucceeded, kFailed, kRolledBack };
std::string_view toString(ActionState state);
Result<ActionState> parseActionState(std::string_view text);

// An action to execute; it has passed every safety check before it is emitted. Its
// safety_classification is SAFE or RISKY, never UNKNOWN (fromJson rejects UNKNOWN).
struct Action {
  std::string action_id;
  WallTime timestamp;
  std::string source = "orion-brain";  // or "orion-approval-telegram"
  std::string decision_id;
  std::string action_type;  // restart_service, send_notification, ...
  SafetyClass safety_classification = SafetyClass::kSafe;
  ActionState state = ActionState::kPending;
  Json parameters = Json::object();
  std::optional<std::string> approval_id;  // the approval that authorised a RISKY action
  bool rollback_enabled = false;           // written explicitly, never left to the default
  bool dry_run = false;
  Tags tags;

  Json toJson() const;
  static Result<Action> fromJson(const Json& document);
};

// ---- outcome -------------------------------------------------------------------------------

enum class OutcomeStatus { kSucceeded, kFailed, kRolledBack };
std::string_view toString(OutcomeStatus status);
Result<OutcomeStatus> parseOutcomeStatus(std::string_view text);

struct OutcomeError {
  std::string code;
  std::string message;
  std::optional<Json> details;  // an object
};

// The result of executing one action. A failed outcome carries an error (the schema requires it).
struct Outcome {
  std::string outcome_id;
  WallTime timestamp;
  std::string source = "orion-commander";
  std::string action_id;
  OutcomeStatus status = OutcomeStatus::kSucceeded;
  int64_t execution_time_ms = 0;
  std::optional<Json> result;  // an object
  std::optional<OutcomeError> error;
  bool rollback_executed = false;
  Tags tags;

  Json toJson() const;
  static Result<Outcome> fromJson(const Json& document);
};

// ---- approval_request ----------------------------------------------------------------------

// The brain asks a human to approve a RISKY action. risk_level is SAFE or RISKY, never UNKNOWN.
struct ApprovalRequest {
  std::string approval_request_id;
  WallTime timestamp;
  std::string source = "orion-brain";
  std::string decision_id;
  std::string action_type;
  SafetyClass risk_level = SafetyClass::kRisky;
  ProposedAction requested_action;              // requested_action.{action_type, parameters}
  std::optional<std::string> requested_reason;  // requested_action.reasoning (>= 10 characters)
  WallTime expires_at;
  std::optional<std::string> incident_id;
  Tags tags;

  Json toJson() const;
  static Result<ApprovalRequest> fromJson(const Json& document);
};

// ---- approval_decision ---------------------------------------------------------------------

enum class ApprovalVerdict { kApprove, kDeny, kForce };
std::string_view toString(ApprovalVerdict verdict);
Result<ApprovalVerdict> parseApprovalVerdict(std::string_view text);

// An administrator's answer to an approval request; always time-limited.
struct ApprovalDecision {
  std::string approval_id;
  WallTime timestamp;
  std::string source = "orion-approval-cli";  // or "orion-approval-telegram"
  std::string approval_request_id;
  std::string decision_id;
  ApprovalVerdict decision = ApprovalVerdict::kDeny;
  std::string admin_identity;
  std::string reason;  // at least 1 character
  WallTime issued_at;
  WallTime expires_at;
  std::optional<std::string> action_id;
  bool override_circuit_breaker = false;  // only meaningful with kForce
  bool override_cooldown = false;         // only meaningful with kForce
  Tags tags;

  Json toJson() const;
  static Result<ApprovalDecision> fromJson(const Json& document);
};

// ---- deadletter ----------------------------------------------------------------------------

// A message the bus refused to deliver: the original document (or its raw text when it was not
// JSON), where it came from and why it was rejected.
struct Deadletter {
  std::string deadletter_id;
  WallTime timestamp;
  std::string source;         // the module that rejected it, e.g. "orion-bus"
  std::string stream;         // e.g. "orion:events"
  std::string contract_type;  // the type the message claimed, "" if unknown
  std::string reason;         // why it was rejected (validation failures, handler error)
  std::optional<Json> original_document;
  std::optional<std::string> original_raw;
  std::optional<std::string> original_entry_id;
  std::optional<std::string> consumer_group;
  int delivery_attempts = 0;

  Json toJson() const;
  static Result<Deadletter> fromJson(const Json& document);
};

}  // namespace orion::contracts
