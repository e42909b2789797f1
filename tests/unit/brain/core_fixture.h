// A BrainCore on the small test policy (tests/unit/policy/policy_fixture.h) with a simulated
// clock and counting ids, and helpers to play the commander's part (actions and outcomes).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "brain/brain_core.h"
#include "policy/policy.h"
#include "policy_fixture.h"
#include "test_incidents.h"

namespace orion::testing {

inline std::string countedUuid(uint64_t n) {
  return fmt::format("00000000-0000-4000-8000-{:012x}", n);
}

inline policy::PolicyPtr loadPolicy(const TempDir& dir,
                                    const std::map<std::string, std::string>& overrides = {},
                                    std::string_view sub = "policies") {
  auto loaded = policy::Policy::load(writePolicy(dir, overrides, sub));
  EXPECT_TRUE(loaded.isOk()) << loaded.status().message();
  return loaded.isOk() ? *loaded : policy::Policy::failClosed("test policy did not load");
}

class CoreFixture : public ::testing::Test {
 protected:
  void makeCore(contracts::AutonomyLevel level) {
    brain::BrainCoreOptions options;
    options.configured = level;
    core_ = std::make_unique<brain::BrainCore>(options, [this] { return countedUuid(++ids_); });
  }
  void SetUp() override {
    policy_ = loadPolicy(dir_);
    makeCore(contracts::AutonomyLevel::kN2);
  }

  // Everything the core queued, in order, marked published.
  std::vector<brain::OutboxEntry> drain() {
    std::vector<brain::OutboxEntry> out;
    while (!core_->state().outbox().empty()) {
      out.push_back(core_->state().outbox().front());
      core_->published(out.back().sequence);
    }
    return out;
  }

  // The decisions queued since the last drain (other documents are kept in `others_`).
  std::vector<contracts::Decision> decisions() {
    std::vector<contracts::Decision> out;
    for (auto& entry : drain()) {
      if (entry.type == "decision") {
        auto decision = contracts::Decision::fromJson(entry.document);
        EXPECT_TRUE(decision.isOk()) << decision.status().message();
        if (decision) out.push_back(*decision);
      } else {
        others_.push_back(entry);
      }
    }
    return out;
  }

  contracts::Decision decideOne(const contracts::Incident& incident) {
    EXPECT_EQ(core_->onIncident(incident, *policy_, clock_.now()),
              brain::IncidentVerdict::kDecided);
    auto out = decisions();
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? contracts::Decision{} : out.back();
  }

  // Plays the commander: starts the decision's action and reports `status` `took` later.
  contracts::Action execute(const contracts::Decision& decision, contracts::OutcomeStatus status,
                            Duration took = std::chrono::seconds(2),
                            std::optional<bool> verified = std::nullopt) {
    auto action = actionFor(decision, clock_.now());
    EXPECT_EQ(core_->onAction(action, *policy_, clock_.now()), brain::ActionVerdict::kStarted);
    clock_.advance(took);
    EXPECT_EQ(core_->onOutcome(outcomeFor(action, status, clock_.now(), verified), *policy_,
                               clock_.now()),
              brain::OutcomeVerdict::kApplied);
    return action;
  }

  TempDir dir_;
  policy::PolicyPtr policy_;
  SimulatedClock clock_;
  uint64_t ids_ = 0;
  std::unique_ptr<brain::BrainCore> core_;
  std::vector<brain::OutboxEntry> others_;
};

inline std::string tag(const contracts::Decision& decision, const std::string& key) {
  auto it = decision.tags.find(key);
  return it == decision.tags.end() ? "<none>" : it->second;
}

}  // namespace orion::testing
