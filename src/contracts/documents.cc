#include "contracts/documents.h"

#include <utility>

#include "common/json_writer.h"
#include "common/time.h"
#include "contracts/document_fields.h"

namespace orion::contracts {

namespace {

using fields::EnumNames;
using fields::Reader;

constexpr EnumNames<EventSeverity, 4> kEventSeverities{"event severity",
                                                       {{{EventSeverity::kInfo, "info"},
                                                         {EventSeverity::kWarning, "warning"},
                                                         {EventSeverity::kError, "error"},
                                                         {EventSeverity::kCritical, "critical"}}}};

constexpr EnumNames<IncidentSeverity, 4> kIncidentSeverities{
    "incident severity",
    {{{IncidentSeverity::kLow, "low"},
      {IncidentSeverity::kMedium, "medium"},
      {IncidentSeverity::kHigh, "high"},
      {IncidentSeverity::kCritical, "critical"}}}};

constexpr EnumNames<IncidentState, 3> kIncidentStates{
    "incident state",
    {{{IncidentState::kOpen, "open"},
      {IncidentState::kAcknowledged, "acknowledged"},
      {IncidentState::kResolved, "resolved"}}}};

constexpr EnumNames<DecisionType, 4> kDecisionTypes{
    "decision type",
    {{{DecisionType::kNoAction, "NO_ACTION"},
      {DecisionType::kSuggestAction, "SUGGEST_ACTION"},
      {DecisionType::kExecuteSafeAction, "EXECUTE_SAFE_ACTION"},
      {DecisionType::kRequestApproval, "REQUEST_APPROVAL"}}}};

constexpr EnumNames<SafetyClass, 3> kSafetyClasses{"safety classification",
                                                   {{{SafetyClass::kSafe, "SAFE"},
                                                     {SafetyClass::kRisky, "RISKY"},
                                                     {SafetyClass::kUnknown, "UNKNOWN"}}}};

constexpr EnumNames<AutonomyLevel, 4> kAutonomyLevels{"autonomy level",
                                                      {{{AutonomyLevel::kN0, "N0"},
                                                        {AutonomyLevel::kN1, "N1"},
                                                        {AutonomyLevel::kN2, "N2"},
                                                        {AutonomyLevel::kN3, "N3"}}}};

}  // namespace

std::string_view toString(EventSeverity severity) { return kEventSeverities.name(severity); }
Result<EventSeverity> parseEventSeverity(std::string_view text) {
  return kEventSeverities.parse(text);
}

std::string_view toString(IncidentSeverity severity) { return kIncidentSeverities.name(severity); }
Result<IncidentSeverity> parseIncidentSeverity(std::string_view text) {
  return kIncidentSeverities.parse(text);
}

IncidentSeverity incidentSeverityFor(EventSeverity severity) {
  switch (severity) {
    case EventSeverity::kInfo:
      return IncidentSeverity::kLow;
    case EventSeverity::kWarning:
      return IncidentSeverity::kMedium;
    case EventSeverity::kError:
      return IncidentSeverity::kHigh;
    case EventSeverity::kCritical:
      return IncidentSeverity::kCritical;
  }
  return IncidentSeverity::kLow;
}

std::string_view toString(IncidentState state) { return kIncidentStates.name(state); }
Result<IncidentState> parseIncidentState(std::string_view text) {
  return kIncidentStates.parse(text);
}

std::string_view toString(DecisionType type) { return kDecisionTypes.name(type); }
Result<DecisionType> parseDecisionType(std::string_view text) { return kDecisionTypes.parse(text); }

std::string_view toString(SafetyClass safety) { return kSafetyClasses.name(safety); }
Result<SafetyClass> parseSafetyClass(std::string_view text) { return kSafetyClasses.parse(text); }

std::string_view toString(AutonomyLevel level) { return kAutonomyLevels.name(level); }
Result<AutonomyLevel> parseAutonomyLevel(std::string_view text) {
  return kAutonomyLevels.parse(text);
}

// ---- event ---------------------------------------------------------------------------------

Json Event::toJson() const {
  Json doc = fields::envelope();
  doc["event_id"] = event_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["event_type"] = event_type;
  doc["severity"] = toString(severity);
  doc["data"] = data.is_object() ? data : Json::object();
  fields::putTags(doc, tags);
  return doc;
}

Result<Event> Event::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  Event event;
  Reader reader;
  reader.read(fields::requiredString(document, "event_id"), event.event_id);
  reader.read(fields::requiredTime(document, "timestamp"), event.timestamp);
  reader.read(fields::requiredString(document, "source"), event.source);
  reader.read(fields::requiredString(document, "event_type"), event.event_type);
  reader.read(fields::requiredEnum<EventSeverity>(document, "severity", parseEventSeverity),
              event.severity);
  reader.read(fields::objectMember(document, "data", true), event.data);
  reader.read(fields::tags(document), event.tags);
  if (!reader.ok()) return reader.status();
  return event;
}

// ---- incident ------------------------------------------------------------------------------

Json Incident::toJson() const {
  Json doc = fields::envelope();
  doc["incident_id"] = incident_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["incident_type"] = incident_type;
  doc["severity"] = toString(severity);
  doc["event_ids"] = event_ids;
  doc["correlation_window"] = {{"start", formatRfc3339(window_start)},
                               {"end", formatRfc3339(window_end)}};
  doc["state"] = toString(state);
  if (description) doc["description"] = *description;
  fields::putTags(doc, tags);
  return doc;
}

void Incident::appendJsonText(std::string& out) const {
  // Members in key order, as dumpJson writes an object.
  JsonObjectWriter document(out);
  {
    JsonObjectWriter window(document.member("correlation_window"));
    window.string("end", formatRfc3339(window_end)).string("start", formatRfc3339(window_start));
  }
  if (description) document.string("description", *description);
  {
    JsonArrayWriter ids(document.member("event_ids"));
    for (const std::string& id : event_ids) ids.string(id);
  }
  document.string("incident_id", incident_id)
      .string("incident_type", incident_type)
      .string("severity", toString(severity))
      .string("source", source)
      .string("state", toString(state));
  if (!tags.empty()) appendTagsJson(document.member("tags"), tags);
  document.string("timestamp", formatRfc3339(timestamp)).string("version", kContractVersion);
}

Result<Incident> Incident::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  Incident incident;
  Reader reader;
  reader.read(fields::requiredString(document, "incident_id"), incident.incident_id);
  reader.read(fields::requiredTime(document, "timestamp"), incident.timestamp);
  reader.read(fields::requiredString(document, "source"), incident.source);
  reader.read(fields::requiredString(document, "incident_type"), incident.incident_type);
  reader.read(fields::requiredEnum<IncidentSeverity>(document, "severity", parseIncidentSeverity),
              incident.severity);
  reader.read(fields::stringArray(document, "event_ids"), incident.event_ids);
  Json window;
  reader.read(fields::objectMember(document, "correlation_window", true), window);
  if (reader.ok()) {
    Reader window_reader;
    window_reader.read(fields::requiredTime(window, "start"), incident.window_start);
    window_reader.read(fields::requiredTime(window, "end"), incident.window_end);
    reader.check(window_reader.status().withContext("field 'correlation_window'"));
  }
  reader.read(fields::requiredEnum<IncidentState>(document, "state", parseIncidentState),
              incident.state);
  reader.read(fields::optionalString(document, "description"), incident.description);
  reader.read(fields::tags(document), incident.tags);
  if (!reader.ok()) return reader.status();
  return incident;
}

// ---- decision ------------------------------------------------------------------------------

Json Decision::toJson() const {
  Json doc = fields::envelope();
  doc["decision_id"] = decision_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["incident_id"] = incident_id;
  doc["decision_type"] = toString(decision_type);
  doc["safety_classification"] = toString(safety_classification);
  doc["requires_approval"] = requires_approval;
  doc["reasoning"] = reasoning;
  if (proposed_action) {
    doc["proposed_action"] = {
        {"action_type", proposed_action->action_type},
        {"parameters",
         proposed_action->parameters.is_object() ? proposed_action->parameters : Json::object()}};
  }
  if (autonomy_level) doc["autonomy_level"] = toString(*autonomy_level);
  fields::putTags(doc, tags);
  return doc;
}

Result<Decision> Decision::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  Decision decision;
  Reader reader;
  reader.read(fields::requiredString(document, "decision_id"), decision.decision_id);
  reader.read(fields::requiredTime(document, "timestamp"), decision.timestamp);
  reader.read(fields::requiredString(document, "source"), decision.source);
  reader.read(fields::requiredString(document, "incident_id"), decision.incident_id);
  reader.read(fields::requiredEnum<DecisionType>(document, "decision_type", parseDecisionType),
              decision.decision_type);
  reader.read(
      fields::requiredEnum<SafetyClass>(document, "safety_classification", parseSafetyClass),
      decision.safety_classification);
  reader.read(fields::requiredBool(document, "requires_approval"), decision.requires_approval);
  reader.read(fields::requiredString(document, "reasoning"), decision.reasoning);
  if (reader.ok() && document.contains("proposed_action")) {
    Json proposed;
    reader.read(fields::objectMember(document, "proposed_action", true), proposed);
    if (reader.ok()) {
      ProposedAction action;
      Reader action_reader;
      action_reader.read(fields::requiredString(proposed, "action_type"), action.action_type);
      action_reader.read(fields::objectMember(proposed, "parameters", false), action.parameters);
      reader.check(action_reader.status().withContext("field 'proposed_action'"));
      decision.proposed_action = std::move(action);
    }
  }
  if (reader.ok() && document.contains("autonomy_level")) {
    AutonomyLevel level = AutonomyLevel::kN0;
    reader.read(fields::requiredEnum<AutonomyLevel>(document, "autonomy_level", parseAutonomyLevel),
                level);
    decision.autonomy_level = level;
  }
  reader.read(fields::tags(document), decision.tags);
  if (!reader.ok()) return reader.status();
  return decision;
}

// ---- deadletter ----------------------------------------------------------------------------

Json Deadletter::toJson() const {
  Json doc = fields::envelope();
  doc["deadletter_id"] = deadletter_id;
  doc["timestamp"] = formatRfc3339(timestamp);
  doc["source"] = source;
  doc["stream"] = stream;
  doc["contract_type"] = contract_type;
  doc["reason"] = reason;
  if (original_document) doc["original_document"] = *original_document;
  if (original_raw) doc["original_raw"] = *original_raw;
  if (original_entry_id) doc["original_entry_id"] = *original_entry_id;
  if (consumer_group) doc["consumer_group"] = *consumer_group;
  doc["delivery_attempts"] = delivery_attempts;
  return doc;
}

Result<Deadletter> Deadletter::fromJson(const Json& document) {
  ORION_RETURN_IF_ERROR(fields::checkEnvelope(document));
  Deadletter letter;
  Reader reader;
  reader.read(fields::requiredString(document, "deadletter_id"), letter.deadletter_id);
  reader.read(fields::requiredTime(document, "timestamp"), letter.timestamp);
  reader.read(fields::requiredString(document, "source"), letter.source);
  reader.read(fields::requiredString(document, "stream"), letter.stream);
  reader.read(fields::requiredString(document, "contract_type"), letter.contract_type);
  reader.read(fields::requiredString(document, "reason"), letter.reason);
  if (reader.ok() && document.contains("original_document")) {
    Json original;
    reader.read(fields::objectMember(document, "original_document", true), original);
    letter.original_document = std::move(original);
  }
  reader.read(fields::optionalString(document, "original_raw"), letter.original_raw);
  reader.read(fields::optionalString(document, "original_entry_id"), letter.original_entry_id);
  reader.read(fields::optionalString(document, "consumer_group"), letter.consumer_group);
  if (reader.ok() && document.contains("delivery_attempts")) {
    int64_t attempts = 0;
    reader.read(fields::requiredInteger(document, "delivery_attempts"), attempts);
    if (reader.ok() && (attempts < 0 || attempts > INT32_MAX)) {
      reader.check(invalidArgument("field 'delivery_attempts': expected an integer >= 0"));
    }
    letter.delivery_attempts = static_cast<int>(attempts);
  }
  if (reader.ok() && !letter.original_document && !letter.original_raw) {
    reader.check(invalidArgument(
        "field 'original_document': one of 'original_document' or 'original_raw' is required"));
  }
  if (!reader.ok()) return reader.status();
  return letter;
}

}  // namespace orion::contracts
