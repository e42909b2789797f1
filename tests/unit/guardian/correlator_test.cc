// The correlator on a simulated clock: one incident per condition, absorbed events as updates,
// recovery, fingerprint expiry, flapping, node correlation, bounds, and the contract.
#include "guardian/correlator.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "contracts/registry.h"
#include "guardian/fingerprint.h"
#include "guardian_events.h"
#include "testing/test_events.h"

namespace orion::guardian {
namespace {

using namespace std::chrono_literals;
using contracts::EventSeverity;
using contracts::IncidentSeverity;
using contracts::IncidentState;
using testing::containerDown;
using testing::containerUp;
using testing::metricEvent;
using testing::MetricEventSpec;
using testing::recoveryOf;
using testing::serviceEvent;

class CorrelatorTest : public ::testing::Test {
 protected:
  WallTime tick(Duration by = 1s) {
    clock_.advance(by);
    return clock_.now();
  }
  Correlation process(const contracts::Event& event) { return correlator_.process(event); }

  SimulatedClock clock_;
  CorrelatorOptions options_;
  Correlator correlator_{options_, clock_};
};

TEST_F(CorrelatorTest, WarningEventOpensAnIncident) {
  auto event = metricEvent({}, tick());
  Correlation c = process(event);
  ASSERT_EQ(c.verdict, Verdict::kOpened);
  ASSERT_EQ(c.incidents.size(), 1u);
  EXPECT_EQ(c.opened, std::vector<std::string>{c.incidents[0]->incident_id});
  const contracts::Incident& incident = *c.incidents[0];
  EXPECT_TRUE(isUuid(incident.incident_id));
  EXPECT_EQ(incident.source, "orion-guardian");
  EXPECT_EQ(incident.state, IncidentState::kOpen);
  EXPECT_EQ(incident.incident_type, "metric_anomaly");
  EXPECT_EQ(incident.severity, IncidentSeverity::kMedium);
  EXPECT_EQ(incident.event_ids, std::vector<std::string>{event.event_id});
  EXPECT_EQ(incident.timestamp, clock_.now());
  EXPECT_EQ(incident.description, "disk_used_percent of / is 93.1% (warning threshold 90%)");
  EXPECT_EQ(incident.tags.at("node"), "node-a");
  EXPECT_EQ(incident.tags.at("fingerprint"), fingerprintText(c.fingerprint));
  EXPECT_EQ(incident.tags.at("metric"), "disk_used_percent");
  EXPECT_EQ(incident.tags.at("resource"), "/");
  EXPECT_EQ(incident.tags.at("target"), "/");
  EXPECT_EQ(correlator_.openCount(), 1u);
}

TEST_F(CorrelatorTest, ContainerEventsCarryWhatRulesNeed) {
  Correlation c = process(containerDown("jellyfin", tick()));
  ASSERT_EQ(c.verdict, Verdict::kOpened);
  const contracts::Tags& tags = c.incidents[0]->tags;
  EXPECT_EQ(c.incidents[0]->incident_type, "service_outage");
  EXPECT_EQ(tags.at("service_name"), "jellyfin");
  EXPECT_EQ(tags.at("container_id"), "c0ffee-jellyfin");
  EXPECT_EQ(tags.at("image"), "jellyfin/jellyfin:10.9");
  EXPECT_EQ(tags.at("exit_code"), "137");
  EXPECT_EQ(tags.at("health"), "unhealthy");
  EXPECT_EQ(tags.at("target"), "jellyfin");
  EXPECT_EQ(tags.at("node"), "nas");
  EXPECT_EQ(tags.at("event_type"), "service_down");
  EXPECT_EQ(c.incidents[0]->description, "service jellyfin is down");
}

TEST_F(CorrelatorTest, InfoAndUnmatchedRecoveriesOpenNothing) {
  EXPECT_EQ(process(metricEvent({.severity = EventSeverity::kInfo}, tick())).verdict,
            Verdict::kIgnored);
  EXPECT_EQ(process(containerUp("jellyfin", tick())).verdict, Verdict::kIgnored);
  auto loud_up = serviceEvent("service_up", EventSeverity::kCritical, "nginx", tick());
  EXPECT_EQ(process(loud_up).verdict, Verdict::kIgnored);
  EXPECT_EQ(correlator_.openCount(), 0u);
}

TEST_F(CorrelatorTest, AbsorbedEventsArePublishedAsCoalescedUpdates) {
  Correlation opened = process(metricEvent({}, tick()));
  const std::string id = opened.incidents[0]->incident_id;

  // Within the correlation window: absorbed, published later by the sweep.
  Correlation absorbed = process(metricEvent({.value = 93.5}, tick(10s)));
  EXPECT_EQ(absorbed.verdict, Verdict::kAbsorbed);
  EXPECT_TRUE(absorbed.incidents.empty());
  EXPECT_TRUE(correlator_.sweep().empty()) << "not due yet";
  tick(50s);
  auto swept = correlator_.sweep();
  ASSERT_EQ(swept.size(), 1u);
  EXPECT_EQ(swept[0]->incident_id, id) << "an update, not a new incident";
  EXPECT_EQ(swept[0]->event_ids.size(), 2u);
  EXPECT_EQ(swept[0]->description, "disk_used_percent of / is 93.5% (warning threshold 90%)");
  EXPECT_TRUE(correlator_.sweep().empty()) << "published once";

  // After a quiet window an absorbed event is published at once.
  Correlation later = process(metricEvent({.value = 94}, tick(61s)));
  EXPECT_EQ(later.verdict, Verdict::kUpdated);
  ASSERT_EQ(later.incidents.size(), 1u);
  EXPECT_EQ(later.incidents[0]->incident_id, id);
  EXPECT_TRUE(later.opened.empty());
}

TEST_F(CorrelatorTest, SeverityRaisePublishesAnUpdateAtOnce) {
  Correlation opened = process(metricEvent({}, tick()));
  Correlation raised =
      process(metricEvent({.severity = EventSeverity::kCritical, .level = "critical"}, tick()));
  ASSERT_EQ(raised.verdict, Verdict::kUpdated);
  EXPECT_EQ(raised.incidents[0]->incident_id, opened.incidents[0]->incident_id);
  EXPECT_EQ(raised.incidents[0]->severity, IncidentSeverity::kCritical);
  // A lower severity afterwards never lowers it.
  process(metricEvent({}, tick(61s)));
  EXPECT_EQ(correlator_.openIncident(fingerprintText(opened.fingerprint))->severity,
            IncidentSeverity::kCritical);
}

TEST_F(CorrelatorTest, APublishedDocumentNeverChangesWhileItIsHeld) {
  Correlation opened = process(metricEvent({}, tick()));
  const Json as_opened = opened.incidents[0]->toJson();
  Correlation raised =
      process(metricEvent({.severity = EventSeverity::kCritical, .level = "critical"}, tick()));
  ASSERT_EQ(raised.incidents.size(), 1u);
  EXPECT_NE(raised.incidents[0], opened.incidents[0]) << "the update is a document of its own";
  EXPECT_EQ(opened.incidents[0]->toJson(), as_opened);
  EXPECT_EQ(raised.incidents[0]->severity, IncidentSeverity::kCritical);
  EXPECT_EQ(raised.incidents[0]->tags.at("level"), "critical");

  // Let go, it is written over for the next update, which reads as a new one would.
  const contracts::Incident* let_go = raised.incidents[0].get();
  raised = {};
  Correlation resolved = process(recoveryOf({}, tick()));
  ASSERT_EQ(resolved.incidents.size(), 1u);
  EXPECT_EQ(resolved.incidents[0].get(), let_go);
  EXPECT_EQ(resolved.incidents[0]->state, IncidentState::kResolved);
  EXPECT_EQ(resolved.incidents[0]->event_ids.size(), 3u);
  EXPECT_EQ(resolved.incidents[0]->description,
            "recovered: disk_used_percent of / is 42% (back below 90%)");
  EXPECT_EQ(opened.incidents[0]->toJson(), as_opened);
}

TEST_F(CorrelatorTest, RecoveryResolvesAndTheFingerprintExpiresAfterTheFlapWindow) {
  Correlation opened = process(metricEvent({}, tick()));
  Correlation resolved = process(recoveryOf({}, tick()));
  ASSERT_EQ(resolved.verdict, Verdict::kResolved);
  ASSERT_EQ(resolved.incidents.size(), 1u);
  EXPECT_EQ(resolved.incidents[0]->incident_id, opened.incidents[0]->incident_id);
  EXPECT_EQ(resolved.incidents[0]->state, IncidentState::kResolved);
  EXPECT_EQ(resolved.incidents[0]->description,
            "recovered: disk_used_percent of / is 42% (back below 90%)");
  EXPECT_EQ(correlator_.openCount(), 0u);
  EXPECT_EQ(correlator_.conditionCount(), 1u) << "remembered, resolved, for flap detection";

  tick(options_.flap_window);
  correlator_.sweep();
  EXPECT_EQ(correlator_.conditionCount(), 0u);
  EXPECT_EQ(correlator_.counters().expired_fingerprints, 1u);

  // Hours later the same condition is a fresh incident.
  Correlation again = process(metricEvent({}, tick(3h)));
  ASSERT_EQ(again.verdict, Verdict::kOpened);
  EXPECT_NE(again.incidents[0]->incident_id, opened.incidents[0]->incident_id);
}

TEST_F(CorrelatorTest, FlappingBecomesOneRepeatedFailuresIncident) {
  std::set<std::string> ids;
  for (int round = 0; round < 2; ++round) {
    Correlation down = process(containerDown("jellyfin", tick(30s)));
    ASSERT_EQ(down.verdict, Verdict::kOpened) << round;
    ids.insert(down.incidents[0]->incident_id);
    ASSERT_EQ(process(containerUp("jellyfin", tick(30s))).verdict, Verdict::kResolved);
  }
  // The third open within ten minutes.
  Correlation third = process(containerDown("jellyfin", tick(30s)));
  ASSERT_EQ(third.verdict, Verdict::kFlapping);
  ASSERT_EQ(third.incidents.size(), 1u);
  const contracts::Incident& flap = *third.incidents[0];
  EXPECT_EQ(flap.incident_type, "repeated_failures");
  EXPECT_FALSE(ids.contains(flap.incident_id));
  EXPECT_EQ(flap.event_ids.size(), 3u) << "the three opening events";
  EXPECT_EQ(flap.severity, IncidentSeverity::kHigh) << "the events were errors";
  EXPECT_EQ(flap.tags.at("flapping"), "true");
  EXPECT_EQ(flap.tags.at("service_name"), "jellyfin");
  EXPECT_NE(flap.description->find("failed 3 times within 10m (flapping)"), std::string::npos)
      << *flap.description;

  // It keeps flapping: absorbed into the same incident, no new ones.
  EXPECT_EQ(process(containerUp("jellyfin", tick(30s))).verdict, Verdict::kAbsorbed);
  Correlation fourth = process(containerDown("jellyfin", tick(30s)));
  EXPECT_EQ(fourth.verdict, Verdict::kFlapping);
  EXPECT_TRUE(fourth.opened.empty());
  EXPECT_EQ(correlator_.openCount(), 1u);

  // Recovered and quiet for the flap window: resolved by the sweep.
  EXPECT_EQ(process(containerUp("jellyfin", tick(30s))).verdict, Verdict::kAbsorbed);
  tick(5min);
  for (const auto& incident : correlator_.sweep()) {
    EXPECT_EQ(incident->state, IncidentState::kOpen) << "not quiet long enough yet";
  }
  tick(6min);
  auto swept = correlator_.sweep();
  ASSERT_FALSE(swept.empty());
  EXPECT_EQ(swept.back()->incident_id, flap.incident_id);
  EXPECT_EQ(swept.back()->state, IncidentState::kResolved);
  EXPECT_EQ(correlator_.openCount(), 0u);
}

// A group lists, for each member, the event that opened the member's own incident: after a
// condition recovered and opened again within the window, that is the second opening, not the
// first (whose incident is resolved).
TEST_F(CorrelatorTest, AGroupListsTheEventsThatOpenedItsMembersOwnIncidents) {
  contracts::Event first = containerDown("jellyfin", tick());
  ASSERT_EQ(process(first).verdict, Verdict::kOpened);
  ASSERT_EQ(process(containerUp("jellyfin", tick())).verdict, Verdict::kResolved);
  contracts::Event again = containerDown("jellyfin", tick());
  ASSERT_EQ(process(again).verdict, Verdict::kOpened);
  contracts::Event sonarr = containerDown("sonarr", tick());
  ASSERT_EQ(process(sonarr).verdict, Verdict::kOpened);
  contracts::Event radarr = containerDown("radarr", tick());
  Correlation grouped = process(radarr);
  ASSERT_EQ(grouped.verdict, Verdict::kGrouped);
  ASSERT_EQ(grouped.incidents.size(), 1u);
  EXPECT_EQ(grouped.incidents[0]->event_ids,
            (std::vector<std::string>{again.event_id, sonarr.event_id, radarr.event_id}));
}

TEST_F(CorrelatorTest, ManyIncidentsOnOneNodeBecomeOneCorrelationIncident) {
  Correlation a = process(containerDown("jellyfin", tick()));
  Correlation b = process(containerDown("sonarr", tick()));
  ASSERT_EQ(a.verdict, Verdict::kOpened);
  ASSERT_EQ(b.verdict, Verdict::kOpened);
  Correlation c = process(containerDown("radarr", tick()));
  ASSERT_EQ(c.verdict, Verdict::kGrouped);
  ASSERT_EQ(c.incidents.size(), 1u);
  const contracts::Incident& group = *c.incidents[0];
  EXPECT_EQ(group.incident_type, "correlation_detected");
  EXPECT_EQ(group.tags.at("node"), "nas");
  EXPECT_EQ(group.tags.at("common_cause"), "node:nas");
  EXPECT_EQ(group.tags.at("correlated_count"), "3");
  EXPECT_NE(group.tags.at("correlated_incidents").find(a.incidents[0]->incident_id),
            std::string::npos);
  EXPECT_EQ(group.event_ids.size(), 3u);
  EXPECT_EQ(group.severity, IncidentSeverity::kHigh);
  EXPECT_NE(group.description->find("3 incidents on node nas within 60 s: probable common cause: "
                                    "node nas (service jellyfin is down; service radarr is down; "
                                    "service sonarr is down)"),
            std::string::npos)
      << *group.description;

  // A fourth joins the group instead of opening its own incident.
  Correlation d = process(containerDown("immich", tick()));
  ASSERT_EQ(d.verdict, Verdict::kGrouped);
  EXPECT_EQ(d.incidents[0]->incident_id, group.incident_id);
  EXPECT_EQ(d.incidents[0]->tags.at("correlated_count"), "4");
  EXPECT_EQ(correlator_.openCount(), 3u) << "jellyfin, sonarr and the group";

  // Another node is unaffected.
  EXPECT_EQ(process(containerDown("jellyfin", tick(), "pi-2")).verdict, Verdict::kOpened);

  // The group resolves when the last member recovers.
  for (std::string service : {"jellyfin", "sonarr", "radarr"}) {
    Correlation up = process(containerUp(service, tick()));
    for (const auto& incident : up.incidents) {
      EXPECT_TRUE(incident->incident_id != group.incident_id ||
                  incident->state == IncidentState::kOpen)
          << service;
    }
  }
  Correlation last = process(containerUp("immich", tick()));
  ASSERT_EQ(last.verdict, Verdict::kResolved);
  ASSERT_EQ(last.incidents.size(), 1u);
  EXPECT_EQ(last.incidents[0]->incident_id, group.incident_id);
  EXPECT_EQ(last.incidents[0]->state, IncidentState::kResolved);
}

TEST_F(CorrelatorTest, IncidentsSpreadOverTimeAreNotGrouped) {
  process(containerDown("jellyfin", tick()));
  process(containerDown("sonarr", tick(2min)));
  EXPECT_EQ(process(containerDown("radarr", tick(2min))).verdict, Verdict::kOpened);
}

TEST_F(CorrelatorTest, RedeliveredEventIsIgnored) {
  auto event = metricEvent({}, tick());
  ASSERT_EQ(process(event).verdict, Verdict::kOpened);
  Correlation again = process(event);
  EXPECT_EQ(again.verdict, Verdict::kDuplicate);
  EXPECT_TRUE(again.incidents.empty());
}

TEST_F(CorrelatorTest, TheSameEventsMakeTheSameIncidents) {
  std::vector<contracts::Event> events = {containerDown("a", tick()), containerDown("b", tick()),
                                          containerDown("c", tick()), containerUp("a", tick())};
  SimulatedClock other_clock;
  other_clock.advance(1s);
  Correlator other(options_, other_clock);
  SimulatedClock replay_clock;
  Correlator replay(options_, replay_clock);
  for (const auto& event : events) {
    replay_clock.advance(1s);
    Correlation first = replay.process(event);
    Correlation second = other.process(event);
    other_clock.advance(1s);
    ASSERT_EQ(first.incidents.size(), second.incidents.size());
    for (size_t i = 0; i < first.incidents.size(); ++i) {
      EXPECT_EQ(first.incidents[i]->toJson(), second.incidents[i]->toJson());
    }
  }
}

TEST_F(CorrelatorTest, BoundsDropTheOldestAndCountIt) {
  CorrelatorOptions tight;
  tight.max_open_incidents = 2;
  tight.max_resolved_fingerprints = 1;
  tight.max_remembered_events = 3;
  tight.max_event_ids_per_incident = 3;
  tight.node_correlation_threshold = 100;
  Correlator c(tight, clock_);
  c.process(metricEvent({.resource = "/a"}, tick()));
  c.process(metricEvent({.resource = "/b"}, tick()));
  c.process(metricEvent({.resource = "/c"}, tick()));
  EXPECT_EQ(c.openCount(), 2u);
  EXPECT_EQ(c.counters().evicted_incidents, 1u);
  EXPECT_EQ(c.openIncident(fingerprintOf(metricEvent({.resource = "/a"}, tick()))), nullptr);

  for (int i = 0; i < 5; ++i) c.process(metricEvent({.resource = "/c", .value = 91.0 + i}, tick()));
  EXPECT_GE(c.counters().truncated_event_ids, 2u);
  EXPECT_EQ(c.counters().forgotten_event_ids, 5u) << "8 events, 3 remembered";
  EXPECT_EQ(
      c.openIncident(fingerprintOf(metricEvent({.resource = "/c"}, tick())))->event_ids.size(), 3u);

  c.process(recoveryOf({.resource = "/b"}, tick()));
  c.process(recoveryOf({.resource = "/c"}, tick()));
  EXPECT_EQ(c.counters().evicted_fingerprints, 1u) << "one resolved fingerprint is kept";
}

TEST_F(CorrelatorTest, IncidentSeverityNeverExceedsItsEvents) {
  auto registry = contracts::ContractRegistry::loadEmbedded();
  ASSERT_TRUE(registry.isOk());
  uint32_t seed = 7;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
  };
  // The highest severity observed per condition and per node: an incident about one condition
  // never claims more than that condition's events, a node group more than its node's.
  std::map<std::string, IncidentSeverity> by_fingerprint;
  std::map<std::string, IncidentSeverity> by_node;
  const std::vector<std::string> services = {"a", "b", "c", "d", "e"};
  std::set<std::string> types;
  for (int i = 0; i < 3000; ++i) {
    std::string service = services[next() % services.size()];
    std::string node = next() % 2 == 0 ? "nas" : "pi";
    contracts::Event event;
    if (next() % 3 == 0) {
      event = serviceEvent("service_up", EventSeverity::kInfo, service,
                           tick(std::chrono::seconds(next() % 90)), node);
    } else {
      event = serviceEvent("service_down", static_cast<EventSeverity>(next() % 4), service,
                           tick(std::chrono::seconds(next() % 90)), node);
    }
    auto severity = contracts::incidentSeverityFor(event.severity);
    auto& for_fingerprint = by_fingerprint[fingerprintOf(event)];
    for_fingerprint = std::max(for_fingerprint, severity);
    by_node[node] = std::max(by_node[node], severity);
    Correlation c = process(event);
    for (const auto& incident : correlator_.sweep()) c.incidents.push_back(incident);
    for (const IncidentDocument& document : c.incidents) {
      const contracts::Incident& incident = *document;
      ASSERT_TRUE((*registry)->validate("incident", incident.toJson()).isOk())
          << incident.toJson().dump();
      types.insert(incident.incident_type);
      if (incident.incident_type == "correlation_detected") {
        EXPECT_LE(incident.severity, by_node.at(incident.tags.at("node")));
      } else {
        EXPECT_LE(incident.severity, by_fingerprint.at(incident.tags.at("fingerprint")));
      }
    }
  }
  EXPECT_EQ(types,
            (std::set<std::string>{"service_outage", "repeated_failures", "correlation_detected"}));
}

}  // namespace
}  // namespace orion::guardian
