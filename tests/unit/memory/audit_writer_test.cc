// The group-commit writer: numbering, chaining, durability before acknowledgement, duplicates,
// rotation, the head and the lock.
#include "memory/audit_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "memory/trail_files.h"
#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::eventDoc;
using testing::readFile;
using testing::TrailHarness;
using testing::waitUntil;

class AuditWriterTest : public ::testing::Test, public TrailHarness {};

TEST_F(AuditWriterTest, RecordsAreNumberedChainedAndPrivate) {
  auto writer = open();
  ASSERT_TRUE(writer);
  EXPECT_EQ(append(*writer, "event", eventDoc("a")), 1u);
  EXPECT_EQ(append(*writer, "incident", testing::incidentDoc("i", {"a"})), 2u);
  writer->close(clock.monotonic());

  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].prev, kGenesisHash);
  EXPECT_EQ(written[1].prev, written[0].hash);
  EXPECT_EQ(written[0].document, eventDoc("a"));
  EXPECT_EQ(written[0].node, "nas") << "the node the document names";
  EXPECT_EQ(written[0].id, "a");
  EXPECT_EQ(written[0].recorded_at, "2026-01-14T12:00:00.000000Z");
  EXPECT_TRUE(verify().ok);

  struct stat st {};
  ASSERT_EQ(::stat(dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(lastSegment().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AuditWriterTest, ManyConcurrentSubmittersShareFewSyncs) {
  WriterOptions o = options();
  o.sync_interval = std::chrono::milliseconds(5);
  auto writer = open(o);
  constexpr int kThreads = 4;
  constexpr int kEach = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        append(*writer, "event", eventDoc(std::to_string(t) + "-" + std::to_string(i)));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  writer->close(clock.monotonic());
  EXPECT_EQ(records().size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_LT(faults.syncs.load(), kThreads * kEach) << "group commit: fewer syncs than records";
  EXPECT_EQ(registry.read("orion_memory_appended_records_total"), kThreads * kEach);
  EXPECT_TRUE(verify().ok);
}

TEST_F(AuditWriterTest, ASteadyTrickleIsSyncedAtMostOncePerInterval) {
  // Records a few hundred microseconds apart on a disk whose sync takes 2 ms: each sync lets a
  // record or two in, so a writer that wrote whatever waited after a sync would sync back to back
  // (about one sync per 2 ms). Paced, it starts a write at most once per sync_interval.
  WriterOptions o = options();
  o.sync_interval = std::chrono::milliseconds(40);
  faults.sync_pause_us = 2000;
  auto writer = open(o);
  constexpr int kRecords = 600;  // about 400 ms
  auto begin = std::chrono::steady_clock::now();
  uint64_t last = 0;
  for (int i = 0; i < kRecords; ++i) {
    Result<Submitted> submitted =
        writer->submit("event", "1-" + std::to_string(i), eventDoc("trickle-" + std::to_string(i)));
    ASSERT_TRUE(submitted) << submitted.status().toString();
    last = submitted->seq;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  ASSERT_TRUE(writer->waitDurable(last));
  int syncs = faults.syncs.load();
  auto elapsed = std::chrono::steady_clock::now() - begin;
  writer->close(clock.monotonic());
  EXPECT_EQ(records().size(), static_cast<size_t>(kRecords));
  // One write per interval over the run, and the first (idle) batch and the last: ~12 in
  // ~400 ms, where an unpaced writer syncs about every 2 ms (~200).
  auto paced = static_cast<int>(elapsed / o.sync_interval) + 3;
  EXPECT_LE(syncs, paced) << "syncs for " << kRecords << " records in "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                          << " ms";
  EXPECT_TRUE(verify().ok);
}

TEST_F(AuditWriterTest, NothingIsDurableUntilTheSyncReturns) {
  auto writer = open();
  faults.holdSyncs();
  Result<Submitted> submitted = writer->submit("event", "1-0", eventDoc("a"));
  ASSERT_TRUE(submitted);
  std::atomic<bool> durable{false};
  std::thread waiter([&] {
    EXPECT_TRUE(writer->waitDurable(submitted->seq));
    durable = true;
  });
  ASSERT_TRUE(waitUntil([&] { return faults.appends >= 1; })) << "written to the file";
  EXPECT_FALSE(durable) << "but not durable while the sync is held";
  EXPECT_EQ(writer->durableSeq(), 0u);
  faults.releaseSyncs();
  waiter.join();
  EXPECT_TRUE(durable);
  EXPECT_EQ(writer->durableSeq(), 1u);
}

TEST_F(AuditWriterTest, ADuplicateWaitsForTheOriginalAndIsNotWrittenAgain) {
  auto writer = open();
  append(*writer, "event", eventDoc("a"), "1-0");
  Result<Submitted> again = writer->submit("event", "5-0", eventDoc("a"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, 1u);
  writer->close(clock.monotonic());
  EXPECT_EQ(records().size(), 1u);
  EXPECT_EQ(registry.read("orion_memory_duplicates_total"), 1);
}

TEST_F(AuditWriterTest, SeqChainAndDuplicatesContinueAcrossAReopen) {
  std::string last_hash;
  {
    auto writer = open();
    for (const char* id : {"a", "b", "c"}) append(*writer, "event", eventDoc(id));
    writer->close(clock.monotonic());
  }
  auto writer = open();
  EXPECT_EQ(writer->recoveredSeq(), 3u);
  Result<Submitted> dup = writer->submit("event", "9-0", eventDoc("b"));
  ASSERT_TRUE(dup);
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(append(*writer, "event", eventDoc("d")), 4u);
  writer->close(clock.monotonic());
  EXPECT_TRUE(verify().ok) << "the chain continues over the restart";
  EXPECT_EQ(records().size(), 4u);
}

TEST_F(AuditWriterTest, RecordedAtNeverGoesBackWhenTheClockDoes) {
  auto writer = open();
  append(*writer, "event", eventDoc("a"));
  clock.setWall(*parseRfc3339("2026-01-14T11:00:00Z"));
  append(*writer, "event", eventDoc("b"));
  writer->close(clock.monotonic());
  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[1].recorded_at, written[0].recorded_at);
  EXPECT_TRUE(verify().ok);
}

TEST_F(AuditWriterTest, SegmentsRotateBySizeAndTheChainContinues) {
  WriterOptions o = options();
  o.segment_max_bytes = 4096;
  auto writer = open(o);
  for (int i = 0; i < 60; ++i) append(*writer, "event", eventDoc("e" + std::to_string(i)));
  writer->close(clock.monotonic());
  std::vector<SegmentInfo> segs = segments();
  ASSERT_GE(segs.size(), 3u);
  EXPECT_EQ(segs[0].name, "audit-00000000000000000001.jsonl");
  for (const SegmentInfo& s : segs) {
    EXPECT_LE(std::filesystem::file_size(dir() / s.name), 4096u) << s.name;
  }
  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 60u);
  EXPECT_EQ(written[segs[1].first_seq - 1].seq, segs[1].first_seq);
  VerifyReport report = verify();
  EXPECT_TRUE(report.ok) << (report.failure ? report.failure->what : "");
  EXPECT_EQ(report.segments, segs.size());
  EXPECT_GE(registry.read("orion_memory_rotations_total"), 3);
}

TEST_F(AuditWriterTest, SegmentsRotateAtTheUtcDayBoundary) {
  clock.setWall(*parseRfc3339("2026-01-14T23:59:59Z"));
  auto writer = open();
  append(*writer, "event", eventDoc("a"));
  append(*writer, "event", eventDoc("b"));
  clock.advance(std::chrono::seconds(2));
  append(*writer, "event", eventDoc("c"));
  writer->close(clock.monotonic());
  std::vector<SegmentInfo> segs = segments();
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[1].first_seq, 3u);
  EXPECT_TRUE(verify().ok);

  // After a restart on the next day, the open segment is still that day's.
  auto reopened = open();
  append(*reopened, "event", eventDoc("d"));
  reopened->close(clock.monotonic());
  EXPECT_EQ(segments().size(), 2u);
}

TEST_F(AuditWriterTest, TheHeadNamesTheLastDurableRecordAndIsExported) {
  auto writer = open();
  append(*writer, "event", eventDoc("a"));
  append(*writer, "event", eventDoc("b"));
  writer->close(clock.monotonic());
  ChainHasher hasher;
  Result<std::optional<Head>> head = readHead(*fs, dir(), hasher);
  ASSERT_TRUE(head && head->has_value());
  std::vector<AuditRecord> written = records();
  EXPECT_EQ((*head)->seq, 2u);
  EXPECT_EQ((*head)->hash, written[1].hash);
  EXPECT_EQ((*head)->segment, segments().back().name);
  EXPECT_EQ(registry.read("orion_memory_head_seq"), 2);
  EXPECT_EQ(registry.read("orion_memory_head_hash_prefix"),
            static_cast<double>(std::stoull(written[1].hash.substr(0, 12), nullptr, 16)));
}

TEST_F(AuditWriterTest, ASecondWriterOnTheSameTrailIsRefused) {
  auto first = open();
  Result<std::unique_ptr<AuditWriter>> second = AuditWriter::open(options(), fs, clock, metrics);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("another ORION process"), std::string::npos)
      << second.status().message();
  first->close(clock.monotonic());
  EXPECT_TRUE(AuditWriter::open(options(), fs, clock, metrics)) << "free again after close";
}

TEST_F(AuditWriterTest, CloseCancelsWaitersOfRecordsItCouldNotWrite) {
  auto writer = open();
  faults.space_left = 0;  // a full disk
  Result<Submitted> submitted = writer->submit("event", "1-0", eventDoc("a"));
  ASSERT_TRUE(submitted);
  Status waited;
  std::thread waiter([&] { waited = writer->waitDurable(submitted->seq); });
  ASSERT_TRUE(waitUntil([&] { return writer->degraded(); }));
  writer->close(clock.monotonic());
  waiter.join();
  EXPECT_EQ(waited.code(), StatusCode::kCancelled);
  EXPECT_FALSE(writer->submit("event", "2-0", eventDoc("b"))) << "closed";
}

TEST_F(AuditWriterTest, HmacKeyedTrailsNeedTheKey) {
  WriterOptions keyed = options();
  keyed.key = "a key of at least sixteen bytes";
  {
    auto writer = open(keyed);
    append(*writer, "event", eventDoc("a"));
    writer->close(clock.monotonic());
  }
  EXPECT_NE(readFile(lastSegment()).find(",\"hmac\":\""), std::string::npos);
  Result<std::unique_ptr<AuditWriter>> without = AuditWriter::open(options(), fs, clock, metrics);
  ASSERT_FALSE(without);
  EXPECT_EQ(without.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(without.status().message().find("memory.hmac_key_file"), std::string::npos);
  EXPECT_TRUE(verify(keyed.key).ok);
  VerifyReport no_key = verify();
  EXPECT_FALSE(no_key.ok);
  ASSERT_TRUE(no_key.failure);
  EXPECT_NE(no_key.failure->what.find("--key-file"), std::string::npos) << no_key.failure->what;
  EXPECT_FALSE(verify(std::string("the wrong key, sixteen+")).ok);
}

TEST_F(AuditWriterTest, AKeyAddedLaterAuthenticatesWhatFollows) {
  {
    auto writer = open();
    append(*writer, "event", eventDoc("a"));
    writer->close(clock.monotonic());
  }
  WriterOptions keyed = options();
  keyed.key = "a key of at least sixteen bytes";
  auto writer = open(keyed);
  append(*writer, "event", eventDoc("b"));
  writer->close(clock.monotonic());
  VerifyReport report = verify(keyed.key);
  EXPECT_TRUE(report.ok) << (report.failure ? report.failure->what : "");
  EXPECT_EQ(report.keyed_records, 1u);
  EXPECT_EQ(report.unauthenticated_records, 1u);
}

}  // namespace
}  // namespace orion::memory
