// TimedTable, the SafetyState's bounded tables: the oldest entry it names must be the one a scan
// in key order for the earliest time finds (which entry is evicted is part of the state's
// behaviour, kept across restarts), whatever sequence of writes came before. And the state's
// tables evict their oldest entry once past their limits.
#include "brain/timed_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "brain/safety_state.h"
#include "policy/policy.h"

namespace orion::brain {
namespace {

using namespace std::chrono_literals;

struct Entry {
  WallTime at;
  int payload = 0;
};
struct EntryTime {
  WallTime operator()(const Entry& e) const { return e.at; }
};

using Reference = std::map<std::string, Entry, std::less<>>;

// The first entry with the earliest time in key order, skipping `except`: what a scan finds.
std::string scanOldest(const Reference& reference, std::string_view except = "\x01") {
  auto best = reference.end();
  for (auto it = reference.begin(); it != reference.end(); ++it) {
    if (it->first == except) continue;
    if (best == reference.end() || it->second.at < best->second.at) best = it;
  }
  return best == reference.end() ? "<none>" : best->first;
}

template <typename Table>
std::string nameOf(const Table& table, typename Table::const_iterator it) {
  return it == table.end() ? "<none>" : it->first;
}

TEST(TimedTable, NamesTheOldestEntryAsAScanWouldOverRandomWrites) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 random(seed);
    auto uniform = [&](int low, int high) {
      return std::uniform_int_distribution<int>(low, high)(random);
    };
    // Few keys and few distinct times, so that ties are common.
    auto key = [&] { return "k" + std::to_string(uniform(0, 11)); };
    auto time = [&] { return WallTime{} + std::chrono::seconds(uniform(0, 4)); };
    TimedTable<Entry, EntryTime> table;
    Reference reference;
    for (int step = 0; step < 2000; ++step) {
      int what = uniform(0, 99);
      std::string k = key();
      if (what < 35) {
        Entry entry{time(), step};
        table.set(k, entry);
        reference[k] = entry;
      } else if (what < 60) {
        WallTime at = time();
        bool moves = uniform(0, 1) == 0;
        table.edit(k, [&](Entry& e) {
          e.payload = step;
          if (moves) e.at = at;
        });
        Entry& e = reference[k];
        e.payload = step;
        if (moves) e.at = at;
      } else if (what < 75) {
        EXPECT_EQ(table.erase(k), reference.erase(k) > 0);
      } else if (what < 85) {
        std::optional<Entry> taken = table.take(k);
        auto it = reference.find(k);
        ASSERT_EQ(taken.has_value(), it != reference.end());
        if (taken) {
          EXPECT_EQ(taken->payload, it->second.payload);
          reference.erase(it);
        }
      } else if (what < 90) {
        WallTime before = time();
        table.eraseIf([&](const std::string&, const Entry& e) { return e.at < before; });
        std::erase_if(reference, [&](const auto& entry) { return entry.second.at < before; });
      } else if (!reference.empty()) {
        auto oldest = table.oldest();
        std::string name = scanOldest(reference);
        ASSERT_EQ(nameOf(table, oldest), name);
        table.erase(oldest);
        reference.erase(name);
      }
      ASSERT_EQ(table.size(), reference.size());
      ASSERT_EQ(nameOf(table, table.oldest()), scanOldest(reference));
      std::string except = key();
      ASSERT_EQ(nameOf(table, table.oldestExcept(except)), scanOldest(reference, except));
      auto it = table.begin();
      for (const auto& [name, entry] : reference) {
        ASSERT_NE(it, table.end());
        EXPECT_EQ(it->first, name);
        EXPECT_EQ(it->second.at, entry.at);
        EXPECT_EQ(it->second.payload, entry.payload);
        ++it;
      }
    }
  }
}

TEST(TimedTable, AnEmptyTableHasNoOldestEntry) {
  TimedTable<Entry, EntryTime> table;
  EXPECT_EQ(table.oldest(), table.end());
  EXPECT_EQ(table.oldestExcept("a"), table.end());
  table.set("a", Entry{WallTime{}, 1});
  EXPECT_EQ(table.oldestExcept("a"), table.end());
  EXPECT_EQ(table.mutableValue("b"), nullptr);
  EXPECT_FALSE(table.take("b").has_value());
}

// The state's bounded tables keep their newest entries: the finished actions here.
TEST(SafetyStateLimits, FinishingPastTheLimitForgetsTheOldestOutcome) {
  auto loaded = policy::Policy::load(ORION_SOURCE_DIR "/policies");
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  const policy::Policy& policy = **loaded;
  StateLimits limits;
  limits.max_finished = 2;
  SafetyState state(limits);
  WallTime t0 = SimulatedClock().now();
  // Outcomes at t0+20s ("a"), t0+10s ("c"), t0+30s ("b"): "c" is the oldest, not the first.
  std::vector<std::pair<std::string, Duration>> outcomes = {{"a", 20s}, {"c", 10s}, {"b", 30s}};
  for (const auto& [id, after] : outcomes) {
    ASSERT_TRUE(state.startAction(
        InFlight{id, "", "send_notification", "send_notification/x", "", true, t0}, policy));
    state.finishAction(id, contracts::OutcomeStatus::kSucceeded, true, t0 + after, policy);
  }
  EXPECT_TRUE(state.finished("a"));
  EXPECT_TRUE(state.finished("b"));
  EXPECT_FALSE(state.finished("c"));
  EXPECT_EQ(state.evictions(), 1u);
  EXPECT_TRUE(state.dirty().contains({"finished", "c"}));
}

TEST(SafetyStateLimits, TrackingPastTheLimitForgetsTheLeastRecentlyUpdatedIncident) {
  StateLimits limits;
  limits.max_incidents = 2;
  SafetyState state(limits);
  WallTime t0 = SimulatedClock().now();
  auto incident = [](std::string id) {
    contracts::Incident out;
    out.incident_id = std::move(id);
    return out;
  };
  state.track(incident("a"), t0);
  state.track(incident("b"), t0 + 1s);
  state.updateIncident(incident("a"), t0 + 2s);  // "b" is now the least recently updated
  state.track(incident("c"), t0 + 3s);
  EXPECT_NE(state.incident("a"), nullptr);
  EXPECT_EQ(state.incident("b"), nullptr);
  EXPECT_NE(state.incident("c"), nullptr);
  // The incident just tracked is never the one evicted, even when it is the oldest.
  state.track(incident("d"), t0);
  EXPECT_NE(state.incident("d"), nullptr);
  EXPECT_EQ(state.incident("a"), nullptr);
  EXPECT_EQ(state.evictions(), 2u);
}

}  // namespace
}  // namespace orion::brain
