#include "memory/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/time.h"
#include "fakes.h"
#include "memory/audit_record.h"
#include "testing/temp_dir.h"

namespace orion::memory {
namespace {

using orion::testing::readFile;
using orion::testing::TempDir;
using testing::FileFaults;

Json event(const std::string& id) { return {{"event_id", id}, {"severity", "warning"}}; }

std::vector<std::string> lines(const std::filesystem::path& path) {
  std::vector<std::string> out;
  std::string text = readFile(path);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class AuditLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<AuditLog> open(AuditLogOptions options = {}) {
    Result<std::unique_ptr<AuditFile>> file = testing::failingOpener(faults_)(path_);
    EXPECT_TRUE(file) << file.status().toString();
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(std::move(file).value(), options);
    EXPECT_TRUE(log) << log.status().toString();
    return log ? std::move(log).value() : nullptr;
  }

  Result<std::unique_ptr<AuditLog>> tryOpen(AuditLogOptions options = {}) {
    Result<std::unique_ptr<AuditFile>> file = openPosixAuditFile(path_);
    if (!file) return file.status();
    return AuditLog::open(std::move(file).value(), options);
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "state" / "audit" / "audit.jsonl";
  FileFaults faults_;
  WallTime now_ = *parseRfc3339("2026-01-14T12:00:00Z");
};

TEST_F(AuditLogTest, CreatesPrivateDirectoriesAndFile) {
  auto log = open();
  struct stat st {};
  ASSERT_EQ(::stat(path_.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(path_.parent_path().parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(log->lastSeq(), 0u);
}

TEST_F(AuditLogTest, AppendsNumberedRecordsWithDocumentsIntact) {
  auto log = open();
  Result<Appended> first = log->append("event", "1-0", event("a"), now_);
  Result<Appended> second = log->append("incident", "1-0", {{"incident_id", "b"}}, now_);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->seq, 1u);
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(second->seq, 2u);

  std::vector<std::string> written = lines(path_);
  ASSERT_EQ(written.size(), 2u);
  Result<AuditRecord> record = parseRecord(written[0]);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->seq, 1u);
  EXPECT_EQ(record->type, "event");
  EXPECT_EQ(record->entry_id, "1-0");
  EXPECT_EQ(record->recorded_at, "2026-01-14T12:00:00.000000Z");
  EXPECT_EQ(record->document, event("a"));
  EXPECT_EQ(parseRecord(written[1])->type, "incident");
}

TEST_F(AuditLogTest, ARedeliveredDocumentIsNotRecordedTwice) {
  auto log = open();
  ASSERT_TRUE(log->append("event", "1-0", event("a"), now_));
  Result<Appended> again = log->append("event", "5-0", event("a"), now_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, 1u);
  EXPECT_EQ(lines(path_).size(), 1u);
}

TEST_F(AuditLogTest, TheDuplicateWindowIsBounded) {
  auto log = open({.id_window = 2});
  ASSERT_TRUE(log->append("event", "1-0", event("a"), now_));
  ASSERT_TRUE(log->append("event", "2-0", event("b"), now_));
  EXPECT_TRUE(log->append("event", "3-0", event("a"), now_)->duplicate);
  ASSERT_TRUE(log->append("event", "4-0", event("c"), now_));
  EXPECT_FALSE(log->append("event", "5-0", event("a"), now_)->duplicate) << "a fell out";
  EXPECT_EQ(lines(path_).size(), 4u);
}

TEST_F(AuditLogTest, SeqAndDuplicatesSurviveAReopen) {
  {
    auto log = open();
    for (const char* id : {"a", "b", "c"})
      ASSERT_TRUE(log->append("event", "1-0", event(id), now_));
  }
  auto log = open();
  EXPECT_EQ(log->lastSeq(), 3u);
  EXPECT_EQ(log->recovery().last_seq, 3u);
  EXPECT_TRUE(log->append("event", "9-0", event("b"), now_)->duplicate);
  Result<Appended> next = log->append("event", "9-1", event("d"), now_);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->seq, 4u);
}

TEST_F(AuditLogTest, OnlyTheTailIsReadOnReopen) {
  {
    auto log = open();
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(log->append("event", "1-0", event("id-" + std::to_string(i)), now_));
    }
  }
  auto log = open({.id_window = 8192, .tail_bytes = 1000});
  EXPECT_EQ(log->lastSeq(), 50u);
  EXPECT_EQ(log->recovery().unreadable_lines, 0u) << "the partial first line is skipped";
  EXPECT_TRUE(log->append("event", "2-0", event("id-49"), now_)->duplicate);
  EXPECT_FALSE(log->append("event", "2-0", event("id-0"), now_)->duplicate) << "outside the tail";
}

TEST_F(AuditLogTest, AnUnfinishedFinalLineIsCutOff) {
  {
    auto log = open();
    ASSERT_TRUE(log->append("event", "1-0", event("a"), now_));
  }
  std::string whole = readFile(path_);
  const std::string torn = "{\"seq\":2,\"recorded_at\":\"2026-01-";
  {
    auto file = openPosixAuditFile(path_);
    ASSERT_TRUE((*file)->append(torn));
  }
  auto log = open();
  EXPECT_EQ(log->recovery().torn_bytes_removed, torn.size());
  EXPECT_EQ(log->lastSeq(), 1u);
  EXPECT_EQ(readFile(path_), whole);
  ASSERT_TRUE(log->append("event", "2-0", event("b"), now_));
  std::vector<std::string> written = lines(path_);
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(parseRecord(written[1])->seq, 2u);
}

TEST_F(AuditLogTest, AFileHoldingOnlyAnUnfinishedLineStartsEmpty) {
  const std::string torn = "{\"seq\":1,\"reco";
  {
    auto file = openPosixAuditFile(path_);
    ASSERT_TRUE((*file)->append(torn));
  }
  auto log = open();
  EXPECT_EQ(log->recovery().torn_bytes_removed, torn.size());
  EXPECT_EQ(std::filesystem::file_size(path_), 0u);
  EXPECT_EQ(log->append("event", "1-0", event("a"), now_)->seq, 1u);
}

TEST_F(AuditLogTest, AnUnreadableLastRecordRefusesToOpen) {
  {
    auto log = open();
    ASSERT_TRUE(log->append("event", "1-0", event("a"), now_));
  }
  uint64_t offset = std::filesystem::file_size(path_);
  {
    auto file = openPosixAuditFile(path_);
    ASSERT_TRUE((*file)->append("not a record\n"));
  }
  Result<std::unique_ptr<AuditLog>> log = tryOpen();
  ASSERT_FALSE(log);
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find(path_.string() + ": the last record (at byte " +
                                        std::to_string(offset) + ") is not readable"),
            std::string::npos)
      << log.status().message();
}

TEST_F(AuditLogTest, AFailedWriteChangesNothingAndCanBeRetried) {
  auto log = open();
  ASSERT_TRUE(log->append("event", "1-0", event("a"), now_));
  faults_.fail_appends = true;
  Result<Appended> failed = log->append("event", "2-0", event("b"), now_);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(log->lastSeq(), 1u);
  faults_.fail_appends = false;
  Result<Appended> retried = log->append("event", "2-0", event("b"), now_);
  ASSERT_TRUE(retried);
  EXPECT_FALSE(retried->duplicate) << "a failed write must not be remembered";
  EXPECT_EQ(retried->seq, 2u);
  EXPECT_EQ(lines(path_).size(), 2u);
}

TEST_F(AuditLogTest, SyncsOnlyWhenSomethingIsUnsynced) {
  auto log = open();
  ASSERT_TRUE(log->sync().isOk());
  EXPECT_EQ(faults_.syncs, 0);
  ASSERT_TRUE(log->append("event", "1-0", event("a"), now_));
  ASSERT_TRUE(log->append("event", "2-0", event("b"), now_));
  ASSERT_TRUE(log->sync().isOk());
  ASSERT_TRUE(log->sync().isOk());
  EXPECT_EQ(faults_.syncs, 1) << "two appends, one batch";

  ASSERT_TRUE(log->append("event", "3-0", event("c"), now_));
  faults_.fail_syncs = true;
  EXPECT_FALSE(log->sync().isOk());
  faults_.fail_syncs = false;
  ASSERT_TRUE(log->sync().isOk());
  EXPECT_EQ(faults_.syncs, 2) << "a failed sync is tried again";
}

TEST_F(AuditLogTest, OpeningUnderAFileFailsNamingThePath) {
  std::filesystem::create_directories(dir_.path());
  dir_.write("blocker", "x");
  Result<std::unique_ptr<AuditFile>> file = openPosixAuditFile(dir_.path() / "blocker" / "a.jsonl");
  ASSERT_FALSE(file);
  EXPECT_NE(file.status().message().find((dir_.path() / "blocker").string()), std::string::npos)
      << file.status().message();
}

}  // namespace
}  // namespace orion::memory
