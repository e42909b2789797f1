// The N0 safety invariants of the decider, over every incident type, severity and configured
// autonomy level (reference §8.5, §8.14 invariant 1).
#include "brain/decider.h"

#include <gtest/gtest.h>

#include <array>

#include "contracts/registry.h"
#include "test_incidents.h"

namespace orion::brain {
namespace {

using contracts::AutonomyLevel;
using contracts::DecisionType;
using contracts::IncidentSeverity;
using contracts::IncidentState;
using contracts::SafetyClass;
using testing::IncidentSpec;
using testing::makeIncident;

constexpr std::array<std::string_view, 5> kTypes{"service_outage", "edge_device_failure",
                                                 "metric_anomaly", "repeated_failures",
                                                 "correlation_detected"};
constexpr std::array<IncidentSeverity, 4> kSeverities{
    IncidentSeverity::kLow, IncidentSeverity::kMedium, IncidentSeverity::kHigh,
    IncidentSeverity::kCritical};
constexpr std::array<config::Autonomy, 4> kLevels{config::Autonomy::kN0, config::Autonomy::kN1,
                                                  config::Autonomy::kN2, config::Autonomy::kN3};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(DeciderTest, EveryDecisionIsTheN0OneAndValidatesAgainstTheContract) {
  auto registry = contracts::ContractRegistry::loadEmbedded();
  ASSERT_TRUE(registry.isOk()) << registry.status().toString();
  SimulatedClock clock;
  int checked = 0;
  for (config::Autonomy level : kLevels) {
    Decider decider(level);
    for (std::string_view type : kTypes) {
      for (IncidentSeverity severity : kSeverities) {
        for (std::string node : {"node-a", ""}) {
          auto incident = makeIncident(
              {.type = std::string(type), .severity = severity, .events = 2, .node = node},
              clock.now());
          auto decision = decider.decide(incident, clock.now(), newUuid());
          std::string what = std::string(config::toString(level)) + " " + std::string(type) + " " +
                             std::string(contracts::toString(severity));
          EXPECT_EQ(decision.decision_type, DecisionType::kNoAction) << what;
          EXPECT_EQ(decision.safety_classification, SafetyClass::kSafe) << what;
          EXPECT_FALSE(decision.requires_approval) << what;
          EXPECT_FALSE(decision.proposed_action.has_value()) << what;
          EXPECT_EQ(decision.autonomy_level, AutonomyLevel::kN0) << what;
          EXPECT_EQ(decision.incident_id, incident.incident_id) << what;
          EXPECT_EQ(decision.source, "orion-brain") << what;
          EXPECT_EQ(decision.timestamp, clock.now()) << what;
          EXPECT_GE(decision.reasoning.size(), 10u) << what;
          EXPECT_TRUE(contains(decision.reasoning, "N0")) << decision.reasoning;
          EXPECT_TRUE(contains(decision.reasoning, "observe only")) << decision.reasoning;
          EXPECT_TRUE(contains(decision.reasoning, type)) << decision.reasoning;
          EXPECT_TRUE(contains(decision.reasoning,
                               "severity=" + std::string(contracts::toString(severity))))
              << decision.reasoning;
          EXPECT_TRUE(contains(decision.reasoning, "events=2")) << decision.reasoning;
          EXPECT_EQ(decision.tags.contains("node"), !node.empty()) << what;
          Status valid = (*registry)->validate(contracts::type::kDecision, decision.toJson());
          EXPECT_TRUE(valid.isOk()) << what << ": " << valid.toString();
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 4 * 5 * 4 * 2);
}

TEST(DeciderTest, N0ReasoningSaysWhatWasSeenAndWhyNothingIsDone) {
  SimulatedClock clock;
  auto incident = makeIncident({}, clock.now());
  auto decision = Decider(config::Autonomy::kN0).decide(incident, clock.now(), newUuid());
  EXPECT_EQ(decision.reasoning,
            "N0 mode (observe only): detected metric_anomaly (severity=medium, events=1) on node "
            "node-a: disk_used_percent of / is 93.1% (warning threshold 90%). No action taken: "
            "autonomy level N0 only observes.");
  EXPECT_EQ(decision.tags, (contracts::Tags{{"node", "node-a"}}));
}

TEST(DeciderTest, HigherConfiguredLevelFailsClosedToN0AndSaysSo) {
  SimulatedClock clock;
  Decider decider(config::Autonomy::kN2);
  EXPECT_TRUE(decider.degraded());
  EXPECT_EQ(decider.applied(), AutonomyLevel::kN0);
  auto decision = decider.decide(
      makeIncident({.severity = IncidentSeverity::kCritical, .node = "", .description = ""},
                   clock.now()),
      clock.now(), newUuid());
  EXPECT_EQ(decision.autonomy_level, AutonomyLevel::kN0);
  EXPECT_EQ(decision.reasoning,
            "N0 mode (observe only): detected metric_anomaly (severity=critical, events=1). No "
            "action taken: configured N2 but no policy engine is available yet; acting as N0 "
            "(observe only).");
  EXPECT_EQ(decision.tags.at("configured_autonomy"), "N2");
  EXPECT_FALSE(Decider(config::Autonomy::kN0).degraded());
}

TEST(DeciderTest, IsPure) {
  SimulatedClock clock;
  Decider decider(config::Autonomy::kN3);
  auto incident = makeIncident({}, clock.now());
  std::string id = newUuid();
  EXPECT_EQ(decider.decide(incident, clock.now(), id).toJson(),
            decider.decide(incident, clock.now(), id).toJson());
}

TEST(DeciderTest, OnlyOpenIncidentsNeedADecision) {
  SimulatedClock clock;
  EXPECT_TRUE(needsDecision(makeIncident({.state = IncidentState::kOpen}, clock.now())));
  EXPECT_FALSE(needsDecision(makeIncident({.state = IncidentState::kResolved}, clock.now())));
  EXPECT_FALSE(needsDecision(makeIncident({.state = IncidentState::kAcknowledged}, clock.now())));
}

TEST(DeciderTest, RevisionChangesWithStateSeverityAndEventCount) {
  SimulatedClock clock;
  auto incident = makeIncident({}, clock.now());
  std::string base = revisionOf(incident);
  EXPECT_EQ(revisionOf(incident), base);
  auto raised = incident;
  raised.severity = IncidentSeverity::kCritical;
  auto grown = incident;
  grown.event_ids.push_back(newUuid());
  auto resolved = incident;
  resolved.state = IncidentState::kResolved;
  auto other = makeIncident({}, clock.now());
  for (const auto* changed : {&raised, &grown, &resolved, &other}) {
    EXPECT_NE(revisionOf(*changed), base);
  }
}

}  // namespace
}  // namespace orion::brain
