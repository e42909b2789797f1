// The index and the queries over it: filters, the causal chain of an incident, the
// reconciliation queries, catching up, rebuilding, tail and follow, export formats.
#include <gtest/gtest.h>

#include <thread>

#include "trail_harness.h"

namespace orion::memory {
namespace {

using namespace std::chrono_literals;
using testing::readFile;
using testing::TrailHarness;

class AuditReaderTest : public ::testing::Test, public TrailHarness {
 protected:
  void SetUp() override {
    writer_ = open();
    auto at = [&](std::string_view type, const Json& doc) {
      uint64_t seq = append(*writer_, type, doc);
      clock.advance(1min);
      return seq;
    };
    std::string later = formatRfc3339(clock.now() + 1h);
    std::string earlier = formatRfc3339(clock.now() - 1h);
    at("event", testing::eventDoc("e1", "jellyfin"));                         // 1
    at("event", testing::eventDoc("e2", "jellyfin"));                         // 2
    at("incident", testing::incidentDoc("i1", {"e1", "e2"}));                 // 3
    at("decision", testing::decisionDoc("d1", "i1"));                         // 4
    at("approval_request", testing::approvalRequestDoc("r1", "d1", later));   // 5
    at("approval_decision", testing::approvalDecisionDoc("a1", "r1", "d1"));  // 6
    at("action", testing::actionDoc("x1", "d1"));                             // 7
    at("outcome", testing::outcomeDoc("o1", "x1"));                           // 8
    at("incident", testing::incidentDoc("i1", {"e1", "e2"}, "resolved"));     // 9
    Json other = testing::eventDoc("e3");
    other["data"]["node"] = "pi";
    at("event", other);                                                        // 10
    at("incident", testing::incidentDoc("i2", {"e3"}));                        // 11
    at("action", testing::actionDoc("x2", "d9"));                              // 12
    at("approval_request", testing::approvalRequestDoc("r2", "d9", later));    // 13
    at("approval_request", testing::approvalRequestDoc("r3", "d8", earlier));  // 14
  }
  void TearDown() override {
    if (writer_) writer_->close(clock.monotonic());
  }

  std::unique_ptr<AuditReader> reader() {
    Result<std::unique_ptr<AuditReader>> r = AuditReader::open({dir(), std::nullopt});
    EXPECT_TRUE(r) << r.status().toString();
    return r ? std::move(r).value() : nullptr;
  }

  static std::vector<uint64_t> seqs(const std::vector<AuditRecord>& records) {
    std::vector<uint64_t> out;
    for (const AuditRecord& r : records) out.push_back(r.seq);
    return out;
  }

  std::unique_ptr<AuditWriter> writer_;
};

TEST_F(AuditReaderTest, TheCausalChainOfAnIncidentComesWholeAndInOrder) {
  auto r = reader();
  Result<CausalChain> chain = r->causalChain("i1");
  ASSERT_TRUE(chain) << chain.status().toString();
  EXPECT_EQ(seqs(chain->events), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(seqs(chain->incidents), (std::vector<uint64_t>{3, 9})) << "every version";
  EXPECT_EQ(seqs(chain->decisions), (std::vector<uint64_t>{4}));
  EXPECT_EQ(seqs(chain->approval_requests), (std::vector<uint64_t>{5}));
  EXPECT_EQ(seqs(chain->approvals), (std::vector<uint64_t>{6}));
  EXPECT_EQ(seqs(chain->actions), (std::vector<uint64_t>{7}));
  EXPECT_EQ(seqs(chain->outcomes), (std::vector<uint64_t>{8}));
  std::vector<uint64_t> ordered;
  for (const AuditRecord* record : chain->ordered()) ordered.push_back(record->seq);
  EXPECT_EQ(ordered, (std::vector<uint64_t>{1, 2, 3, 9, 4, 5, 6, 7, 8}));
  EXPECT_EQ(chain->outcomes[0].document, testing::outcomeDoc("o1", "x1"));

  Result<CausalChain> unknown = r->causalChain("nope");
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->empty());
}

TEST_F(AuditReaderTest, QueriesFilterByTypeNodeServiceAndTime) {
  auto r = reader();
  EXPECT_EQ(r->lag(), 0u);
  auto query = [&](QueryFilter filter) {
    Result<std::vector<AuditRecord>> found = r->query(filter);
    EXPECT_TRUE(found) << found.status().toString();
    return found ? seqs(*found) : std::vector<uint64_t>{};
  };
  EXPECT_EQ(query({.types = {"event"}}), (std::vector<uint64_t>{1, 2, 10}));
  EXPECT_EQ(query({.types = {"event", "outcome"}}), (std::vector<uint64_t>{1, 2, 8, 10}));
  EXPECT_EQ(query({.node = "pi"}), (std::vector<uint64_t>{10}));
  EXPECT_EQ(query({.service = "jellyfin"}), (std::vector<uint64_t>{1, 2, 7, 12}))
      << "events name it in data, actions in parameters";
  WallTime start = *parseRfc3339("2026-01-14T12:00:00Z");
  EXPECT_EQ(query({.since = start + 3min, .until = start + 5min}), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(query({.since = start + 12min}), (std::vector<uint64_t>{13, 14}));
  EXPECT_EQ(query({.since = start + 1h}), std::vector<uint64_t>{});
  EXPECT_EQ(query({.types = {"event"}, .limit = 2}), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(query({.limit = 2, .newest_first = true}), (std::vector<uint64_t>{14, 13}));
  EXPECT_EQ(query({.after_seq = 12}), (std::vector<uint64_t>{13, 14}));
  EXPECT_EQ(query({.types = {"never"}}), std::vector<uint64_t>{});
  EXPECT_EQ(query({.node = "nowhere"}), std::vector<uint64_t>{});
}

TEST_F(AuditReaderTest, QueriesPageNewestFirstFollowIdsAndSelectCurrentVersions) {
  auto r = reader();
  auto query = [&](QueryFilter filter) {
    Result<std::vector<AuditRecord>> found = r->query(filter);
    EXPECT_TRUE(found) << found.status().toString();
    return found ? seqs(*found) : std::vector<uint64_t>{};
  };
  EXPECT_EQ(query({.before_seq = 13, .limit = 3, .newest_first = true}),
            (std::vector<uint64_t>{12, 11, 10}));
  EXPECT_EQ(query({.before_seq = 3, .limit = 3, .newest_first = true}),
            (std::vector<uint64_t>{2, 1}));
  EXPECT_EQ(query({.after_seq = 2, .before_seq = 5}), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(query({.types = {"decision"}, .carrying = "i1"}), (std::vector<uint64_t>{4}));
  EXPECT_EQ(query({.types = {"outcome"}, .carrying = "x1"}), (std::vector<uint64_t>{8}));
  EXPECT_EQ(query({.types = {"action"}, .carrying = "d9"}), (std::vector<uint64_t>{12}));
  EXPECT_EQ(query({.carrying = "unknown"}), std::vector<uint64_t>{});
  // One record per incident: its newest version.
  EXPECT_EQ(query({.types = {"incident"}, .newest_first = true, .current_versions = true}),
            (std::vector<uint64_t>{11, 9}));
  EXPECT_EQ(query({.types = {"incident"}, .current_versions = true, .closed = true}),
            (std::vector<uint64_t>{9}));
  EXPECT_EQ(query({.types = {"incident"}, .current_versions = true, .closed = false}),
            (std::vector<uint64_t>{11}));
  EXPECT_EQ(query({.types = {"incident"},
                   .node = "nas",
                   .before_seq = 11,
                   .newest_first = true,
                   .current_versions = true}),
            (std::vector<uint64_t>{9}));
}

TEST_F(AuditReaderTest, ReconciliationQueriesAnswerWhatAModuleWouldAsk) {
  auto r = reader();
  Result<std::vector<AuditRecord>> open_incidents = r->openIncidents();
  ASSERT_TRUE(open_incidents);
  EXPECT_EQ(seqs(*open_incidents), (std::vector<uint64_t>{11})) << "i1 was resolved";

  Result<std::optional<AuditRecord>> outcome = r->latestOutcome("x1");
  ASSERT_TRUE(outcome && outcome->has_value());
  EXPECT_EQ((*outcome)->seq, 8u);
  Result<std::optional<AuditRecord>> none = r->latestOutcome("x2");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());

  Result<std::vector<AuditRecord>> in_flight = r->actionsWithoutOutcome();
  ASSERT_TRUE(in_flight);
  EXPECT_EQ(seqs(*in_flight), (std::vector<uint64_t>{12}));

  Result<std::vector<AuditRecord>> pending = r->pendingApprovalRequests(clock.now());
  ASSERT_TRUE(pending);
  EXPECT_EQ(seqs(*pending), (std::vector<uint64_t>{13})) << "r1 answered, r3 expired";

  Result<std::optional<AuditRecord>> latest = r->latest("i1");
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->seq, 9u);
  EXPECT_EQ((*latest)->document["state"], "resolved");
}

TEST_F(AuditReaderTest, TheIndexCatchesUpWithNewRecordsAndRebuildsWhenLost) {
  { auto r = reader(); }
  append(*writer_, "event", testing::eventDoc("e4"));
  auto r = reader();
  Result<std::vector<AuditRecord>> found = r->query({.types = {"event"}});
  ASSERT_TRUE(found);
  EXPECT_EQ(seqs(*found), (std::vector<uint64_t>{1, 2, 10, 15}));
  r.reset();

  std::filesystem::remove(dir() / "index.db");
  std::filesystem::remove(dir() / "index.db-wal");
  std::filesystem::remove(dir() / "index.db-shm");
  auto rebuilt = reader();
  Result<CausalChain> chain = rebuilt->causalChain("i1");
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->ordered().size(), 9u);
}

TEST_F(AuditReaderTest, AnIndexOfAnotherLogIsRebuiltNotTrusted) {
  { auto r = reader(); }
  writer_->close(clock.monotonic());
  writer_.reset();
  for (const SegmentInfo& s : segments()) std::filesystem::remove(dir() / s.name);
  std::filesystem::remove(dir() / "head.json");
  {
    auto fresh = open();
    append(*fresh, "outcome", testing::outcomeDoc("only", "x"));
    fresh->close(clock.monotonic());
  }
  auto r = reader();
  Result<std::vector<AuditRecord>> all = r->query({});
  ASSERT_TRUE(all) << all.status().toString();
  ASSERT_EQ(all->size(), 1u) << "the new log's outcome, nothing of the old";
  EXPECT_EQ((*all)[0].type, "outcome");
}

TEST_F(AuditReaderTest, ReindexRebuildsAndReportsIndexSize) {
  Result<ReindexReport> report = reindexTrail({dir(), std::nullopt});
  ASSERT_TRUE(report) << report.status().toString();
  EXPECT_EQ(report->records, 14u);
  EXPECT_GT(report->index_bytes, 0u);
  auto r = reader();
  Result<std::vector<AuditRecord>> all = r->query({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 14u);
}

TEST_F(AuditReaderTest, ForEachStreamsEveryMatchAcrossPages) {
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(writer_->submit("event", "p", testing::eventDoc("bulk" + std::to_string(i))));
  }
  append(*writer_, "event", testing::eventDoc("last"));
  auto r = reader();
  uint64_t count = 0;
  uint64_t previous = 0;
  Status streamed = r->forEach({.types = {"event"}}, [&](const AuditRecord& record) {
    EXPECT_GT(record.seq, previous);
    previous = record.seq;
    ++count;
    return Status::ok();
  });
  ASSERT_TRUE(streamed) << streamed.toString();
  EXPECT_EQ(count, 3u + 5001u);
}

TEST_F(AuditReaderTest, LastAndFollowReadTheLogAsItGrows) {
  auto r = reader();
  Result<std::vector<AuditRecord>> last = r->last(3);
  ASSERT_TRUE(last);
  EXPECT_EQ(seqs(*last), (std::vector<uint64_t>{12, 13, 14}));

  std::atomic<bool> stop{false};
  std::vector<uint64_t> followed;
  std::thread follower([&] {
    Status status = r->follow(
        14,
        [&](const AuditRecord& record) {
          followed.push_back(record.seq);
          return followed.size() < 3;
        },
        stop, 10ms);
    EXPECT_TRUE(status) << status.toString();
  });
  for (int i = 0; i < 3; ++i) append(*writer_, "event", testing::eventDoc("f" + std::to_string(i)));
  follower.join();
  EXPECT_EQ(followed, (std::vector<uint64_t>{15, 16, 17}));
}

TEST_F(AuditReaderTest, FollowCrossesIntoTheNextSegment) {
  writer_->close(clock.monotonic());
  WriterOptions o = options();
  o.segment_max_bytes = 1024;
  writer_ = open(o);
  auto r = reader();
  std::atomic<bool> stop{false};
  std::vector<uint64_t> followed;
  std::thread follower([&] {
    EXPECT_TRUE(r->follow(
        14,
        [&](const AuditRecord& record) {
          followed.push_back(record.seq);
          return followed.size() < 10;
        },
        stop, 10ms));
  });
  for (int i = 0; i < 10; ++i)
    append(*writer_, "event", testing::eventDoc("s" + std::to_string(i)));
  follower.join();
  ASSERT_EQ(followed.size(), 10u);
  EXPECT_EQ(followed.front(), 15u);
  EXPECT_EQ(followed.back(), 24u);
  EXPECT_GE(segments().size(), 3u);
}

TEST_F(AuditReaderTest, CsvQuotesWhatNeedsQuoting) {
  auto r = reader();
  Result<std::optional<AuditRecord>> action = r->latest("x1");
  ASSERT_TRUE(action && action->has_value());
  std::string row = csvRow(**action);
  EXPECT_EQ(csvHeader(), "seq,recorded_at,node,type,id,entry_id,service,hash,document\r\n");
  EXPECT_EQ(row.rfind("7,2026-01-14T12:06:00.000000Z,core,action,x1,1-0,jellyfin,", 0), 0u) << row;
  EXPECT_NE(row.find(",\"{\"\"action_id\"\":\"\"x1\"\""), std::string::npos) << row;
  EXPECT_EQ(row.substr(row.size() - 2), "\r\n");
  Json json = toJson(**action);
  EXPECT_EQ(json["seq"], 7);
  EXPECT_EQ(json["document"]["action_id"], "x1");
}

}  // namespace
}  // namespace orion::memory
