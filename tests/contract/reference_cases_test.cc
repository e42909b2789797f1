// The original's contract test cases (reference §8.1), carried over: each rule its test suite
// asserted still holds here.
#include <gtest/gtest.h>

#include "contracts/registry.h"
#include "fixtures.h"
#include "test_support.h"

namespace orion::contracts {
namespace {

using testing::describe;
using testing::embeddedRegistry;
using testing::hasFailureAt;
using testing::validDocument;

// Sets `field` of a valid `type` document to `value` and expects a failure at "/field".
void expectRejected(std::string_view type, const std::string& field, const Json& value) {
  Json doc = validDocument(type);
  doc[field] = value;
  const auto failures = embeddedRegistry()->check(type, doc);
  EXPECT_TRUE(hasFailureAt(failures, "/" + field))
      << type << "." << field << " = " << value.dump() << describe(failures);
}

TEST(ReferenceCases, IncidentSourceMustBeGuardian) {
  expectRejected("incident", "source", "orion-brain");
}

TEST(ReferenceCases, IncidentNeedsAtLeastOneEvent) {
  expectRejected("incident", "event_ids", Json::array());
}

TEST(ReferenceCases, DecisionSourceMustBeBrain) {
  expectRejected("decision", "source", "orion-guardian");
}

TEST(ReferenceCases, DecisionReasoningOfNineCharactersIsTooShort) {
  expectRejected("decision", "reasoning", "Too short");
  Json doc = validDocument("decision");
  doc["reasoning"] = "Just right";  // 10 characters
  EXPECT_TRUE(embeddedRegistry()->check("decision", doc).empty());
}

TEST(ReferenceCases, ActionClassificationUnknownIsRejected) {
  expectRejected("action", "safety_classification", "UNKNOWN");
}

TEST(ReferenceCases, DeprecatedApprovalSourceMustBeTelegram) {
  expectRejected("approval", "source", "orion-approval-cli");
}

TEST(ReferenceCases, OutcomeSourceMustBeCommander) {
  expectRejected("outcome", "source", "orion-brain");
}

TEST(ReferenceCases, OutcomeExecutionTimeCannotBeNegative) {
  expectRejected("outcome", "execution_time_ms", -1);
  expectRejected("outcome", "execution_time_ms", 1.5);
}

TEST(ReferenceCases, OutcomeUnknownFieldIsRejected) {
  Json doc = validDocument("outcome");
  doc["surprise"] = true;
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("outcome", doc), "/surprise"));
}

TEST(ReferenceCases, EventEnumsAreEnforced) {
  expectRejected("event", "severity", "fatal");
  expectRejected("event", "event_type", "disk_full");
}

TEST(ReferenceCases, EnumFailureListsTheAllowedValues) {
  Json doc = validDocument("event");
  doc["severity"] = "fatal";
  const auto failures = embeddedRegistry()->check("event", doc);
  ASSERT_EQ(failures.size(), 1u) << describe(failures);
  EXPECT_EQ(failures[0].message, R"(must be one of: "info", "warning", "error", "critical")");
}

TEST(ReferenceCases, ValidIncidentAndDecisionAreAccepted) {
  EXPECT_TRUE(embeddedRegistry()->validate("incident", validDocument("incident")).isOk());
  EXPECT_TRUE(embeddedRegistry()->validate("decision", validDocument("decision")).isOk());
}

TEST(ReferenceCases, ValidDocumentUnderTheWrongTypeIsRejected) {
  EXPECT_FALSE(embeddedRegistry()->validate("incident", validDocument("event")).isOk());
}

TEST(ReferenceCases, UnknownContractTypeIsNamed) {
  const Status status = embeddedRegistry()->validate("evnt", validDocument("event"));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "unknown contract type 'evnt'");

  const auto failures = embeddedRegistry()->check("evnt", validDocument("event"));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].pointer, "");
  EXPECT_NE(failures[0].message.find("unknown contract type 'evnt'"), std::string::npos);
  EXPECT_NE(failures[0].message.find("event"), std::string::npos) << "lists the known types";
}

TEST(ReferenceCases, TagsMustBeStrings) {
  Json doc = validDocument("event");
  doc["tags"]["count"] = 3;
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("event", doc), "/tags/count"));
}

}  // namespace
}  // namespace orion::contracts
