// One test pair per schema defect fixed (contracts/CHANGES.md): a document v1.0 already accepted
// is still accepted, and the new behaviour holds.
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

std::vector<ValidationFailure> check(std::string_view type, const Json& doc) {
  return embeddedRegistry()->check(type, doc);
}

::testing::AssertionResult valid(std::string_view type, const Json& doc) {
  const auto failures = check(type, doc);
  if (failures.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << doc.dump() << describe(failures);
}

::testing::AssertionResult failsAt(std::string_view type, const Json& doc,
                                   const std::string& pointer) {
  const auto failures = check(type, doc);
  if (hasFailureAt(failures, pointer)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "no failure at " << pointer << " for " << doc.dump() << describe(failures);
}

// ---- action types for containers (relaxation) --------------------------------------------------

TEST(ActionTypeFix, V1ActionTypesStayValid) {
  for (const char* type :
       {"restart_service", "scale_service", "send_notification", "acknowledge_incident",
        "run_diagnostic", "stop_edge_device", "restart_edge_device"}) {
    Json doc = validDocument("action");
    doc["action_type"] = type;
    EXPECT_TRUE(valid("action", doc)) << type;
  }
}

TEST(ActionTypeFix, ContainerActionsAreAcceptedAndOthersStillRejected) {
  for (const char* type : {"restart_container", "recreate_container", "prune_images"}) {
    Json doc = validDocument("action");
    doc["action_type"] = type;
    EXPECT_TRUE(valid("action", doc)) << type;
  }
  Json doc = validDocument("action");
  doc["action_type"] = "format_disk";
  EXPECT_TRUE(failsAt("action", doc, "/action_type"));
}

// ---- who authorises an action, who records an expiry (relaxations) ----------------------------

TEST(ApprovalSourceFix, V1SourcesStayValid) {
  for (const char* source : {"orion-brain", "orion-approval-telegram"}) {
    Json doc = validDocument("action");
    doc["source"] = source;
    EXPECT_TRUE(valid("action", doc)) << source;
  }
  for (const char* source : {"orion-approval-telegram", "orion-approval-cli"}) {
    Json doc = validDocument("approval_decision");
    doc["source"] = source;
    EXPECT_TRUE(valid("approval_decision", doc)) << source;
  }
}

TEST(ApprovalSourceFix, CliApprovedActionsAndCoordinatorExpiriesAreAccepted) {
  Json action = validDocument("action");
  action["source"] = "orion-approval-cli";
  EXPECT_TRUE(valid("action", action));
  action["source"] = "orion-commander";
  EXPECT_TRUE(failsAt("action", action, "/source"));
  Json answer = validDocument("approval_decision");
  answer["source"] = "orion-approval-coordinator";
  EXPECT_TRUE(valid("approval_decision", answer));
  answer["source"] = "orion-approval-anyone";
  EXPECT_TRUE(failsAt("approval_decision", answer, "/source"));
}

// ---- event source may contain digits (relaxation) ----------------------------------------------

TEST(EventSourceFix, V1SourcesStayValid) {
  for (const char* source : {"orion-guardian", "orion-watcher-system", "orion-edge-hexapod"}) {
    Json doc = validDocument("event");
    doc["source"] = source;
    EXPECT_TRUE(valid("event", doc));
  }
}

TEST(EventSourceFix, SourcesWithDigitsAreAccepted) {
  Json doc = validDocument("event");
  doc["source"] = "orion-edge-hexapod-1";
  EXPECT_TRUE(valid("event", doc));
}

TEST(EventSourceFix, OtherSourcesAreStillRejected) {
  for (const char* source :
       {"orion-", "Orion-guardian", "orion_guardian", "guardian", "orion-a b"}) {
    Json doc = validDocument("event");
    doc["source"] = source;
    EXPECT_TRUE(failsAt("event", doc, "/source"));
  }
}

// ---- edge.command: {} parameters, RESUME, parameters tied to command_type ------------------

Json command(const char* type, const Json* parameters) {
  Json doc = validDocument("edge.command");
  doc["command_type"] = type;
  doc.erase("parameters");
  if (parameters != nullptr) doc["parameters"] = *parameters;
  return doc;
}

TEST(EdgeCommandFix, V1CommandsStayValid) {
  const Json move = {{"direction", "left"}, {"speed", 1.0}};
  const Json stop = {{"reason", "operator request"}};
  const Json calibrate = {{"calibration_type", "imu"}};
  EXPECT_TRUE(valid("edge.command", command("MOVE", &move)));
  EXPECT_TRUE(valid("edge.command", command("STOP", &stop)));
  EXPECT_TRUE(valid("edge.command", command("STOP", nullptr)));
  EXPECT_TRUE(valid("edge.command", command("STATUS", nullptr)));
  EXPECT_TRUE(valid("edge.command", command("CALIBRATE", &calibrate)));
  EXPECT_TRUE(valid("edge.command", command("MOVE", nullptr)));
}

TEST(EdgeCommandFix, EmptyParametersAreAcceptedForStopAndStatus) {
  // v1.0 rejected these: {} matched both the STOP and the STATUS branch of a oneOf.
  const Json empty = Json::object();
  EXPECT_TRUE(valid("edge.command", command("STOP", &empty)));
  EXPECT_TRUE(valid("edge.command", command("STATUS", &empty)));
}

TEST(EdgeCommandFix, ResumeIsACommandType) {
  const Json empty = Json::object();
  const Json reason = {{"reason", "area clear"}};
  EXPECT_TRUE(valid("edge.command", command("RESUME", nullptr)));
  EXPECT_TRUE(valid("edge.command", command("RESUME", &empty)));
  EXPECT_TRUE(valid("edge.command", command("RESUME", &reason)));
  EXPECT_TRUE(failsAt("edge.command", command("JUMP", nullptr), "/command_type"));
}

TEST(EdgeCommandFix, ParametersMustMatchTheCommandType) {
  const Json stop = {{"reason", "x"}};
  const Json move = {{"direction", "left"}};
  const Json calibrate = {{"calibration_type", "full"}};
  // MOVE carrying STOP's parameters: `direction` is missing, `reason` is unknown.
  EXPECT_TRUE(failsAt("edge.command", command("MOVE", &stop), "/parameters/direction"));
  EXPECT_TRUE(failsAt("edge.command", command("MOVE", &stop), "/parameters/reason"));
  EXPECT_TRUE(failsAt("edge.command", command("STATUS", &stop), "/parameters/reason"));
  EXPECT_TRUE(failsAt("edge.command", command("STOP", &move), "/parameters/direction"));
  EXPECT_TRUE(failsAt("edge.command", command("CALIBRATE", &move), "/parameters/calibration_type"));
  EXPECT_TRUE(failsAt("edge.command", command("MOVE", &calibrate), "/parameters/direction"));
}

TEST(EdgeCommandFix, ParameterRangesStillApply) {
  const Json fast = {{"direction", "left"}, {"speed", 1.5}};
  const Json long_stop = {{"reason", std::string(256, 'x')}};
  EXPECT_TRUE(failsAt("edge.command", command("MOVE", &fast), "/parameters/speed"));
  EXPECT_TRUE(failsAt("edge.command", command("STOP", &long_stop), "/parameters/reason"));
}

TEST(EdgeCommandFix, SourceMayContainDigits) {
  Json doc = validDocument("edge.command");
  doc["source"] = "orion-brain-2";
  EXPECT_TRUE(valid("edge.command", doc));
}

// ---- edge.telemetry: value tied to telemetry_type -----------------------------------------

Json telemetry(const char* type, const Json& value) {
  Json doc = validDocument("edge.telemetry");
  doc["telemetry_type"] = type;
  doc["value"] = value;
  return doc;
}

const Json kPosition = {{"x", 1.0}, {"y", 2.0}, {"z", 0.1}, {"heading", 90}};
const Json kBattery = {{"level", 80}, {"voltage", 7.4}, {"charging", false}};

TEST(EdgeTelemetryFix, MatchingValuesStayValid) {
  EXPECT_TRUE(valid("edge.telemetry", telemetry("POSITION", kPosition)));
  EXPECT_TRUE(valid("edge.telemetry", telemetry("BATTERY", kBattery)));
  EXPECT_TRUE(
      valid("edge.telemetry", telemetry("TEMPERATURE", {{"cpu_temp", 51.5}, {"motor_temp", 40}})));
  EXPECT_TRUE(
      valid("edge.telemetry",
            telemetry("SERVO_STATUS", {{"servo_id", 17}, {"angle", -12.5}, {"load", 0.3}})));
  EXPECT_TRUE(valid("edge.telemetry", validDocument("edge.telemetry")));  // NETWORK
}

TEST(EdgeTelemetryFix, ValueOfAnotherTypeIsRejected) {
  EXPECT_TRUE(failsAt("edge.telemetry", telemetry("BATTERY", kPosition), "/value/level"));
  EXPECT_TRUE(failsAt("edge.telemetry", telemetry("POSITION", kBattery), "/value/x"));
}

TEST(EdgeTelemetryFix, FormatInsideTheTypedValueIsChecked) {
  Json doc = validDocument("edge.telemetry");
  doc["value"]["last_heartbeat"] = "2026-01-14T11:59:59";
  EXPECT_TRUE(failsAt("edge.telemetry", doc, "/value/last_heartbeat"));
}

TEST(EdgeTelemetryFix, RangesStillApply) {
  Json battery = kBattery;
  battery["level"] = 101;
  EXPECT_TRUE(failsAt("edge.telemetry", telemetry("BATTERY", battery), "/value/level"));
  Json servo = {{"servo_id", 18}, {"angle", 0}, {"load", 0}};
  EXPECT_TRUE(failsAt("edge.telemetry", telemetry("SERVO_STATUS", servo), "/value/servo_id"));
}

// ---- validation: ESCALATE_TO_ADMIN (relaxation) ----------------------------------------------

TEST(ValidationResultFix, V1ResultsStayValid) {
  for (const char* result : {"APPROVED", "BLOCKED"}) {
    Json doc = validDocument("validation");
    doc["result"] = result;
    EXPECT_TRUE(valid("validation", doc));
  }
}

TEST(ValidationResultFix, EscalateToAdminIsAccepted) {
  Json doc = validDocument("validation");
  doc["result"] = "ESCALATE_TO_ADMIN";
  doc["escalated_to_admin"] = true;
  EXPECT_TRUE(valid("validation", doc));
  doc["result"] = "MAYBE";
  EXPECT_TRUE(failsAt("validation", doc, "/result"));
}

// ---- outcome: error required when status is failed -----------------------------------------

TEST(OutcomeErrorFix, SucceededAndRolledBackWithoutErrorStayValid) {
  for (const char* status : {"succeeded", "rolled_back"}) {
    Json doc = validDocument("outcome");
    doc["status"] = status;
    EXPECT_TRUE(valid("outcome", doc));
  }
}

TEST(OutcomeErrorFix, FailedWithErrorStaysValid) {
  Json doc = validDocument("outcome");
  doc["status"] = "failed";
  doc["error"] = {{"code", "EXIT_1"}, {"message", "systemctl failed"}};
  EXPECT_TRUE(valid("outcome", doc));
}

TEST(OutcomeErrorFix, FailedWithoutErrorIsRejected) {
  Json doc = validDocument("outcome");
  doc["status"] = "failed";
  EXPECT_TRUE(failsAt("outcome", doc, "/error"));
}

// ---- edge.health: errors is never null (producer-side fix; the schema is unchanged) ----------

TEST(EdgeHealthErrorsFix, EmptyOrOmittedErrorsAreValid) {
  Json doc = validDocument("edge.health");
  EXPECT_TRUE(valid("edge.health", doc));
  doc["errors"] = {"imu drift"};
  EXPECT_TRUE(valid("edge.health", doc));
  doc.erase("errors");
  EXPECT_TRUE(valid("edge.health", doc));
}

TEST(EdgeHealthErrorsFix, NullErrorsAreRejected) {
  Json doc = validDocument("edge.health");
  doc["errors"] = nullptr;
  EXPECT_TRUE(failsAt("edge.health", doc, "/errors"));
}

// ---- deadletter (new contract) ---------------------------------------------------------------

TEST(Deadletter, RawTextAloneIsEnough) {
  Json doc = validDocument("deadletter");
  doc.erase("original_document");
  doc["original_raw"] = "{not json";
  EXPECT_TRUE(valid("deadletter", doc));
}

TEST(Deadletter, NeedsTheOriginalDocumentOrItsRawText) {
  Json doc = validDocument("deadletter");
  doc.erase("original_document");
  const auto failures = check("deadletter", doc);
  EXPECT_TRUE(hasFailureAt(failures, "/original_document")) << describe(failures);
  EXPECT_TRUE(hasFailureAt(failures, "/original_raw")) << describe(failures);
}

TEST(Deadletter, RejectsBadFields) {
  Json doc = validDocument("deadletter");
  doc["delivery_attempts"] = -1;
  EXPECT_TRUE(failsAt("deadletter", doc, "/delivery_attempts"));
  doc = validDocument("deadletter");
  doc["reason"] = "";
  EXPECT_TRUE(failsAt("deadletter", doc, "/reason"));
  doc = validDocument("deadletter");
  doc["source"] = "bus";
  EXPECT_TRUE(failsAt("deadletter", doc, "/source"));
  doc = validDocument("deadletter");
  doc["original_document"] = "text";
  EXPECT_TRUE(failsAt("deadletter", doc, "/original_document"));
}

}  // namespace
}  // namespace orion::contracts
