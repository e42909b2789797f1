#include "brain/explain.h"

#include <fmt/format.h>

#include <array>

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
  // Appends rather than fmt: this runs for every decision and is most of its cost.
  std::string seen;
  seen.reserve(160);
  seen.append(contracts::toString(level)).append(" mode (").append(levelWords(level));
  seen.append("): detected ").append(incident.incident_type).append(" (severity=");
  seen.append(contracts::toString(incident.severity)).append(", events=");
  seen.append(std::to_string(incident.event_ids.size())).append(")");
  if (auto node = incident.tags.find("node"); node != incident.tags.end()) {
    seen.append(" on node ").append(node->second);
  }
  if (incident.description && !incident.description->empty()) {
    seen.append(": ").append(*incident.description);
  }
  return seen;
}

std::string gateSummary(const std::vector<Gate>& gates) {
  std::string out;
  out.reserve(160);
  for (const Gate& gate : gates) {
    if (!out.empty()) out.push_back(',');
    out.append(gate.name).push_back('=');
    out.append(toString(gate.verdict));
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
  static const std::array<std::string, kGateOrder.size()> kGateKeys = [] {
    std::array<std::string, kGateOrder.size()> keys;
    for (size_t i = 0; i < kGateOrder.size(); ++i) keys[i] = "gate." + std::string(kGateOrder[i]);
    return keys;
  }();
  tags.emplace("rule", candidate.rule->name);
  tags.emplace("rule_step", std::to_string(candidate.step + 1) + "/" +
                                std::to_string(candidate.rule->steps.size()));
  tags.emplace("action", candidate.action_type);
  tags.emplace("target", candidate.target);
  tags.emplace("ladder_failures", std::to_string(candidate.ladder_failures));
  tags.emplace("gates", gateSummary(gates));
  for (size_t i = 0; i < gates.size() && i < kGateKeys.size(); ++i) {
    std::string_view verdict = toString(gates[i].verdict);
    std::string value;
    value.reserve(verdict.size() + 2 + gates[i].detail.size());
    value.append(verdict).append(": ").append(gates[i].detail);
    tags.emplace(kGateKeys[i], std::move(value));
  }
}

}  // namespace orion::brain
