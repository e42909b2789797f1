// Typed views: toJson produces schema-valid documents, fromJson reads them back unchanged, and
// fromJson names the field on every kind of bad input.
#include "contracts/documents.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "contract_fixtures.h"
#include "contracts/registry.h"

namespace orion::contracts {
namespace {

using fixtures::at;
using fixtures::registry;

Event sampleEvent() {
  Event event;
  event.event_id = "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b";
  event.timestamp = at("2026-01-14T12:00:00.123456Z");
  event.source = "orion-watcher-host";
  event.event_type = "metric_threshold_exceeded";
  event.severity = EventSeverity::kWarning;
  event.data = {{"metric", "disk_percent"}, {"value", 91.5}, {"mount", "/"}};
  event.tags = {{"host", "core-1"}};
  return event;
}

Incident sampleIncident() {
  Incident incident;
  incident.incident_id = "5d41402a-bc4b-4a76-b971-9d911017c592";
  incident.timestamp = at("2026-01-14T12:00:01Z");
  incident.incident_type = "metric_anomaly";
  incident.severity = IncidentSeverity::kMedium;
  incident.event_ids = {"0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b"};
  incident.window_start = at("2026-01-14T12:00:00Z");
  incident.window_end = at("2026-01-14T12:01:00Z");
  incident.state = IncidentState::kAcknowledged;
  incident.description = "disk / above 90%";
  return incident;
}

Decision sampleDecision() {
  Decision decision;
  decision.decision_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  decision.timestamp = at("2026-01-14T12:00:02Z");
  decision.incident_id = "5d41402a-bc4b-4a76-b971-9d911017c592";
  decision.decision_type = DecisionType::kRequestApproval;
  decision.safety_classification = SafetyClass::kRisky;
  decision.requires_approval = true;
  decision.reasoning = "restart_service is RISKY at N3";
  decision.proposed_action = ProposedAction{"restart_service", {{"service_name", "nginx"}}};
  decision.autonomy_level = AutonomyLevel::kN3;
  decision.tags = {{"policy", "actions_risky"}};
  return decision;
}

Deadletter sampleDeadletter() {
  Deadletter letter;
  letter.deadletter_id = "9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d";
  letter.timestamp = at("2026-01-14T12:00:03Z");
  letter.source = "orion-bus";
  letter.stream = "orion:events";
  letter.contract_type = "event";
  letter.reason = "handler failed 3 times: database locked";
  letter.original_document = Json{{"version", "1.0"}};
  letter.original_entry_id = "1700000000000-0";
  letter.consumer_group = "guardian";
  letter.delivery_attempts = 3;
  return letter;
}

TEST(Documents, EventRoundTrip) {
  const Event event = sampleEvent();
  const Json doc = event.toJson();
  ASSERT_TRUE(registry().validate(type::kEvent, doc).isOk()) << doc.dump();
  auto back = Event::fromJson(doc);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->toJson(), doc);
  EXPECT_EQ(back->timestamp, event.timestamp);
  EXPECT_EQ(back->severity, EventSeverity::kWarning);
  EXPECT_EQ(back->data, event.data);
  EXPECT_EQ(back->tags, event.tags);
}

TEST(Documents, EventWithoutTagsOmitsThem) {
  Event event = sampleEvent();
  event.tags.clear();
  EXPECT_FALSE(event.toJson().contains("tags"));
  EXPECT_TRUE(registry().validate(type::kEvent, event.toJson()).isOk());
}

TEST(Documents, IncidentRoundTrip) {
  const Json doc = sampleIncident().toJson();
  ASSERT_TRUE(registry().validate(type::kIncident, doc).isOk()) << doc.dump();
  EXPECT_EQ(doc["source"], "orion-guardian");
  EXPECT_EQ(doc["correlation_window"]["end"], "2026-01-14T12:01:00.000000Z");
  auto back = Incident::fromJson(doc);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->toJson(), doc);
  EXPECT_EQ(back->window_start, at("2026-01-14T12:00:00Z"));
  EXPECT_EQ(back->description, "disk / above 90%");
}

// appendJsonText writes the incident without its Json tree; it must be the tree's text exactly.
TEST(Documents, IncidentTextIsTheDumpOfItsJson) {
  const std::string texts[] = {"",
                               "plain",
                               "quote \" and \\ and \n",
                               "caf\xc3\xa9 \xe2\x86\x92",
                               "broken \xff\xfe utf-8",
                               std::string("nul\0inside", 10)};
  for (size_t variant = 0; variant < 64; ++variant) {
    Incident incident;
    incident.incident_id = "3f6c1d2e-8a4b-4c5d-9e7f-0123456789ab";
    incident.timestamp = WallTime(std::chrono::microseconds(1765000000123456 + variant));
    incident.window_start = WallTime(std::chrono::microseconds(1764990000000000 - variant));
    incident.window_end = incident.timestamp;
    incident.incident_type = texts[variant % 6];
    incident.severity = static_cast<IncidentSeverity>(variant % 4);
    incident.state = variant % 2 == 0 ? IncidentState::kOpen : IncidentState::kResolved;
    if (variant % 3 != 0) incident.description = texts[(variant + 1) % 6];
    for (size_t i = 0; i < variant % 5; ++i) incident.event_ids.push_back(texts[(variant + i) % 6]);
    for (size_t i = 0; i < variant % 7; ++i) {
      incident.tags.insert_or_assign(texts[(variant + i) % 6] + std::to_string(i),
                                     texts[(variant + 2 * i) % 6]);
    }
    std::string text = "prefix";  // appends, never replaces
    incident.appendJsonText(text);
    ASSERT_EQ(text.substr(6), dumpJson(incident.toJson())) << "variant " << variant;
  }
}

TEST(Documents, DecisionRoundTrip) {
  const Json doc = sampleDecision().toJson();
  ASSERT_TRUE(registry().validate(type::kDecision, doc).isOk()) << doc.dump();
  auto back = Decision::fromJson(doc);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->toJson(), doc);
  ASSERT_TRUE(back->proposed_action.has_value());
  EXPECT_EQ(back->proposed_action->parameters["service_name"], "nginx");
  EXPECT_EQ(back->autonomy_level, AutonomyLevel::kN3);
}

TEST(Documents, NoActionDecisionOmitsOptionalFields) {
  Decision decision = sampleDecision();
  decision.decision_type = DecisionType::kNoAction;
  decision.proposed_action.reset();
  decision.autonomy_level.reset();
  decision.tags.clear();
  const Json doc = decision.toJson();
  EXPECT_FALSE(doc.contains("proposed_action"));
  EXPECT_FALSE(doc.contains("autonomy_level"));
  EXPECT_TRUE(registry().validate(type::kDecision, doc).isOk());
  auto back = Decision::fromJson(doc);
  ASSERT_TRUE(back.isOk());
  EXPECT_FALSE(back->proposed_action.has_value());
  EXPECT_FALSE(back->autonomy_level.has_value());
}

TEST(Documents, DeadletterRoundTrip) {
  const Json doc = sampleDeadletter().toJson();
  ASSERT_TRUE(registry().validate(type::kDeadletter, doc).isOk()) << doc.dump();
  auto back = Deadletter::fromJson(doc);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->toJson(), doc);
  EXPECT_EQ(back->delivery_attempts, 3);
}

TEST(Documents, DeadletterWithRawTextOnly) {
  Deadletter letter = sampleDeadletter();
  letter.original_document.reset();
  letter.original_raw = "{not json";
  letter.consumer_group.reset();
  const Json doc = letter.toJson();
  EXPECT_TRUE(registry().validate(type::kDeadletter, doc).isOk()) << doc.dump();
  EXPECT_FALSE(doc.contains("consumer_group"));
  auto back = Deadletter::fromJson(doc);
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(back->original_raw, "{not json");
}

// fromJson of `doc` fails with kInvalidArgument and a message containing `expected`.
void expectError(const Result<Event>& result, const std::string& expected) {
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(expected), std::string::npos)
      << result.status().message();
}

TEST(DocumentsFromJson, EachMissingEventFieldIsNamed) {
  for (const char* field :
       {"version", "event_id", "timestamp", "source", "event_type", "severity", "data"}) {
    Json doc = sampleEvent().toJson();
    doc.erase(field);
    expectError(Event::fromJson(doc), std::string("'") + field + "'");
  }
}

TEST(DocumentsFromJson, WrongTypesAndValuesAreNamed) {
  Json doc = sampleEvent().toJson();
  doc["severity"] = "fatal";
  expectError(Event::fromJson(doc), "field 'severity': unknown event severity 'fatal'");
  doc = sampleEvent().toJson();
  doc["event_id"] = 7;
  expectError(Event::fromJson(doc), "field 'event_id': expected a string");
  doc = sampleEvent().toJson();
  doc["timestamp"] = "2026-01-14T12:00:00";
  expectError(Event::fromJson(doc), "field 'timestamp': expected an RFC 3339 date-time");
  doc = sampleEvent().toJson();
  doc["data"] = Json::array();
  expectError(Event::fromJson(doc), "field 'data': expected an object");
  doc = sampleEvent().toJson();
  doc["tags"]["n"] = 1;
  expectError(Event::fromJson(doc), "field 'tags.n': expected a string");
  doc = sampleEvent().toJson();
  doc["version"] = "2.0";
  expectError(Event::fromJson(doc), "field 'version': expected \"1.0\"");
  expectError(Event::fromJson(Json::array()), "expected a JSON object");
}

TEST(DocumentsFromJson, NestedFieldsAreNamed) {
  Json incident = sampleIncident().toJson();
  incident["correlation_window"].erase("end");
  auto result = Incident::fromJson(incident);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().message(),
            "field 'correlation_window': field 'end': required field is missing");

  incident = sampleIncident().toJson();
  incident["event_ids"] = {"a", 2};
  result = Incident::fromJson(incident);
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("event_ids[1]"), std::string::npos);

  Json decision = sampleDecision().toJson();
  decision["proposed_action"].erase("action_type");
  auto decided = Decision::fromJson(decision);
  ASSERT_FALSE(decided.isOk());
  EXPECT_NE(decided.status().message().find("proposed_action': field 'action_type'"),
            std::string::npos)
      << decided.status().message();

  decision = sampleDecision().toJson();
  decision["autonomy_level"] = "N9";
  decided = Decision::fromJson(decision);
  ASSERT_FALSE(decided.isOk());
  EXPECT_NE(decided.status().message().find("autonomy_level"), std::string::npos);

  decision = sampleDecision().toJson();
  decision["requires_approval"] = "yes";
  EXPECT_FALSE(Decision::fromJson(decision).isOk());
}

TEST(DocumentsFromJson, DeadletterNeedsAnOriginal) {
  Json doc = sampleDeadletter().toJson();
  doc.erase("original_document");
  auto result = Deadletter::fromJson(doc);
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("original_raw"), std::string::npos);

  doc = sampleDeadletter().toJson();
  doc["delivery_attempts"] = -2;
  EXPECT_FALSE(Deadletter::fromJson(doc).isOk());
  doc["delivery_attempts"] = 1.5;
  EXPECT_FALSE(Deadletter::fromJson(doc).isOk());
}

TEST(Enums, RoundTripEveryValue) {
  for (auto value : {EventSeverity::kInfo, EventSeverity::kWarning, EventSeverity::kError,
                     EventSeverity::kCritical}) {
    EXPECT_EQ(*parseEventSeverity(toString(value)), value);
  }
  for (auto value : {IncidentSeverity::kLow, IncidentSeverity::kMedium, IncidentSeverity::kHigh,
                     IncidentSeverity::kCritical}) {
    EXPECT_EQ(*parseIncidentSeverity(toString(value)), value);
  }
  for (auto value :
       {IncidentState::kOpen, IncidentState::kAcknowledged, IncidentState::kResolved}) {
    EXPECT_EQ(*parseIncidentState(toString(value)), value);
  }
  for (auto value : {DecisionType::kNoAction, DecisionType::kSuggestAction,
                     DecisionType::kExecuteSafeAction, DecisionType::kRequestApproval}) {
    EXPECT_EQ(*parseDecisionType(toString(value)), value);
  }
  for (auto value : {SafetyClass::kSafe, SafetyClass::kRisky, SafetyClass::kUnknown}) {
    EXPECT_EQ(*parseSafetyClass(toString(value)), value);
  }
  for (auto value :
       {AutonomyLevel::kN0, AutonomyLevel::kN1, AutonomyLevel::kN2, AutonomyLevel::kN3}) {
    EXPECT_EQ(*parseAutonomyLevel(toString(value)), value);
  }
  EXPECT_EQ(toString(DecisionType::kExecuteSafeAction), "EXECUTE_SAFE_ACTION");
  EXPECT_EQ(toString(EventSeverity::kCritical), "critical");
}

TEST(Enums, ParseIsExactAndListsChoices) {
  auto parsed = parseEventSeverity("Warning");
  ASSERT_FALSE(parsed.isOk());
  EXPECT_EQ(parsed.status().message(),
            "unknown event severity 'Warning' (expected one of: info, warning, error, critical)");
  EXPECT_FALSE(parseDecisionType("no_action").isOk());
  EXPECT_FALSE(parseAutonomyLevel("").isOk());
}

TEST(Enums, IncidentSeverityNeverExceedsTheEvent) {
  EXPECT_EQ(incidentSeverityFor(EventSeverity::kInfo), IncidentSeverity::kLow);
  EXPECT_EQ(incidentSeverityFor(EventSeverity::kWarning), IncidentSeverity::kMedium);
  EXPECT_EQ(incidentSeverityFor(EventSeverity::kError), IncidentSeverity::kHigh);
  EXPECT_EQ(incidentSeverityFor(EventSeverity::kCritical), IncidentSeverity::kCritical);
}

}  // namespace
}  // namespace orion::contracts
