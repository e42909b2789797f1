#include "memory/audit_record.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace orion::memory {
namespace {

TEST(AuditRecordTest, FormatsOneLineThatParsesBack) {
  Json document = {{"version", "1.0"},
                   {"event_id", "7f0c5d1e-4a8b-4c2d-9e3f-0a1b2c3d4e5f"},
                   {"data", {{"text", "line\nbreak \"quoted\" ünïcödé"}, {"n", 1.5}}}};
  WallTime at = *parseRfc3339("2026-01-14T12:00:00.123456Z");
  std::string line = formatRecord(42, at, "event", "1768392000123-0", dumpJson(document));
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  EXPECT_EQ(line.rfind("{\"seq\":42,\"recorded_at\":\"2026-01-14T12:00:00.123456Z\","
                       "\"type\":\"event\",\"entry_id\":\"1768392000123-0\",\"document\":{",
                       0),
            0u)
      << line;

  Result<AuditRecord> record = parseRecord(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(record) << record.status().toString();
  EXPECT_EQ(record->seq, 42u);
  EXPECT_EQ(record->recorded_at, "2026-01-14T12:00:00.123456Z");
  EXPECT_EQ(record->type, "event");
  EXPECT_EQ(record->entry_id, "1768392000123-0");
  EXPECT_EQ(record->document, document);
}

TEST(AuditRecordTest, UnreadableLinesAreDataLoss) {
  for (std::string_view line :
       {"", "{", "[]",
        "{\"seq\":0,\"recorded_at\":\"t\",\"type\":\"e\",\"entry_id\":\"1\",\"document\":{}}",
        "{\"seq\":-1,\"recorded_at\":\"t\",\"type\":\"e\",\"entry_id\":\"1\",\"document\":{}}",
        "{\"seq\":1,\"type\":\"e\",\"entry_id\":\"1\",\"document\":{}}",
        "{\"seq\":1,\"recorded_at\":\"t\",\"type\":\"e\",\"entry_id\":\"1\",\"document\":[]}"}) {
    Result<AuditRecord> record = parseRecord(line);
    ASSERT_FALSE(record) << line;
    EXPECT_EQ(record.status().code(), StatusCode::kDataLoss) << line;
  }
}

TEST(AuditRecordTest, EveryContractTypeHasItsIdField) {
  EXPECT_EQ(documentIdField("event"), "event_id");
  EXPECT_EQ(documentIdField("incident"), "incident_id");
  EXPECT_EQ(documentIdField("decision"), "decision_id");
  EXPECT_EQ(documentIdField("action"), "action_id");
  EXPECT_EQ(documentIdField("outcome"), "outcome_id");
  EXPECT_EQ(documentIdField("approval_request"), "approval_request_id");
  EXPECT_EQ(documentIdField("approval_decision"), "approval_id");
  EXPECT_EQ(documentIdField("approval"), "approval_id");
  EXPECT_EQ(documentIdField("validation"), "validation_id");
  EXPECT_EQ(documentIdField("edge.command"), "command_id");
  EXPECT_EQ(documentIdField("edge.telemetry"), "telemetry_id");
  EXPECT_EQ(documentIdField("edge.health"), "health_id");
  EXPECT_EQ(documentIdField("deadletter"), "deadletter_id");
  EXPECT_EQ(documentIdField("mystery"), "");
}

TEST(AuditRecordTest, KeysUseTheDocumentIdElseTheEntryId) {
  Json event = {{"event_id", "abc"}};
  EXPECT_EQ(recordKey("event", "1-0", event), recordKey("event", "9-9", event))
      << "a republished document is the same record";
  EXPECT_NE(recordKey("event", "1-0", event),
            recordKey("incident", "1-0", {{"incident_id", "abc"}}))
      << "ids are per type";
  EXPECT_EQ(recordKey("mystery", "1-0", event), recordKey("mystery", "1-0", Json::object()));
  EXPECT_NE(recordKey("mystery", "1-0", event), recordKey("mystery", "2-0", event));
  EXPECT_NE(recordKey("event", "1-0", {{"event_id", 7}}),
            recordKey("event", "2-0", {{"event_id", 7}}))
      << "a non-string id falls back to the entry id";
}

}  // namespace
}  // namespace orion::memory
