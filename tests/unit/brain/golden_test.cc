// Table-driven golden decisions: tests/golden/brain_n0.yaml lists incidents and configured
// autonomy levels with the decision the brain must make about each.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "brain/decider.h"
#include "test_incidents.h"

namespace orion::brain {
namespace {

constexpr const char* kGoldenFile = ORION_SOURCE_DIR "/tests/golden/brain_n0.yaml";

struct GoldenCase {
  std::string name;
  int line = 0;
  config::Autonomy autonomy = config::Autonomy::kN0;
  testing::IncidentSpec incident;
  std::optional<std::string> decision;  // nullopt: no decision expected
  std::string safety_classification;
  bool requires_approval = false;
  bool proposed_action = false;
  std::string autonomy_level;
  std::optional<std::string> reasoning;
  std::vector<std::string> reasoning_contains;
  contracts::Tags tags;
};

// Golden-file mistakes must point at the line, not crash the test binary.
Status at(const YAML::Node& node, const std::string& message) {
  return invalidArgument(std::string("brain_n0.yaml:") + std::to_string(node.Mark().line + 1) +
                         ": " + message);
}

Result<std::string> text(const YAML::Node& parent, const std::string& key) {
  const YAML::Node value = parent[key];
  if (!value || !value.IsScalar()) return at(parent, "key '" + key + "': expected a string");
  return value.as<std::string>();
}

Result<GoldenCase> parseCase(const YAML::Node& node) {
  GoldenCase c;
  c.line = node.Mark().line + 1;
  auto name = text(node, "name");
  if (!name) return name.status();
  c.name = *name;
  auto autonomy = text(node, "autonomy");
  if (!autonomy) return autonomy.status();
  static const std::map<std::string, config::Autonomy> kLevels{{"N0", config::Autonomy::kN0},
                                                               {"N1", config::Autonomy::kN1},
                                                               {"N2", config::Autonomy::kN2},
                                                               {"N3", config::Autonomy::kN3}};
  if (!kLevels.contains(*autonomy)) return at(node, "autonomy: expected N0, N1, N2 or N3");
  c.autonomy = kLevels.at(*autonomy);

  const YAML::Node incident = node["incident"];
  if (!incident || !incident.IsMap()) return at(node, "key 'incident': expected a map");
  auto type = text(incident, "type");
  if (!type) return type.status();
  c.incident.type = *type;
  auto severity_text = text(incident, "severity");
  if (!severity_text) return severity_text.status();
  auto severity = contracts::parseIncidentSeverity(*severity_text);
  if (!severity) return at(incident, severity.status().message());
  c.incident.severity = *severity;
  if (incident["state"]) {
    auto state = contracts::parseIncidentState(incident["state"].as<std::string>());
    if (!state) return at(incident, state.status().message());
    c.incident.state = *state;
  }
  c.incident.events = incident["events"] ? incident["events"].as<int>() : 1;
  c.incident.node = incident["node"] ? incident["node"].as<std::string>() : "";
  c.incident.description = incident["description"] ? incident["description"].as<std::string>() : "";

  const YAML::Node expect = node["expect"];
  if (!expect || !expect.IsMap()) return at(node, "key 'expect': expected a map");
  if (!expect["decision"]) return c;  // no decision expected
  c.decision = expect["decision"].as<std::string>();
  for (auto [key, field] : {std::pair{"safety_classification", &c.safety_classification},
                            std::pair{"autonomy_level", &c.autonomy_level}}) {
    auto value = text(expect, key);
    if (!value) return value.status();
    *field = *value;
  }
  if (!expect["requires_approval"] || !expect["proposed_action"]) {
    return at(expect, "expect: requires_approval and proposed_action are required");
  }
  c.requires_approval = expect["requires_approval"].as<bool>();
  c.proposed_action = expect["proposed_action"].as<bool>();
  if (expect["reasoning"]) c.reasoning = expect["reasoning"].as<std::string>();
  if (expect["reasoning_contains"]) {
    c.reasoning_contains = expect["reasoning_contains"].as<std::vector<std::string>>();
  }
  if (!c.reasoning && c.reasoning_contains.empty()) {
    return at(expect, "expect: give reasoning or reasoning_contains");
  }
  if (!expect["tags"] || !expect["tags"].IsMap()) return at(expect, "expect.tags: expected a map");
  for (const auto& tag : expect["tags"]) {
    c.tags[tag.first.as<std::string>()] = tag.second.as<std::string>();
  }
  return c;
}

Result<std::vector<GoldenCase>> loadGolden() {
  try {
    YAML::Node root = YAML::LoadFile(kGoldenFile);
    if (!root["cases"] || !root["cases"].IsSequence()) {
      return invalidArgument("brain_n0.yaml: expected a top-level 'cases' list");
    }
    std::vector<GoldenCase> cases;
    for (const auto& node : root["cases"]) {
      auto parsed = parseCase(node);
      if (!parsed) return parsed.status();
      cases.push_back(std::move(parsed).value());
    }
    return cases;
  } catch (const YAML::Exception& e) {
    return invalidArgument(std::string("brain_n0.yaml: ") + e.what());
  }
}

TEST(BrainGoldenTest, EveryCaseDecidesAsRecorded) {
  auto cases = loadGolden();
  ASSERT_TRUE(cases.isOk()) << cases.status().toString();
  ASSERT_GE(cases->size(), 8u);
  SimulatedClock clock;
  for (const GoldenCase& c : *cases) {
    SCOPED_TRACE("brain_n0.yaml:" + std::to_string(c.line) + " '" + c.name + "'");
    auto incident = testing::makeIncident(c.incident, clock.now());
    if (!c.decision) {
      EXPECT_FALSE(needsDecision(incident));
      continue;
    }
    ASSERT_TRUE(needsDecision(incident));
    auto decision = Decider(c.autonomy).decide(incident, clock.now(), newUuid());
    EXPECT_EQ(contracts::toString(decision.decision_type), *c.decision);
    EXPECT_EQ(contracts::toString(decision.safety_classification), c.safety_classification);
    EXPECT_EQ(decision.requires_approval, c.requires_approval);
    EXPECT_EQ(decision.proposed_action.has_value(), c.proposed_action);
    ASSERT_TRUE(decision.autonomy_level.has_value());
    EXPECT_EQ(contracts::toString(*decision.autonomy_level), c.autonomy_level);
    if (c.reasoning) {
      EXPECT_EQ(decision.reasoning, *c.reasoning);
    }
    for (const std::string& part : c.reasoning_contains) {
      EXPECT_NE(decision.reasoning.find(part), std::string::npos)
          << "missing '" << part << "' in: " << decision.reasoning;
    }
    EXPECT_EQ(decision.tags, c.tags);
  }
}

}  // namespace
}  // namespace orion::brain
