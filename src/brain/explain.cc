#include "brain/explain.h"

#include <array>
#include <cctype>

#include "brain/text.h"
#include "common/time.h"

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

// The verdict as the reasoning shouts a gate that stood in the way: "BLOCK", "APPROVAL".
std::string_view loudVerdict(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kBlock:
      return "BLOCK";
    case Verdict::kSuggest:
      return "SUGGEST";
    case Verdict::kApproval:
      return "APPROVAL";
    case Verdict::kSkip:
      return "SKIP";
  }
  return "BLOCK";
}

}  // namespace

void appendSeen(std::string& out, const contracts::Incident& incident,
                contracts::AutonomyLevel level) {
  appendText(out, contracts::toString(level), " mode (", levelWords(level), "): detected ",
             incident.incident_type, " (severity=", contracts::toString(incident.severity),
             ", events=", incident.event_ids.size(), ")");
  if (auto node = incident.tags.find("node"); node != incident.tags.end()) {
    appendText(out, " on node ", node->second);
  }
  if (incident.description && !incident.description->empty()) {
    appendText(out, ": ", *incident.description);
  }
}

std::string gateSummary(const std::vector<Gate>& gates) {
  std::string out;
  out.reserve(160);
  for (const Gate& gate : gates) {
    if (!out.empty()) out.push_back(',');
    appendText(out, gate.name, '=', toString(gate.verdict));
  }
  return out;
}

void appendGateSentence(std::string& out, const std::vector<Gate>& gates) {
  out.append(" Gates:");
  for (size_t i = 0; i < gates.size(); ++i) {
    const Gate& gate = gates[i];
    appendText(out, i == 0 ? " " : "; ", gate.name, ' ');
    if (gate.verdict == Verdict::kPass || gate.verdict == Verdict::kSkip) {
      out.append(toString(gate.verdict));
    } else {
      appendText(out, loudVerdict(gate.verdict), " (", gate.detail, ")");
    }
  }
  out.push_back('.');
}

void appendProposal(std::string& out, const Candidate& candidate) {
  out.append(candidate.action_type);
  if (!candidate.target.empty()) appendText(out, " for ", candidate.target);
  appendText(out, " (rule ", candidate.rule->name, ", step ", candidate.step + 1, " of ",
             candidate.rule->steps.size(), ")");
}

namespace {

// The gates in the order of their tag keys ("gate.action_cooldown" < "gate.approval" < …), so
// that writeDecisionTags() writes them in the map's own order.
constexpr std::array<size_t, kGateOrder.size()> kGatesInKeyOrder = {3, 7, 0, 6, 5, 1, 2, 4};
static_assert(
    [] {
      for (size_t i = 0; i + 1 < kGatesInKeyOrder.size(); ++i) {
        if (!(kGateOrder[kGatesInKeyOrder[i]] < kGateOrder[kGatesInKeyOrder[i + 1]])) return false;
      }
      return true;
    }(),
    "kGatesInKeyOrder must list every gate once, by name");

// "block: <detail>", made from the gate's own detail string (moved, then prefixed in place: its
// room was reserved when the gate was written), so a tag costs no new string.
std::string takeGateTagValue(Gate& gate) {
  std::string_view verdict = toString(gate.verdict);
  char prefix[16];  // the longest verdict ("approval") and ": "
  size_t length = verdict.copy(prefix, sizeof prefix - 2);
  prefix[length++] = ':';
  prefix[length++] = ' ';
  std::string value = std::move(gate.detail);
  gate.detail.clear();
  value.insert(0, prefix, length);
  return value;
}

}  // namespace

void writeDecisionTags(const contracts::Incident& incident, const policy::Policy& policy,
                       const Candidate& candidate, std::vector<Gate>& gates,
                       const SettledTags& settled, contracts::Tags& tags) {
  static const std::array<std::string, kGateOrder.size()> kGateKeys = [] {
    std::array<std::string, kGateOrder.size()> keys;
    for (size_t i = 0; i < kGateOrder.size(); ++i) keys[i] = "gate." + std::string(kGateOrder[i]);
    return keys;
  }();
  // Each key is greater than the one before: each is appended. Room for all of them at once:
  // the gates' keys and at most 13 others (action ... target below).
  constexpr size_t kOtherKeys = 13;
  tags.reserve(tags.size() + kGateOrder.size() + kOtherKeys);
  auto put = [&tags](std::string_view key, std::string value) {
    tags.emplace_hint(tags.end(), key, std::move(value));
  };
  put("action", candidate.action_type);
  if (settled.cooldown_until) put("cooldown_until", formatRfc3339(*settled.cooldown_until));
  put("decided_by", std::string(settled.decided_by));
  for (size_t index : kGatesInKeyOrder) {
    if (index < gates.size()) put(kGateKeys[index], takeGateTagValue(gates[index]));
  }
  put("gates", gateSummary(gates));
  std::string failures;
  appendText(failures, candidate.ladder_failures);
  put("ladder_failures", std::move(failures));
  if (auto node = incident.tags.find("node"); node != incident.tags.end()) {
    put("node", node->second);
  }
  put("policy", policy.digest());
  if (!settled.requires_override.empty()) {
    put("requires_override", std::string(settled.requires_override));
  }
  if (settled.retry_at) put("retry_at", formatRfc3339(*settled.retry_at));
  put("rule", candidate.rule->name);
  std::string step;
  appendText(step, candidate.step + 1, '/', candidate.rule->steps.size());
  put("rule_step", std::move(step));
  if (!settled.skipped_rules.empty()) put("skipped_rules", std::string(settled.skipped_rules));
  put("target", candidate.target);
}

}  // namespace orion::brain
