#include "fixtures.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orion::contracts::testing {

namespace {

Json base(std::string_view id_field, std::string_view source) {
  return Json{{"version", "1.0"},
              {std::string(id_field), kUuidA},
              {"timestamp", kTime},
              {"source", source}};
}

}  // namespace

const std::vector<std::string>& allTypes() {
  static const std::vector<std::string> kTypes = {
      "action",          "approval",        "approval_decision", "approval_request",
      "autonomy_change", "control_request", "control_response",  "deadletter",
      "decision",        "edge.command",    "edge.health",       "edge.telemetry",
      "event",           "incident",        "outcome",           "validation"};
  return kTypes;
}

Json validDocument(std::string_view type) {
  if (type == "event") {
    Json doc = base("event_id", "orion-guardian");
    doc["event_type"] = "service_down";
    doc["severity"] = "error";
    doc["data"] = {{"service_name", "nginx"}};
    doc["tags"] = {{"host", "core-1"}};
    return doc;
  }
  if (type == "incident") {
    Json doc = base("incident_id", "orion-guardian");
    doc["incident_type"] = "service_outage";
    doc["severity"] = "high";
    doc["event_ids"] = {kUuidB};
    doc["correlation_window"] = {{"start", "2026-01-14T12:00:00Z"},
                                 {"end", "2026-01-14T12:01:00Z"}};
    doc["state"] = "open";
    return doc;
  }
  if (type == "decision") {
    Json doc = base("decision_id", "orion-brain");
    doc["incident_id"] = kUuidB;
    doc["decision_type"] = "NO_ACTION";
    doc["safety_classification"] = "SAFE";
    doc["requires_approval"] = false;
    doc["reasoning"] = "Autonomy level N0: observe only";
    return doc;
  }
  if (type == "action") {
    Json doc = base("action_id", "orion-brain");
    doc["decision_id"] = kUuidB;
    doc["action_type"] = "send_notification";
    doc["safety_classification"] = "SAFE";
    doc["state"] = "pending";
    doc["parameters"] = {{"message", "nginx is down"}};
    return doc;
  }
  if (type == "outcome") {
    Json doc = base("outcome_id", "orion-commander");
    doc["action_id"] = kUuidB;
    doc["status"] = "succeeded";
    doc["execution_time_ms"] = 1250;
    return doc;
  }
  if (type == "approval") {
    Json doc = base("approval_id", "orion-approval-telegram");
    doc["decision_id"] = kUuidB;
    doc["status"] = "approved";
    doc["approved_by"] = "user_12345";
    return doc;
  }
  if (type == "approval_request") {
    Json doc = base("approval_request_id", "orion-brain");
    doc["decision_id"] = kUuidB;
    doc["action_type"] = "restart_service";
    doc["risk_level"] = "RISKY";
    doc["requested_action"] = {{"action_type", "restart_service"},
                               {"parameters", {{"service_name", "nginx"}}}};
    doc["expires_at"] = "2026-01-14T12:05:00Z";
    return doc;
  }
  if (type == "autonomy_change") {
    Json doc = base("change_id", "orion-brain");
    doc["previous_level"] = "N0";
    doc["new_level"] = "N2";
    doc["configured_level"] = "N0";
    doc["changed_by"] = {{"uid", 1000},
                         {"user", "alice"},
                         {"pid", 4242},
                         {"description", "uid 1000 (alice), pid 4242"}};
    doc["channel"] = "control_socket";
    doc["reason"] = "containers restart themselves reliably now";
    return doc;
  }
  if (type == "control_request") {
    Json doc = base("request_id", "orion-cli");
    doc["op"] = "approvals.list";
    doc["args"] = Json::object();
    doc["expires_at"] = "2026-01-14T12:00:10Z";
    doc["sender"] = {{"user", "alice"}, {"host", "laptop"}, {"pid", 4242}};
    return doc;
  }
  if (type == "control_response") {
    Json doc = base("request_id", "orion-control");
    doc["node"] = "core-1";
    doc["ok"] = true;
    doc["result"] = {{"pending", Json::array()}};
    return doc;
  }
  if (type == "approval_decision") {
    Json doc = base("approval_id", "orion-approval-cli");
    doc["approval_request_id"] = kUuidB;
    doc["decision_id"] = kUuidC;
    doc["decision"] = "approve";
    doc["admin_identity"] = "alice";
    doc["reason"] = "planned maintenance";
    doc["issued_at"] = "2026-01-14T12:01:00Z";
    doc["expires_at"] = "2026-01-14T12:06:00Z";
    return doc;
  }
  if (type == "validation") {
    Json doc = base("validation_id", "orion-council");
    doc["decision_id"] = kUuidB;
    doc["result"] = "APPROVED";
    doc["confidence"] = 0.9;
    doc["critique"] = "Restarting a stateless service is safe.";
    doc["validators_used"] = {"local"};
    return doc;
  }
  if (type == "edge.command") {
    Json doc = base("command_id", "orion-brain");
    doc["command_type"] = "MOVE";
    doc["device_id"] = "hexapod-1";
    doc["parameters"] = {{"direction", "forward"}, {"speed", 0.5}, {"duration_ms", 1000}};
    doc["expires_at"] = "2026-01-14T12:00:30Z";
    return doc;
  }
  if (type == "edge.telemetry") {
    Json doc = base("telemetry_id", "orion-edge-hexapod-1");
    doc["device_id"] = "hexapod-1";
    doc["telemetry_type"] = "NETWORK";
    doc["value"] = {
        {"connected", true}, {"latency_ms", 12.5}, {"last_heartbeat", "2026-01-14T11:59:59Z"}};
    return doc;
  }
  if (type == "edge.health") {
    Json doc = base("health_id", "orion-edge-hexapod-1");
    doc["device_id"] = "hexapod-1";
    doc["state"] = "RUNNING";
    doc["uptime_seconds"] = 3600;
    doc["connection_status"] = {{"mqtt_connected", true},
                                {"redis_connected", false},
                                {"last_brain_contact", "2026-01-14T11:59:58Z"}};
    doc["safety_state"] = {{"dead_man_switch_active", false},
                           {"watchdog_remaining_ms", 4000},
                           {"in_safe_position", false}};
    doc["last_command_id"] = kUuidC;
    doc["errors"] = Json::array();
    return doc;
  }
  if (type == "deadletter") {
    Json doc = base("deadletter_id", "orion-bus");
    doc["stream"] = "orion:events";
    doc["contract_type"] = "event";
    doc["reason"] = "/event_id: required property is missing";
    doc["original_document"] = {{"version", "1.0"}};
    doc["original_entry_id"] = "1700000000000-0";
    doc["consumer_group"] = "guardian";
    doc["delivery_attempts"] = 3;
    return doc;
  }
  ADD_FAILURE() << "no fixture for contract type '" << type << "'";
  return Json::object();
}

}  // namespace orion::contracts::testing
