#include "watcher/sources/host/host_parsers.h"

#include <gtest/gtest.h>

#include "fakes.h"
#include "testing/temp_dir.h"

namespace orion::watcher::host {
namespace {

using orion::testing::readFile;
using watcher::testing::fixtureRoot;

std::string fixture(const std::string& relative) { return readFile(fixtureRoot(relative)); }

TEST(ProcStatTest, ParsesTheAggregateLineAndCountsCpus) {
  Result<CpuTimes> times = parseProcStat(fixture("normal/proc/stat"), "stat");
  ASSERT_TRUE(times) << times.status().toString();
  EXPECT_EQ(times->total, 10000u);
  EXPECT_EQ(times->idle, 8500u);  // idle + iowait
  EXPECT_EQ(times->cpu_count, 4);
}

TEST(ProcStatTest, CpuPercentComesFromTwoSnapshots) {
  Result<CpuTimes> before = parseProcStat(fixture("normal/proc/stat"), "stat");
  Result<CpuTimes> after = parseProcStat(fixture("normal/stat.later"), "stat.later");
  ASSERT_TRUE(before && after);
  std::optional<double> percent = cpuPercent(*before, *after);
  ASSERT_TRUE(percent.has_value());
  EXPECT_DOUBLE_EQ(*percent, 62.5);
}

TEST(ProcStatTest, NoCpuPercentWhenNoTickPassedOrCountersWentBack) {
  CpuTimes a{1000, 500, 2};
  EXPECT_FALSE(cpuPercent(a, a).has_value());
  EXPECT_FALSE(cpuPercent(CpuTimes{2000, 900, 2}, a).has_value());
  EXPECT_FALSE(cpuPercent(a, CpuTimes{1100, 400, 2}).has_value());
  EXPECT_DOUBLE_EQ(*cpuPercent(a, CpuTimes{1100, 600, 2}), 0.0);
  EXPECT_DOUBLE_EQ(*cpuPercent(a, CpuTimes{1100, 500, 2}), 100.0);
}

TEST(ProcStatTest, OldKernelsWithFourFieldsAreAccepted) {
  Result<CpuTimes> times = parseProcStat("cpu 10 20 30 40\ncpu0 10 20 30 40\n", "stat");
  ASSERT_TRUE(times) << times.status().toString();
  EXPECT_EQ(times->total, 100u);
  EXPECT_EQ(times->idle, 40u);
  EXPECT_EQ(times->cpu_count, 1);
}

TEST(ProcStatTest, ErrorsNameTheFileAndLine) {
  struct Case {
    std::string text;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"", "/p/stat: file is empty"},
      {"intr 1 2 3\n", "/p/stat: line 1: expected the aggregate 'cpu' line"},
      {"cpu 1 2 x 4\ncpu0 1 2 3 4\n", "/p/stat: line 1: expected a tick count, got 'x'"},
      {"cpu 1 2 3\ncpu0 1 2 3\n", "/p/stat: line 1: expected at least 4 tick counts"},
      {"cpu 1 2 3 4\nintr 5\n", "/p/stat: no 'cpuN' lines"},
  };
  for (const Case& c : cases) {
    Result<CpuTimes> times = parseProcStat(c.text, "/p/stat");
    ASSERT_FALSE(times) << c.text;
    EXPECT_EQ(times.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(times.status().message().find(c.expected), std::string::npos)
        << times.status().message();
  }
}

TEST(LoadAverageTest, ParsesTheOneMinuteFigure) {
  Result<double> load = parseLoadAverage(fixture("normal/proc/loadavg"), "loadavg");
  ASSERT_TRUE(load);
  EXPECT_DOUBLE_EQ(*load, 2.0);
}

TEST(LoadAverageTest, RejectsGarbage) {
  for (std::string_view text : {"", "high 1 1 1/1 1\n", "-1.0 1 1\n"}) {
    Result<double> load = parseLoadAverage(text, "/p/loadavg");
    ASSERT_FALSE(load) << text;
    EXPECT_NE(load.status().message().find("/p/loadavg: line 1: expected"), std::string::npos);
  }
}

TEST(MemInfoTest, ComputesMemoryAndSwapUsed) {
  Result<MemInfo> info = parseMemInfo(fixture("normal/proc/meminfo"), "meminfo");
  ASSERT_TRUE(info) << info.status().toString();
  EXPECT_EQ(info->total_kb, 16000000u);
  EXPECT_EQ(info->available_kb, 4000000u);
  EXPECT_DOUBLE_EQ(info->memoryPercent(), 75.0);
  EXPECT_DOUBLE_EQ(info->swapPercent(), 25.0);
}

TEST(MemInfoTest, NoSwapIsZeroPercent) {
  Result<MemInfo> info = parseMemInfo(
      "MemTotal: 100 kB\nMemAvailable: 100 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", "meminfo");
  ASSERT_TRUE(info);
  EXPECT_DOUBLE_EQ(info->swapPercent(), 0.0);
  EXPECT_DOUBLE_EQ(info->memoryPercent(), 0.0);
}

TEST(MemInfoTest, MalformedFixtureNamesFileAndLine) {
  std::string path = fixtureRoot("malformed-meminfo") + "/proc/meminfo";
  Result<MemInfo> info = parseMemInfo(readFile(path), path);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(info.status().message(), path + ": line 3: expected 'MemAvailable: number kB'");
}

TEST(MemInfoTest, OtherErrors) {
  struct Case {
    std::string text;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"MemTotal: 100 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", "m: no 'MemAvailable:' line"},
      {"MemTotal: 100 kB\nno colon here\n", "m: line 2: expected 'Key: number [kB]'"},
      {"MemTotal: 0 kB\nMemAvailable: 0 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", "m: MemTotal is 0"},
      {"MemTotal: 100 MB\n", "m: line 1: expected 'MemTotal: number kB'"},
      {"MemTotal: 100 kB extra\n", "m: line 1: expected 'MemTotal: number kB'"},
  };
  for (const Case& c : cases) {
    Result<MemInfo> info = parseMemInfo(c.text, "m");
    ASSERT_FALSE(info) << c.text;
    EXPECT_EQ(info.status().message(), c.expected);
  }
}

TEST(MountsTest, KeepsOnlyRealFilesystemsOncePerDevice) {
  Result<std::vector<MountEntry>> mounts = parseMounts(fixture("normal/proc/self/mounts"), "m");
  ASSERT_TRUE(mounts) << mounts.status().toString();
  EXPECT_EQ(mounts->size(), 15u);
  std::vector<std::string> points;
  for (const MountEntry& entry : selectRealMounts(*mounts)) points.push_back(entry.mount_point);
  EXPECT_EQ(points, (std::vector<std::string>{"/", "/boot/efi", "/srv/data disk", "/home"}));
}

TEST(MountsTest, ALaterMountHidesTheEarlierOne) {
  Result<std::vector<MountEntry>> mounts = parseMounts(
      "/dev/sdb1 /data ext4 rw 0 0\ntmpfs /data tmpfs rw 0 0\n"
      "/dev/sdc1 /scratch tmpfs rw 0 0\n/dev/sdc1 /scratch xfs rw 0 0\n",
      "m");
  ASSERT_TRUE(mounts);
  std::vector<MountEntry> selected = selectRealMounts(*mounts);
  ASSERT_EQ(selected.size(), 1u);
  EXPECT_EQ(selected[0].mount_point, "/scratch");
  EXPECT_EQ(selected[0].fs_type, "xfs");
}

TEST(MountsTest, DecodesOctalEscapesAndKeepsStrayBackslashes) {
  Result<std::vector<MountEntry>> mounts =
      parseMounts("/dev/a /a\\040b\\011c\\134d ext4 rw 0 0\n/dev/b /x\\9y\\ ext4 rw 0 0\n", "m");
  ASSERT_TRUE(mounts);
  EXPECT_EQ((*mounts)[0].mount_point, "/a b\tc\\d");
  EXPECT_EQ((*mounts)[1].mount_point, "/x\\9y\\");
}

TEST(MountsTest, ShortLineIsAnErrorWithItsNumber) {
  Result<std::vector<MountEntry>> mounts = parseMounts("/dev/a / ext4 rw 0 0\n\n/dev/b /x\n", "m");
  ASSERT_FALSE(mounts);
  EXPECT_EQ(mounts.status().message(),
            "m: line 3: expected 'device mount-point type options dump pass'");
}

TEST(MountsTest, RealFilesystemTypes) {
  for (std::string_view type : {"ext4", "xfs", "btrfs", "vfat", "zfs", "ext3", "f2fs", "exfat"}) {
    EXPECT_TRUE(isRealFilesystem(type)) << type;
  }
  for (std::string_view type :
       {"proc", "sysfs", "tmpfs", "devtmpfs", "overlay", "squashfs", "cgroup", "cgroup2", "nfs4",
        "cifs", "fuse.sshfs", "autofs", "devpts", "mqueue", "debugfs", "tracefs", "bpf", ""}) {
    EXPECT_FALSE(isRealFilesystem(type)) << type;
  }
}

}  // namespace
}  // namespace orion::watcher::host
