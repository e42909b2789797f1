// Verification checks chunks of the trail on several threads and links them afterwards. Whatever
// the chunk size (lines straddling chunk edges, chunks holding no line start at all) and however
// many threads, it must report what one pass over the whole trail reports: the same first
// failure (seq, segment, byte offset, reason), the same counts, repairs and notes. Every way of
// tampering from verifier_test.cc is tried, at chunk and segment edges too.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <random>

#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::eventDoc;
using testing::readFile;
using testing::TrailHarness;

const std::string kKey = "a key of sixteen bytes or more";

// Everything a report says, as text, so two reports compare in one EXPECT_EQ.
std::string describe(const VerifyReport& r) {
  auto finding = [](const Finding& f) {
    return std::to_string(f.seq) + "@" + f.segment + ":" + std::to_string(f.offset) + " " + f.what;
  };
  std::string out = std::string(r.ok ? "ok" : "FAILED") + " records=" + std::to_string(r.records) +
                    " first=" + std::to_string(r.first_seq) +
                    " last=" + std::to_string(r.last_seq) +
                    " keyed=" + std::to_string(r.keyed_records) +
                    " unauthenticated=" + std::to_string(r.unauthenticated_records) + "\n";
  if (r.failure) out += "failure: " + finding(*r.failure) + "\n";
  for (const Finding& f : r.repairs) out += "repair: " + finding(f) + "\n";
  for (const std::string& note : r.notes) out += "note: " + note + "\n";
  return out;
}

class ParallelVerifierTest : public ::testing::Test, public TrailHarness {
 protected:
  // 60 records over about eight segments, recorded a millisecond apart.
  void SetUp() override {
    WriterOptions o = options();
    o.segment_max_bytes = 2048;
    auto writer = open(o);
    for (int i = 1; i <= 60; ++i) {
      append(*writer, "event", eventDoc("e" + std::to_string(i)));
      clock.advance(std::chrono::milliseconds(1));
    }
    writer->close(clock.monotonic());
    ASSERT_GE(segments().size(), 5u);
  }

  VerifyReport verifyWith(unsigned threads, uint64_t chunk_bytes,
                          std::optional<std::string> key = std::nullopt) const {
    VerifyOptions options;
    options.threads = threads;
    options.chunk_bytes = chunk_bytes;
    Result<VerifyReport> report = verifyTrail({dir(), std::move(key)}, options);
    EXPECT_TRUE(report) << report.status().toString();
    return report ? *report : VerifyReport{};
  }

  // The report of one pass over each whole segment, and the same from every other way of
  // cutting and sharing the work; returns the former.
  VerifyReport expectSameEverywhere(std::optional<std::string> key = std::nullopt) const {
    VerifyReport single = verifyWith(1, UINT64_MAX, key);
    std::string expected = describe(single);
    for (uint64_t chunk_bytes : {7u, 64u, 250u, 333u, 1000u, 4096u}) {
      for (unsigned threads : {1u, 2u, 3u}) {
        EXPECT_EQ(describe(verifyWith(threads, chunk_bytes, key)), expected)
            << threads << " threads, chunks of " << chunk_bytes << " bytes";
      }
    }
    return single;
  }

  // Every line of every segment, '\n' included, by segment.
  std::vector<std::vector<std::string>> segmentLines() const {
    std::vector<std::vector<std::string>> out;
    for (const SegmentInfo& s : segments()) {
      std::string text = readFile(dir() / s.name);
      std::vector<std::string> lines;
      for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        end = end == std::string::npos ? text.size() : end + 1;
        lines.push_back(text.substr(start, end - start));
        start = end;
      }
      out.push_back(std::move(lines));
    }
    return out;
  }
  void writeSegmentLines(const std::vector<std::vector<std::string>>& all) const {
    std::vector<SegmentInfo> names = segments();
    for (size_t i = 0; i < names.size(); ++i) {
      editFile(dir() / names[i].name, [&](std::string& text) {
        text.clear();
        for (const std::string& line : all[i]) text += line;
      });
    }
  }

  // Rewrites every record as `edit` says, then chains them all again (consistently, as a forger
  // with the key would), `keyed(seq)` saying which carry an HMAC. Segment files keep their names
  // and the records they held. The head is left as it was.
  template <typename Edit, typename Keyed>
  void rechain(Edit edit, Keyed keyed) const {
    std::vector<std::vector<std::string>> all = segmentLines();
    ChainHasher plain;
    ChainHasher with_key(kKey);
    std::string prev(kGenesisHash);
    for (std::vector<std::string>& lines : all) {
      for (std::string& line : lines) {
        Result<AuditRecord> record = parseRecord(std::string_view(line).substr(0, line.size() - 1));
        ASSERT_TRUE(record) << record.status().toString();
        edit(*record);
        std::string rest = formatRecordRest(record->node, record->type, record->id,
                                            record->entry_id, dumpJson(record->document));
        line.clear();
        appendRecordBody(line, record->seq, prev, toMicros(*parseRfc3339(record->recorded_at)),
                         rest);
        bool with_hmac = keyed(record->seq);
        Digest digest = (with_hmac ? with_key : plain).hash(line);
        appendRecordEnd(line, digest, with_hmac);
        prev = hexDigest(digest);
      }
    }
    writeSegmentLines(all);
  }
  template <typename Edit>
  void rechain(Edit edit) const {
    rechain(edit, [](uint64_t) { return false; });
  }
};

TEST_F(ParallelVerifierTest, AnIntactTrailGivesTheSameFiguresHoweverItIsCut) {
  VerifyReport report = expectSameEverywhere();
  EXPECT_TRUE(report.ok) << describe(report);
  EXPECT_EQ(report.records, 60u);
  EXPECT_EQ(report.last_seq, 60u);
}

TEST_F(ParallelVerifierTest, AnAlteredByteIsFoundAtItsRecordWhereverItIs) {
  std::vector<std::vector<std::string>> original = segmentLines();
  for (size_t segment : {size_t{0}, size_t{2}, original.size() - 1}) {
    for (size_t line : {size_t{0}, original[segment].size() / 2, original[segment].size() - 1}) {
      std::vector<std::vector<std::string>> edited = original;
      std::string& text = edited[segment][line];
      text[text.find("\"e") + 2] ^= 1;  // inside the event id
      writeSegmentLines(edited);
      VerifyReport report = expectSameEverywhere();
      ASSERT_TRUE(report.failure) << segment << ":" << line;
      EXPECT_NE(report.failure->what.find("hash does not match"), std::string::npos);
      EXPECT_EQ(report.failure->segment, segments()[segment].name);
    }
  }
  writeSegmentLines(original);
}

TEST_F(ParallelVerifierTest, RemovedDuplicatedAndSwappedLinesAreFoundAsInOnePass) {
  std::vector<std::vector<std::string>> original = segmentLines();
  std::vector<std::function<void(std::vector<std::vector<std::string>>&)>> edits = {
      [](auto& all) { all[1].erase(all[1].begin() + 1); },              // a record removed
      [](auto& all) { all[2].erase(all[2].begin()); },                  // a segment's first
      [](auto& all) { all[1].insert(all[1].begin() + 1, all[1][1]); },  // duplicated
      [](auto& all) { std::swap(all[3][0], all[3][1]); },               // swapped
      [](auto& all) { std::swap(all[2].back(), all[3].front()); },      // across segments
      [](auto& all) { all[3].insert(all[3].begin() + 2, "not a record\n"); },
      [](auto& all) { all[3].insert(all[3].begin() + 2, "\n"); },  // an empty line
      [](auto& all) { all.back().push_back("{\"seq\":61,"); },     // unfinished: only a note
      [](auto& all) {  // unfinished in a segment that is not the newest
        all[2].back().resize(all[2].back().size() / 2);
      },
      [](auto& all) { all[0].erase(all[0].begin(), all[0].end()); },  // the first records gone
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    std::vector<std::vector<std::string>> edited = original;
    edits[i](edited);
    writeSegmentLines(edited);
    SCOPED_TRACE("edit " + std::to_string(i));
    VerifyReport report = expectSameEverywhere();
    EXPECT_EQ(report.ok, i == 7) << describe(report);
  }
  writeSegmentLines(original);
}

TEST_F(ParallelVerifierTest, ChainBreaksOnlyTheLinksSeeAreFoundAsInOnePass) {
  // Recorded_at going back at a chunk edge and inside one: the hashes all match.
  rechain([](AuditRecord& r) {
    if (r.seq == 20 || r.seq == 41) r.recorded_at = "2026-01-14T11:00:00.000000Z";
  });
  VerifyReport report = expectSameEverywhere();
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->seq, 20u);
  EXPECT_EQ(report.failure->what, "recorded_at goes back in time");

  // A seq skipped in a consistently rechained trail.
  rechain([](AuditRecord& r) {
    if (r.seq >= 33) ++r.seq;
  });
  report = expectSameEverywhere();
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->seq, 20u) << "the earlier break is still the first";
}

TEST_F(ParallelVerifierTest, AnIntegrityRecordFailsTheTrailButCountingGoesOn) {
  rechain([](AuditRecord& r) {
    if (r.seq == 25 || r.seq == 50) {
      r.type = "audit.integrity";
      r.document = {{"kind", "truncated"}, {"detail", "records " + std::to_string(r.seq)}};
    }
  });
  VerifyReport report = expectSameEverywhere();
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->seq, 25u);
  EXPECT_EQ(report.records, 60u) << describe(report);
  EXPECT_EQ(report.repairs.size(), 2u);
}

TEST_F(ParallelVerifierTest, HmacRecordsAndADowngradeAreFoundAsInOnePass) {
  // Plain records, then HMAC ones from seq 30 (a key configured later).
  rechain([](AuditRecord&) {}, [](uint64_t seq) { return seq >= 30; });
  VerifyReport report = expectSameEverywhere(kKey);
  EXPECT_EQ(report.keyed_records, 31u);
  EXPECT_EQ(report.unauthenticated_records, 29u);
  EXPECT_FALSE(expectSameEverywhere().ok) << "without the key";

  // HMAC records, then plain ones again: rewritten without the key.
  rechain([](AuditRecord&) {}, [](uint64_t seq) { return seq >= 10 && seq < 45; });
  report = expectSameEverywhere(kKey);
  ASSERT_TRUE(report.failure);
  EXPECT_EQ(report.failure->seq, 45u);
  EXPECT_NE(report.failure->what.find("no HMAC although earlier ones do"), std::string::npos);
}

TEST_F(ParallelVerifierTest, RandomDamageIsReportedAsInOnePass) {
  std::vector<std::vector<std::string>> original = segmentLines();
  std::mt19937_64 random(20261205);
  for (int round = 0; round < 12; ++round) {
    std::vector<std::vector<std::string>> edited = original;
    size_t segment = random() % edited.size();
    std::string& line = edited[segment][random() % edited[segment].size()];
    size_t at = random() % line.size();
    switch (random() % 3) {
      case 0:
        line[at] = static_cast<char>(random() % 256);
        break;
      case 1:
        line.erase(at, 1 + random() % 40);
        break;
      default:
        line.insert(at, "\n");
    }
    writeSegmentLines(edited);
    SCOPED_TRACE("round " + std::to_string(round));
    expectSameEverywhere();
  }
  writeSegmentLines(original);
}

}  // namespace
}  // namespace orion::memory
