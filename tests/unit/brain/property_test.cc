// Property tests: randomized sequences of incidents, executions, outcomes, time steps and
// autonomy changes through the brain's core on a SimulatedClock, checking after every step the
// invariants of issue 4 and reference §8.14:
//   - N0 never proposes anything (NO_ACTION, SAFE, no proposed_action);
//   - a RISKY or UNKNOWN action never becomes EXECUTE_SAFE_ACTION;
//   - while a breaker of the action's type or target is open (or half-open with its trial
//     running), no automatic action in that scope;
//   - while the budget is exhausted, no automatic action at all;
//   - no automatic action while the same action on the same entity is in cooldown;
//   - every decision validates against the contract.
// Deterministic: fixed seeds.
#include <gtest/gtest.h>

#include <random>

#include "brain/brain_core.h"
#include "contracts/registry.h"
#include "core_fixture.h"

namespace orion::brain {
namespace {

using namespace std::chrono_literals;
using contracts::AutonomyLevel;
using contracts::DecisionType;
using contracts::OutcomeStatus;
using contracts::SafetyClass;

class RandomRun {
 public:
  RandomRun(uint32_t seed, const policy::Policy& policy,
            std::shared_ptr<const contracts::ContractRegistry> registry)
      : random_(seed), policy_(policy), registry_(std::move(registry)) {
    BrainCoreOptions options;
    options.configured = pick<AutonomyLevel>(
        {AutonomyLevel::kN0, AutonomyLevel::kN1, AutonomyLevel::kN2, AutonomyLevel::kN3});
    core_ = std::make_unique<BrainCore>(options, [this] { return testing::countedUuid(++ids_); });
  }

  void step() {
    int what = uniform(0, 99);
    if (what < 35) {
      newIncident();
    } else if (what < 65) {
      executeSomething();
    } else if (what < 85) {
      clock_.advance(std::chrono::seconds(uniform(1, 1200)));
      core_->onTick(policy_, clock_.now());
    } else if (what < 93) {
      changeIncident();
    } else {
      AutonomyChangeRequest request{
          std::string(contracts::toString(pick<AutonomyLevel>(
              {AutonomyLevel::kN0, AutonomyLevel::kN1, AutonomyLevel::kN2, AutonomyLevel::kN3}))),
          "property test change",
          "uid 0",
          0,
          1,
          "root"};
      core_->setAutonomy(request, clock_.now()).status().ignore();  // "already N2" is fine
    }
    checkQueued();
  }

  int decisions() const { return decisions_; }
  int executions() const { return executions_; }

 private:
  template <typename T>
  T pick(std::vector<T> choices) {
    return choices[static_cast<size_t>(uniform(0, static_cast<int>(choices.size()) - 1))];
  }
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  void newIncident() {
    std::string service = pick<std::string>({"jellyfin", "sonarr", "radarr", "immich"});
    auto severity = pick<contracts::IncidentSeverity>(
        {contracts::IncidentSeverity::kLow, contracts::IncidentSeverity::kMedium,
         contracts::IncidentSeverity::kHigh, contracts::IncidentSeverity::kCritical});
    contracts::Incident incident;
    switch (uniform(0, 4)) {
      case 0:
      case 1:
        incident = testing::containerOutage(clock_.now(), service, severity);
        break;
      case 2:
        incident = testing::makeIncident(
            {.type = "metric_anomaly",
             .severity = severity,
             .node = "nas",
             .tags = {{"metric", "disk_used_percent"}, {"resource", "/"}, {"target", "/"}}},
            clock_.now());
        break;
      case 3:
        incident = testing::makeIncident({.type = "service_outage",
                                          .severity = severity,
                                          .tags = {{"service_name", service}, {"target", service}}},
                                         clock_.now());
        break;
      default:
        incident = testing::makeIncident(
            {.type = pick<std::string>(
                 {"repeated_failures", "correlation_detected", "edge_device_failure"}),
             .severity = severity},
            clock_.now());
    }
    open_.push_back(incident);
    core_->onIncident(incident, policy_, clock_.now());
  }

  void changeIncident() {
    if (open_.empty()) return;
    size_t index = static_cast<size_t>(uniform(0, static_cast<int>(open_.size()) - 1));
    contracts::Incident& incident = open_[index];
    if (uniform(0, 1) == 0 && incident.severity < contracts::IncidentSeverity::kCritical) {
      incident.severity =
          static_cast<contracts::IncidentSeverity>(static_cast<int>(incident.severity) + 1);
    } else {
      incident.state = contracts::IncidentState::kResolved;
    }
    incident.event_ids.push_back(newUuid());
    core_->onIncident(incident, policy_, clock_.now());
    if (incident.state == contracts::IncidentState::kResolved) open_.erase(open_.begin() + index);
  }

  // Plays the commander on one executable decision: SAFE ones as decided, approval requests as if
  // the admin approved them. Sometimes the outcome arrives before the action.
  void executeSomething() {
    if (executable_.empty()) return;
    size_t index = static_cast<size_t>(uniform(0, static_cast<int>(executable_.size()) - 1));
    contracts::Decision decision = executable_[index];
    executable_.erase(executable_.begin() + index);
    std::optional<std::string> approval;
    if (decision.decision_type == DecisionType::kRequestApproval) approval = newUuid();
    auto action = testing::actionFor(decision, clock_.now(), approval);
    clock_.advance(std::chrono::seconds(uniform(1, 30)));
    auto status = pick<OutcomeStatus>({OutcomeStatus::kSucceeded, OutcomeStatus::kFailed,
                                       OutcomeStatus::kFailed, OutcomeStatus::kRolledBack});
    auto outcome =
        testing::outcomeFor(action, status, clock_.now(),
                            uniform(0, 4) == 0 ? std::optional<bool>(false) : std::nullopt);
    if (uniform(0, 3) == 0) {
      core_->onOutcome(outcome, policy_, clock_.now());
      core_->onAction(action, policy_, clock_.now());
    } else {
      core_->onAction(action, policy_, clock_.now());
      core_->onOutcome(outcome, policy_, clock_.now());
    }
    ++executions_;
  }

  void checkQueued() {
    while (!core_->state().outbox().empty()) {
      OutboxEntry entry = core_->state().outbox().front();
      core_->published(entry.sequence);
      ASSERT_TRUE(registry_->validate(entry.type, entry.document).isOk())
          << entry.type << " " << entry.document.dump();
      if (entry.type != "decision") continue;
      auto decision = contracts::Decision::fromJson(entry.document);
      ASSERT_TRUE(decision.isOk());
      check(*decision);
      ++decisions_;
      if (decision->decision_type == DecisionType::kExecuteSafeAction ||
          decision->decision_type == DecisionType::kRequestApproval) {
        executable_.push_back(*decision);
      }
    }
  }

  void check(const contracts::Decision& d) {
    std::string what = d.reasoning;
    ASSERT_TRUE(d.autonomy_level.has_value());
    if (*d.autonomy_level == AutonomyLevel::kN0) {
      EXPECT_EQ(d.decision_type, DecisionType::kNoAction) << what;
      EXPECT_EQ(d.safety_classification, SafetyClass::kSafe) << what;
      EXPECT_FALSE(d.proposed_action.has_value()) << what;
    }
    if (d.decision_type != DecisionType::kExecuteSafeAction) return;
    const std::string& action = d.proposed_action->action_type;
    EXPECT_EQ(policy_.classify(action), SafetyClass::kSafe) << what;
    EXPECT_GE(*d.autonomy_level, AutonomyLevel::kN2) << what;
    WallTime now = d.timestamp;
    const SafetyState& state = core_->state();
    const policy::BreakerSettings& breaker = policy_.breaker();
    if (breaker.appliesTo(action)) {
      for (const std::string& scope :
           {typeScope(action),
            targetScope(action, policy_.targetOf(action, d.proposed_action->parameters))}) {
        const CircuitBreaker* b = state.breaker(scope);
        if (b == nullptr) continue;
        EXPECT_NE(b->phase(breaker, now), BreakerPhase::kOpen) << scope << ": " << what;
        if (b->phase(breaker, now) == BreakerPhase::kHalfOpen) {
          EXPECT_TRUE(b->trial_action_id.empty()) << scope << ": " << what;
        }
      }
    }
    const policy::BudgetSettings& budget = policy_.budget();
    if (budget.enabled) {
      EXPECT_LT(state.automaticSince(now - budget.window), static_cast<size_t>(budget.max_actions))
          << what;
    }
    policy::Cooldown cooldown = policy_.cooldownFor(action);
    std::string key =
        cooldownKeyOf(action, policy_.cooldownKey(action, d.proposed_action->parameters));
    if (auto last = state.lastExecution(key)) {
      EXPECT_GE(now - *last, cooldown.duration) << key << ": " << what;
    }
    EXPECT_EQ(state.inFlightFor(key), nullptr) << key << ": " << what;
  }

  std::mt19937 random_;
  const policy::Policy& policy_;
  std::shared_ptr<const contracts::ContractRegistry> registry_;
  SimulatedClock clock_;
  uint64_t ids_ = 0;
  std::unique_ptr<BrainCore> core_;
  std::vector<contracts::Incident> open_;
  std::vector<contracts::Decision> executable_;
  int decisions_ = 0;
  int executions_ = 0;
};

TEST(BrainProperties, InvariantsHoldOverRandomSequences) {
  auto registry = contracts::ContractRegistry::loadEmbedded();
  ASSERT_TRUE(registry.isOk());
  // The shipped policy, with a tighter budget and breaker so that both engage often.
  testing::TempDir dir;
  std::filesystem::copy(ORION_SOURCE_DIR "/policies", dir.path() / "policies");
  std::string cooldowns = testing::readFile(dir.path() / "policies/cooldowns.yaml");
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = cooldowns.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    cooldowns.replace(at, from.size(), to);
  };
  replace("max_actions: 10", "max_actions: 4");
  replace("failure_threshold: 3", "failure_threshold: 2");
  dir.write("policies/cooldowns.yaml", cooldowns);
  auto policy = policy::Policy::load(dir.path() / "policies");
  ASSERT_TRUE(policy.isOk()) << policy.status().message();

  int decisions = 0;
  int executions = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomRun run(seed, **policy, *registry);
    for (int i = 0; i < 300; ++i) {
      run.step();
      if (::testing::Test::HasFatalFailure()) return;
    }
    decisions += run.decisions();
    executions += run.executions();
  }
  // The sequences must actually exercise the engine.
  EXPECT_GT(decisions, 2000);
  EXPECT_GT(executions, 500);
}

}  // namespace
}  // namespace orion::brain
