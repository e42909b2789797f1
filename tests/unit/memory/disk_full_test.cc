// A full disk (the fault-injecting file layer): writes fail loudly, the writer reports itself
// degraded, nothing already written is damaged, and it resumes when space returns.
#include <gtest/gtest.h>

#include <thread>

#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::eventDoc;
using testing::readFile;
using testing::TrailHarness;
using testing::waitUntil;

class DiskFullTest : public ::testing::Test, public TrailHarness {};

TEST_F(DiskFullTest, WritesFailDegradeAndResumeWithNothingLostOrDamaged) {
  auto writer = open();
  for (int i = 0; i < 10; ++i) append(*writer, "event", eventDoc("before-" + std::to_string(i)));
  std::string before = readFile(lastSegment());

  faults.space_left = 300;  // room for part of one record: a partial write happens and is undone
  std::vector<uint64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    Result<Submitted> s = writer->submit("event", "x", eventDoc("during-" + std::to_string(i)));
    ASSERT_TRUE(s) << "accepted while the disk is full: kept in memory";
    seqs.push_back(s->seq);
  }
  ASSERT_TRUE(waitUntil([&] { return writer->degraded(); }));
  EXPECT_EQ(registry.read("orion_memory_degraded"), 1);
  EXPECT_GE(registry.read("orion_memory_write_errors_total"), 1);
  EXPECT_EQ(writer->durableSeq(), 10u) << "nothing of the failed batch counts";
  EXPECT_EQ(readFile(lastSegment()), before) << "the partial write was removed";
  EXPECT_TRUE(verify().ok) << "what was written is intact";

  std::atomic<bool> durable{false};
  std::thread waiter([&] {
    EXPECT_TRUE(writer->waitDurable(seqs.back()));
    durable = true;
  });
  faults.space_left = -1;  // space returns
  waiter.join();
  EXPECT_TRUE(durable);
  ASSERT_TRUE(waitUntil([&] { return !writer->degraded(); }));
  EXPECT_EQ(registry.read("orion_memory_degraded"), 0);
  writer->close(clock.monotonic());

  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 15u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(written[10 + i].document, eventDoc("during-" + std::to_string(i))) << "in order";
  }
  EXPECT_TRUE(verify().ok);
}

TEST_F(DiskFullTest, AFailingSyncIsRetriedAndItsBatchRewritten) {
  auto writer = open();
  append(*writer, "event", eventDoc("a"));
  faults.fail_syncs = true;
  Result<Submitted> s = writer->submit("event", "x", eventDoc("b"));
  ASSERT_TRUE(s);
  ASSERT_TRUE(waitUntil([&] { return writer->degraded(); }));
  EXPECT_EQ(writer->durableSeq(), 1u);
  faults.fail_syncs = false;
  EXPECT_TRUE(writer->waitDurable(s->seq));
  writer->close(clock.monotonic());
  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 2u) << "the unsynced copy was cut off and written once";
  EXPECT_TRUE(verify().ok);
}

TEST_F(DiskFullTest, ANewSegmentThatCannotBeCreatedKeepsTheCurrentOne) {
  WriterOptions o = options();
  o.segment_max_bytes = 2048;
  auto writer = open(o);
  append(*writer, "event", eventDoc("first"));
  faults.fail_new_files = true;
  for (int i = 0; i < 20; ++i) append(*writer, "event", eventDoc("e" + std::to_string(i)));
  EXPECT_EQ(segments().size(), 1u) << "rotation failed, writing went on";
  faults.fail_new_files = false;
  append(*writer, "event", eventDoc("rotates"));
  writer->close(clock.monotonic());
  EXPECT_EQ(segments().size(), 2u);
  EXPECT_TRUE(verify().ok);
}

TEST_F(DiskFullTest, AHeadThatCannotBeWrittenDoesNotStopRecording) {
  auto writer = open();
  append(*writer, "event", eventDoc("a"));
  faults.fail_atomic_writes = true;
  append(*writer, "event", eventDoc("b"));
  EXPECT_FALSE(writer->degraded()) << "the records are durable; only the head lags";
  faults.fail_atomic_writes = false;
  writer->close(clock.monotonic());
  EXPECT_TRUE(verify().ok);
}

}  // namespace
}  // namespace orion::memory
