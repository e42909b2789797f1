#include "state/state_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace orion::state {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir_.path() / "guardian" / "state.db"; }
  std::unique_ptr<StateStore> openStore() {
    auto store = StateStore::open(file());
    EXPECT_TRUE(store.isOk()) << store.status().toString();
    return store.isOk() ? std::move(store).value() : nullptr;
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

TEST_F(StateStoreTest, AFileThatIsNotADatabaseIsDataLoss) {
  std::filesystem::create_directories(file().parent_path());
  std::ofstream(file()) << "this is not sqlite, just some text that is long enough to matter\n"
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

}  // namespace
}  // namespace orion::state
