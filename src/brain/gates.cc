#include "brain/gates.h"

#include <algorithm>
#include <vector>

#include "brain/text.h"
#include "common/time.h"
#include "signing/overrides.h"

namespace orion::brain {

namespace {

using contracts::AutonomyLevel;
using contracts::SafetyClass;

// A time-limited block with nothing exact to wait for (something in flight) looks again after
// this long, or sooner when the outcome arrives.
constexpr Duration kInFlightRecheck = std::chrono::minutes(1);

// Room for the longest usual detail, so that writing one allocates once.
constexpr size_t kDetailCapacity = 160;

// What every gate reads: the context, and the proposed action's profile in the policy.
struct Inputs {
  const GateContext& c;
  const policy::ActionProfile& profile;
  std::string_view action;
};

std::string_view display(std::string_view cooldown_key) {
  // "prune_images/" reads better as "prune_images".
  if (cooldown_key.ends_with('/')) cooldown_key.remove_suffix(1);
  return cooldown_key;
}

std::string_view shortId(std::string_view id) { return id.substr(0, 8); }

// A gate whose detail is written by `write(detail)` into a string allocated once.
template <typename Write>
Gate gate(std::string_view name, Verdict verdict, std::optional<Duration> wait, Write write) {
  Gate out{name, verdict, std::string(), wait};
  out.detail.reserve(kDetailCapacity);
  write(out.detail);
  return out;
}

template <typename... Pieces>
Gate gateWith(std::string_view name, Verdict verdict, std::optional<Duration> wait,
              const Pieces&... pieces) {
  return gate(name, verdict, wait, [&](std::string& detail) { appendText(detail, pieces...); });
}

Gate autonomyGate(const Inputs& in) {
  switch (in.c.level) {
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

Gate classificationGate(const Inputs& in) {
  const GateContext& c = in.c;
  SafetyClass cls = in.profile.classification;
  policy::LevelPermissions allowed = c.policy.permissions(c.level);
  std::string_view level = contracts::toString(c.level);
  if (cls == SafetyClass::kSafe) {
    if (c.level >= AutonomyLevel::kN2 && !allowed.allow_safe_actions) {
      return gateWith("classification", Verdict::kSuggest, std::nullopt, in.action, " is SAFE (",
                      in.profile.listed_at, "); autonomy_levels.", level,
                      ".allow_safe_actions is false");
    }
    return gateWith("classification", Verdict::kPass, std::nullopt, in.action, " is SAFE (",
                    in.profile.listed_at, ")");
  }
  auto what = [&](std::string& detail) {
    if (cls == SafetyClass::kRisky) {
      appendText(detail, in.action, " is RISKY (", in.profile.listed_at, ")");
    } else {
      appendText(detail, in.action, " is in neither ", policy::kSafeFile, " nor ",
                 policy::kRiskyFile, ": UNKNOWN, treated as RISKY");
    }
  };
  if (c.level == AutonomyLevel::kN3 && allowed.allow_risky_actions) {
    return gate("classification", Verdict::kApproval, std::nullopt, [&](std::string& detail) {
      what(detail);
      appendText(detail, "; needs an admin's approval within ",
                 HumanDuration{in.profile.approval_timeout});
    });
  }
  if (c.level == AutonomyLevel::kN3) {
    return gate("classification", Verdict::kSuggest, std::nullopt, [&](std::string& detail) {
      what(detail);
      detail.append("; autonomy_levels.N3.allow_risky_actions is false");
    });
  }
  return gate("classification", Verdict::kSuggest, std::nullopt, [&](std::string& detail) {
    what(detail);
    appendText(detail, "; ", level, " never executes it, only suggests");
  });
}

Gate incidentCooldownGate(const Inputs& in) {
  const GateContext& c = in.c;
  Duration cooldown = c.policy.decisionCooldown();
  const TrackedIncident* tracked = c.state.incident(c.incident.incident_id);
  if (cooldown > Duration::zero() && tracked != nullptr && tracked->last_actionable) {
    Duration since = c.now - *tracked->last_actionable;
    if (since < cooldown) {
      return gateWith("incident_cooldown", Verdict::kBlock, cooldown - since, "incident ",
                      shortId(c.incident.incident_id), " had an action proposed ",
                      HumanDuration{since}, " ago: ", HumanDuration{cooldown - since},
                      " remaining of ", HumanDuration{cooldown});
    }
  }
  return gateWith("incident_cooldown", Verdict::kPass, std::nullopt,
                  "no action proposed for this incident in the last ", HumanDuration{cooldown});
}

Gate actionCooldownGate(const Inputs& in) {
  const GateContext& c = in.c;
  const policy::Cooldown& cooldown = in.profile.cooldown;
  std::string_view key = display(c.candidate.cooldown_key);
  std::string_view source = cooldown.is_default ? " (global default)" : "";
  if (const InFlight* running = c.state.inFlightFor(c.candidate.cooldown_key)) {
    Duration wait = cooldown.duration > Duration::zero() ? cooldown.duration : kInFlightRecheck;
    return gateWith("action_cooldown", Verdict::kBlock, wait, key, ": action ",
                    shortId(running->action_id), " is still running (started ",
                    HumanDuration{c.now - running->started}, " ago)");
  }
  if (cooldown.duration <= Duration::zero()) {
    return gateWith("action_cooldown", Verdict::kPass, std::nullopt, key, ": no cooldown");
  }
  std::optional<WallTime> last = c.state.lastExecution(c.candidate.cooldown_key);
  if (!last) {
    return gateWith("action_cooldown", Verdict::kPass, std::nullopt, key, ": never ran (cooldown ",
                    HumanDuration{cooldown.duration}, source, ")");
  }
  Duration since = c.now - *last;
  if (since < cooldown.duration) {
    return gateWith("action_cooldown", Verdict::kBlock, cooldown.duration - since, key, ": ",
                    HumanDuration{cooldown.duration - since}, " remaining of ",
                    HumanDuration{cooldown.duration}, source);
  }
  return gateWith("action_cooldown", Verdict::kPass, std::nullopt, key, ": last ran ",
                  HumanDuration{since}, " ago (cooldown ", HumanDuration{cooldown.duration}, source,
                  ")");
}

Gate rateLimitGate(const Inputs& in) {
  const GateContext& c = in.c;
  const std::optional<policy::RateLimit>& limit = in.profile.rate_limit;
  if (!limit) return gateWith("rate_limit", Verdict::kPass, std::nullopt, in.action, ": unlimited");
  WallTime since = c.now - limit->per;
  size_t count = c.state.executionsSince(in.action, since);
  if (count >= static_cast<size_t>(limit->count)) {
    WallTime oldest = c.state.oldestExecutionSince(in.action, since).value_or(c.now);
    Duration wait = std::max(oldest + limit->per - c.now, Duration(std::chrono::seconds(1)));
    return gateWith("rate_limit", Verdict::kBlock, wait, in.action, ": ", count,
                    " runs within the last ", HumanDuration{limit->per}, " (max_frequency ",
                    limit->text, "); room again in ", HumanDuration{wait});
  }
  return gateWith("rate_limit", Verdict::kPass, std::nullopt, in.action, ": ", count, " of ",
                  limit->count, " (", limit->text, ")");
}

Gate breakerGate(const Inputs& in) {
  const GateContext& c = in.c;
  const policy::BreakerSettings& settings = c.policy.breaker();
  if (!in.profile.breaker_applies) {
    return gateWith("circuit_breaker", Verdict::kSkip, std::nullopt, in.action,
                    settings.enabled ? std::string_view(" is not in circuit_breaker.applies_to")
                                     : std::string_view(": circuit breakers are disabled"));
  }
  // The target's breaker first: it is the more specific explanation.
  const std::string& target = c.candidate.action_target;
  Gate passed{"circuit_breaker", Verdict::kPass, std::string(), std::nullopt};
  std::string& detail = passed.detail;
  detail.reserve(kDetailCapacity);
  for (int scope_index = 0; scope_index < 2; ++scope_index) {
    bool per_target = scope_index == 0;
    const CircuitBreaker* breaker =
        per_target ? c.state.targetBreaker(in.action, target) : c.state.typeBreaker(in.action);
    auto label = [&](std::string& out) {
      appendText(out, in.action);
      if (per_target) appendText(out, "/", target);
    };
    if (!detail.empty()) detail.append("; ");
    if (breaker == nullptr) {
      label(detail);
      detail.append(" closed (0 failures)");
      continue;
    }
    switch (breaker->phase(settings, c.now)) {
      case BreakerPhase::kOpen: {
        Duration wait = breaker->remainingOpen(settings, c.now);
        return gate("circuit_breaker", Verdict::kBlock, wait, [&](std::string& out) {
          label(out);
          appendText(out, " is OPEN after ", settings.failure_threshold, " failures within ",
                     HumanDuration{settings.failure_window}, ": ", HumanDuration{wait},
                     " until a trial");
        });
      }
      case BreakerPhase::kHalfOpen:
        if (!breaker->trial_action_id.empty()) {
          return gate("circuit_breaker", Verdict::kBlock, kInFlightRecheck, [&](std::string& out) {
            label(out);
            appendText(out, " is half-open and its trial action ",
                       shortId(breaker->trial_action_id), " is still running");
          });
        }
        label(detail);
        detail.append(" half-open (this action is the trial)");
        break;
      case BreakerPhase::kClosed:
        label(detail);
        appendText(detail, " closed (", breaker->recentFailures(settings, c.now), " of ",
                   settings.failure_threshold, " failures within ",
                   HumanDuration{settings.failure_window}, ")");
        break;
    }
  }
  return passed;
}

Gate budgetGate(const Inputs& in, bool automatic) {
  const GateContext& c = in.c;
  const policy::BudgetSettings& budget = c.policy.budget();
  if (!automatic) {
    return {"budget", Verdict::kSkip, "counts automatic actions only", std::nullopt};
  }
  if (!budget.enabled) return {"budget", Verdict::kPass, "action budget disabled", std::nullopt};
  size_t used = c.state.automaticSince(c.now - budget.window);
  if (used >= static_cast<size_t>(budget.max_actions)) {
    return gateWith("budget", Verdict::kApproval, std::nullopt, used,
                    " automatic actions within the last ", HumanDuration{budget.window}, " (max ",
                    budget.max_actions, "): exhausted, asking the admin");
  }
  return gateWith("budget", Verdict::kPass, std::nullopt, used, " of ", budget.max_actions,
                  " automatic actions within ", HumanDuration{budget.window});
}

Gate approvalGate(const Inputs& in, const Gate& classification, const Gate& budget) {
  if (classification.verdict == Verdict::kApproval) {
    return gateWith("approval", Verdict::kApproval, std::nullopt, "required: ", in.action, " is ",
                    in.profile.classification == SafetyClass::kRisky
                        ? std::string_view("RISKY")
                        : std::string_view("UNKNOWN (treated as RISKY)"),
                    "; the request expires after ", HumanDuration{in.profile.approval_timeout});
  }
  if (budget.verdict == Verdict::kApproval) {
    return gateWith("approval", Verdict::kApproval, std::nullopt,
                    "required: the action budget is exhausted; the request expires after ",
                    HumanDuration{in.profile.approval_timeout});
  }
  return {"approval", Verdict::kSkip, "not required", std::nullopt};
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

void appendPiece(std::string& out, HumanDuration human) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(human.duration).count();
  if (human.duration > Duration::zero() && seconds == 0) seconds = 1;  // never "0 s" for a wait
  if (seconds < 600) {
    appendText(out, seconds, " s");
  } else {
    out.append(formatDuration(std::chrono::seconds(seconds)));
  }
}

std::string humanDuration(Duration duration) {
  std::string out;
  appendPiece(out, HumanDuration{duration});
  return out;
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
    appendText(gate->detail, "; only an admin's force with ",
               gate->name == "circuit_breaker" ? "--override-breaker" : "--override-cooldown",
               " can run it");
  }
  report.requires_override = signing::requiredOverridesTag(required);
  report.cooldown_until = required.cooldown_until;
  if (report.approval_timeout <= Duration::zero()) {
    report.approval_timeout = c.policy.approvalTimeout(c.candidate.action_type);
  }
  std::string until;
  if (required.cooldown_until) {
    appendText(until, " (until ", formatRfc3339(*required.cooldown_until),
               "; a plain approve runs it after that)");
  }
  Gate& approval = report.gates.back();
  std::string detail;
  if (approval.verdict == Verdict::kApproval) appendText(detail, approval.detail, "; and ");
  detail.append("required: ");
  if (required.cooldown && required.circuit_breaker) {
    appendText(detail, "its cooldown has not passed", until, " and its circuit breaker is open");
  } else if (required.cooldown) {
    appendText(detail, "its cooldown has not passed", until);
  } else {
    detail.append("the circuit breaker is open");
  }
  appendText(detail, " (force with ", flags, "); the request expires after ",
             HumanDuration{report.approval_timeout});
  approval.verdict = Verdict::kApproval;
  approval.detail = std::move(detail);
}

GateReport evaluateGates(const GateContext& c) {
  // A candidate from selectCandidate() carries its step's profile; any other is looked up.
  std::optional<policy::ActionProfile> looked_up;
  if (c.candidate.profile == nullptr) looked_up = c.policy.profileOf(c.candidate.action_type);
  const policy::ActionProfile& profile =
      c.candidate.profile != nullptr ? *c.candidate.profile : *looked_up;
  Inputs in{c, profile, c.candidate.action_type};

  GateReport report;
  report.classification = profile.classification;
  report.approval_timeout = profile.approval_timeout;
  report.gates.reserve(kGateOrder.size());
  report.gates.push_back(autonomyGate(in));
  report.gates.push_back(classificationGate(in));
  report.gates.push_back(incidentCooldownGate(in));
  report.gates.push_back(actionCooldownGate(in));
  report.gates.push_back(rateLimitGate(in));
  report.gates.push_back(breakerGate(in));
  // The budget counts what ORION would run by itself: a SAFE action the level lets it execute.
  bool automatic =
      report.gates[0].verdict == Verdict::kPass && report.gates[1].verdict == Verdict::kPass;
  report.gates.push_back(budgetGate(in, automatic));
  report.gates.push_back(approvalGate(in, report.gates[1], report.gates[6]));
  offerOverride(c, report);
  return report;
}

}  // namespace orion::brain
