// The duplicate window keeps exactly the last `capacity` keys, each with its first seq — checked
// against a plain model, with keys made to collide so the table's probing and deletion are used.
#include "memory/dedup_window.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>

namespace orion::memory {
namespace {

// A key whose first bytes (its home slot and fingerprint) come from `home`, the rest from `rest`.
RecordKey keyOf(uint32_t home, uint64_t rest) {
  RecordKey key{};
  for (int i = 0; i < 4; ++i) key[i] = static_cast<unsigned char>(home >> (8 * i));
  for (int i = 0; i < 8; ++i) key[8 + i] = static_cast<unsigned char>(rest >> (8 * i));
  return key;
}

TEST(DedupWindowTest, FindsWhatWasAddedWithItsFirstSeq) {
  DedupWindow window(4);
  window.add(keyOf(1, 1), 10);
  window.add(keyOf(1, 1), 11);  // already present: keeps 10
  window.add(keyOf(2, 2), 12);
  EXPECT_EQ(window.find(keyOf(1, 1)), 10u);
  EXPECT_EQ(window.find(keyOf(2, 2)), 12u);
  EXPECT_EQ(window.find(keyOf(1, 2)), std::nullopt) << "same home and fingerprint, other key";
  EXPECT_EQ(window.size(), 2u);
}

TEST(DedupWindowTest, TheOldestKeyLeavesBeyondTheCapacity) {
  DedupWindow window(3);
  for (uint64_t i = 1; i <= 5; ++i) window.add(keyOf(static_cast<uint32_t>(i), i), i);
  EXPECT_EQ(window.size(), 3u);
  EXPECT_EQ(window.find(keyOf(1, 1)), std::nullopt);
  EXPECT_EQ(window.find(keyOf(2, 2)), std::nullopt);
  EXPECT_EQ(window.find(keyOf(3, 3)), 3u);
  EXPECT_EQ(window.find(keyOf(5, 5)), 5u);
}

TEST(DedupWindowTest, ACapacityOfZeroRemembersNothing) {
  DedupWindow window(0);
  window.add(keyOf(1, 1), 1);
  EXPECT_EQ(window.find(keyOf(1, 1)), std::nullopt);
  EXPECT_EQ(window.size(), 0u);
}

TEST(DedupWindowTest, AgreesWithAPlainModelWhenKeysCollide) {
  for (size_t capacity : {1u, 7u, 64u, 1000u}) {
    DedupWindow window(capacity);
    std::deque<RecordKey> order;
    std::map<RecordKey, uint64_t> model;
    std::mt19937_64 random(capacity);
    for (uint64_t seq = 1; seq <= 20000; ++seq) {
      // Few homes and few keys: long probe runs, repeats, and evictions in the middle of runs.
      RecordKey key = keyOf(static_cast<uint32_t>(random() % 24) * 0x10001u, random() % 3000);
      std::optional<uint64_t> expected;
      if (auto it = model.find(key); it != model.end()) expected = it->second;
      ASSERT_EQ(window.find(key), expected) << "capacity " << capacity << ", seq " << seq;
      window.add(key, seq);
      if (!expected) {
        if (order.size() == capacity) {
          model.erase(order.front());
          order.pop_front();
        }
        order.push_back(key);
        model[key] = seq;
      }
      ASSERT_EQ(window.size(), order.size());
    }
    for (const auto& [key, seq] : model) EXPECT_EQ(window.find(key), seq);
  }
}

}  // namespace
}  // namespace orion::memory
