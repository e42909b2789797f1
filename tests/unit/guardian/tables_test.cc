// The containers the correlator keeps its state in, each against a standard container doing the
// same thing, under long runs of random operations: SlotIndex (unordered_multimap), SlotArena,
// TagList (std::map), EventIdMemory (deque + map), IntrusiveList and Fifo (std::deque) and
// FingerprintSet (std::set).
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "guardian/event_id_memory.h"
#include "guardian/fifo.h"
#include "guardian/fingerprint_set.h"
#include "guardian/intrusive_list.h"
#include "guardian/slot_arena.h"
#include "guardian/slot_index.h"
#include "guardian/tag_list.h"

namespace orion::guardian {
namespace {

TEST(SlotIndex, FindsWhatWasInsertedAndNotWhatWasErasedEvenWhenHashesCollide) {
  std::mt19937_64 random(1);
  SlotIndex index;
  std::unordered_multimap<uint64_t, uint32_t> expected;
  // Few distinct hashes, so that runs are long, collide and wrap around the table's end.
  auto hash = [&random] { return random() % 64 * 0x9e3779b97f4a7c15ull; };
  uint32_t next_slot = 0;
  for (int i = 0; i < 20000; ++i) {
    if (random() % 3 != 0 || expected.empty()) {
      uint64_t h = hash();
      index.insert(h, next_slot);
      expected.emplace(h, next_slot++);
    } else {
      auto victim = std::next(expected.begin(), static_cast<long>(random() % expected.size()));
      index.erase(victim->first, victim->second);
      expected.erase(victim);
    }
    ASSERT_EQ(index.size(), expected.size());
    if (i % 97 == 0) {
      for (const auto& [h, slot] : expected) {
        ASSERT_EQ(index.find(h, [slot = slot](uint32_t at) { return at == slot; }), slot);
      }
    }
  }
  for (uint32_t slot = 0; slot < next_slot; ++slot) {
    bool present = std::any_of(expected.begin(), expected.end(),
                               [slot](const auto& entry) { return entry.second == slot; });
    for (uint64_t h = 0; h < 64; ++h) {
      uint32_t found =
          index.find(h * 0x9e3779b97f4a7c15ull, [slot](uint32_t at) { return at == slot; });
      if (!present) {
        ASSERT_EQ(found, SlotIndex::kNotFound);
      }
    }
  }
  index.erase(12345, 7);  // absent: nothing happens
  EXPECT_EQ(index.size(), expected.size());
  index.clear();
  EXPECT_EQ(index.find(0, [](uint32_t) { return true; }), SlotIndex::kNotFound);
}

struct Item {
  uint32_t slot = 0;
  uint32_t generation = 0;
  bool live = false;
  std::string text;
};

TEST(SlotArena, ReusesFreedSlotsWithTheirStorageAndTellsStaleReferencesApart) {
  SlotArena<Item> arena;
  Item& a = arena.acquire();
  a.text = std::string(100, 'a');
  Item& b = arena.acquire();
  EXPECT_EQ(a.slot, 0u);
  EXPECT_EQ(b.slot, 1u);
  EXPECT_EQ(arena.liveCount(), 2u);
  uint32_t generation = a.generation;
  EXPECT_TRUE(arena.holds(0, generation));

  arena.release(a);
  EXPECT_FALSE(arena.holds(0, generation));
  EXPECT_EQ(arena.liveCount(), 1u);
  Item& again = arena.acquire();
  EXPECT_EQ(&again, &a) << "the freed slot, at the same address";
  EXPECT_EQ(again.text.size(), 100u) << "still holding what its last object left";
  EXPECT_FALSE(arena.holds(0, generation)) << "a reference to the old object stays stale";
  EXPECT_TRUE(arena.holds(0, again.generation));
  EXPECT_FALSE(arena.holds(7, 0));

  std::vector<uint32_t> visited;
  arena.forEachLive([&](Item& item) {
    visited.push_back(item.slot);
    arena.release(item);  // allowed for the visited one
  });
  EXPECT_EQ(visited, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(arena.liveCount(), 0u);
}

TEST(TagList, DoesWhatAStdMapOfTheSameTagsDoes) {
  std::mt19937_64 random(2);
  const std::vector<std::string> keys = {"a",          "node", "node_x",   "target",        "b",
                                         "value",      "z",    "resource", "resource_type", "",
                                         "fingerprint"};
  auto value = [&random] {
    switch (random() % 4) {
      case 0:
        return std::string();
      case 1:
        return std::string(1 + random() % 300, static_cast<char>('a' + random() % 26));
      default:
        return std::to_string(random() % 1000);
    }
  };
  TagList list;
  contracts::Tags expected;
  for (int i = 0; i < 5000; ++i) {
    switch (random() % 5) {
      case 0: {
        std::string key = keys[random() % keys.size()];
        std::string text = value();
        list.set(key, text);
        expected[key] = text;
        break;
      }
      case 1:
      case 2: {  // merge a sorted batch
        std::map<std::string, std::string> batch;
        for (size_t n = random() % 6; n > 0; --n) batch[keys[random() % keys.size()]] = value();
        std::vector<TagView> sorted(batch.begin(), batch.end());
        list.merge(sorted);
        for (const auto& [key, text] : batch) expected[key] = text;
        break;
      }
      case 3: {
        std::map<std::string, std::string> batch;
        for (size_t n = random() % 6; n > 0; --n) batch[keys[random() % keys.size()]] = value();
        std::vector<TagView> sorted(batch.begin(), batch.end());
        list.assign(sorted);
        expected = contracts::Tags(batch.begin(), batch.end());
        break;
      }
      default:
        if (random() % 20 == 0) {
          list.clear();
          expected.clear();
        }
    }
    ASSERT_EQ(list.toTags(), expected);
    ASSERT_EQ(list.size(), expected.size());
    for (const std::string& key : keys) {
      auto it = expected.find(key);
      ASSERT_EQ(list.contains(key), it != expected.end());
      ASSERT_EQ(list.valueOf(key), it != expected.end() ? it->second : "");
    }
  }
  EXPECT_EQ(list.toJson(), Json(expected));
  EXPECT_EQ(TagList(expected), list);
  TagList other(expected);
  other.set("zz", "different");
  EXPECT_FALSE(other == list);
}

// A document's tags written in place (assignTags, mergeTags) against the same tags built by
// std::map-like insertion.
TEST(DocumentTags, WrittenInPlaceHoldWhatBuildingThemAnewWould) {
  std::mt19937_64 random(3);
  const std::vector<std::string> keys = {"a",      "fingerprint", "node", "opens",
                                         "target", "value",       "z"};
  auto batch = [&random, &keys] {
    std::map<std::string, std::string> tags;
    for (size_t n = random() % 7; n > 0; --n) {
      tags[keys[random() % keys.size()]] = std::string(random() % 40, 'v');
    }
    return tags;
  };
  contracts::Tags tags;  // written over and over, as a reused document's are
  for (int i = 0; i < 3000; ++i) {
    std::map<std::string, std::string> first = batch();
    std::map<std::string, std::string> second = batch();
    std::vector<TagView> first_views(first.begin(), first.end());
    std::vector<TagView> second_views(second.begin(), second.end());
    contracts::Tags expected(first.begin(), first.end());
    if (random() % 2 == 0) {
      TagList list;
      list.assign(first_views);
      assignTags(tags, list, second_views);
      for (const auto& [key, value] : second) expected[key] = value;
    } else {
      expected = tags;
      for (const auto& [key, value] : second) expected[key] = value;
      mergeTags(tags, second_views);
    }
    ASSERT_TRUE(std::is_sorted(tags.begin(), tags.end())) << i;
    ASSERT_EQ(tags, expected) << i;
  }
}

TEST(EventIdMemory, RemembersInOrderAndForgetsTheOldestFirstKeepingTheForgottenUntilReleased) {
  std::mt19937_64 random(3);
  EventIdMemory memory;
  std::deque<std::pair<std::string, uint64_t>> expected;
  std::vector<std::string> forgotten;  // since the last release, oldest first
  uint64_t sequence = 0;
  for (int i = 0; i < 20000; ++i) {
    if (random() % 40 == 0) {
      memory.releaseForgotten();
      forgotten.clear();
    }
    if (random() % 5 != 0 || expected.empty()) {
      // Short ids live inside the string, long ones outside: both must survive the ring growing.
      std::string id = random() % 2 == 0 ? "e-" + std::to_string(i)
                                         : "0b7c1f3e-5d3a-8c4e-9f00-" + std::to_string(i);
      memory.add(id, ++sequence);
      expected.emplace_back(id, sequence);
    } else {
      ASSERT_EQ(memory.forgetOldest(), expected.front().first);
      forgotten.push_back(expected.front().first);
      expected.pop_front();
    }
    ASSERT_EQ(memory.size(), expected.size());
    // The forgotten ids stay readable until released, however the ring grew meanwhile.
    ASSERT_EQ(memory.forgottenCount(), forgotten.size());
    for (size_t n = 0; n < forgotten.size(); ++n) ASSERT_EQ(memory.forgottenAt(n), forgotten[n]);
    if (i % 101 == 0) {
      for (size_t n = 0; n < expected.size(); ++n) {
        ASSERT_EQ(memory.idAt(n), expected[n].first);
        ASSERT_EQ(memory.sequenceAt(n), expected[n].second);
        ASSERT_TRUE(memory.contains(expected[n].first));
        ASSERT_EQ(memory.sequenceOf(expected[n].first), expected[n].second);
      }
      ASSERT_FALSE(memory.contains("e-" + std::to_string(i + 1)));
    }
  }
  memory.clear();
  EXPECT_TRUE(memory.empty());
  EXPECT_FALSE(memory.contains(expected.back().first));
}

struct Linked {
  int value = 0;
  ListHook<Linked> hook;
};

TEST(IntrusiveList, KeepsOrderThroughPushRemoveAndMoveToBack) {
  std::vector<Linked> items(6);
  for (int i = 0; i < 6; ++i) items[static_cast<size_t>(i)].value = i;
  IntrusiveList<Linked, &Linked::hook> list;
  auto order = [&list] {
    std::vector<int> values;
    for (Linked* at = list.front(); at != nullptr; at = list.next(*at)) values.push_back(at->value);
    return values;
  };
  for (Linked& item : items) list.pushBack(item);
  list.remove(items[0]);
  list.remove(items[3]);
  list.remove(items[5]);
  list.remove(items[5]);  // not listed: nothing
  EXPECT_EQ(order(), (std::vector<int>{1, 2, 4}));
  list.moveToBack(items[1]);
  list.moveToBack(items[1]);  // already last
  list.moveToBack(items[0]);  // not listed: added
  EXPECT_EQ(order(), (std::vector<int>{2, 4, 1, 0}));
  EXPECT_EQ(list.size(), 4u);
  EXPECT_TRUE(list.contains(items[4]));
  EXPECT_FALSE(list.contains(items[3]));
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.front(), nullptr);
  EXPECT_FALSE(list.contains(items[4]));
}

TEST(Fifo, BehavesLikeADequeThroughCompactions) {
  std::mt19937_64 random(4);
  Fifo<std::string> fifo;
  std::deque<std::string> expected;
  for (int i = 0; i < 20000; ++i) {
    if (random() % 3 != 0 || expected.empty()) {
      fifo.push_back("item-" + std::to_string(i));
      expected.push_back("item-" + std::to_string(i));
    } else {
      fifo.pop_front();
      expected.pop_front();
    }
    ASSERT_EQ(fifo.size(), expected.size());
    ASSERT_EQ(fifo.empty(), expected.empty());
    if (!expected.empty()) {
      ASSERT_EQ(fifo.front(), expected.front());
      ASSERT_EQ(fifo.back(), expected.back());
    }
    if (i % 53 == 0) {
      ASSERT_TRUE(std::equal(fifo.begin(), fifo.end(), expected.begin(), expected.end()));
    }
  }
}

TEST(FingerprintSet, IsASortedSetOfFingerprints) {
  std::mt19937_64 random(5);
  FingerprintSet set;
  std::set<FingerprintValue> expected;
  for (int i = 0; i < 5000; ++i) {
    FingerprintValue value = random() % 40 * 0x0123456789abcdefull;
    if (random() % 3 == 0) {
      set.erase(value);
      expected.erase(value);
    } else {
      ASSERT_EQ(set.insert(value), expected.insert(value).second);
    }
    ASSERT_TRUE(std::equal(set.begin(), set.end(), expected.begin(), expected.end()));
    ASSERT_EQ(set.contains(value), expected.contains(value));
    if (!expected.empty()) {
      ASSERT_EQ(set.front(), *expected.begin());
    }
  }
}

}  // namespace
}  // namespace orion::guardian
