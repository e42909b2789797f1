// Opening a trail after a crash: torn tails are cut off and recorded as repairs; damage the head
// vouches for is refused; a log shorter than its head is recorded as a loss.
#include <gtest/gtest.h>

#include "memory/trail_files.h"
#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::eventDoc;
using testing::readFile;
using testing::TrailHarness;

class TrailRecoveryTest : public ::testing::Test, public TrailHarness {
 protected:
  void writeEvents(int count) {
    auto writer = open();
    for (int i = 0; i < count; ++i) append(*writer, "event", eventDoc("e" + std::to_string(i)));
    writer->close(clock.monotonic());
  }
};

TEST_F(TrailRecoveryTest, ATornFinalLineIsCutOffQuarantinedAndRecordedAsARepair) {
  writeEvents(3);
  std::string whole = readFile(lastSegment());
  const std::string torn = "{\"seq\":4,\"prev\":\"00ab";
  appendRaw(lastSegment(), torn);

  auto writer = open();
  ASSERT_TRUE(writer);
  EXPECT_EQ(writer->tornBytesRemoved(), torn.size());
  EXPECT_EQ(writer->recoveredSeq(), 3u);
  append(*writer, "event", eventDoc("after"));
  writer->close(clock.monotonic());

  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 5u);
  EXPECT_EQ(readFile(lastSegment()).substr(0, whole.size()), whole) << "nothing whole was touched";
  const AuditRecord& repair = written[3];
  EXPECT_EQ(repair.type, "audit.repair");
  EXPECT_EQ(repair.seq, 4u);
  EXPECT_EQ(repair.document["kind"], "torn_tail");
  EXPECT_EQ(repair.document["bytes_removed"], torn.size());
  EXPECT_EQ(repair.document["offset"], whole.size());
  std::string quarantine = repair.document["quarantine"];
  EXPECT_EQ(readFile(dir() / quarantine), torn) << "the removed bytes are kept";
  EXPECT_EQ(written[4].document, eventDoc("after"));
  EXPECT_EQ(registry.read("orion_memory_repairs_total"), 1);

  VerifyReport report = verify();
  EXPECT_TRUE(report.ok) << (report.failure ? report.failure->what : "");
  ASSERT_EQ(report.repairs.size(), 1u);
  EXPECT_NE(report.repairs[0].what.find("torn_tail"), std::string::npos);
}

TEST_F(TrailRecoveryTest, AFileHoldingOnlyAnUnfinishedLineStartsFromGenesis) {
  std::filesystem::create_directories(dir());
  appendRaw(dir() / segmentName(1), "{\"seq\":1,\"reco");
  auto writer = open();
  ASSERT_TRUE(writer);
  append(*writer, "event", eventDoc("a"));
  writer->close(clock.monotonic());
  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].type, "audit.repair");
  EXPECT_EQ(written[0].prev, kGenesisHash);
  EXPECT_TRUE(verify().ok);
}

TEST_F(TrailRecoveryTest, DamageTheHeadVouchesForIsRefusedNotRepaired) {
  writeEvents(3);
  // Record 2 of 3 altered: the head (seq 3) says it was durable, so this is no torn write.
  editFile(lastSegment(), [](std::string& text) {
    size_t second = text.find("\"seq\":2");
    text[text.find("e1", second)] = 'X';
  });
  Result<std::unique_ptr<AuditWriter>> writer = AuditWriter::open(options(), fs, clock, metrics);
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(writer.status().message().find("is damaged"), std::string::npos)
      << writer.status().message();
  EXPECT_NE(writer.status().message().find(lastSegment().string()), std::string::npos);

  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->seq, 2u);
  EXPECT_NE(report.failure->what.find("hash does not match"), std::string::npos);
}

TEST_F(TrailRecoveryTest, ALogCutShortOfItsHeadIsRecordedAsALoss) {
  writeEvents(5);
  // Remove the last two whole records, as someone hiding them would.
  editFile(lastSegment(), [](std::string& text) {
    size_t fourth = text.find("{\"seq\":4,");
    text.resize(fourth);
  });
  VerifyReport before = verify();
  EXPECT_FALSE(before.ok);
  ASSERT_TRUE(before.failure);
  EXPECT_NE(before.failure->what.find("records were removed from its end"), std::string::npos)
      << before.failure->what;

  auto writer = open();
  ASSERT_TRUE(writer);
  append(*writer, "event", eventDoc("next"));
  writer->close(clock.monotonic());
  std::vector<AuditRecord> integrity = recordsOf("audit.integrity");
  ASSERT_EQ(integrity.size(), 1u);
  EXPECT_EQ(integrity[0].document["kind"], "truncated");
  EXPECT_EQ(integrity[0].document["head_seq"], 5);
  EXPECT_EQ(integrity[0].document["log_last_seq"], 3);
  EXPECT_EQ(registry.read("orion_memory_integrity_problems_total"), 1);
  VerifyReport after = verify();
  EXPECT_FALSE(after.ok) << "the loss stays on record";
  ASSERT_TRUE(after.failure);
  EXPECT_NE(after.failure->what.find("records a loss"), std::string::npos);
}

TEST_F(TrailRecoveryTest, AMissingOrForgedHeadIsRecorded) {
  writeEvents(2);
  editFile(dir() / "head.json", [](std::string& text) {
    size_t at = text.find("\"seq\":2");
    text.replace(at, 7, "\"seq\":1");
  });
  EXPECT_FALSE(verify().ok) << "an edited head does not check";
  auto writer = open();
  ASSERT_TRUE(writer);
  writer->close(clock.monotonic());
  std::vector<AuditRecord> integrity = recordsOf("audit.integrity");
  ASSERT_EQ(integrity.size(), 1u);
  EXPECT_EQ(integrity[0].document["kind"], "head_unreadable");

  std::filesystem::remove(dir() / "head.json");
  auto again = open();
  again->close(clock.monotonic());
  integrity = recordsOf("audit.integrity");
  ASSERT_EQ(integrity.size(), 2u);
  EXPECT_EQ(integrity[1].document["kind"], "head_missing");
}

TEST_F(TrailRecoveryTest, AGarbageFileIsRefusedWhenTheHeadVouchesForIt) {
  writeEvents(1);
  editFile(lastSegment(), [](std::string& text) { text = "garbage\n"; });
  Result<std::unique_ptr<AuditWriter>> writer = AuditWriter::open(options(), fs, clock, metrics);
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace orion::memory
