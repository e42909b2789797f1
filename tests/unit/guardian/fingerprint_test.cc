#include "guardian/fingerprint.h"

#include <gtest/gtest.h>

#include "common/ids.h"
#include "testing/test_events.h"

namespace orion::guardian {
namespace {

using contracts::EventSeverity;
using testing::metricEvent;
using testing::MetricEventSpec;
using testing::recoveryOf;
using testing::serviceEvent;

class FingerprintTest : public ::testing::Test {
 protected:
  std::string of(const MetricEventSpec& spec) { return fingerprintOf(metricEvent(spec, now_)); }
  WallTime now_ = SimulatedClock().now();
};

TEST_F(FingerprintTest, IsSixteenLowerCaseHexCharactersAndDeterministic) {
  std::string fingerprint = of({});
  ASSERT_EQ(fingerprint.size(), 16u);
  EXPECT_EQ(fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(of({}), fingerprint);  // a different event id, same condition
}

TEST_F(FingerprintTest, IgnoresSeverityValueAndState) {
  std::string base = of({});
  EXPECT_EQ(of({.severity = EventSeverity::kCritical, .value = 99, .level = "critical"}), base);
  EXPECT_EQ(fingerprintOf(recoveryOf({}, now_)), base);
}

TEST_F(FingerprintTest, DiffersByNodeSourceResourceAndMetric) {
  std::string base = of({});
  EXPECT_NE(of({.node = "node-b"}), base);
  EXPECT_NE(of({.resource = "/home"}), base);
  EXPECT_NE(of({.metric = "inode_used_percent"}), base);
  EXPECT_NE(of({.source = "orion-watcher-other"}), base);
}

TEST_F(FingerprintTest, DiffersByEventType) {
  auto down = serviceEvent("service_down", EventSeverity::kError, "nginx", now_);
  auto api = serviceEvent("external_api_failure", EventSeverity::kError, "nginx", now_);
  EXPECT_NE(fingerprintOf(down), fingerprintOf(api));
}

TEST_F(FingerprintTest, FieldBoundariesCannotCollide) {
  EXPECT_NE(of({.resource = "ab", .metric = "c"}), of({.resource = "a", .metric = "bc"}));
}

TEST_F(FingerprintTest, RecoveryTypesShareTheirFailuresFingerprint) {
  EXPECT_EQ(fingerprintOf(serviceEvent("service_up", EventSeverity::kInfo, "nginx", now_)),
            fingerprintOf(serviceEvent("service_down", EventSeverity::kError, "nginx", now_)));
  EXPECT_EQ(
      fingerprintOf(serviceEvent("edge_device_online", EventSeverity::kInfo, "hexapod", now_)),
      fingerprintOf(serviceEvent("edge_device_offline", EventSeverity::kError, "hexapod", now_)));
  EXPECT_TRUE(isRecoveryType("service_up"));
  EXPECT_FALSE(isRecoveryType("service_down"));
  EXPECT_EQ(conditionTypeOf("external_api_success"), "external_api_failure");
  EXPECT_EQ(conditionTypeOf("edge_telemetry"), "edge_telemetry");
}

TEST_F(FingerprintTest, ServiceNameIsTheSubjectWhenPresent) {
  auto event = serviceEvent("service_down", EventSeverity::kError, "nginx", now_);
  std::string with_service = fingerprintOf(event);
  event.data["resource"] = "container-1234";
  EXPECT_EQ(fingerprintOf(event), with_service);
}

TEST_F(FingerprintTest, NodeFallsBackToTheNodeTag) {
  auto event = metricEvent({}, now_);
  event.data.erase("node");
  EXPECT_EQ(nodeOf(event), "node-a");
  EXPECT_EQ(fingerprintOf(event), of({}));
  event.tags.clear();
  EXPECT_EQ(nodeOf(event), "");
}

TEST_F(FingerprintTest, NonStringIdentifiersStillDistinguishConditions) {
  auto one = metricEvent({}, now_);
  auto two = metricEvent({}, now_);
  one.data["resource"] = 1;
  two.data["resource"] = 2;
  EXPECT_NE(fingerprintOf(one), fingerprintOf(two));
}

TEST_F(FingerprintTest, RecoveryDetection) {
  EXPECT_TRUE(isRecovery(recoveryOf({}, now_)));
  EXPECT_FALSE(isRecovery(metricEvent({}, now_)));
  // "recovered" only counts at severity info: a warning that says so is still a warning.
  EXPECT_FALSE(isRecovery(metricEvent({.state = "recovered"}, now_)));
  EXPECT_TRUE(isRecovery(serviceEvent("service_up", EventSeverity::kWarning, "nginx", now_)));
}

TEST(IncidentIdTest, IsAStableUuidPerOpeningEvent) {
  std::string id = incidentIdFor("0123456789abcdef", "5b0e1a4c-3f2d-4e8a-9c71-2d4f6b8a0c1e");
  EXPECT_TRUE(isUuid(id)) << id;
  EXPECT_EQ(id[14], '8');                                          // version 8
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // RFC variant
  EXPECT_EQ(id, incidentIdFor("0123456789abcdef", "5b0e1a4c-3f2d-4e8a-9c71-2d4f6b8a0c1e"));
  EXPECT_NE(id, incidentIdFor("0123456789abcdef", "6b0e1a4c-3f2d-4e8a-9c71-2d4f6b8a0c1e"));
  EXPECT_NE(id, incidentIdFor("fedcba9876543210", "5b0e1a4c-3f2d-4e8a-9c71-2d4f6b8a0c1e"));
}

TEST(IncidentIdTest, OpenedByATimeOrderedEventItStartsWithThatEventsTime) {
  const std::string event_id = "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";  // UUIDv7
  std::string id = incidentIdFor("0123456789abcdef", event_id);
  EXPECT_TRUE(isUuid(id)) << id;
  EXPECT_EQ(id.substr(0, 13), event_id.substr(0, 13)) << id;  // the 48 bits of time
  EXPECT_EQ(id[14], '8') << id;                               // still version 8
  EXPECT_EQ(id, incidentIdFor("0123456789abcdef", event_id));
  EXPECT_NE(id, incidentIdFor("fedcba9876543210", event_id));
  EXPECT_NE(id, incidentIdFor("0123456789abcdef", "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c"));
}

TEST(Sha256Test, MatchesKnownVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace orion::guardian
