// Typed views of action, outcome, approval_request and approval_decision: schema-valid output,
// lossless round trips, and field-naming errors.
#include <gtest/gtest.h>

#include "common/time.h"
#include "contract_fixtures.h"
#include "contracts/documents.h"
#include "contracts/registry.h"

namespace orion::contracts {
namespace {

using fixtures::at;
using fixtures::registry;

Action sampleAction() {
  Action action;
  action.action_id = "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b";
  action.timestamp = at("2026-01-14T12:00:00Z");
  action.decision_id = "5d41402a-bc4b-4a76-b971-9d911017c592";
  action.action_type = "restart_service";
  action.safety_classification = SafetyClass::kRisky;
  action.state = ActionState::kExecuting;
  action.parameters = {{"service_name", "nginx"}};
  action.approval_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  action.dry_run = true;
  return action;
}

Outcome sampleOutcome() {
  Outcome outcome;
  outcome.outcome_id = "9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d";
  outcome.timestamp = at("2026-01-14T12:00:05Z");
  outcome.action_id = "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b";
  outcome.status = OutcomeStatus::kFailed;
  outcome.execution_time_ms = 1250;
  outcome.error = OutcomeError{"EXIT_1", "systemctl restart failed", Json{{"exit_code", 1}}};
  outcome.tags = {{"executor", "systemd"}};
  return outcome;
}

ApprovalRequest sampleRequest() {
  ApprovalRequest request;
  request.approval_request_id = "5d41402a-bc4b-4a76-b971-9d911017c592";
  request.timestamp = at("2026-01-14T12:00:00Z");
  request.decision_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  request.action_type = "restart_service";
  request.requested_action = {"restart_service", {{"service_name", "nginx"}}};
  request.requested_reason = "nginx down for 2 minutes";
  request.expires_at = at("2026-01-14T12:05:00Z");
  request.incident_id = "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b";
  return request;
}

ApprovalDecision sampleAnswer() {
  ApprovalDecision answer;
  answer.approval_id = "9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d";
  answer.timestamp = at("2026-01-14T12:01:00Z");
  answer.approval_request_id = "5d41402a-bc4b-4a76-b971-9d911017c592";
  answer.decision_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  answer.decision = ApprovalVerdict::kForce;
  answer.admin_identity = "alice";
  answer.reason = "maintenance window";
  answer.issued_at = at("2026-01-14T12:01:00Z");
  answer.expires_at = at("2026-01-14T12:06:00Z");
  answer.override_cooldown = true;
  return answer;
}

template <typename View>
void expectRoundTrip(const View& view, std::string_view type) {
  const Json doc = view.toJson();
  ASSERT_TRUE(registry().validate(type, doc).isOk())
      << registry().validate(type, doc).message() << "\n"
      << doc.dump();
  auto back = View::fromJson(doc);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back->toJson(), doc);
}

TEST(ActionDocuments, RoundTrips) {
  expectRoundTrip(sampleAction(), type::kAction);
  expectRoundTrip(sampleOutcome(), type::kOutcome);
  expectRoundTrip(sampleRequest(), type::kApprovalRequest);
  expectRoundTrip(sampleAnswer(), type::kApprovalDecision);

  Outcome succeeded = sampleOutcome();
  succeeded.status = OutcomeStatus::kSucceeded;
  succeeded.error.reset();
  succeeded.result = Json{{"restarted", true}};
  expectRoundTrip(succeeded, type::kOutcome);
}

TEST(ActionDocuments, FlagsAreWrittenExplicitlyAndDefaultToFalse) {
  Json doc = sampleAction().toJson();
  EXPECT_EQ(doc["rollback_enabled"], false);
  EXPECT_EQ(doc["dry_run"], true);
  doc.erase("dry_run");
  auto back = Action::fromJson(doc);
  ASSERT_TRUE(back.isOk());
  EXPECT_FALSE(back->dry_run);
}

TEST(ActionDocuments, UnknownSafetyIsRejected) {
  Json doc = sampleAction().toJson();
  doc["safety_classification"] = "UNKNOWN";
  auto action = Action::fromJson(doc);
  ASSERT_FALSE(action.isOk());
  EXPECT_NE(action.status().message().find("safety_classification"), std::string::npos);

  doc = sampleRequest().toJson();
  doc["risk_level"] = "UNKNOWN";
  EXPECT_FALSE(ApprovalRequest::fromJson(doc).isOk());
}

TEST(ActionDocuments, FailedOutcomeNeedsAnError) {
  Json doc = sampleOutcome().toJson();
  doc.erase("error");
  auto outcome = Outcome::fromJson(doc);
  ASSERT_FALSE(outcome.isOk());
  EXPECT_EQ(outcome.status().message(), "field 'error': required when status is failed");

  doc = sampleOutcome().toJson();
  doc["error"].erase("code");
  outcome = Outcome::fromJson(doc);
  ASSERT_FALSE(outcome.isOk());
  EXPECT_EQ(outcome.status().message(), "field 'error': field 'code': required field is missing");

  doc = sampleOutcome().toJson();
  doc["execution_time_ms"] = -5;
  EXPECT_FALSE(Outcome::fromJson(doc).isOk());
}

TEST(ActionDocuments, MissingFieldsAreNamed) {
  Json request = sampleRequest().toJson();
  request["requested_action"].erase("parameters");
  auto parsed = ApprovalRequest::fromJson(request);
  ASSERT_FALSE(parsed.isOk());
  EXPECT_EQ(parsed.status().message(),
            "field 'requested_action': field 'parameters': required field is missing");

  Json answer = sampleAnswer().toJson();
  answer["decision"] = "maybe";
  auto decided = ApprovalDecision::fromJson(answer);
  ASSERT_FALSE(decided.isOk());
  EXPECT_NE(decided.status().message().find("field 'decision': unknown approval decision 'maybe'"),
            std::string::npos);

  answer = sampleAnswer().toJson();
  answer.erase("expires_at");
  decided = ApprovalDecision::fromJson(answer);
  ASSERT_FALSE(decided.isOk());
  EXPECT_NE(decided.status().message().find("'expires_at'"), std::string::npos);
}

TEST(ActionDocuments, EnumsRoundTrip) {
  for (auto state : {ActionState::kPending, ActionState::kExecuting, ActionState::kSucceeded,
                     ActionState::kFailed, ActionState::kRolledBack}) {
    EXPECT_EQ(*parseActionState(toString(state)), state);
  }
  for (auto status :
       {OutcomeStatus::kSucceeded, OutcomeStatus::kFailed, OutcomeStatus::kRolledBack}) {
    EXPECT_EQ(*parseOutcomeStatus(toString(status)), status);
  }
  for (auto verdict :
       {ApprovalVerdict::kApprove, ApprovalVerdict::kDeny, ApprovalVerdict::kForce}) {
    EXPECT_EQ(*parseApprovalVerdict(toString(verdict)), verdict);
  }
  EXPECT_EQ(toString(ActionState::kRolledBack), "rolled_back");
  EXPECT_FALSE(parseApprovalVerdict("APPROVE").isOk());
}

}  // namespace
}  // namespace orion::contracts
