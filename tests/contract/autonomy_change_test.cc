// The autonomy_change contract (new in ORION, not in the original v1.0): what it insists on
// beyond the checks every schema gets (schema_contract_test.cc).
#include <gtest/gtest.h>

#include "contracts/registry.h"
#include "fixtures.h"
#include "test_support.h"

namespace orion::contracts {
namespace {

using testing::embeddedRegistry;
using testing::hasFailureAt;
using testing::validDocument;

TEST(AutonomyChange, TheFixtureIsValidOnItsStream) {
  EXPECT_TRUE(
      embeddedRegistry()->validate("autonomy_change", validDocument("autonomy_change")).isOk());
  EXPECT_EQ(streamKey("orion", type::kAutonomyChange), "orion:autonomy_changes");
}

TEST(AutonomyChange, WhoAndWhyAreRequired) {
  Json doc = validDocument("autonomy_change");
  doc["reason"] = "because";  // under 10 characters
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("autonomy_change", doc), "/reason"));

  doc = validDocument("autonomy_change");
  doc["changed_by"].erase("uid");
  EXPECT_FALSE(embeddedRegistry()->check("autonomy_change", doc).empty()) << "uid is required";

  doc = validDocument("autonomy_change");
  doc["changed_by"]["uid"] = -1;
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("autonomy_change", doc), "/changed_by/uid"));

  doc = validDocument("autonomy_change");
  doc["changed_by"]["claimed_name"] = "root";  // closed object: nothing a caller could add
  EXPECT_FALSE(embeddedRegistry()->check("autonomy_change", doc).empty());
}

TEST(AutonomyChange, LevelsAndChannelAreClosedSets) {
  for (const char* field : {"previous_level", "new_level", "configured_level"}) {
    Json doc = validDocument("autonomy_change");
    doc[field] = "N4";
    EXPECT_TRUE(
        hasFailureAt(embeddedRegistry()->check("autonomy_change", doc), std::string("/") + field))
        << field;
  }
  Json doc = validDocument("autonomy_change");
  doc["channel"] = "http";
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("autonomy_change", doc), "/channel"));
  doc = validDocument("autonomy_change");
  doc["source"] = "orion-cli";
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("autonomy_change", doc), "/source"));
}

}  // namespace
}  // namespace orion::contracts
