// rules.yaml: which incidents get which proposed action, with an escalation ladder.
#include <fmt/format.h>

#include <charconv>
#include <set>

#include "policy/loader_parts.h"
#include "policy/template.h"
#include "policy/yaml_fields.h"

namespace orion::policy {
namespace {

using namespace std::chrono_literals;

const std::set<std::string, std::less<>> kIncidentTypes = {"service_outage", "edge_device_failure",
                                                           "metric_anomaly", "repeated_failures",
                                                           "correlation_detected"};

// A plain YAML scalar that reads as a number or a boolean becomes one; a quoted one stays text.
Json scalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() != "!") {
    if (text == "true") return true;
    if (text == "false") return false;
    int64_t integer = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return integer;
    double number = 0;
    auto [fend, fec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (fec == std::errc() && fend == text.data() + text.size() && !text.empty()) return number;
  }
  return text;
}

// Converts a parameter value, checking every string's placeholders; problems are reported at the
// value's line.
Json parameterToJson(const YAML::Node& node, const std::string& file, const std::string& path,
                     config::Diagnostics& diagnostics) {
  if (node.IsMap()) {
    Json out = Json::object();
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      out[key] = parameterToJson(entry.second, file, path + "." + key, diagnostics);
    }
    return out;
  }
  if (node.IsSequence()) {
    Json out = Json::array();
    for (size_t i = 0; i < node.size(); ++i) {
      out.push_back(parameterToJson(node[i], file, fmt::format("{}[{}]", path, i), diagnostics));
    }
    return out;
  }
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  Json value = scalarToJson(node);
  if (value.is_string()) {
    auto placeholders = placeholdersOf(value.get<std::string>());
    if (!placeholders) {
      diagnostics.error(locationOf(file, node), path + ": " + placeholders.status().message());
    }
  }
  return value;
}

void parseMatch(const MapReader& rule_reader, Rule& rule, config::Diagnostics& diagnostics) {
  MapReader match(rule_reader.child("match"), rule_reader.file(), rule_reader.pathOf("match"),
                  diagnostics, {"incident_types", "min_severity", "tags", "target"});
  if (!match.isMap()) return;
  if (auto types = match.textList("incident_types", true)) {
    if (types->empty()) match.error("incident_types", "expected at least one incident type");
    for (const std::string& type : *types) {
      if (!kIncidentTypes.contains(type)) {
        match.error("incident_types",
                    "unknown incident type '" + type +
                        "' (expected service_outage, edge_device_failure, metric_anomaly, "
                        "repeated_failures or correlation_detected)");
      }
    }
    rule.incident_types = *types;
  }
  if (auto severity = match.text("min_severity", false)) {
    auto parsed = contracts::parseIncidentSeverity(*severity);
    if (parsed) {
      rule.min_severity = *parsed;
    } else {
      match.error("min_severity",
                  "expected low, medium, high or critical, got '" + *severity + "'");
    }
  }
  if (match.has("tags")) {
    YAML::Node tags = match.child("tags");
    if (!tags.IsMap()) {
      match.error("tags", "expected a mapping of tag name to pattern, got " + describeNode(tags));
    } else {
      for (const auto& entry : tags) {
        std::string key = entry.first.Scalar();
        if (!isIdentifier(key) || !entry.second.IsScalar()) {
          diagnostics.error(locationOf(match.file(), entry.first),
                            match.pathOf("tags") + "." + key +
                                ": expected a tag name with a pattern (e.g. health: unhealthy)");
          continue;
        }
        rule.tags[key] = entry.second.Scalar();
      }
    }
  }
  if (auto target = match.text("target", false)) rule.target = *target;
}

void parseSteps(const MapReader& rule_reader, Rule& rule, PolicyDraft& draft,
                config::Diagnostics& diagnostics) {
  std::vector<YAML::Node> steps = listAt(rule_reader, "steps", true);
  if (steps.empty() && rule_reader.has("steps")) {
    rule_reader.error("steps", "expected at least one step");
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string path = rule_reader.pathOf(fmt::format("steps[{}]", i));
    MapReader step_reader(steps[i], rule_reader.file(), path, diagnostics,
                          {"action", "parameters", "attempts"});
    if (!step_reader.isMap()) continue;
    Step step;
    step.where = step_reader.at("action");
    auto action = step_reader.name("action", true);
    if (action) {
      step.action_type = *action;
      draft.references.push_back(
          Reference{*action, step_reader.at("action"), step_reader.pathOf("action")});
    }
    if (step_reader.has("parameters")) {
      YAML::Node parameters = step_reader.child("parameters");
      if (!parameters.IsMap()) {
        step_reader.error("parameters", "expected a mapping, got " + describeNode(parameters));
      } else {
        step.parameters =
            parameterToJson(parameters, rule_reader.file(), path + ".parameters", diagnostics);
      }
    }
    bool last = i + 1 == steps.size();
    step.attempts = step_reader.integer("attempts", 1, 100, false);
    if (!last && !step.attempts) {
      step_reader.error("attempts",
                        "missing (expected how many failed outcomes move the ladder to the next "
                        "step, 1 to 100)");
    }
    if (last && step.attempts) {
      step_reader.error("attempts", "the last step has no next step; remove attempts");
    }
    rule.steps.push_back(std::move(step));
  }
}

}  // namespace

void parseRules(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                config::Diagnostics& diagnostics) {
  MapReader top(root, file, "", diagnostics, {"version", "rules"});
  if (!top.isMap()) return;
  top.expectText("version", "1.0");
  std::vector<YAML::Node> rules = listAt(top, "rules", true);
  std::set<std::string> names;
  for (size_t i = 0; i < rules.size(); ++i) {
    MapReader rule_reader(rules[i], file, fmt::format("rules[{}]", i), diagnostics,
                          {"name", "description", "match", "steps", "reset_after"});
    if (!rule_reader.isMap()) continue;
    Rule rule;
    rule.where = rule_reader.at("name");
    if (auto name = rule_reader.name("name", true, true)) {
      rule.name = *name;
      if (!names.insert(*name).second) {
        rule_reader.error("name", "rule '" + *name + "' is already defined above");
      }
    }
    rule.description = rule_reader.text("description", false).value_or("");
    if (!rule_reader.has("match")) {
      rule_reader.error("match", "missing (expected a mapping with incident_types)");
    } else {
      parseMatch(rule_reader, rule, diagnostics);
    }
    parseSteps(rule_reader, rule, draft, diagnostics);
    if (auto reset = rule_reader.duration("reset_after", 1s, std::chrono::hours(24 * 30), false)) {
      rule.reset_after = *reset;
    }
    draft.rules.push_back(std::move(rule));
  }
}

}  // namespace orion::policy
