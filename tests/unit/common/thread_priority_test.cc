#include "common/thread_priority.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <thread>

namespace orion {
namespace {

int niceOfThisThread() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); }

TEST(ThreadPriorityTest, ABackgroundThreadRunsAtALowerPriorityThanItsCreator) {
  int creator = niceOfThisThread();
  int background = 0;
  int neighbour = 0;
  std::thread([&] {
    ASSERT_TRUE(lowerThisThreadPriority().isOk());
    background = niceOfThisThread();
  }).join();
  std::thread([&] { neighbour = niceOfThisThread(); }).join();
  EXPECT_EQ(background, std::min(19, creator + kBackgroundNiceIncrement));
  EXPECT_EQ(neighbour, creator) << "only the calling thread is lowered";
  EXPECT_EQ(niceOfThisThread(), creator);
}

TEST(ThreadPriorityTest, TheLowestPriorityIsNineteen) {
  int lowest = 0;
  std::thread([&] {
    ASSERT_TRUE(lowerThisThreadPriority(15).isOk());
    ASSERT_TRUE(lowerThisThreadPriority(15).isOk());
    lowest = niceOfThisThread();
  }).join();
  EXPECT_EQ(lowest, 19);
}

TEST(ThreadPriorityTest, AnIdleThreadIsInTheIdleSchedulingClassAndOnlyIt) {
  int idle_policy = -1;
  int neighbour_policy = -1;
  std::thread([&] {
    ASSERT_TRUE(makeThisThreadIdle().isOk());
    idle_policy = ::sched_getscheduler(0);  // 0: the calling thread
  }).join();
  std::thread([&] { neighbour_policy = ::sched_getscheduler(0); }).join();
  EXPECT_EQ(idle_policy, SCHED_IDLE);
  EXPECT_EQ(neighbour_policy, SCHED_OTHER) << "only the calling thread is moved";
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER);
}

}  // namespace
}  // namespace orion
