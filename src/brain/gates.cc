#include "brain/gates.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/time.h"
#include "signing/overrides.h"

namespace orion::brain {

namespace {

using contracts::AutonomyLevel;
using contracts::SafetyClass;

// A time-limited block with nothing exact to wait for (something in flight) looks again after
// this long, or sooner when the outcome arrives.
constexpr Duration kInFlightRecheck = std::chrono::minutes(1);

std::string display(const std::string& cooldown_key) {
  // "prune_images/" reads better as "prune_images".
  return cooldown_key.ends_with('/') ? cooldown_key.substr(0, cooldown_key.size() - 1)
                                     : cooldown_key;
}

std::string shortId(const std::string& id) { return id.substr(0, 8); }

Gate autonomyGate(const GateContext& c) {
  switch (c.level) {
    case AutonomyLevel::kN0:
      return {"autonomy", Verdict::kBlock, "N0 only observes", std::nullopt};
    case AutonomyLevel::kN1:
      return {"autonomy", Verdict::kSuggest, "N1 suggests; a human executes", std::nullopt};
    case AutonomyLevel::kN2:
      return {"autonomy", Verdict::kPass, "N2 executes SAFE actions", std::nullopt};
    case AutonomyLevel::kN3:
      return {"autonomy", Verdict::kPass, "N3 executes SAFE actions, RISKY ones after approval",
              std::nullopt};
  }
  return {"autonomy", Verdict::kBlock, "unknown level: observing only", std::nullopt};
}

Gate classificationGate(const GateContext& c, SafetyClass cls, Duration approval_timeout) {
  const std::string& action = c.candidate.action_type;
  policy::LevelPermissions allowed = c.policy.permissions(c.level);
  std::string level(contracts::toString(c.level));
  const policy::ActionEntry* entry = c.policy.action(action);
  if (cls == SafetyClass::kSafe) {
    std::string detail = fmt::format("{} is SAFE ({})", action, entry->where);
    if (c.level >= AutonomyLevel::kN2 && !allowed.allow_safe_actions) {
      return {"classification", Verdict::kSuggest,
              detail + fmt::format("; autonomy_levels.{}.allow_safe_actions is false", level),
              std::nullopt};
    }
    return {"classification", Verdict::kPass, detail, std::nullopt};
  }
  std::string detail = cls == SafetyClass::kRisky
                           ? fmt::format("{} is RISKY ({})", action, entry->where)
                           : fmt::format("{} is in neither {} nor {}: UNKNOWN, treated as RISKY",
                                         action, policy::kSafeFile, policy::kRiskyFile);
  if (c.level == AutonomyLevel::kN3 && allowed.allow_risky_actions) {
    return {"classification", Verdict::kApproval,
            detail + fmt::format("; needs an admin's approval within {}",
                                 humanDuration(approval_timeout)),
            std::nullopt};
  }
  if (c.level == AutonomyLevel::kN3) {
    return {"classification", Verdict::kSuggest,
            detail + "; autonomy_levels.N3.allow_risky_actions is false", std::nullopt};
  }
  return {"classification", Verdict::kSuggest,
          detail + fmt::format("; {} never executes it, only suggests", level), std::nullopt};
}

Gate incidentCooldownGate(const GateContext& c) {
  Duration cooldown = c.policy.decisionCooldown();
  const TrackedIncident* tracked = c.state.incident(c.incident.incident_id);
  if (cooldown > Duration::zero() && tracked != nullptr && tracked->last_actionable) {
    Duration since = c.now - *tracked->last_actionable;
    if (since < cooldown) {
      return {"incident_cooldown", Verdict::kBlock,
              fmt::format("incident {} had an action proposed {} ago: {} remaining of {}",
                          shortId(c.incident.incident_id), humanDuration(since),
                          humanDuration(cooldown - since), humanDuration(cooldown)),
              cooldown - since};
    }
  }
  return {
      "incident_cooldown", Verdict::kPass,
      fmt::format("no action proposed for this incident in the last {}", humanDuration(cooldown)),
      std::nullopt};
}

Gate actionCooldownGate(const GateContext& c) {
  const std::string& action = c.candidate.action_type;
  policy::Cooldown cooldown = c.policy.cooldownFor(action);
  const std::string& key = c.candidate.cooldown_key;
  std::string source = cooldown.is_default ? " (global default)" : "";
  if (const InFlight* running = c.state.inFlightFor(key)) {
    Duration wait = cooldown.duration > Duration::zero() ? cooldown.duration : kInFlightRecheck;
    return {"action_cooldown", Verdict::kBlock,
            fmt::format("{}: action {} is still running (started {} ago)", display(key),
                        shortId(running->action_id), humanDuration(c.now - running->started)),
            wait};
  }
  if (cooldown.duration <= Duration::zero()) {
    return {"action_cooldown", Verdict::kPass, display(key) + ": no cooldown", std::nullopt};
  }
  std::optional<WallTime> last = c.state.lastExecution(key);
  if (!last) {
    return {"action_cooldown", Verdict::kPass,
            fmt::format("{}: never ran (cooldown {}{})", display(key),
                        humanDuration(cooldown.duration), source),
            std::nullopt};
  }
  Duration since = c.now - *last;
  if (since < cooldown.duration) {
    return {"action_cooldown", Verdict::kBlock,
            fmt::format("{}: {} remaining of {}{}", display(key),
                        humanDuration(cooldown.duration - since), humanDuration(cooldown.duration),
                        source),
            cooldown.duration - since};
  }
  return {"action_cooldown", Verdict::kPass,
          fmt::format("{}: last ran {} ago (cooldown {}{})", display(key), humanDuration(since),
                      humanDuration(cooldown.duration), source),
          std::nullopt};
}

Gate rateLimitGate(const GateContext& c) {
  const std::string& action = c.candidate.action_type;
  std::optional<policy::RateLimit> limit = c.policy.rateLimitFor(action);
  if (!limit) return {"rate_limit", Verdict::kPass, action + ": unlimited", std::nullopt};
  WallTime since = c.now - limit->per;
  size_t count = c.state.executionsSince(action, since);
  if (count >= static_cast<size_t>(limit->count)) {
    WallTime oldest = c.state.oldestExecutionSince(action, since).value_or(c.now);
    Duration wait = std::max(oldest + limit->per - c.now, Duration(std::chrono::seconds(1)));
    return {"rate_limit", Verdict::kBlock,
            fmt::format("{}: {} runs within the last {} (max_frequency {}); room again in {}",
                        action, count, humanDuration(limit->per), limit->text, humanDuration(wait)),
            wait};
  }
  return {"rate_limit", Verdict::kPass,
          fmt::format("{}: {} of {} ({})", action, count, limit->count, limit->text), std::nullopt};
}

Gate breakerGate(const GateContext& c) {
  const std::string& action = c.candidate.action_type;
  const policy::BreakerSettings& settings = c.policy.breaker();
  if (!settings.appliesTo(action)) {
    return {"circuit_breaker", Verdict::kSkip,
            action + (settings.enabled ? " is not in circuit_breaker.applies_to"
                                       : ": circuit breakers are disabled"),
            std::nullopt};
  }
  // The target's breaker first: it is the more specific explanation.
  const std::string& target = c.candidate.action_target;
  std::string detail;
  detail.reserve(128);
  for (int scope_index = 0; scope_index < 2; ++scope_index) {
    bool per_target = scope_index == 0;
    const CircuitBreaker* breaker =
        c.state.breaker(per_target ? targetScope(action, target) : typeScope(action));
    auto label = [&] { return per_target ? action + "/" + target : action; };
    if (!detail.empty()) detail.append("; ");
    if (breaker == nullptr) {
      detail.append(label()).append(" closed (0 failures)");
      continue;
    }
    switch (breaker->phase(settings, c.now)) {
      case BreakerPhase::kOpen: {
        Duration wait = breaker->remainingOpen(settings, c.now);
        return {"circuit_breaker", Verdict::kBlock,
                fmt::format("{} is OPEN after {} failures within {}: {} until a trial", label(),
                            settings.failure_threshold, humanDuration(settings.failure_window),
                            humanDuration(wait)),
                wait};
      }
      case BreakerPhase::kHalfOpen:
        if (!breaker->trial_action_id.empty()) {
          return {"circuit_breaker", Verdict::kBlock,
                  fmt::format("{} is half-open and its trial action {} is still running", label(),
                              shortId(breaker->trial_action_id)),
                  kInFlightRecheck};
        }
        detail.append(label()).append(" half-open (this action is the trial)");
        break;
      case BreakerPhase::kClosed:
        detail.append(fmt::format("{} closed ({} of {} failures within {})", label(),
                                  breaker->recentFailures(settings, c.now),
                                  settings.failure_threshold,
                                  humanDuration(settings.failure_window)));
        break;
    }
  }
  return {"circuit_breaker", Verdict::kPass, std::move(detail), std::nullopt};
}

Gate budgetGate(const GateContext& c, bool automatic) {
  const policy::BudgetSettings& budget = c.policy.budget();
  if (!automatic) {
    return {"budget", Verdict::kSkip, "counts automatic actions only", std::nullopt};
  }
  if (!budget.enabled) return {"budget", Verdict::kPass, "action budget disabled", std::nullopt};
  size_t used = c.state.automaticSince(c.now - budget.window);
  if (used >= static_cast<size_t>(budget.max_actions)) {
    return {"budget", Verdict::kApproval,
            fmt::format("{} automatic actions within the last {} (max {}): exhausted, asking the "
                        "admin",
                        used, humanDuration(budget.window), budget.max_actions),
            std::nullopt};
  }
  return {"budget", Verdict::kPass,
          fmt::format("{} of {} automatic actions within {}", used, budget.max_actions,
                      humanDuration(budget.window)),
          std::nullopt};
}

}  // namespace

std::string_view toString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kBlock:
      return "block";
    case Verdict::kSuggest:
      return "suggest";
    case Verdict::kApproval:
      return "approval";
    case Verdict::kSkip:
      return "skip";
  }
  return "block";
}

std::string humanDuration(Duration duration) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  if (duration > Duration::zero() && seconds == 0) seconds = 1;  // never say "0 s" for a wait
  if (seconds < 600) return std::to_string(seconds) + " s";
  return formatDuration(std::chrono::seconds(seconds));
}

// At N3, when the only gates holding an action back are its per-action cooldown (a cooldown
// that has not passed, not an action still running) and/or its circuit breaker, it is the
// admin's call: the decision becomes a request that only a force with the matching flags
// (--override-cooldown, --override-breaker) answers; the coordinator and the commander both check
// them (signing/overrides.h). Any other block (an action still running, the rate limit, the
// incident cooldown) stands: time lifts those and the brain looks again by itself.
static void offerOverride(const GateContext& c, GateReport& report) {
  if (c.level != contracts::AutonomyLevel::kN3) return;
  signing::RequiredOverrides required;
  std::vector<Gate*> held;
  bool asks_anyway = false;  // RISKY, or the budget is spent: the admin is asked regardless
  for (Gate& gate : report.gates) {
    if (gate.verdict == Verdict::kApproval) asks_anyway = true;
    if (gate.verdict != Verdict::kBlock) continue;
    if (gate.name == "circuit_breaker") {
      required.circuit_breaker = true;
    } else if (gate.name == "action_cooldown" &&
               c.state.inFlightFor(c.candidate.cooldown_key) == nullptr) {
      required.cooldown = true;
      if (gate.wait) required.cooldown_until = c.now + *gate.wait;
    } else {
      return;
    }
    held.push_back(&gate);
  }
  // A SAFE action held back by its cooldown alone runs by itself once the cooldown ends (the
  // brain looks again then): nothing for the admin to decide.
  if (held.empty() || (!asks_anyway && !required.circuit_breaker)) return;
  std::string flags = signing::requiredFlags(required);
  for (Gate* gate : held) {
    gate->verdict = Verdict::kApproval;
    gate->detail += "; only an admin's force with " +
                    std::string(gate->name == "circuit_breaker" ? "--override-breaker"
                                                                : "--override-cooldown") +
                    " can run it";
  }
  report.requires_override = signing::requiredOverridesTag(required);
  report.cooldown_until = required.cooldown_until;
  if (report.approval_timeout <= Duration::zero()) {
    report.approval_timeout = c.policy.approvalTimeout(c.candidate.action_type);
  }
  std::string until = required.cooldown_until
                          ? " (until " + formatRfc3339(*required.cooldown_until) +
                                "; a plain approve runs it after that)"
                          : std::string();
  std::string what =
      required.cooldown && required.circuit_breaker
          ? "its cooldown has not passed" + until + " and its circuit breaker is open"
      : required.cooldown ? "its cooldown has not passed" + until
                          : std::string("the circuit breaker is open");
  Gate& approval = report.gates.back();
  std::string why = approval.verdict == Verdict::kApproval ? approval.detail + "; and " : "";
  approval.verdict = Verdict::kApproval;
  approval.detail = why + fmt::format("required: {} (force with {}); the request expires after {}",
                                      what, flags, humanDuration(report.approval_timeout));
}

GateReport evaluateGates(const GateContext& c) {
  GateReport report;
  report.classification = c.policy.classify(c.candidate.action_type);
  report.approval_timeout = c.policy.approvalTimeout(c.candidate.action_type);
  Gate autonomy = autonomyGate(c);
  Gate classification = classificationGate(c, report.classification, report.approval_timeout);
  // The budget counts what ORION would run by itself: a SAFE action the level lets it execute.
  bool automatic = autonomy.verdict == Verdict::kPass && classification.verdict == Verdict::kPass;
  Gate budget = budgetGate(c, automatic);

  std::string why_approval;
  if (classification.verdict == Verdict::kApproval) {
    why_approval = fmt::format("{} is {}", c.candidate.action_type,
                               report.classification == contracts::SafetyClass::kRisky
                                   ? "RISKY"
                                   : "UNKNOWN (treated as RISKY)");
  } else if (budget.verdict == Verdict::kApproval) {
    why_approval = "the action budget is exhausted";
  }
  Gate approval = why_approval.empty()
                      ? Gate{"approval", Verdict::kSkip, "not required", std::nullopt}
                      : Gate{"approval", Verdict::kApproval,
                             fmt::format("required: {}; the request expires after {}", why_approval,
                                         humanDuration(report.approval_timeout)),
                             std::nullopt};

  report.gates = {std::move(autonomy),   std::move(classification), incidentCooldownGate(c),
                  actionCooldownGate(c), rateLimitGate(c),          breakerGate(c),
                  std::move(budget),     std::move(approval)};
  offerOverride(c, report);
  return report;
}

}  // namespace orion::brain
