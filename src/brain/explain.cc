#include "brain/explain.h"

#include <fmt/format.h>

namespace orion::brain {

namespace {

std::string_view levelWords(contracts::AutonomyLevel level) {
  switch (level) {
    case contracts::AutonomyLevel::kN0:
      return "observe only";
    case contracts::AutonomyLevel::kN1:
      return "suggest";
    case contracts::AutonomyLevel::kN2:
      return "execute SAFE";
    case contracts::AutonomyLevel::kN3:
      return "execute SAFE, RISKY with approval";
  }
  return "observe only";
}

}  // namespace

std::string seenText(const contracts::Incident& incident, contracts::AutonomyLevel level) {
  std::string seen =
      fmt::format("{} mode ({}): detected {} (severity={}, events={})", contracts::toString(level),
                  levelWords(level), incident.incident_type, contracts::toString(incident.severity),
                  incident.event_ids.size());
  if (auto node = incident.tags.find("node"); node != incident.tags.end()) {
    seen += " on node " + node->second;
  }
  if (incident.description && !incident.description->empty()) {
    seen += ": " + *incident.description;
  }
  return seen;
}

std::string gateSummary(const std::vector<Gate>& gates) {
  std::string out;
  for (const Gate& gate : gates) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ",", gate.name, toString(gate.verdict));
  }
  return out;
}

std::string gateSentence(const std::vector<Gate>& gates) {
  std::string out = " Gates:";
  for (size_t i = 0; i < gates.size(); ++i) {
    const Gate& gate = gates[i];
    out += i == 0 ? " " : "; ";
    out += std::string(gate.name) + " ";
    if (gate.verdict == Verdict::kPass || gate.verdict == Verdict::kSkip) {
      out += toString(gate.verdict);
    } else {
      std::string verdict(toString(gate.verdict));
      for (char& c : verdict) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out += verdict + " (" + gate.detail + ")";
    }
  }
  return out + ".";
}

std::string proposalText(const Candidate& candidate) {
  std::string target = candidate.target.empty() ? "" : " for " + candidate.target;
  return fmt::format("{}{} (rule {}, step {} of {})", candidate.action_type, target,
                     candidate.rule->name, candidate.step + 1, candidate.rule->steps.size());
}

void addExplanationTags(const Candidate& candidate, const std::vector<Gate>& gates,
                        contracts::Tags& tags) {
  tags["rule"] = candidate.rule->name;
  tags["rule_step"] = fmt::format("{}/{}", candidate.step + 1, candidate.rule->steps.size());
  tags["action"] = candidate.action_type;
  tags["target"] = candidate.target;
  tags["ladder_failures"] = std::to_string(candidate.ladder_failures);
  tags["gates"] = gateSummary(gates);
  for (const Gate& gate : gates) {
    tags["gate." + std::string(gate.name)] =
        std::string(toString(gate.verdict)) + ": " + gate.detail;
  }
}

}  // namespace orion::brain
