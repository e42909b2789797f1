#include "memory/audit_record.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "memory/chain_hasher.h"

namespace orion::memory {
namespace {

std::string line(uint64_t seq, std::string_view prev, const Json& document,
                 const ChainHasher& hasher, std::string_view type = "event") {
  std::string id = documentId(type, document);
  std::string rest = formatRecordRest("nas", type, id, "1768392000123-0", dumpJson(document));
  std::string out;
  int64_t micros = toMicros(*parseRfc3339("2026-01-14T12:00:00.123456Z"));
  appendRecordBody(out, seq, prev, micros, rest);
  appendRecordEnd(out, hasher.hash(out), hasher.keyed());
  return out;
}

TEST(ChainHasherTest, Sha256AndHmacMatchTheirStandardVectors) {
  ChainHasher plain;
  EXPECT_EQ(hexDigest(plain.hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexDigest(plain.hash2("a", "bc")), hexDigest(plain.hash("abc")));
  // RFC 4231 test cases 2 and 6 (a key longer than the block is hashed first).
  ChainHasher jefe(std::string("Jefe"));
  EXPECT_EQ(hexDigest(jefe.hash("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  ChainHasher long_key(std::string(131, '\xaa'));
  EXPECT_EQ(hexDigest(long_key.hash("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hexDigest(jefe.hash("x")), hexDigest(jefe.hash("x"))) << "contexts are reused";
}

TEST(AuditRecordTest, TheLineHasTheDocumentedLayoutAndParsesBack) {
  ChainHasher hasher;
  Json document = {{"version", "1.0"},
                   {"event_id", "7f0c5d1e-4a8b-4c2d-9e3f-0a1b2c3d4e5f"},
                   {"data", {{"text", "line\nbreak \"quoted\" ünïcödé"}, {"n", 1.5}}}};
  std::string text = line(42, kGenesisHash, document, hasher);
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "exactly one line";
  EXPECT_EQ(text.rfind("{\"seq\":42,\"prev\":\"" + std::string(kGenesisHash) +
                           "\",\"recorded_at\":\"2026-01-14T12:00:00.123456Z\",\"node\":\"nas\","
                           "\"type\":\"event\",\"id\":\"7f0c5d1e-4a8b-4c2d-9e3f-0a1b2c3d4e5f\","
                           "\"entry_id\":\"1768392000123-0\",\"document\":{",
                       0),
            0u)
      << text;
  std::string_view body = std::string_view(text).substr(0, text.size() - 1 - kRecordEndLength);
  EXPECT_EQ(text.substr(text.size() - 1 - kRecordEndLength, 9), ",\"hash\":\"");
  EXPECT_EQ(text.substr(text.size() - 67, 64), hexDigest(ChainHasher::sha256(body)))
      << "the hash is SHA-256 of the bytes before it";

  std::string_view stored = std::string_view(text).substr(0, text.size() - 1);
  Result<AuditRecord> record = parseRecord(stored);
  ASSERT_TRUE(record) << record.status().toString();
  EXPECT_EQ(record->seq, 42u);
  EXPECT_EQ(record->prev, kGenesisHash);
  EXPECT_EQ(record->recorded_at, "2026-01-14T12:00:00.123456Z");
  EXPECT_EQ(record->node, "nas");
  EXPECT_EQ(record->type, "event");
  EXPECT_EQ(record->id, "7f0c5d1e-4a8b-4c2d-9e3f-0a1b2c3d4e5f");
  EXPECT_EQ(record->entry_id, "1768392000123-0");
  EXPECT_EQ(record->document, document);
  EXPECT_FALSE(record->keyed);
  EXPECT_EQ(record->line, stored);

  Result<RecordView> view = viewRecord(stored);
  ASSERT_TRUE(view);
  EXPECT_TRUE(hashMatches(*view, hasher));
  EXPECT_FALSE(hashMatches(*view, ChainHasher(std::string("a key of sixteen bytes"))));
}

TEST(AuditRecordTest, AnyChangedByteBreaksTheHash) {
  ChainHasher hasher;
  std::string text = line(1, kGenesisHash, {{"event_id", "a"}, {"value", 91}}, hasher);
  text.pop_back();
  size_t at = text.find("91");
  text[at] = '8';
  Result<RecordView> view = viewRecord(text);
  ASSERT_TRUE(view) << "still well-formed";
  EXPECT_FALSE(hashMatches(*view, hasher));
}

TEST(AuditRecordTest, AKeyedRecordEndsInHmacAndNeedsTheKey) {
  ChainHasher keyed(std::string("0123456789abcdef0123"));
  std::string text = line(1, kGenesisHash, {{"event_id", "a"}}, keyed);
  text.pop_back();
  EXPECT_NE(text.find(",\"hmac\":\""), std::string::npos);
  Result<RecordView> view = viewRecord(text);
  ASSERT_TRUE(view);
  EXPECT_TRUE(view->keyed);
  EXPECT_TRUE(hashMatches(*view, keyed));
  EXPECT_FALSE(hashMatches(*view, ChainHasher())) << "SHA-256 alone cannot forge or check it";
  EXPECT_FALSE(hashMatches(*view, ChainHasher(std::string("another key of 16+ bytes"))));
}

TEST(AuditRecordTest, MalformedLinesAreDataLossSayingWhat) {
  ChainHasher hasher;
  std::string good = line(3, kGenesisHash, {{"event_id", "a"}}, hasher);
  good.pop_back();
  std::string bad_prev = good;
  bad_prev.replace(good.find("\"prev\":\"") + 8, 1, "X");
  std::string cut = good.substr(0, good.size() - 10);
  std::string no_doc = good;
  no_doc.replace(no_doc.find(",\"document\":{"), 13, ",\"document\":[");
  for (auto [text, what] :
       std::vector<std::pair<std::string, std::string>>{{"", "does not start"},
                                                        {"{\"seq\":0,", "'seq'"},
                                                        {"{\"seq\":01,", "'seq'"},
                                                        {bad_prev, "'prev'"},
                                                        {cut, "hash"},
                                                        {no_doc, "'document'"},
                                                        {"[1,2,3]", "does not start"}}) {
    Result<RecordView> view = viewRecord(text);
    ASSERT_FALSE(view) << text;
    EXPECT_EQ(view.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(view.status().message().find(what), std::string::npos)
        << view.status().message() << " for " << text;
  }
}

TEST(AuditRecordTest, RecordedAtIsAlwaysTwentySevenCharactersInUtc) {
  std::string out;
  appendRecordedAt(out, toMicros(*parseRfc3339("2026-01-14T23:59:59.000007+02:00")));
  EXPECT_EQ(out, "2026-01-14T21:59:59.000007Z");
  out.clear();
  appendRecordedAt(out, toMicros(*parseRfc3339("2026-01-15T00:00:00Z")));
  EXPECT_EQ(out, "2026-01-15T00:00:00.000000Z");
  EXPECT_EQ(out.size(), kRecordedAtLength);
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
  EXPECT_EQ(documentIdField("audit.repair"), "repair_id");
  EXPECT_EQ(documentIdField("mystery"), "");
}

TEST(AuditRecordTest, KeysUseTheDocumentIdAndContentElseTheEntryId) {
  EXPECT_EQ(recordKey("event", "abc", "1-0", "{}"), recordKey("event", "abc", "9-9", "{}"))
      << "a republished document is the same record";
  EXPECT_NE(recordKey("incident", "abc", "1-0", R"({"state":"open"})"),
            recordKey("incident", "abc", "1-0", R"({"state":"resolved"})"))
      << "a new version of a document is a new record";
  EXPECT_NE(recordKey("event", "abc", "1-0", "{}"), recordKey("incident", "abc", "1-0", "{}"))
      << "ids are per type";
  EXPECT_EQ(recordKey("mystery", "", "1-0", "{}"), recordKey("mystery", "", "1-0", "{\"x\":1}"));
  EXPECT_NE(recordKey("mystery", "", "1-0", "{}"), recordKey("mystery", "", "2-0", "{}"));
  EXPECT_EQ(documentId("event", {{"event_id", 7}}), "") << "a non-string id is no id";
}

// The record as the bus threads build it (the document written by appendJson) is the record
// formatted from the document's dumpJson() text.
TEST(AuditRecord, BuildRecordRestEqualsFormatRecordRestOfTheDump) {
  const Json documents[] = {
      Json::object(),
      {{"b", 1}, {"a", {"x", "y\n\"z\x01"}}, {"c", {{"d", nullptr}, {"e", 2.5}}}},
      {{"text", "caf\xc3\xa9 \xff broken"}, {"n", -7}, {"ok", true}},
  };
  for (const Json& document : documents) {
    for (std::string node : {"nas", "n\xc3\xa9od\"e"}) {
      RecordRest rest = buildRecordRest(node, "event", "id-\n1", "17-0", document);
      EXPECT_EQ(rest.text, formatRecordRest(node, "event", "id-\n1", "17-0", dumpJson(document)));
      EXPECT_EQ(rest.document(), dumpJson(document));
    }
  }
}

}  // namespace
}  // namespace orion::memory
