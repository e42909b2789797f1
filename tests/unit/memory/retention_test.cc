// Retention deletes whole old segments, writes a checkpoint first, and the trail still verifies;
// deleting segments any other way is detected.
#include <gtest/gtest.h>

#include "memory/trail_files.h"
#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::eventDoc;
using testing::readFile;
using testing::TrailHarness;

class RetentionTest : public ::testing::Test, public TrailHarness {
 protected:
  WriterOptions small() const {
    WriterOptions o = options();
    o.segment_max_bytes = 2048;
    return o;
  }
  void fill(AuditWriter& writer, int count, const std::string& prefix) {
    for (int i = 0; i < count; ++i) append(writer, "event", eventDoc(prefix + std::to_string(i)));
  }
};

TEST_F(RetentionTest, BySizeDeletesTheOldestSegmentsBehindACheckpoint) {
  WriterOptions o = small();
  o.retention_max_bytes = 6000;
  auto writer = open(o);
  fill(*writer, 80, "e");
  ASSERT_TRUE(writer->enforceRetention());
  writer->close(clock.monotonic());

  uint64_t total = 0;
  for (const SegmentInfo& s : segments()) total += std::filesystem::file_size(dir() / s.name);
  EXPECT_LE(total, 6000u + 2048u) << "within the bound, give or take the segment being written";
  std::vector<AuditRecord> kept = records();
  ASSERT_FALSE(kept.empty());
  EXPECT_GT(kept.front().seq, 1u) << "old records were deleted";

  ChainHasher hasher;
  Result<std::vector<Checkpoint>> checkpoints = readCheckpoints(*fs, dir(), hasher);
  ASSERT_TRUE(checkpoints);
  ASSERT_FALSE(checkpoints->empty());
  EXPECT_EQ(checkpoints->back().first_seq, kept.front().seq);
  EXPECT_EQ(checkpoints->back().prev, kept.front().prev);
  EXPECT_EQ(checkpoints->back().first_hash, kept.front().hash);
  EXPECT_FALSE(checkpoints->back().deleted_segments.empty());
  EXPECT_EQ(checkpoints->back().reason, "the trail is above 6000 bytes");

  std::vector<AuditRecord> notes = recordsOf("audit.retention");
  ASSERT_FALSE(notes.empty()) << "retention is itself on record";
  VerifyReport report = verify();
  EXPECT_TRUE(report.ok) << (report.failure ? report.failure->what : "");
  EXPECT_TRUE(report.checkpoint_present);
  EXPECT_EQ(report.first_seq, kept.front().seq);
  EXPECT_GE(registry.read("orion_memory_retention_deleted_segments_total"), 1);
}

TEST_F(RetentionTest, ByAgeDeletesSegmentsWhoseRecordsAreAllOlder) {
  WriterOptions o = small();
  o.retention_max_age = std::chrono::hours(24 * 7);
  o.rotate_daily = true;
  auto writer = open(o);
  fill(*writer, 5, "old");
  clock.advance(std::chrono::hours(24 * 10));
  fill(*writer, 5, "new");  // a new day: a new segment
  ASSERT_TRUE(writer->enforceRetention());
  writer->close(clock.monotonic());
  std::vector<AuditRecord> kept = records();
  ASSERT_FALSE(kept.empty());
  for (const AuditRecord& r : kept) {
    EXPECT_EQ(r.document.value("event_id", std::string("new")).rfind("old", 0), std::string::npos)
        << r.line;
  }
  EXPECT_TRUE(verify().ok);
}

TEST_F(RetentionTest, TheActiveSegmentIsNeverDeleted) {
  WriterOptions o = options();
  o.retention_max_bytes = 1;
  auto writer = open(o);
  fill(*writer, 5, "e");
  ASSERT_TRUE(writer->enforceRetention());
  writer->close(clock.monotonic());
  EXPECT_EQ(records().size(), 5u);
}

TEST_F(RetentionTest, SegmentsDeletedWithoutACheckpointAreDetected) {
  auto writer = open(small());
  fill(*writer, 60, "e");
  writer->close(clock.monotonic());
  ASSERT_GE(segments().size(), 3u);
  std::filesystem::remove(dir() / segments().front().name);
  VerifyReport first_gone = verify();
  EXPECT_FALSE(first_gone.ok);
  ASSERT_TRUE(first_gone.failure);
  EXPECT_NE(first_gone.failure->what.find("records before it are missing"), std::string::npos);
}

TEST_F(RetentionTest, AMiddleSegmentDeletedIsAGap) {
  auto writer = open(small());
  fill(*writer, 60, "e");
  writer->close(clock.monotonic());
  std::vector<SegmentInfo> segs = segments();
  ASSERT_GE(segs.size(), 3u);
  std::filesystem::remove(dir() / segs[1].name);
  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->seq, segs[2].first_seq);
  EXPECT_NE(report.failure->what.find("records missing"), std::string::npos);
}

TEST_F(RetentionTest, AForgedCheckpointDoesNotVerify) {
  WriterOptions o = small();
  o.retention_max_bytes = 4000;
  auto writer = open(o);
  fill(*writer, 60, "e");
  ASSERT_TRUE(writer->enforceRetention());
  writer->close(clock.monotonic());
  editFile(dir() / "checkpoint.json", [](std::string& text) {
    size_t at = text.find("\"first_seq\":");
    text.insert(at + 12, "1");  // claims a later first record
  });
  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
}

}  // namespace
}  // namespace orion::memory
