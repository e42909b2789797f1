#include "brain/decider.h"

#include <fmt/format.h>

#include <algorithm>

#include "brain/candidate.h"
#include "brain/explain.h"
#include "brain/text.h"
#include "common/time.h"

namespace orion::brain {

namespace {

using contracts::DecisionType;
using contracts::SafetyClass;

// The fields every decision sets the same way, on a fresh decision.
void fillSkeleton(const DecideInput& in, contracts::Decision& decision) {
  decision.decision_id = in.decision_id;
  decision.timestamp = in.now;
  decision.incident_id = in.incident.incident_id;
  decision.decision_type = DecisionType::kNoAction;
  decision.safety_classification = SafetyClass::kSafe;
  decision.requires_approval = false;
  decision.autonomy_level = in.level;
}

const Gate* firstWith(const std::vector<Gate>& gates, Verdict verdict) {
  auto it = std::find_if(gates.begin(), gates.end(),
                         [verdict](const Gate& g) { return g.verdict == verdict; });
  return it == gates.end() ? nullptr : &*it;
}

// When every blocking gate would have lifted, if time lifts all of them.
std::optional<WallTime> retryAt(const std::vector<Gate>& gates, WallTime now) {
  std::optional<Duration> longest;
  for (const Gate& gate : gates) {
    if (gate.verdict != Verdict::kBlock) continue;
    if (!gate.wait) return std::nullopt;  // e.g. N0: waiting changes nothing
    longest = std::max(longest.value_or(Duration::zero()), *gate.wait);
  }
  if (!longest) return std::nullopt;
  return now + *longest;
}

std::string skippedText(const std::vector<std::string>& skipped) {
  std::string out;
  for (const std::string& line : skipped) appendText(out, out.empty() ? "" : "; ", line);
  return out;
}

DecisionResult noRule(const DecideInput& in, const std::vector<std::string>& skipped) {
  DecisionResult result;
  fillSkeleton(in, result.decision);
  contracts::Tags& tags = result.decision.tags;
  if (auto node = in.incident.tags.find("node"); node != in.incident.tags.end()) {
    tags["node"] = node->second;
  }
  tags["policy"] = in.policy.digest();
  std::string& reasoning = result.decision.reasoning;
  appendSeen(reasoning, in.incident, in.level);
  if (!in.policy.loaded()) {
    result.decided_by = "policy_invalid";
    appendText(reasoning,
               ". No action taken: no valid policy is loaded, so nothing is SAFE and no rule "
               "applies (",
               in.policy.problem(), ").");
  } else if (in.level == contracts::AutonomyLevel::kN0) {
    result.decided_by = "autonomy";
    reasoning.append(". No action taken: autonomy level N0 only observes.");
  } else {
    result.decided_by = "no_rule";
    reasoning.append(". No action taken: no rule of the policy proposes one");
    if (skipped.empty()) {
      reasoning.push_back('.');
    } else {
      appendText(reasoning, " (", skippedText(skipped), ").");
    }
  }
  if (!skipped.empty()) tags["skipped_rules"] = skippedText(skipped);
  tags["decided_by"] = std::string(result.decided_by);
  result.record = DecisionRecord{std::string(in.decision_id),
                                 in.incident.incident_id,
                                 "",
                                 "",
                                 "",
                                 0,
                                 DecisionType::kNoAction,
                                 in.now};
  return result;
}

contracts::ApprovalRequest approvalRequestFor(const DecideInput& in, Candidate& candidate,
                                              const GateReport& report,
                                              const contracts::Decision& decision,
                                              std::string_view reason) {
  contracts::ApprovalRequest request;
  request.approval_request_id = in.approval_request_id;
  request.timestamp = in.now;
  request.decision_id = in.decision_id;
  request.action_type = candidate.action_type;
  request.risk_level = decision.safety_classification;
  request.requested_action =
      contracts::ProposedAction{candidate.action_type, std::move(candidate.parameters)};
  request.requested_reason = decision.reasoning;
  request.expires_at = in.now + report.approval_timeout;
  request.incident_id = in.incident.incident_id;
  request.tags = {{"rule", candidate.rule->name},
                  {"target", candidate.target},
                  {"reason", std::string(reason)}};
  if (!report.requires_override.empty()) {
    request.tags["requires_override"] = report.requires_override;
  }
  if (report.cooldown_until) request.tags["cooldown_until"] = formatRfc3339(*report.cooldown_until);
  return request;
}

// Room for the reasoning: what was seen and proposed, and at most every gate's detail twice.
size_t reasoningCapacity(const contracts::Incident& incident, const std::vector<Gate>& gates) {
  size_t capacity = 384 + (incident.description ? incident.description->size() : 0);
  for (const Gate& gate : gates) capacity += gate.detail.size();
  return capacity + 160;
}

}  // namespace

DecisionResult decide(const DecideInput& in) {
  Selection selection = selectCandidate(in.incident, in.policy, in.state, in.now);
  if (!selection.candidate) return noRule(in, selection.skipped);
  Candidate& candidate = *selection.candidate;

  GateReport report =
      evaluateGates(GateContext{in.level, in.policy, in.state, in.incident, candidate, in.now});
  DecisionResult result;
  contracts::Decision& decision = result.decision;
  fillSkeleton(in, decision);

  const Gate* block = firstWith(report.gates, Verdict::kBlock);
  const Gate* approval = firstWith(report.gates, Verdict::kApproval);
  const Gate* suggest = firstWith(report.gates, Verdict::kSuggest);
  bool safe = report.classification == SafetyClass::kSafe;

  // The reasoning is written once, in place: what was seen, what was (not) done and why, and
  // every gate.
  std::string& reasoning = decision.reasoning;
  reasoning.reserve(reasoningCapacity(in.incident, report.gates));
  appendSeen(reasoning, in.incident, in.level);
  if (block != nullptr) {
    result.decided_by = block->name;
    // N0 decisions are SAFE by definition (nothing is proposed); a blocked action keeps its own
    // classification so the record says what was held back.
    decision.safety_classification =
        in.level == contracts::AutonomyLevel::kN0 ? SafetyClass::kSafe : report.classification;
    reasoning.append(". No action taken: ");
    appendProposal(reasoning, candidate);
    reasoning.append(" would be proposed, but ");
    if (block->name == "autonomy") {
      reasoning.append("autonomy level N0 only observes");
    } else {
      appendText(reasoning, block->name, ": ", block->detail);
    }
    reasoning.push_back('.');
    result.retry_at = retryAt(report.gates, in.now);
  } else if (approval != nullptr) {
    result.decided_by = "approval";
    decision.decision_type = DecisionType::kRequestApproval;
    decision.requires_approval = true;
    // UNKNOWN is RISKY here: an approval request is never of unknown risk.
    decision.safety_classification = safe ? SafetyClass::kSafe : SafetyClass::kRisky;
    // A copy: the approval request below takes the candidate's own parameters.
    decision.proposed_action =
        contracts::ProposedAction{candidate.action_type, candidate.parameters};
    reasoning.append(". Requesting an admin's approval for ");
    appendProposal(reasoning, candidate);
    appendText(reasoning, ": ", approval->detail, ".");
  } else if (suggest != nullptr) {
    result.decided_by = suggest->name;
    decision.decision_type = DecisionType::kSuggestAction;
    decision.safety_classification = report.classification;
    decision.proposed_action =
        contracts::ProposedAction{candidate.action_type, std::move(candidate.parameters)};
    reasoning.append(". Suggesting ");
    appendProposal(reasoning, candidate);
    appendText(reasoning, " for a human to run: ", suggest->detail, ".");
  } else {
    result.decided_by = "all_gates_passed";
    decision.decision_type = DecisionType::kExecuteSafeAction;
    decision.safety_classification = SafetyClass::kSafe;
    decision.proposed_action =
        contracts::ProposedAction{candidate.action_type, std::move(candidate.parameters)};
    reasoning.append(". Executing SAFE action ");
    appendProposal(reasoning, candidate);
    reasoning.append(": every gate passed.");
  }
  appendGateSentence(reasoning, report.gates);

  bool asks = decision.decision_type == DecisionType::kRequestApproval;
  std::string skipped = skippedText(selection.skipped);
  writeDecisionTags(
      in.incident, in.policy, candidate, report.gates,
      SettledTags{result.decided_by, result.retry_at,
                  asks ? std::string_view(report.requires_override) : std::string_view(),
                  asks ? report.cooldown_until : std::nullopt, skipped},
      decision.tags);
  if (asks) {
    std::string_view reason =
        report.gates[1].verdict == Verdict::kApproval ? "risky"
        : report.requires_override.find("circuit_breaker") != std::string::npos
            ? "circuit_breaker_open"
        : !report.requires_override.empty() ? "cooldown_active"
                                            : "budget_exhausted";
    result.approval_request = approvalRequestFor(in, candidate, report, decision, reason);
  }
  result.record = DecisionRecord{std::string(in.decision_id),
                                 in.incident.incident_id,
                                 candidate.rule->name,
                                 std::move(candidate.target),
                                 std::move(candidate.action_type),
                                 candidate.step,
                                 decision.decision_type,
                                 in.now};
  return result;
}

bool needsDecision(const contracts::Incident& incident) {
  return incident.state == contracts::IncidentState::kOpen;
}

std::string revisionOf(const contracts::Incident& incident) {
  return fmt::format("{}/{}/{}", incident.incident_id, contracts::toString(incident.state),
                     contracts::toString(incident.severity));
}

}  // namespace orion::brain
