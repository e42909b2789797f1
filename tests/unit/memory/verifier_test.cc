// `orion audit verify` underneath: every way of tampering with the log is reported at the first
// record it breaks, with the reason.
#include <gtest/gtest.h>

#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::eventDoc;
using testing::readFile;
using testing::TrailHarness;

class VerifierTest : public ::testing::Test, public TrailHarness {
 protected:
  void SetUp() override {
    auto writer = open();
    for (int i = 1; i <= 6; ++i) append(*writer, "event", eventDoc("e" + std::to_string(i)));
    writer->close(clock.monotonic());
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::string text = readFile(lastSegment());
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      out.push_back(text.substr(start, end - start + 1));
      start = end + 1;
    }
    return out;
  }
  void writeLines(const std::vector<std::string>& lines) {
    editFile(lastSegment(), [&](std::string& text) {
      text.clear();
      for (const std::string& line : lines) text += line;
    });
  }
  Finding failure() const {
    VerifyReport report = verify();
    EXPECT_FALSE(report.ok);
    return report.failure.value_or(Finding{});
  }
};

TEST_F(VerifierTest, AnIntactTrailVerifiesWithItsFigures) {
  VerifyReport report = verify();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.records, 6u);
  EXPECT_EQ(report.first_seq, 1u);
  EXPECT_EQ(report.last_seq, 6u);
  EXPECT_TRUE(report.head_present);
  EXPECT_EQ(report.head_seq, 6u);
  Result<VerifyReport> deep = verifyTrail({dir(), std::nullopt}, {.deep = true});
  ASSERT_TRUE(deep);
  EXPECT_TRUE(deep->ok);
}

TEST_F(VerifierTest, AnAlteredDocumentIsCaughtAtItsRecord) {
  editFile(lastSegment(), [](std::string& text) { text[text.find("\"e3\"") + 2] = '9'; });
  Finding f = failure();
  EXPECT_EQ(f.seq, 3u);
  EXPECT_EQ(f.segment, segments().back().name);
  EXPECT_GT(f.offset, 0u);
  EXPECT_NE(f.what.find("hash does not match"), std::string::npos);
}

TEST_F(VerifierTest, ARecordRehashedAfterEditingBreaksTheNextLink) {
  // An editor who recomputes the edited record's own hash still breaks the chain after it.
  std::vector<std::string> all = lines();
  Result<AuditRecord> third = parseRecord(std::string_view(all[2]).substr(0, all[2].size() - 1));
  ASSERT_TRUE(third);
  Json doc = third->document;
  doc["severity"] = "info";
  std::string rest =
      formatRecordRest(third->node, third->type, third->id, third->entry_id, dumpJson(doc));
  std::string rewritten;
  appendRecordBody(rewritten, 3, third->prev, toMicros(*parseRfc3339(third->recorded_at)), rest);
  appendRecordEnd(rewritten, ChainHasher().hash(rewritten), false);
  all[2] = rewritten;
  writeLines(all);
  Finding f = failure();
  EXPECT_EQ(f.seq, 4u);
  EXPECT_NE(f.what.find("its prev is not the hash of record 3"), std::string::npos) << f.what;
}

TEST_F(VerifierTest, ADeletedRecordIsAGap) {
  std::vector<std::string> all = lines();
  all.erase(all.begin() + 3);
  writeLines(all);
  Finding f = failure();
  EXPECT_EQ(f.seq, 5u);
  EXPECT_NE(f.what.find("expected seq 4"), std::string::npos) << f.what;
}

TEST_F(VerifierTest, SwappedRecordsAreOutOfOrder) {
  std::vector<std::string> all = lines();
  std::swap(all[1], all[2]);
  writeLines(all);
  EXPECT_EQ(failure().seq, 3u);
}

TEST_F(VerifierTest, ADuplicatedRecordIsCaught) {
  std::vector<std::string> all = lines();
  all.insert(all.begin() + 2, all[1]);
  writeLines(all);
  EXPECT_EQ(failure().seq, 2u);
}

TEST_F(VerifierTest, AnUnfinishedLastLineIsANoteNotAFailure) {
  appendRaw(lastSegment(), "{\"seq\":7,");
  VerifyReport report = verify();
  EXPECT_TRUE(report.ok);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("unfinished line"), std::string::npos);
}

TEST_F(VerifierTest, AHeadAheadOfTheLogMeansRecordsWereRemoved) {
  std::vector<std::string> all = lines();
  all.pop_back();
  writeLines(all);
  Finding f = failure();
  EXPECT_EQ(f.seq, 6u);
  EXPECT_NE(f.what.find("the log ends at seq 5"), std::string::npos) << f.what;
}

TEST_F(VerifierTest, ARewrittenTrailDoesNotMatchItsHead) {
  // The whole trail regenerated (consistently) from record 5 on: only the head can tell.
  std::vector<std::string> all = lines();
  Result<AuditRecord> fifth = parseRecord(std::string_view(all[4]).substr(0, all[4].size() - 1));
  ASSERT_TRUE(fifth);
  std::string prev = fifth->prev;
  all.resize(4);
  for (uint64_t seq : {5, 6}) {
    std::string rest = formatRecordRest("nas", "event", "forged", "1-0",
                                        dumpJson(eventDoc("forged" + std::to_string(seq))));
    std::string line;
    appendRecordBody(line, seq, prev, toMicros(*parseRfc3339(fifth->recorded_at)), rest);
    Digest digest = ChainHasher().hash(line);
    appendRecordEnd(line, digest, false);
    prev = hexDigest(digest);
    all.push_back(line);
  }
  writeLines(all);
  Finding f = failure();
  EXPECT_EQ(f.seq, 6u);
  EXPECT_NE(f.what.find("does not have the hash the head recorded"), std::string::npos) << f.what;
}

TEST_F(VerifierTest, NoTrailIsNotFound) {
  Result<VerifyReport> report = verifyTrail({temp.path() / "nothing", std::nullopt});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace orion::memory
