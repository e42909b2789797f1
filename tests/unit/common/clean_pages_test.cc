#include "common/clean_pages.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>

namespace orion {
namespace {

// One smaps entry: the header line, then the fields the parser reads (and one it skips).
std::string entry(const std::string& header, int rss_kib, int anonymous_kib, int locked_kib = 0,
                  const std::string& flags = "rd ex mr mw me") {
  std::ostringstream text;
  text << header << "\n"
       << "Size:                 64 kB\n"
       << "Rss:                  " << rss_kib << " kB\n"
       << "Anonymous:            " << anonymous_kib << " kB\n"
       << "Locked:               " << locked_kib << " kB\n"
       << "VmFlags: " << flags << "\n";
  return text.str();
}

std::vector<ReleasableMapping> parse(const std::string& smaps) {
  std::istringstream stream(smaps);
  return releasableMappings(stream);
}

TEST(CleanPages, ReleasesOnlyCleanPrivateReadOnlyFileMappings) {
  std::string smaps =
      entry("55d3f537c000-55d3f5400000 r-xp 00002000 08:01 1234       /usr/bin/orion", 400, 0) +
      entry("7f1435020000-7f1435082000 r--p 00300000 08:01 77 /usr/lib/libcrypto.so.3", 392,
            392) +  // relocations the loader wrote: kept
      entry("7f1435082000-7f1435085000 rw-p 00362000 08:01 77 /usr/lib/libcrypto.so.3", 12, 12) +
      entry("7f1436000000-7f1436010000 r--s 00000000 08:01 88 /state/index.db-shm", 32, 0) +
      entry("7f1437000000-7f1437800000 rw-p 00000000 00:00 0", 16, 16) +
      entry("7ffde86b0000-7ffde86b2000 r-xp 00000000 00:00 0                  [vdso]", 8, 0) +
      entry("7f1438000000-7f1438010000 r-xp 00000000 08:01 99 /opt/locked.so", 64, 0, 64) +
      entry("7f1439000000-7f1439010000 r--p 00000000 00:06 5 /dev/mem", 64, 0, 0, "rd pf io") +
      entry(
          "7f143a000000-7f143a020000 r--p 00000000 08:01 1234 /path with spaces/lib.so "
          "(deleted)",
          128, 0);
  std::vector<ReleasableMapping> found = parse(smaps);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].start, 0x55d3f537c000u);
  EXPECT_EQ(found[0].end, 0x55d3f5400000u);
  EXPECT_EQ(found[0].resident_bytes, 400u * 1024);
  EXPECT_EQ(found[0].path, "/usr/bin/orion");
  EXPECT_EQ(found[1].path, "/path with spaces/lib.so (deleted)");
  EXPECT_EQ(found[1].resident_bytes, 128u * 1024);
}

TEST(CleanPages, KeepsAMappingWhoseFieldsAreMissingOrUnreadable) {
  const std::string header = "55d3f537c000-55d3f5400000 r-xp 00002000 08:01 1234 /usr/bin/orion\n";
  const std::string cases[] = {
      header + "Rss: 4 kB\n",                              // no Anonymous field
      header + "Rss: many\nAnonymous: 0 kB\n",             // unreadable Rss
      header + "Rss: 4 kB\nAnonymous: 0 kB\nLocked: ?\n",  // unreadable Locked
      "55d3f537c000 r-xp 00002000 08:01 1234 /usr/bin/orion\nRss: 4 kB\nAnonymous: 0 kB\n",
      "not smaps at all\n\n: :\n",
      "",
  };
  for (const std::string& smaps : cases) EXPECT_TRUE(parse(smaps).empty()) << smaps;
}

long residentFileKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssFile:", 0) == 0) return std::stol(line.substr(8));
  }
  return -1;
}

// The real thing, in this process: the pages go, and the code and data they held still work
// (each is mapped back from the page cache when it runs again).
TEST(CleanPages, ReleasedPagesComeBackWhenTheCodeRunsAgain) {
  std::regex pattern("([a-z]+)-([0-9]+)");
  auto matches = [&pattern] {
    std::smatch match;
    std::string text = "startup-42";
    return std::regex_match(text, match, pattern) && match[2] == "42";
  };
  ASSERT_TRUE(matches());

  long before_kib = residentFileKib();
  Result<ReleasedPages> released = releaseCleanPages();
  ASSERT_TRUE(released.isOk()) << released.status().toString();
  if (released->traced) GTEST_SKIP() << "a tracer is attached: nothing is released";
  EXPECT_GT(released->mappings, 0u);
  EXPECT_GT(released->resident_bytes, 0u);
  long after_kib = residentFileKib();
  EXPECT_LT(after_kib, before_kib);

  EXPECT_TRUE(matches());
  std::function<int(int)> twice = [](int value) { return value * 2; };
  EXPECT_EQ(twice(21), 42);
  // Twice in a row is harmless: the second finds what the first left and the code it ran.
  EXPECT_TRUE(releaseCleanPages().isOk());
  EXPECT_TRUE(matches());
}

}  // namespace
}  // namespace orion
