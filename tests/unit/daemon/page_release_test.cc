#include "daemon/page_release.h"

#include <gtest/gtest.h>

namespace orion::daemon {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMiB = std::size_t{1} << 20;

class PageReleaseTest : public ::testing::Test {
 protected:
  // A reading `after` the start, with `cpu` used so far and `file_mib` of file pages resident.
  PageRelease::Reading at(Duration after, Duration cpu, double file_mib) const {
    return {start_ + after, cpu, static_cast<std::size_t>(file_mib * kMiB)};
  }

  MonoTime start_ = MonoTime{} + 1000s;
  PageRelease release_{start_};
};

TEST_F(PageReleaseTest, TheFirstReleaseComesThreeSecondsAfterStartWhateverTheProcessDoes) {
  EXPECT_FALSE(release_.needsReading(start_ + 2900ms));
  EXPECT_FALSE(release_.shouldRelease(at(2900ms, 2s, 15)));
  EXPECT_TRUE(release_.needsReading(start_ + 3s));
  EXPECT_TRUE(release_.shouldRelease(at(3s, 2s, 15)));  // busy start-up: still released
  release_.released(at(3001ms, 2s, 3));
  EXPECT_FALSE(release_.needsReading(start_ + 4s));
}

TEST_F(PageReleaseTest, AfterABusySpellTheGrownPagesGoOnceAWindowWasQuiet) {
  ASSERT_TRUE(release_.shouldRelease(at(3s, 1s, 15)));
  release_.released(at(3s, 1s, 3));

  // Window 1 (3 s → 33 s): idle work maps 1.2 MiB back. No release.
  EXPECT_FALSE(release_.needsReading(start_ + 32s));
  EXPECT_TRUE(release_.needsReading(start_ + 33s));
  EXPECT_FALSE(release_.shouldRelease(at(33s, 1010ms, 4.2)));
  // Window 2 (33 s → 63 s): an incident maps 6 MiB of code and uses 0.5 s of CPU: not idle.
  EXPECT_FALSE(release_.needsReading(start_ + 62s));
  EXPECT_FALSE(release_.shouldRelease(at(63s, 1510ms, 10.2)));
  // Window 3 (63 s → 93 s): 0.1 s of CPU in 30 s is under 1 %: the grown pages go.
  EXPECT_TRUE(release_.shouldRelease(at(93s, 1610ms, 10.2)));
  release_.released(at(93s, 1610ms, 3.1));

  // A quiet daemon whose idle pages came back is left alone, window after window.
  EXPECT_FALSE(release_.shouldRelease(at(123s, 1620ms, 4.2)));
  EXPECT_FALSE(release_.shouldRelease(at(153s, 1630ms, 4.6)));
  EXPECT_FALSE(release_.shouldRelease(at(183s, 1640ms, 5.0)));
  // 2 MiB over the level after the release, in a quiet window: released again.
  EXPECT_TRUE(release_.shouldRelease(at(213s, 1650ms, 5.2)));
}

TEST_F(PageReleaseTest, AnIncidentInTheFirstWindowAfterAReleaseIsReleasedWhenQuiet) {
  ASSERT_TRUE(release_.shouldRelease(at(3s, 1s, 15)));
  release_.released(at(3s, 1s, 3));
  EXPECT_TRUE(release_.shouldRelease(at(33s, 1050ms, 10)));  // 50 ms of CPU: quiet enough
}

TEST_F(PageReleaseTest, ABusyDaemonKeepsItsPages) {
  ASSERT_TRUE(release_.shouldRelease(at(3s, 1s, 15)));
  release_.released(at(3s, 1s, 3));
  Duration cpu = 1s;
  for (int window = 1; window <= 10; ++window) {
    cpu += 3s;  // 10 % of a CPU
    EXPECT_FALSE(release_.shouldRelease(at(3s + window * 30s, cpu, 3 + window)))
        << "window " << window;
  }
}

TEST_F(PageReleaseTest, AReadingInsideAWindowNeitherReleasesNorMovesIt) {
  ASSERT_TRUE(release_.shouldRelease(at(3s, 1s, 15)));
  release_.released(at(3s, 1s, 3));
  EXPECT_FALSE(release_.shouldRelease(at(20s, 1s, 9)));  // too early: the window still runs
  EXPECT_TRUE(release_.shouldRelease(at(33s, 1s, 9)));   // its end, quiet since 3 s
}

TEST_F(PageReleaseTest, UnreadableValuesNeverMakeAReleaseDue) {
  ASSERT_TRUE(release_.shouldRelease(at(3s, 1s, 15)));
  release_.released(at(3s, 1s, 3));
  EXPECT_FALSE(release_.shouldRelease(at(33s, 0s, 0)));
}

TEST(PageReleaseReading, ReadsThisProcess) {
  PageRelease::Reading reading = readProcess(MonoTime{} + 5s);
  EXPECT_EQ(reading.at, MonoTime{} + 5s);
  EXPECT_GT(reading.file_bytes, 0u);  // at least this test binary's own code
  EXPECT_GE(reading.cpu, Duration(0));
}

}  // namespace
}  // namespace orion::daemon
