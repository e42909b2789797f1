// The dedup window: keys by contract id and exact text, bounded, persisted in a StateStore and
// read back after a restart; and the node routing rule used by the commander.
#include "bus/dedup_window.h"

#include <gtest/gtest.h>

#include <mutex>

#include "bus/routing.h"
#include "bus_test_support.h"
#include "testing/temp_dir.h"

namespace orion::bus {
namespace {

using testing::embeddedContracts;

TEST(DocumentIdFieldTest, IsTheFirstRequiredIdOfEachContract) {
  auto contracts = embeddedContracts();
  EXPECT_EQ(documentIdField(*contracts, "event"), "event_id");
  EXPECT_EQ(documentIdField(*contracts, "incident"), "incident_id");
  EXPECT_EQ(documentIdField(*contracts, "decision"), "decision_id");
  EXPECT_EQ(documentIdField(*contracts, "action"), "action_id");  // not decision_id
  EXPECT_EQ(documentIdField(*contracts, "approval_decision"), "approval_id");
  EXPECT_EQ(documentIdField(*contracts, "edge.command"), "command_id");
  EXPECT_EQ(documentIdField(*contracts, "deadletter"), "deadletter_id");
  EXPECT_EQ(documentIdField(*contracts, "no_such_type"), "");
  for (const std::string& type : contracts->types()) {
    EXPECT_FALSE(documentIdField(*contracts, type).empty()) << type;
  }
}

TEST(DedupKeyTest, SameIdDifferentTextIsADifferentKey) {
  EXPECT_EQ(dedupKey("a", R"({"x":1})"), dedupKey("a", R"({"x":1})"));
  EXPECT_NE(dedupKey("a", R"({"x":1})"), dedupKey("a", R"({"x":2})"));
  EXPECT_NE(dedupKey("a", R"({"x":1})"), dedupKey("b", R"({"x":1})"));
  // Stable across runs and builds (it is persisted): FNV-1a of the text.
  EXPECT_EQ(dedupKey("id", ""), "id:cbf29ce484222325");
}

TEST(DedupWindowTest, AClaimedKeyIsHeldThenCommittedOrReleased) {
  auto window = DedupWindow::open(10, nullptr, "event");
  ASSERT_TRUE(window.isOk());
  EXPECT_TRUE((*window)->claim("k1"));
  EXPECT_FALSE((*window)->claim("k1"));  // held by the first delivery
  (*window)->release({"k1"});
  EXPECT_TRUE((*window)->claim("k1"));  // handled again after a failure
  ASSERT_TRUE((*window)->commit({"k1"}).isOk());
  EXPECT_FALSE((*window)->claim("k1"));
  EXPECT_EQ((*window)->size(), 1u);
}

TEST(DedupWindowTest, KeepsOnlyTheMostRecentKeys) {
  auto window = DedupWindow::open(3, nullptr, "event");
  ASSERT_TRUE(window.isOk());
  for (std::string key : {"a", "b", "c", "d"}) {
    ASSERT_TRUE((*window)->claim(key));
    ASSERT_TRUE((*window)->commit({key}).isOk());
  }
  EXPECT_EQ((*window)->size(), 3u);
  EXPECT_TRUE((*window)->claim("a"));  // forgotten: the oldest
  EXPECT_FALSE((*window)->claim("d"));
}

TEST(DedupWindowTest, SurvivesARestartThroughItsStateStore) {
  orion::testing::TempDir dir;
  auto path = dir.path() / "bus" / "guardian.db";
  {
    auto store = state::StateStore::open(path);
    ASSERT_TRUE(store.isOk()) << store.status().toString();
    auto window = DedupWindow::open(3, store->get(), "event");
    ASSERT_TRUE(window.isOk());
    for (std::string key : {"a", "b", "c", "d"}) {
      ASSERT_TRUE((*window)->claim(key));
      ASSERT_TRUE((*window)->commit({key}).isOk());
    }
    EXPECT_EQ(*(*store)->count("event"), 3u);  // evictions are persisted too
  }
  auto store = state::StateStore::open(path);
  ASSERT_TRUE(store.isOk());
  auto window = DedupWindow::open(2, store->get(), "event");  // a smaller window since
  ASSERT_TRUE(window.isOk());
  EXPECT_EQ((*window)->size(), 2u);
  EXPECT_FALSE((*window)->claim("d"));
  EXPECT_FALSE((*window)->claim("c"));
  EXPECT_TRUE((*window)->claim("b"));
  EXPECT_EQ(*(*store)->count("event"), 2u);
  // Tables per contract type do not see each other.
  auto other = DedupWindow::open(2, store->get(), "incident");
  ASSERT_TRUE(other.isOk());
  EXPECT_EQ((*other)->size(), 0u);
}

TEST(DedupPersisterTest, CommitsInOrderThenReportsAndKeepsWorkingAfterStop) {
  orion::testing::TempDir dir;
  auto store = state::StateStore::open(dir.path() / "g.db");
  ASSERT_TRUE(store.isOk());
  auto window = DedupWindow::open(10, store->get(), "event");
  ASSERT_TRUE(window.isOk());
  DedupPersister persister;
  std::mutex mutex;
  std::vector<size_t> done_with_rows;  // rows in the store when each `done` ran
  for (std::string key : {"a", "b", "c"}) {
    ASSERT_TRUE((*window)->claim(key));
    persister.submit(**window, {key}, [&](const Status& status) {
      EXPECT_TRUE(status.isOk()) << status.toString();
      std::lock_guard lock(mutex);
      done_with_rows.push_back(*(*store)->count("event"));
    });
  }
  persister.stop();                                           // runs what is queued first
  EXPECT_EQ(done_with_rows, (std::vector<size_t>{1, 2, 3}));  // each after its own commit
  ASSERT_TRUE((*window)->claim("d"));
  bool inline_done = false;
  persister.submit(**window, {"d"}, [&](const Status&) { inline_done = true; });
  EXPECT_TRUE(inline_done);  // after stop: on the caller's thread
  EXPECT_FALSE((*window)->claim("d"));
}

TEST(RoutingTest, ADecisionIsAddressedToTheNodeInItsTags) {
  Json decision = {{"tags", {{"node", "nas"}}}, {"data", {{"node", "other"}}}};
  EXPECT_EQ(targetNode(decision), "nas");
  EXPECT_TRUE(addressedTo(decision, "nas"));
  EXPECT_FALSE(addressedTo(decision, "pi"));
  EXPECT_EQ(targetNode(Json{{"data", {{"node", "pi"}}}}), "pi");
  // No node, or a node of the wrong type, is addressed to nobody (fail closed).
  EXPECT_FALSE(addressedTo(Json::object(), "nas"));
  EXPECT_FALSE(addressedTo(Json{{"tags", {{"node", 7}}}}, "nas"));
  EXPECT_FALSE(addressedTo(Json{{"tags", {{"node", ""}}}}, ""));
  EXPECT_EQ(nodeGroup("commander", "nas"), "commander-nas");
}

}  // namespace
}  // namespace orion::bus
