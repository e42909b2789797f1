// The Redis bus's shared cache of decoded entries: one thread of the process decodes each entry,
// the other groups take its document or wait for it, it is forgotten once every group has it,
// and an invalid entry is decoded by each group.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "bus/redis_core.h"

namespace orion::bus {
namespace {

using Lookup = DecodedEntries::Lookup;

DecodedEntries::Decoded decodedAs(const std::string& key) {
  return {std::make_shared<const Json>(Json{{"key", key}}), key};
}

TEST(DecodedEntriesTest, TheFirstLookupClaimsTheOthersTakeTheDocumentThenItIsForgotten) {
  DecodedEntries entries;
  entries.setReaders(3);
  DecodedEntries::Decoded out;
  EXPECT_EQ(entries.lookup("1-0", out), Lookup::kClaimed);
  EXPECT_EQ(entries.lookup("1-0", out), Lookup::kElsewhere);
  EXPECT_FALSE(entries.find("1-0"));  // claimed is not decoded yet
  entries.resolve("1-0", decodedAs("a"));
  ASSERT_TRUE(entries.find("1-0"));
  ASSERT_EQ(entries.lookup("1-0", out), Lookup::kReady);  // the second group
  EXPECT_EQ(out.key, "a");
  EXPECT_EQ((*out.document)["key"], "a");
  std::optional<DecodedEntries::Decoded> third = entries.wait("1-0");  // the third, the last
  ASSERT_TRUE(third);
  EXPECT_EQ(third->key, "a");
  EXPECT_EQ(entries.size(), 0u);                            // every group has it: nothing kept
  EXPECT_EQ(entries.lookup("1-0", out), Lookup::kClaimed);  // a redelivery decodes again
}

TEST(DecodedEntriesTest, AStreamOneGroupReadsKeepsNothing) {
  DecodedEntries entries;  // one reader unless told otherwise
  DecodedEntries::Decoded out;
  ASSERT_EQ(entries.lookup("1-0", out), Lookup::kClaimed);
  entries.resolve("1-0", decodedAs("a"));
  EXPECT_EQ(entries.size(), 0u);
  entries.resolve("2-0", decodedAs("b"));  // resolved without a claim (forgotten meanwhile)
  EXPECT_EQ(entries.size(), 0u);
}

TEST(DecodedEntriesTest, AnInvalidEntryIsNotKeptSoEachGroupDecodesItItself) {
  DecodedEntries entries;
  entries.setReaders(2);
  DecodedEntries::Decoded out;
  ASSERT_EQ(entries.lookup("2-0", out), Lookup::kClaimed);
  entries.resolve("2-0", std::nullopt);
  EXPECT_FALSE(entries.wait("2-0"));  // a waiter decodes it itself
  EXPECT_FALSE(entries.find("2-0"));
  EXPECT_EQ(entries.lookup("2-0", out), Lookup::kClaimed);  // the next group decodes it too
}

TEST(DecodedEntriesTest, AWaiterWakesWhenTheClaimIsResolvedOnAnotherThread) {
  DecodedEntries entries;
  entries.setReaders(2);
  DecodedEntries::Decoded out;
  ASSERT_EQ(entries.lookup("3-0", out), Lookup::kClaimed);
  std::atomic<bool> waited{false};
  std::optional<DecodedEntries::Decoded> seen;
  std::thread waiter([&] {
    seen = entries.wait("3-0");
    waited.store(true);
  });
  EXPECT_FALSE(waited.load());  // still pending: only resolve() lets it return a document
  entries.resolve("3-0", decodedAs("c"));
  waiter.join();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->key, "c");
}

TEST(DecodedEntriesTest, TheOldestEntriesAreForgottenAndAForgottenClaimStillResolves) {
  DecodedEntries entries;
  entries.setReaders(2);
  DecodedEntries::Decoded out;
  ASSERT_EQ(entries.lookup("0-1", out), Lookup::kClaimed);
  for (int i = 0; i < 5000; ++i) {  // a second group far behind never takes these
    std::string id = std::to_string(i + 1) + "-0";
    ASSERT_EQ(entries.lookup(id, out), Lookup::kClaimed);
    entries.resolve(id, decodedAs(id));
  }
  EXPECT_LE(entries.size(), 4096u);
  EXPECT_FALSE(entries.wait("0-1"));  // forgotten while claimed: the waiter decodes it itself
  EXPECT_FALSE(entries.find("1-0"));  // the oldest resolved ones are gone too
  EXPECT_TRUE(entries.find("5000-0"));
  entries.resolve("0-1", decodedAs("late"));  // the owner's result is kept for the others
  ASSERT_TRUE(entries.find("0-1"));
  EXPECT_EQ(entries.find("0-1")->key, "late");
}

TEST(DecodedEntriesTest, ThreadsDecodingTheSameEntriesTogetherDecodeEachOnceAndKeepNothing) {
  DecodedEntries entries;
  entries.setReaders(3);
  constexpr int kEntries = 2000;
  std::atomic<int> decodes{0};
  auto group = [&] {
    std::vector<std::string> elsewhere;
    for (int i = 0; i < kEntries; ++i) {
      std::string id = std::to_string(i) + "-0";
      DecodedEntries::Decoded out;
      Lookup lookup = entries.lookup(id, out);
      if (lookup == Lookup::kClaimed) {
        decodes.fetch_add(1);
        entries.resolve(id, decodedAs(id));
      } else if (lookup == Lookup::kElsewhere) {
        elsewhere.push_back(id);
      }
    }
    for (const std::string& id : elsewhere) EXPECT_TRUE(entries.wait(id));
  };
  std::thread a(group), b(group), c(group);
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(decodes.load(), kEntries);
  EXPECT_EQ(entries.size(), 0u);
}

}  // namespace
}  // namespace orion::bus
