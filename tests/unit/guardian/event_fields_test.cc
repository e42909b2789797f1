// How the guardian reads an event's fields (event_fields.h) and a fingerprint's number
// (fingerprint.h): the two readings of each kind of JSON value, and the round trip of a
// fingerprint through its number.
#include "guardian/event_fields.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "guardian/fingerprint.h"
#include "testing/test_events.h"

namespace orion::guardian {
namespace {

using Field = EventFields::Field;

contracts::Event withData(Json data) {
  contracts::Event event;
  event.event_id = "e-1";
  event.source = "orion-watcher-host";
  event.event_type = "metric_threshold_exceeded";
  event.data = std::move(data);
  return event;
}

TEST(EventFields, ReadsEachKindOfValueForFingerprintsAndForPeople) {
  auto event = withData({{"resource", "/var"},
                         {"value", 93.1},
                         {"threshold", 90},
                         {"exit_code", -9},
                         {"level", nullptr},
                         {"health", true},
                         {"image", Json::object({{"a", 1}})},
                         {"unit", Json::array({1, 2})},
                         {"device_id", 18446744073709551615ull},
                         {"unrelated", "x"}});
  EventFields fields(event);
  EXPECT_EQ(fields.identifier(Field::kResource), "/var");
  EXPECT_EQ(fields.display(Field::kResource), "/var");
  EXPECT_EQ(fields.identifier(Field::kValue), "93.1");
  EXPECT_EQ(fields.display(Field::kValue), "93.1");
  EXPECT_EQ(fields.identifier(Field::kThreshold), "90");
  EXPECT_EQ(fields.display(Field::kThreshold), "90");
  EXPECT_EQ(fields.display(Field::kExitCode), "-9");
  EXPECT_EQ(fields.display(Field::kDeviceId), "18446744073709551615");
  EXPECT_EQ(fields.display(Field::kHealth), "true");
  EXPECT_EQ(fields.identifier(Field::kLevel), "") << "null";
  EXPECT_EQ(fields.display(Field::kLevel), "");
  EXPECT_EQ(fields.identifier(Field::kImage), R"({"a":1})") << "its JSON text";
  EXPECT_EQ(fields.display(Field::kImage), "") << "not something to show";
  EXPECT_EQ(fields.identifier(Field::kUnit), "[1,2]");
  EXPECT_EQ(fields.display(Field::kUnit), "");
  EXPECT_EQ(fields.find(Field::kMetric), nullptr);
  EXPECT_EQ(fields.display(Field::kMetric), "");
  // Asking again gives the same text (it is kept, not formatted again).
  EXPECT_EQ(fields.display(Field::kValue).data(), fields.display(Field::kValue).data());
}

TEST(EventFields, ShowsFloatsWithTwoDecimalsAsFmtDoesWithoutTrailingZeros) {
  std::mt19937_64 random(6);
  std::vector<double> values = {0.0,   -0.0,  90.0,    93.1,      93.10, 0.125,  0.375, 2.675,
                                1.005, 1e300, -1e-300, 12345.678, 0.995, 99.999, -42.5};
  for (int i = 0; i < 2000; ++i) values.push_back(static_cast<double>(random() % 2000000) / 8000.0);
  for (double value : values) {
    std::string expected = fmt::format("{:.2f}", value);
    while (!expected.empty() && expected.back() == '0') expected.pop_back();
    if (!expected.empty() && expected.back() == '.') expected.pop_back();
    auto event = withData({{"value", value}});
    EXPECT_EQ(EventFields(event).display(Field::kValue), expected) << value;
  }
}

TEST(EventFields, DataThatIsNotAnObjectHasNoFieldsAndTheNodeMayComeFromTags) {
  auto event = withData(Json::array({"node", "pi"}));
  event.tags["node"] = "pi";
  EventFields fields(event);
  for (size_t i = 0; i < EventFields::kFieldCount; ++i) {
    EXPECT_EQ(fields.find(static_cast<Field>(i)), nullptr);
  }
  EXPECT_EQ(fields.node(), "pi");

  auto both = withData({{"node", "nas"}});
  both.tags["node"] = "pi";
  EXPECT_EQ(EventFields(both).node(), "nas") << "data.node comes first";
  EXPECT_EQ(EventFields::nameOf(Field::kResourceType), "resource_type");
}

TEST(FingerprintValue, RoundTripsThroughItsTextAndKeepsItsOrder) {
  auto event = testing::metricEvent({}, WallTime{});
  std::string text = fingerprintOf(event);
  FingerprintValue value = fingerprintValueOf(EventFields(event));
  EXPECT_EQ(fingerprintText(value), text);
  EXPECT_EQ(parseFingerprint(text), value);
  EXPECT_EQ(fingerprintText(0), "0000000000000000");
  EXPECT_EQ(parseFingerprint("00000000000000ff"), 255u);
  EXPECT_EQ(parseFingerprint("00000000000000FF"), std::nullopt) << "lower case only";
  EXPECT_EQ(parseFingerprint("abc"), std::nullopt);
  EXPECT_EQ(parseFingerprint("0123456789abcdeg"), std::nullopt);
  EXPECT_EQ(parseFingerprint("0123456789abcdef0"), std::nullopt);

  std::mt19937_64 random(7);
  for (int i = 0; i < 1000; ++i) {
    FingerprintValue a = random();
    FingerprintValue b = random();
    EXPECT_EQ(a < b, fingerprintText(a) < fingerprintText(b)) << "tables iterate in text order";
  }
}

}  // namespace
}  // namespace orion::guardian
