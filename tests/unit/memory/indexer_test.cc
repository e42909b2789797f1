// The daemon's indexer: it ends up holding every durable record, whether the writer's rows fit
// its queue or not, and it runs behind the writer in priority.
#include "memory/indexer.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>

#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::eventDoc;
using testing::TrailHarness;
using testing::waitUntil;

class IndexerTest : public ::testing::Test, public TrailHarness {
 protected:
  // A writer whose durable batches go to an indexer queueing at most `max_queued` rows.
  void start(size_t max_queued) {
    indexer = std::make_unique<Indexer>(
        dir(), fs, metrics, [this] { return writer ? writer->durableSeq() : 0; }, max_queued);
    Result<std::unique_ptr<AuditWriter>> opened =
        AuditWriter::open(options(), fs, clock, metrics,
                          [this](std::vector<IndexRow>&& rows) { indexer->add(std::move(rows)); });
    ASSERT_TRUE(opened) << opened.status().toString();
    writer = std::move(opened).value();
    ASSERT_TRUE(indexer->start());
  }
  void TearDown() override {
    if (writer) writer->close(clock.monotonic());
    if (indexer) indexer->stop(clock.monotonic(), clock);
  }
  // Submits `count` events at once (one batch, or few), and waits until they are durable.
  void appendBurst(int first, int count) {
    uint64_t last = 0;
    for (int i = first; i < first + count; ++i) {
      Result<Submitted> submitted =
          writer->submit("event", "1-0", eventDoc("e" + std::to_string(i), "svc"));
      ASSERT_TRUE(submitted);
      last = submitted->seq;
    }
    ASSERT_TRUE(writer->waitDurable(last));
  }
  std::vector<uint64_t> indexedSeqs() {
    AuditReader::Options options;
    options.catch_up = false;  // what the indexer wrote, nothing more
    Result<std::unique_ptr<AuditReader>> reader = AuditReader::open({dir(), std::nullopt}, options);
    EXPECT_TRUE(reader) << reader.status().toString();
    if (!reader) return {};
    QueryFilter filter;
    filter.service = "svc";
    Result<std::vector<AuditRecord>> found = (*reader)->query(filter);
    EXPECT_TRUE(found) << found.status().toString();
    std::vector<uint64_t> seqs;
    for (const AuditRecord& record : found.valueOr(std::vector<AuditRecord>{})) {
      seqs.push_back(record.seq);
    }
    return seqs;
  }

  std::unique_ptr<Indexer> indexer;
  std::unique_ptr<AuditWriter> writer;
};

std::vector<uint64_t> oneTo(uint64_t n) {
  std::vector<uint64_t> seqs;
  for (uint64_t seq = 1; seq <= n; ++seq) seqs.push_back(seq);
  return seqs;
}

TEST_F(IndexerTest, RowsFromTheWriterAreIndexed) {
  start(Indexer::kMaxQueued);
  for (int burst = 0; burst < 5; ++burst) appendBurst(burst * 4, 4);
  ASSERT_TRUE(waitUntil([&] { return indexer->indexedSeq() == 20; }));
  EXPECT_EQ(indexedSeqs(), oneTo(20));
}

TEST_F(IndexerTest, RowsBeyondAFullQueueAreReadFromTheLog) {
  start(3);  // every burst below overflows it
  for (int burst = 0; burst < 6; ++burst) appendBurst(burst * 10, 10);
  ASSERT_TRUE(waitUntil([&] { return indexer->indexedSeq() == 60; }));
  EXPECT_EQ(indexedSeqs(), oneTo(60)) << "nothing lost or indexed twice";
}

// The indexer gathers rows for a moment before a transaction; stopping does not wait for the
// moment to pass, and what was gathered is indexed before the thread ends. (Rows that arrive
// before the indexer's first catch-up are not queued but left to the next start's catch-up: the
// first record is indexed before the rows under test arrive.)
TEST_F(IndexerTest, StoppingIndexesWhatIsBeingGathered) {
  start(Indexer::kMaxQueued);
  appendBurst(0, 1);
  ASSERT_TRUE(waitUntil([&] { return indexer->indexedSeq() == 1; }));
  appendBurst(1, 3);
  writer->close(clock.monotonic());
  indexer->stop(clock.monotonic() + std::chrono::seconds(30), clock);
  EXPECT_EQ(indexer->indexedSeq(), 4u);
  EXPECT_EQ(indexedSeqs(), oneTo(4));
  writer.reset();
  indexer.reset();
}

TEST_F(IndexerTest, TheIndexerThreadRunsAtALowerPriority) {
  start(Indexer::kMaxQueued);
  appendBurst(0, 1);
  ASSERT_TRUE(waitUntil([&] { return indexer->indexedSeq() == 1; }));
  // The indexer is the thread of this process with the highest nice value.
  int highest = ::getpriority(PRIO_PROCESS, 0);
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    int tid = std::stoi(task.path().filename().string());
    highest = std::max(highest, ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid)));
  }
  EXPECT_EQ(highest, std::min(19, ::getpriority(PRIO_PROCESS, 0) + 10));
}

}  // namespace
}  // namespace orion::memory
