// Table-driven golden decisions: tests/golden/brain_decisions.yaml lists incident + autonomy +
// policy + prior safety state + time, and the decision the brain must make (type, action,
// parameters, gate verdicts and numbers, reasoning). Every gate and every level appears.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "brain/brain_core.h"
#include "common/time.h"
#include "core_fixture.h"

namespace orion::brain {
namespace {

using namespace std::chrono_literals;

constexpr const char* kGoldenFile = ORION_SOURCE_DIR "/tests/golden/brain_decisions.yaml";
constexpr const char* kShipped = ORION_SOURCE_DIR "/policies";

std::string where(const YAML::Node& node) {
  return "brain_decisions.yaml:" + std::to_string(node.Mark().line + 1);
}

Duration durationOf(const YAML::Node& node) {
  auto parsed = parseDuration(node.as<std::string>());
  EXPECT_TRUE(parsed.isOk()) << where(node) << ": " << parsed.status().message();
  return parsed.valueOr(Duration::zero());
}

Json jsonOf(const YAML::Node& node) {
  if (node.IsMap()) {
    Json out = Json::object();
    for (const auto& entry : node) out[entry.first.as<std::string>()] = jsonOf(entry.second);
    return out;
  }
  if (node.IsSequence()) {
    Json out = Json::array();
    for (const auto& item : node) out.push_back(jsonOf(item));
    return out;
  }
  return node.IsNull() ? Json(nullptr) : Json(node.as<std::string>());
}

contracts::Incident incidentOf(const YAML::Node& spec, WallTime now) {
  testing::IncidentSpec incident;
  incident.type = spec["type"].as<std::string>();
  incident.severity = *contracts::parseIncidentSeverity(spec["severity"].as<std::string>());
  if (spec["state"])
    incident.state = *contracts::parseIncidentState(spec["state"].as<std::string>());
  incident.node = spec["node"] ? spec["node"].as<std::string>() : "nas";
  incident.description = spec["description"] ? spec["description"].as<std::string>() : "";
  if (spec["container"]) {
    std::string name = spec["container"].as<std::string>();
    incident.tags = {{"service_name", name},
                     {"container_id", "c0ffee-" + name},
                     {"target", name},
                     {"event_type", "service_down"}};
    if (incident.description.empty()) incident.description = "service " + name + " is down";
  }
  if (spec["disk"]) {
    std::string mount = spec["disk"].as<std::string>();
    incident.tags = {{"metric", "disk_used_percent"},
                     {"resource", mount},
                     {"resource_type", "disk"},
                     {"target", mount}};
    if (incident.description.empty()) {
      incident.description = "disk_used_percent of " + mount + " is 97% (critical threshold 95%)";
    }
  }
  if (spec["tags"]) {
    for (const auto& entry : spec["tags"]) {
      incident.tags[entry.first.as<std::string>()] = entry.second.as<std::string>();
    }
  }
  return testing::makeIncident(incident, now, "11111111-1111-4111-8111-111111111111");
}

// Builds the prior SafetyState the case describes, through the state's own mutators.
void applyState(const YAML::Node& steps, const contracts::Incident& incident,
                const policy::Policy& policy, SafetyState& state, WallTime now) {
  int counter = 0;
  for (const YAML::Node& step : steps) {
    if (step["decided"]) {
      TrackedIncident& tracked = state.track(incident, now);
      tracked.last_actionable = now - durationOf(step["decided"]["ago"]);
      continue;
    }
    bool running = static_cast<bool>(step["running"]);
    const YAML::Node spec = running ? step["running"] : step["executed"];
    ASSERT_TRUE(spec.IsMap()) << where(step) << ": expected executed, running or decided";
    std::string action = spec["action"].as<std::string>();
    Json parameters = jsonOf(spec["parameters"]);
    int repeat = spec["repeat"] ? spec["repeat"].as<int>() : 1;
    Duration spacing = spec["spacing"] ? durationOf(spec["spacing"]) : Duration(1s);
    Duration ago = durationOf(spec["ago"]);
    for (int i = repeat - 1; i >= 0; --i) {
      WallTime at = now - ago - spacing * i;
      std::string id = testing::countedUuid(++counter + 1000);
      std::string decision_id = testing::countedUuid(counter + 2000);
      if (spec["rule"]) {
        state.recordDecision(DecisionRecord{decision_id, "", spec["rule"].as<std::string>(),
                                            spec["target"].as<std::string>(), action, 0,
                                            contracts::DecisionType::kExecuteSafeAction, at});
      }
      InFlight started{id,
                       decision_id,
                       action,
                       cooldownKeyOf(action, policy.cooldownKey(action, parameters)),
                       policy.targetOf(action, parameters),
                       !(spec["approved"] && spec["approved"].as<bool>()),
                       at};
      state.startAction(started, policy);
      if (running) continue;
      auto status = spec["status"].as<std::string>() == "failed"
                        ? contracts::OutcomeStatus::kFailed
                        : contracts::OutcomeStatus::kSucceeded;
      state.finishAction(id, status, true, at, policy);
    }
  }
}

policy::PolicyPtr policyFor(const YAML::Node& node, const testing::TempDir& dir) {
  if (!node) {
    auto shipped = policy::Policy::load(kShipped);
    EXPECT_TRUE(shipped.isOk()) << shipped.status().message();
    return *shipped;
  }
  // Copy the shipped directory, then replace what the case gives.
  std::filesystem::copy(kShipped, dir.path() / "policies");
  if (node.IsScalar() && node.as<std::string>() == "invalid") {
    dir.write("policies/rules.yaml", "version: \"1.0\"\nrules: {not: a list}\n");
    auto loaded = policy::Policy::load(dir.path() / "policies");
    EXPECT_FALSE(loaded.isOk());
    return policy::Policy::failClosed(loaded.status().message());
  }
  for (const auto& file : node) {
    dir.write("policies/" + file.first.as<std::string>(), file.second.as<std::string>());
  }
  auto loaded = policy::Policy::load(dir.path() / "policies");
  EXPECT_TRUE(loaded.isOk()) << where(node) << ": " << loaded.status().message();
  return loaded.isOk() ? *loaded : policy::Policy::failClosed("case policy did not load");
}

void checkCase(const YAML::Node& c) {
  SCOPED_TRACE(where(c) + " '" + c["name"].as<std::string>() + "'");
  testing::TempDir dir;
  policy::PolicyPtr policy = policyFor(c["policy"], dir);
  SimulatedClock clock;  // 2026-01-01T00:00:00Z
  WallTime now = clock.now();
  auto level = contracts::parseAutonomyLevel(c["autonomy"].as<std::string>());
  ASSERT_TRUE(level.isOk());
  BrainCoreOptions options;
  options.configured = *level;
  uint64_t ids = 0;
  BrainCore core(options, [&ids] { return testing::countedUuid(++ids); });
  contracts::Incident incident = incidentOf(c["incident"], now);
  applyState(c["state"], incident, *policy, core.state(), now);

  const YAML::Node expect = c["expect"];
  IncidentVerdict verdict = core.onIncident(incident, *policy, now);
  if (!expect["decision"]) {
    EXPECT_NE(verdict, IncidentVerdict::kDecided);
    EXPECT_TRUE(core.state().outbox().empty());
    return;
  }
  ASSERT_EQ(verdict, IncidentVerdict::kDecided);
  std::vector<DecisionResult> decided = core.takeDecided();
  ASSERT_EQ(decided.size(), 1u);
  const DecisionResult& result = decided[0];
  const contracts::Decision& decision = result.decision;

  EXPECT_EQ(contracts::toString(decision.decision_type), expect["decision"].as<std::string>());
  EXPECT_EQ(contracts::toString(decision.safety_classification),
            expect["classification"].as<std::string>());
  EXPECT_EQ(decision.requires_approval, expect["requires_approval"].as<bool>());
  EXPECT_EQ(decision.autonomy_level, *level);
  EXPECT_GE(decision.reasoning.size(), 10u);
  if (!expect["action"] || expect["action"].IsNull()) {
    EXPECT_FALSE(decision.proposed_action.has_value()) << decision.proposed_action->action_type;
  } else {
    ASSERT_TRUE(decision.proposed_action.has_value());
    EXPECT_EQ(decision.proposed_action->action_type, expect["action"].as<std::string>());
  }
  if (expect["parameters"]) {
    ASSERT_TRUE(decision.proposed_action.has_value());
    EXPECT_EQ(decision.proposed_action->parameters, jsonOf(expect["parameters"]));
  }
  if (expect["decided_by"]) {
    EXPECT_EQ(result.decided_by, expect["decided_by"].as<std::string>());
  }
  for (const auto& gate : expect["gates"]) {
    std::string name = gate.first.as<std::string>();
    std::string value = testing::tag(decision, "gate." + name);
    EXPECT_EQ(value.substr(0, value.find(": ")), gate.second.as<std::string>())
        << "gate." << name << " = " << value;
  }
  for (const auto& detail : expect["details"]) {
    std::string key = "gate." + detail.first.as<std::string>();
    std::string value = testing::tag(decision, key);
    EXPECT_NE(value.find(detail.second.as<std::string>()), std::string::npos)
        << key << " = " << value;
  }
  for (const auto& part : expect["reasoning"]) {
    EXPECT_NE(decision.reasoning.find(part.as<std::string>()), std::string::npos)
        << "missing '" << part.as<std::string>() << "' in: " << decision.reasoning;
  }
  for (const auto& entry : expect["tags"]) {
    EXPECT_EQ(testing::tag(decision, entry.first.as<std::string>()), entry.second.as<std::string>())
        << entry.first.as<std::string>();
  }
  if (expect["approval"]) {
    ASSERT_TRUE(result.approval_request.has_value());
    const contracts::ApprovalRequest& request = *result.approval_request;
    EXPECT_EQ(contracts::toString(request.risk_level),
              expect["approval"]["risk_level"].as<std::string>());
    EXPECT_EQ(request.expires_at - now, durationOf(expect["approval"]["expires_in"]));
    EXPECT_EQ(request.decision_id, decision.decision_id);
  } else {
    EXPECT_FALSE(result.approval_request.has_value());
  }
}

TEST(BrainGoldenTest, EveryCaseDecidesAsRecorded) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(kGoldenFile);
  } catch (const YAML::Exception& e) {
    FAIL() << "brain_decisions.yaml: " << e.what();
  }
  ASSERT_TRUE(root["cases"].IsSequence());
  std::set<std::string> levels;
  std::set<std::string> blocking_gates;
  for (const YAML::Node& c : root["cases"]) {
    checkCase(c);
    levels.insert(c["autonomy"].as<std::string>());
    if (c["expect"]["decided_by"])
      blocking_gates.insert(c["expect"]["decided_by"].as<std::string>());
  }
  EXPECT_EQ(levels, (std::set<std::string>{"N0", "N1", "N2", "N3"}));
  // Every gate settles at least one case.
  for (std::string_view gate : kGateOrder) {
    if (gate == "budget") continue;  // the budget asks through the approval gate
    EXPECT_TRUE(blocking_gates.contains(std::string(gate))) << "no case decided by " << gate;
  }
  EXPECT_GE(root["cases"].size(), 30u);
}

}  // namespace
}  // namespace orion::brain
