#include "guardian/correlator.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "contracts/registry.h"
#include "testing/test_events.h"

namespace orion::guardian {
namespace {

using contracts::EventSeverity;
using contracts::IncidentSeverity;
using contracts::IncidentState;
using std::chrono::seconds;
using testing::metricEvent;
using testing::MetricEventSpec;
using testing::recoveryOf;
using testing::serviceEvent;

class CorrelatorTest : public ::testing::Test {
 protected:
  WallTime tick(int by_seconds = 1) {
    clock_.advance(seconds(by_seconds));
    return clock_.now();
  }

  SimulatedClock clock_;
  Correlator correlator_{CorrelatorOptions{}, clock_};
};

TEST_F(CorrelatorTest, WarningEventOpensAnIncident) {
  auto event = metricEvent({}, tick());
  Correlation c = correlator_.process(event);

  ASSERT_EQ(c.verdict, Verdict::kOpened);
  ASSERT_TRUE(c.incident.has_value());
  const contracts::Incident& incident = *c.incident;
  EXPECT_TRUE(isUuid(incident.incident_id));
  EXPECT_EQ(incident.source, "orion-guardian");
  EXPECT_EQ(incident.state, IncidentState::kOpen);
  EXPECT_EQ(incident.incident_type, "metric_anomaly");
  EXPECT_EQ(incident.severity, IncidentSeverity::kMedium);
  EXPECT_EQ(incident.event_ids, std::vector<std::string>{event.event_id});
  EXPECT_EQ(incident.window_start, event.timestamp);
  EXPECT_EQ(incident.window_end, event.timestamp);
  EXPECT_EQ(incident.timestamp, clock_.now());
  EXPECT_EQ(incident.description, "disk_used_percent of / is 93.1% (warning threshold 90%)");
  EXPECT_EQ(incident.tags.at("node"), "node-a");
  EXPECT_EQ(incident.tags.at("fingerprint"), c.fingerprint);
  EXPECT_EQ(correlator_.openCount(), 1u);
}

TEST_F(CorrelatorTest, InfoEventAloneOpensNothing) {
  Correlation c = correlator_.process(metricEvent({.severity = EventSeverity::kInfo}, tick()));
  EXPECT_EQ(c.verdict, Verdict::kIgnored);
  EXPECT_FALSE(c.incident.has_value());

  Correlation recovery = correlator_.process(recoveryOf({}, tick()));
  EXPECT_EQ(recovery.verdict, Verdict::kIgnored);
  EXPECT_EQ(correlator_.openCount(), 0u);
}

TEST_F(CorrelatorTest, RecoveryTypeWithHighSeverityNeverOpens) {
  auto up = serviceEvent("service_up", EventSeverity::kWarning, "nginx", tick());
  EXPECT_EQ(correlator_.process(up).verdict, Verdict::kIgnored);
  EXPECT_EQ(correlator_.openCount(), 0u);
}

TEST_F(CorrelatorTest, MatchingEventIsAbsorbedWithoutPublishing) {
  auto first = metricEvent({}, tick());
  Correlation opened = correlator_.process(first);
  auto second = metricEvent({.value = 94.0}, tick(30));
  Correlation absorbed = correlator_.process(second);

  EXPECT_EQ(absorbed.verdict, Verdict::kAbsorbed);
  EXPECT_FALSE(absorbed.incident.has_value());
  EXPECT_EQ(absorbed.fingerprint, opened.fingerprint);
  const contracts::Incident* open = correlator_.openIncident(opened.fingerprint);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->event_ids, (std::vector<std::string>{first.event_id, second.event_id}));
  EXPECT_EQ(open->window_start, first.timestamp);
  EXPECT_EQ(open->window_end, second.timestamp);
  EXPECT_EQ(correlator_.openCount(), 1u);
}

TEST_F(CorrelatorTest, SeverityRaisePublishesAnUpdateOfTheSameIncident) {
  Correlation opened = correlator_.process(metricEvent({}, tick()));
  auto critical = metricEvent(
      {.severity = EventSeverity::kCritical, .value = 96.2, .threshold = 95, .level = "critical"},
      tick());
  Correlation raised = correlator_.process(critical);

  ASSERT_EQ(raised.verdict, Verdict::kUpdated);
  ASSERT_TRUE(raised.incident.has_value());
  EXPECT_EQ(raised.incident->incident_id, opened.incident->incident_id);
  EXPECT_EQ(raised.incident->state, IncidentState::kOpen);
  EXPECT_EQ(raised.incident->severity, IncidentSeverity::kCritical);
  EXPECT_EQ(raised.incident->event_ids.size(), 2u);
  EXPECT_EQ(raised.incident->event_ids.back(), critical.event_id);
  EXPECT_EQ(raised.incident->description,
            "disk_used_percent of / is 96.2% (critical threshold 95%)");

  // Going back down to warning is absorbed: an incident's severity never drops while open.
  Correlation lower = correlator_.process(metricEvent({}, tick()));
  EXPECT_EQ(lower.verdict, Verdict::kAbsorbed);
  EXPECT_EQ(correlator_.openIncident(opened.fingerprint)->severity, IncidentSeverity::kCritical);
}

TEST_F(CorrelatorTest, RecoveryResolvesAndARecurrenceOpensANewIncident) {
  Correlation opened = correlator_.process(metricEvent({}, tick()));
  auto recovery = recoveryOf({}, tick(60));
  Correlation resolved = correlator_.process(recovery);

  ASSERT_EQ(resolved.verdict, Verdict::kResolved);
  ASSERT_TRUE(resolved.incident.has_value());
  EXPECT_EQ(resolved.incident->incident_id, opened.incident->incident_id);
  EXPECT_EQ(resolved.incident->state, IncidentState::kResolved);
  EXPECT_EQ(resolved.incident->severity, IncidentSeverity::kMedium);
  EXPECT_EQ(resolved.incident->event_ids.back(), recovery.event_id);
  EXPECT_EQ(resolved.incident->window_end, recovery.timestamp);
  EXPECT_EQ(resolved.incident->description,
            "recovered: disk_used_percent of / is 42% (back below 90%)");
  EXPECT_EQ(correlator_.openCount(), 0u);

  Correlation again = correlator_.process(metricEvent({}, tick(3600)));
  ASSERT_EQ(again.verdict, Verdict::kOpened);
  EXPECT_NE(again.incident->incident_id, opened.incident->incident_id);
  EXPECT_EQ(again.fingerprint, opened.fingerprint);
}

TEST_F(CorrelatorTest, ServiceUpResolvesServiceDown) {
  Correlation opened =
      correlator_.process(serviceEvent("service_down", EventSeverity::kError, "nginx", tick()));
  ASSERT_EQ(opened.verdict, Verdict::kOpened);
  EXPECT_EQ(opened.incident->incident_type, "service_outage");
  EXPECT_EQ(opened.incident->severity, IncidentSeverity::kHigh);
  EXPECT_EQ(opened.incident->description, "service nginx is down");

  Correlation other =
      correlator_.process(serviceEvent("service_up", EventSeverity::kInfo, "postgres", tick()));
  EXPECT_EQ(other.verdict, Verdict::kIgnored);

  Correlation resolved =
      correlator_.process(serviceEvent("service_up", EventSeverity::kInfo, "nginx", tick()));
  ASSERT_EQ(resolved.verdict, Verdict::kResolved);
  EXPECT_EQ(resolved.incident->incident_id, opened.incident->incident_id);
  EXPECT_EQ(correlator_.openCount(), 0u);
}

TEST_F(CorrelatorTest, EachEventTypeMapsToItsIncidentType) {
  struct Case {
    std::string event_type;
    std::string incident_type;
  };
  for (const Case& c : std::vector<Case>{{"service_down", "service_outage"},
                                         {"metric_threshold_exceeded", "metric_anomaly"},
                                         {"edge_device_offline", "edge_device_failure"},
                                         {"external_api_failure", "correlation_detected"},
                                         {"user_command_received", "correlation_detected"}}) {
    Correlation opened = correlator_.process(
        serviceEvent(c.event_type, EventSeverity::kWarning, "svc-" + c.event_type, tick()));
    ASSERT_EQ(opened.verdict, Verdict::kOpened) << c.event_type;
    EXPECT_EQ(opened.incident->incident_type, c.incident_type) << c.event_type;
  }
}

TEST_F(CorrelatorTest, DifferentResourceNodeOrMetricMeansDifferentIncident) {
  std::set<std::string> ids;
  for (const MetricEventSpec& spec :
       {MetricEventSpec{}, MetricEventSpec{.resource = "/home"}, MetricEventSpec{.node = "node-b"},
        MetricEventSpec{.metric = "inode_used_percent"},
        MetricEventSpec{.source = "orion-watcher-other"}}) {
    Correlation c = correlator_.process(metricEvent(spec, tick()));
    ASSERT_EQ(c.verdict, Verdict::kOpened) << spec.resource << " " << spec.node;
    ids.insert(c.incident->incident_id);
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(correlator_.openCount(), 5u);
}

TEST_F(CorrelatorTest, RedeliveredEventIsIgnored) {
  auto event = metricEvent({}, tick());
  Correlation opened = correlator_.process(event);
  ASSERT_EQ(opened.verdict, Verdict::kOpened);
  Correlation again = correlator_.process(event);
  EXPECT_EQ(again.verdict, Verdict::kDuplicate);
  EXPECT_FALSE(again.incident.has_value());

  auto absorbed = metricEvent({}, tick());
  ASSERT_EQ(correlator_.process(absorbed).verdict, Verdict::kAbsorbed);
  EXPECT_EQ(correlator_.process(absorbed).verdict, Verdict::kDuplicate);
  EXPECT_EQ(correlator_.openIncident(opened.fingerprint)->event_ids.size(), 2u);
  EXPECT_EQ(correlator_.openCount(), 1u);
}

TEST_F(CorrelatorTest, UncommittedCorrelationChangesNothingAndRepeatsTheSameIncident) {
  // What the guardian does when publishing the incident fails: no commit, then a redelivery.
  auto event = metricEvent({}, tick());
  Correlation first = correlator_.correlate(event);
  EXPECT_EQ(correlator_.openCount(), 0u);
  Correlation retry = correlator_.correlate(event);
  ASSERT_EQ(retry.verdict, Verdict::kOpened);
  EXPECT_EQ(retry.incident->incident_id, first.incident->incident_id);

  EXPECT_EQ(correlator_.commit(retry), 0u);
  EXPECT_EQ(correlator_.openCount(), 1u);
  EXPECT_EQ(correlator_.correlate(event).verdict, Verdict::kDuplicate);
}

TEST_F(CorrelatorTest, LeastRecentlyActiveIncidentIsEvictedAtTheBound) {
  Correlator bounded(CorrelatorOptions{.max_open_incidents = 2}, clock_);
  Correlation a = bounded.process(metricEvent({.resource = "/a"}, tick()));
  Correlation b = bounded.process(metricEvent({.resource = "/b"}, tick()));
  // Activity on /a makes /b the least recently active.
  ASSERT_EQ(bounded.process(metricEvent({.resource = "/a"}, tick())).verdict, Verdict::kAbsorbed);

  Correlation c = bounded.correlate(metricEvent({.resource = "/c"}, tick()));
  ASSERT_EQ(c.verdict, Verdict::kOpened);
  EXPECT_EQ(bounded.commit(c), 1u);
  EXPECT_EQ(bounded.openCount(), 2u);
  EXPECT_NE(bounded.openIncident(a.fingerprint), nullptr);
  EXPECT_EQ(bounded.openIncident(b.fingerprint), nullptr);
  EXPECT_NE(bounded.openIncident(c.fingerprint), nullptr);

  // The forgotten condition's recovery has nothing to resolve.
  EXPECT_EQ(bounded.process(recoveryOf({.resource = "/b"}, tick())).verdict, Verdict::kIgnored);
}

TEST_F(CorrelatorTest, EventIdsPerIncidentKeepTheOpenerAndTheLatest) {
  Correlator bounded(CorrelatorOptions{.max_event_ids_per_incident = 3}, clock_);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto event = metricEvent({}, tick());
    ids.push_back(event.event_id);
    bounded.process(event);
  }
  Correlation resolved = bounded.process(recoveryOf({}, tick()));
  ASSERT_EQ(resolved.verdict, Verdict::kResolved);
  EXPECT_EQ(resolved.incident->event_ids,
            (std::vector<std::string>{ids[0], ids[4], resolved.event_id}));
}

TEST_F(CorrelatorTest, RememberedEventIdsAreBounded) {
  Correlator bounded(CorrelatorOptions{.max_remembered_events = 2}, clock_);
  auto first = metricEvent({}, tick());
  bounded.process(first);
  bounded.process(metricEvent({}, tick()));
  EXPECT_EQ(bounded.process(first).verdict, Verdict::kDuplicate);
  bounded.process(metricEvent({}, tick()));
  // `first` has left the recent-id window; it is treated as a new (matching) event.
  EXPECT_EQ(bounded.process(first).verdict, Verdict::kAbsorbed);
}

TEST_F(CorrelatorTest, WindowSpansTheEventTimesEvenOutOfOrder) {
  WallTime late = tick(100);
  WallTime early = late - seconds(50);
  Correlation opened = correlator_.process(metricEvent({}, late));
  correlator_.process(metricEvent({}, early));
  Correlation resolved = correlator_.process(recoveryOf({}, late + seconds(10)));
  ASSERT_EQ(resolved.verdict, Verdict::kResolved);
  EXPECT_EQ(resolved.incident->window_start, early);
  EXPECT_EQ(resolved.incident->window_end, late + seconds(10));
  EXPECT_EQ(opened.incident->window_start, late);
}

// Severity of an incident: the highest incidentSeverityFor() of its events, never more.
TEST_F(CorrelatorTest, IncidentSeverityNeverExceedsItsEvents) {
  struct Case {
    std::vector<EventSeverity> events;
    std::optional<IncidentSeverity> expected;  // nullopt: no incident
  };
  const std::vector<Case> cases{
      {{EventSeverity::kInfo}, std::nullopt},
      {{EventSeverity::kWarning}, IncidentSeverity::kMedium},
      {{EventSeverity::kError}, IncidentSeverity::kHigh},
      {{EventSeverity::kCritical}, IncidentSeverity::kCritical},
      {{EventSeverity::kWarning, EventSeverity::kError}, IncidentSeverity::kHigh},
      {{EventSeverity::kCritical, EventSeverity::kWarning}, IncidentSeverity::kCritical},
      {{EventSeverity::kInfo, EventSeverity::kWarning, EventSeverity::kInfo},
       IncidentSeverity::kMedium},
      {{EventSeverity::kError, EventSeverity::kWarning, EventSeverity::kError},
       IncidentSeverity::kHigh},
  };
  int resource = 0;
  for (const Case& c : cases) {
    MetricEventSpec spec{.resource = "/case" + std::to_string(++resource)};
    std::string fingerprint;
    for (EventSeverity severity : c.events) {
      spec.severity = severity;
      Correlation result = correlator_.process(metricEvent(spec, tick()));
      if (result.incident) {
        EXPECT_LE(result.incident->severity, contracts::incidentSeverityFor(severity))
            << "case " << resource << ": an incident published above its triggering event";
      }
      if (!result.fingerprint.empty()) fingerprint = result.fingerprint;
    }
    const contracts::Incident* open = correlator_.openIncident(fingerprint);
    if (!c.expected) {
      EXPECT_EQ(open, nullptr) << "case " << resource;
    } else {
      ASSERT_NE(open, nullptr) << "case " << resource;
      EXPECT_EQ(open->severity, *c.expected) << "case " << resource;
    }
  }
}

TEST_F(CorrelatorTest, EveryPublishedIncidentValidatesAgainstTheContract) {
  auto registry = contracts::ContractRegistry::loadEmbedded();
  ASSERT_TRUE(registry.isOk()) << registry.status().toString();
  std::vector<contracts::Incident> published;
  auto keep = [&](const Correlation& c) {
    if (c.incident) published.push_back(*c.incident);
  };
  keep(correlator_.process(metricEvent({}, tick())));
  keep(correlator_.process(
      metricEvent({.severity = EventSeverity::kCritical, .level = "critical"}, tick())));
  keep(correlator_.process(recoveryOf({}, tick())));
  keep(correlator_.process(serviceEvent("service_down", EventSeverity::kError, "db", tick())));
  keep(correlator_.process(
      serviceEvent("edge_device_offline", EventSeverity::kCritical, "", tick())));
  ASSERT_EQ(published.size(), 5u);
  for (const auto& incident : published) {
    Json document = incident.toJson();
    Status valid = (*registry)->validate(contracts::type::kIncident, document);
    EXPECT_TRUE(valid.isOk()) << valid.toString() << "\n" << document.dump(2);
  }
}

TEST(DescribeEventTest, NamesWhatWasObserved) {
  SimulatedClock clock;
  auto load = metricEvent(
      {.resource = "load", .metric = "load_per_cpu", .value = 4.5, .threshold = 4}, clock.now());
  load.data["unit"] = "ratio";
  EXPECT_EQ(describeEvent(load), "load_per_cpu of load is 4.5 (warning threshold 4)");

  auto bare = serviceEvent("external_api_failure", EventSeverity::kError, "", clock.now());
  bare.data = Json::object();
  EXPECT_EQ(describeEvent(bare), "external_api_failure reported by orion-watcher-docker");
}

}  // namespace
}  // namespace orion::guardian
