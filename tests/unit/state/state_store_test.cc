#include "state/state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::state {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir_.path() / "guardian" / "state.log"; }
  std::string contents() const {
    std::ifstream in(file(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void overwrite(const std::string& bytes) const {
    std::ofstream(file(), std::ios::binary | std::ios::trunc) << bytes;
  }
  std::unique_ptr<StateStore> openStore() {
    auto store = StateStore::open(file());
    EXPECT_TRUE(store.isOk()) << store.status().toString();
    return store.isOk() ? std::move(store).value() : nullptr;
  }
  // A store that compacts (in the background) once its log has grown past `bytes`.
  std::unique_ptr<StateStore> openCompactingAfter(size_t bytes) {
    StoreOptions options;
    options.compact_after_bytes = bytes;
    auto store = StateStore::open(file(), options);
    EXPECT_TRUE(store.isOk()) << store.status().toString();
    return store.isOk() ? std::move(store).value() : nullptr;
  }
  using Rows = std::map<std::string, Json>;
  // Write `i` of a run that keeps overwriting `keys` keys of table "t" with values of varying
  // size and erases one of them every `erase_every` writes; `expected` follows it.
  static Status writeStep(StateStore& store, Rows& expected, int i, int keys, int erase_every) {
    Batch batch;
    std::string key = std::to_string(i % keys);
    Json value{{"i", i}, {"pad", std::string(static_cast<size_t>(i % 50), 'p')}};
    batch.put("t", key, value);
    expected[key] = value;
    if (i % erase_every == 0) {
      std::string gone = std::to_string((i + 3) % keys);
      batch.erase("t", gone);
      expected.erase(gone);
    }
    return store.apply(batch);
  }
  static Rows scanned(const StateStore& store, std::string_view table = "t") {
    auto rows = store.scan(std::string(table));
    EXPECT_TRUE(rows.isOk()) << rows.status().toString();
    return rows.isOk() ? Rows(rows->begin(), rows->end()) : Rows();
  }
  // Table "t" as a fresh open of the file reads it.
  Rows reopened(const StoreOptions& options) const {
    auto store = StateStore::open(file(), options);
    EXPECT_TRUE(store.isOk()) << store.status().toString();
    return store.isOk() ? scanned(**store) : Rows();
  }
  testing::TempDir dir_;
};

TEST_F(StateStoreTest, CreatesTheFileAndAnOwnerOnlyDirectory) {
  auto store = openStore();
  ASSERT_TRUE(store);
  EXPECT_TRUE(std::filesystem::exists(file()));
  struct stat info {};
  ASSERT_EQ(stat(file().parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
}

TEST_F(StateStoreTest, PutGetEraseRoundTrip) {
  auto store = openStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put("cooldowns", "restart_service/jellyfin", Json{{"until", 42}}).isOk());
  auto got = store->get("cooldowns", "restart_service/jellyfin");
  ASSERT_TRUE(got.isOk());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((**got)["until"], 42);

  ASSERT_TRUE(store->put("cooldowns", "restart_service/jellyfin", Json{{"until", 43}}).isOk());
  EXPECT_EQ((**store->get("cooldowns", "restart_service/jellyfin"))["until"], 43);

  ASSERT_TRUE(store->erase("cooldowns", "restart_service/jellyfin").isOk());
  EXPECT_FALSE(store->get("cooldowns", "restart_service/jellyfin")->has_value());
  EXPECT_TRUE(store->erase("cooldowns", "absent").isOk());
}

TEST_F(StateStoreTest, TablesAreSeparateAndScanIsOrderedByKey) {
  auto store = openStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put("a", "2", 2).isOk());
  ASSERT_TRUE(store->put("a", "1", 1).isOk());
  ASSERT_TRUE(store->put("b", "1", "other").isOk());
  auto rows = store->scan("a");
  ASSERT_TRUE(rows.isOk());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].first, "1");
  EXPECT_EQ((*rows)[1].first, "2");
  EXPECT_EQ(*store->count("a"), 2u);
  EXPECT_EQ(*store->count("b"), 1u);
  EXPECT_EQ(*store->count("none"), 0u);
}

TEST_F(StateStoreTest, BatchIsAppliedAtomically) {
  auto store = openStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put("pending", "x", 1).isOk());
  Batch batch;
  batch.put("pending", "y", 2);
  batch.erase("pending", "x");
  batch.clear("other");
  ASSERT_TRUE(store->apply(batch).isOk());
  auto rows = store->scan("pending");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].first, "y");
  EXPECT_TRUE(store->apply(Batch{}).isOk());
}

// Text values are stored as written, and a put erased later in the same batch is gone.
TEST_F(StateStoreTest, TextValuesAreStoredAsWritten) {
  {
    auto store = openStore();
    ASSERT_TRUE(store);
    const std::string long_text = "{\"text\":\"" + std::string(300, 'x') + "\"}";
    Batch batch;
    batch.putText("incidents", "a", long_text);
    batch.putText("incidents", "b", "[1,2,3]");
    batch.put("incidents", "c", Json{{"n", 1}});
    batch.erase("incidents", "c");
    ASSERT_TRUE(store->apply(batch).isOk());
    EXPECT_EQ(**store->get("incidents", "a"), Json::parse(long_text));
    EXPECT_EQ(**store->get("incidents", "b"), Json::array({1, 2, 3}));
    EXPECT_EQ(*store->count("incidents"), 2u);
  }
  auto store = openStore();
  ASSERT_TRUE(store);
  EXPECT_EQ((**store->get("incidents", "a"))["text"], std::string(300, 'x'));
  EXPECT_EQ(*store->count("incidents"), 2u);
}

TEST_F(StateStoreTest, ClearRemovesOnlyItsTable) {
  auto store = openStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put("a", "1", 1).isOk());
  ASSERT_TRUE(store->put("b", "1", 1).isOk());
  Batch batch;
  batch.clear("a");
  ASSERT_TRUE(store->apply(batch).isOk());
  EXPECT_EQ(*store->count("a"), 0u);
  EXPECT_EQ(*store->count("b"), 1u);
}

TEST_F(StateStoreTest, StateSurvivesReopening) {
  {
    auto store = openStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->put("breakers", "restart_service", Json{{"failures", 3}}).isOk());
  }
  auto store = openStore();
  ASSERT_TRUE(store);
  EXPECT_EQ((**store->get("breakers", "restart_service"))["failures"], 3);
}

TEST_F(StateStoreTest, ASecondOpenOfTheSameFileIsRefused) {
  auto first = openStore();
  ASSERT_TRUE(first);
  auto second = StateStore::open(file());
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("locked by another process"), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find(file().string()), std::string::npos);
}

TEST_F(StateStoreTest, AFileThatIsNotAStateLogIsDataLoss) {
  std::filesystem::create_directories(file().parent_path());
  std::ofstream(file()) << "this is not a state log, just some text that is long enough to matter\n"
                        << std::string(200, 'x');
  auto store = StateStore::open(file());
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().toString();
}

TEST_F(StateStoreTest, PowerLossDurabilityOpens) {
  auto store = StateStore::open(file(), Durability::kPowerLoss);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  EXPECT_TRUE((*store)->put("t", "k", true).isOk());
}

TEST_F(StateStoreTest, AnIncompleteLastWriteIsDroppedAndTheStoreStaysWritable) {
  size_t before = 0;
  {
    auto store = openStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->put("t", "a", 1).isOk());
    before = store->logBytes();
    ASSERT_TRUE(store->put("t", "b", 2).isOk());
  }
  // A crash in the middle of the second append: only part of its record reached the file.
  std::string bytes = contents();
  overwrite(bytes.substr(0, bytes.size() - 3));
  {
    auto store = openStore();
    ASSERT_TRUE(store);
    EXPECT_EQ(store->logBytes(), before);
    EXPECT_EQ(*store->count("t"), 1u);
    EXPECT_FALSE(store->get("t", "b")->has_value());
    ASSERT_TRUE(store->put("t", "c", 3).isOk());
  }
  auto store = openStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->count("t"), 2u);
  EXPECT_EQ(**store->get("t", "c"), 3);
}

TEST_F(StateStoreTest, ZerosAfterTheLastWriteAreDropped) {
  {
    auto store = openStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->put("t", "a", 1).isOk());
  }
  // A power loss after the file grew but before the data reached the disk reads as zeros.
  overwrite(contents() + std::string(100, '\0'));
  auto store = openStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(**store->get("t", "a"), 1);
  EXPECT_TRUE(store->put("t", "b", 2).isOk());
}

TEST_F(StateStoreTest, DamageBeforeTheLastWriteIsDataLoss) {
  size_t first_record_end = 0;
  {
    auto store = openStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->put("t", "a", Json{{"value", "aaaa"}}).isOk());
    first_record_end = store->logBytes();
    ASSERT_TRUE(store->put("t", "b", 2).isOk());
  }
  std::string bytes = contents();
  bytes[first_record_end - 3] ^= 0x20;  // inside the first record's value
  overwrite(bytes);
  auto store = StateStore::open(file());
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("checksum"), std::string::npos)
      << store.status().message();
  EXPECT_NE(store.status().message().find(file().string()), std::string::npos);
}

TEST_F(StateStoreTest, AStoreWrittenByANewerFormatIsDataLoss) {
  { ASSERT_TRUE(openStore()); }
  std::string bytes = contents();
  bytes[16] = 2;  // the format version follows the 16-byte magic
  overwrite(bytes);
  auto store = StateStore::open(file());
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("newer ORION"), std::string::npos);
}

// In the foreground, the write that crosses the threshold compacts: the log's size has a bound.
TEST_F(StateStoreTest, CompactionKeepsTheLiveStateAndBoundsTheLog) {
  StoreOptions options;
  options.compact_after_bytes = 4096;
  options.compact_in_background = false;
  {
    auto store = StateStore::open(file(), options);
    ASSERT_TRUE(store.isOk()) << store.status().toString();
    for (int i = 0; i < 2000; ++i) {
      Batch batch;
      batch.put("counter", "n", i);
      batch.put("recent", std::to_string(i % 7), Json{{"i", i}});
      if (i % 3 == 0) batch.erase("recent", std::to_string((i + 1) % 7));
      ASSERT_TRUE((*store)->apply(batch).isOk());
      ASSERT_LT((*store)->logBytes(), 3 * 4096u);
    }
  }
  EXPECT_FALSE(std::filesystem::exists(file().string() + ".tmp"));
  auto store = StateStore::open(file(), options);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  EXPECT_EQ(**(*store)->get("counter", "n"), 1999);
  EXPECT_EQ((**(*store)->get("recent", "5"))["i"], 1993);  // the last i with i % 7 == 5
}

// The store keeps where each value is in the log, not the value: what it reads back must follow
// the values through overwrites, erasures and compactions, in the same run as well as after it.
class StateStoreCompactionTest : public StateStoreTest,
                                 public ::testing::WithParamInterface<bool> {};

INSTANTIATE_TEST_SUITE_P(ForegroundAndBackground, StateStoreCompactionTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Background" : "Foreground"; });

TEST_P(StateStoreCompactionTest, ValuesAreReadBackFromTheLogAcrossCompactions) {
  StoreOptions options;
  options.compact_after_bytes = 2048;
  options.compact_in_background = GetParam();
  auto store = StateStore::open(file(), options);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  Rows expected;
  size_t compactions = 0;
  size_t previous_bytes = 0;
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(writeStep(**store, expected, i, 13, 5).isOk());
    // In the background, a compaction is put in place by a later write: every tenth write
    // waits for it, so some are put in place with writes after the snapshot, some without.
    if (GetParam() && i % 10 == 0) {
      ASSERT_TRUE((*store)->finishCompaction().isOk());
    }
    if ((*store)->logBytes() < previous_bytes) ++compactions;
    previous_bytes = (*store)->logBytes();
    if (i % 37 == 0) {
      EXPECT_EQ(scanned(**store), expected) << "at " << i;
    }
  }
  EXPECT_GT(compactions, 3u);
  for (const auto& [key, value] : expected) EXPECT_EQ(**(*store)->get("t", key), value) << key;
  store->reset();
  EXPECT_EQ(reopened(options), expected);
}

// A compaction in the background finds the live entries by replaying the log on its own thread
// (not from the store's tables): puts, erasures and whole tables cleared must come out as the
// tables have them, in every table.
TEST_F(StateStoreTest, ABackgroundCompactionFollowsClearsAndErasuresInEveryTable) {
  std::unique_ptr<StateStore> store = openCompactingAfter(2048);
  ASSERT_TRUE(store);
  Rows expected;
  Rows other;  // table "u": a new key per write, some erased, all cleared every 50 writes
  auto step = [&](int i) {
    ASSERT_TRUE(writeStep(*store, expected, i, 13, 5).isOk());
    Batch batch;
    if (i % 50 == 49) {
      batch.clear("u");
      other.clear();
    } else {
      // Keys used once: a row that wrongly outlived a clear or an erasure is never overwritten.
      batch.put("u", std::to_string(i), Json{{"i", i}});
      other[std::to_string(i)] = Json{{"i", i}};
      if (i % 7 == 0) {
        batch.erase("u", std::to_string(i - 3));
        other.erase(std::to_string(i - 3));
      }
    }
    ASSERT_TRUE(store->apply(batch).isOk());
  };
  size_t compactions = 0;
  size_t previous_bytes = 0;
  int i = 0;
  for (; i < 800; ++i) {
    step(i);
    if (i % 10 == 0) {
      ASSERT_TRUE(store->finishCompaction().isOk());
    }
    if (store->logBytes() < previous_bytes) ++compactions;
    previous_bytes = store->logBytes();
  }
  EXPECT_GT(compactions, 3u);
  // One more compaction, started after the last clear (i = 799) and some erasures: the file
  // reopened below is its snapshot.
  ASSERT_TRUE(store->finishCompaction().isOk());
  while (!store->compacting()) {
    ASSERT_LT(i, 100000) << "no compaction started";
    step(i++);
  }
  ASSERT_TRUE(store->finishCompaction().isOk());
  EXPECT_EQ(scanned(*store), expected);
  EXPECT_EQ(scanned(*store, "u"), other);
  store.reset();
  std::unique_ptr<StateStore> again = openCompactingAfter(2048);
  ASSERT_TRUE(again);
  EXPECT_EQ(scanned(*again), expected);
  EXPECT_EQ(scanned(*again, "u"), other);
}

// Writes go on while a compaction copies the live state on its own thread: they land in the old
// log, are read back from it meanwhile, and follow the copy into the new file when it is put in
// place, overwrites and erasures of copied keys included.
TEST_F(StateStoreTest, WritesDuringABackgroundCompactionAreKept) {
  StoreOptions options;
  options.compact_after_bytes = 4096;
  auto store = StateStore::open(file(), options);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  Rows expected;
  int i = 0;
  while (!(*store)->compacting()) {
    ASSERT_TRUE(writeStep(**store, expected, i++, 17, 4).isOk());
    ASSERT_LT(i, 10000) << "no compaction started";
  }
  size_t before = (*store)->logBytes();
  // The compaction may finish at any moment: writes then put it in place. Either way each
  // write is read back.
  for (int more = 0; more < 30; ++more) {
    ASSERT_TRUE(writeStep(**store, expected, i++, 17, 4).isOk());
    EXPECT_EQ(scanned(**store), expected) << "at " << i;
  }
  ASSERT_TRUE((*store)->finishCompaction().isOk());
  EXPECT_FALSE((*store)->compacting());
  EXPECT_LT((*store)->logBytes(), before);
  EXPECT_FALSE(std::filesystem::exists(file().string() + ".tmp"));
  EXPECT_EQ(scanned(**store), expected);
  store->reset();
  EXPECT_EQ(reopened(options), expected);
}

// The logs compactions replaced (renamed over, so open only through the store's descriptor) are
// closed, off the writing thread: none stays open, whatever the number of compactions.
TEST_F(StateStoreTest, TheLogsCompactionsReplacedAreClosed) {
  StoreOptions options;
  options.compact_after_bytes = 4096;
  auto store = StateStore::open(file(), options);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  auto replaced_logs_open = [&] {
    int open = 0;
    for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code error;
      std::string target = std::filesystem::read_symlink(fd.path(), error).string();
      if (!error && target == file().string() + " (deleted)") ++open;
    }
    return open;
  };
  Rows expected;
  int i = 0;
  for (int compactions = 0; compactions < 5; ++compactions) {
    while (!(*store)->compacting()) {
      ASSERT_TRUE(writeStep(**store, expected, i++, 17, 4).isOk());
      ASSERT_LT(i, 100000) << "no compaction started";
    }
    ASSERT_TRUE((*store)->finishCompaction().isOk());
  }
  EXPECT_TRUE(testing::waitUntil([&] { return replaced_logs_open() == 0; }))
      << replaced_logs_open() << " replaced logs still open";
  EXPECT_EQ(scanned(**store), expected);
}

// A store closed while its compaction runs keeps its old log, which holds every write.
TEST_F(StateStoreTest, AStoreClosedDuringACompactionKeepsEveryWrite) {
  StoreOptions options;
  options.compact_after_bytes = 4096;
  Rows expected;
  {
    auto store = StateStore::open(file(), options);
    ASSERT_TRUE(store.isOk()) << store.status().toString();
    for (int i = 0; !(*store)->compacting() || i % 50 != 0; ++i) {
      ASSERT_LT(i, 10000) << "no compaction started";
      ASSERT_TRUE(writeStep(**store, expected, i, 11, 7).isOk());
    }
  }
  EXPECT_FALSE(std::filesystem::exists(file().string() + ".tmp"));
  EXPECT_EQ(reopened(options), expected);
}

// A log cut short by something else while the store is open: reading a value that was there is
// kDataLoss naming the file and the key, not a crash or an empty value.
TEST_F(StateStoreTest, AValueTheFileNoLongerHoldsIsDataLoss) {
  auto store = openStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put("t", "kept", 1).isOk());
  size_t before = store->logBytes();
  ASSERT_TRUE(store->put("t", "lost", std::string(100, 'x')).isOk());
  std::filesystem::resize_file(file(), before);
  EXPECT_EQ(**store->get("t", "kept"), 1);
  auto lost = store->get("t", "lost");
  ASSERT_FALSE(lost.isOk());
  EXPECT_EQ(lost.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(lost.status().message().find(file().string()), std::string::npos);
  EXPECT_NE(lost.status().message().find("t/lost"), std::string::npos);
  EXPECT_FALSE(store->scan("t").isOk());
}

TEST_F(StateStoreTest, ALeftoverCompactionFileIsRemovedAtOpen) {
  std::filesystem::create_directories(file().parent_path());
  std::ofstream(file().string() + ".tmp") << "half a snapshot";
  ASSERT_TRUE(openStore());
  EXPECT_FALSE(std::filesystem::exists(file().string() + ".tmp"));
}

// A write that fails (here: the file size limit) leaves nothing behind, in memory or on disk.
TEST_F(StateStoreTest, AFailedWriteChangesNothing) {
  auto store = openStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->put("t", "a", 1).isOk());
  size_t before = store->logBytes();
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limited = saved;
  limited.rlim_cur = before + 16;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  Status failed = store->put("t", "big", std::string(1000, 'x'));
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);

  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store->get("t", "big")->has_value());
  EXPECT_EQ(store->logBytes(), before);
  EXPECT_EQ(std::filesystem::file_size(file()), before);
  ASSERT_TRUE(store->put("t", "b", 2).isOk());
  store.reset();
  auto reopened = openStore();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*reopened->count("t"), 2u);
}

// Stop 17's ORION kept each store in SQLite (`state.db`); the first open of `state.log` imports it.
class SqliteImportTest : public StateStoreTest {
 protected:
  std::filesystem::path legacy() const { return dir_.path() / "guardian" / "state.db"; }
  void writeLegacy(int application_id) const {
    std::filesystem::create_directories(legacy().parent_path());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(legacy().c_str(), &db), SQLITE_OK);
    std::string sql =
        "PRAGMA journal_mode=WAL; PRAGMA application_id=" + std::to_string(application_id) +
        "; CREATE TABLE state (tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
        "PRIMARY KEY (tbl, key)) WITHOUT ROWID;"
        "INSERT INTO state VALUES ('breakers', 'restart_service', '{\"failures\":3}');"
        "INSERT INTO state VALUES ('outbox', '7', '[1,2]');";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
};

TEST_F(SqliteImportTest, ImportsTheOldDatabaseOnceAndRemovesIt) {
  writeLegacy(0x4F52494F);
  {
    auto store = openStore();
    ASSERT_TRUE(store);
    EXPECT_EQ((**store->get("breakers", "restart_service"))["failures"], 3);
    EXPECT_EQ(**store->get("outbox", "7"), Json::array({1, 2}));
    ASSERT_TRUE(store->erase("outbox", "7").isOk());
  }
  EXPECT_FALSE(std::filesystem::exists(legacy()));
  EXPECT_FALSE(std::filesystem::exists(legacy().string() + "-wal"));
  auto store = openStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->count("breakers"), 1u);
  EXPECT_EQ(*store->count("outbox"), 0u);
}

TEST_F(SqliteImportTest, SomeOtherDatabaseIsDataLossAndKept) {
  writeLegacy(0);
  auto store = StateStore::open(file());
  ASSERT_FALSE(store.isOk());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("not an ORION state store"), std::string::npos)
      << store.status().message();
  EXPECT_TRUE(std::filesystem::exists(legacy()));
  EXPECT_FALSE(std::filesystem::exists(file()));
}

}  // namespace
}  // namespace orion::state
