#include "watcher/sources/host/host_source.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/logging.h"
#include "fakes.h"
#include "testing/temp_dir.h"

namespace orion::watcher::host {
namespace {

using watcher::testing::FakeFilesystemStats;
using watcher::testing::fixtureRoot;
using watcher::testing::RecordingPublisher;

// A host source over a fixture tree, with every threshold out of reach unless a test sets one.
class HostSourceTest : public ::testing::Test {
 protected:
  HostSourceTest() {
    config_.proc_root = fixtureRoot("normal") + "/proc";
    config_.sys_root = fixtureRoot("normal") + "/sys";
    config_.cpu_percent = {};
    config_.memory_percent = {};
    config_.disk_percent = {};
    config_.load_per_cpu = {};
    for (const char* mount : {"/", "/boot/efi", "/srv/data disk", "/home"}) disks_->set(mount, 40);
  }

  HostSource& source() {
    if (!source_) {
      source_ = std::make_unique<HostSource>(
          config_, SourceContext{clock_, metrics_, makeLogger("test.host"), "node-a", publisher_},
          std::move(disks_owned_));
    }
    return *source_;
  }

  double gauge(const std::string& name, const Labels& labels = {}) {
    return metrics_.read(name, labels);
  }

  // Copies the normal tree so a test can change files between samples.
  std::string copyNormalTree() {
    std::filesystem::copy(fixtureRoot("normal"), dir_.path() / "host",
                          std::filesystem::copy_options::recursive);
    return (dir_.path() / "host").string();
  }

  config::HostSourceConfig config_;
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  RecordingPublisher publisher_;
  std::unique_ptr<FakeFilesystemStats> disks_owned_ = std::make_unique<FakeFilesystemStats>();
  FakeFilesystemStats* disks_ = disks_owned_.get();
  std::unique_ptr<HostSource> source_;
  orion::testing::TempDir dir_;
};

TEST_F(HostSourceTest, FirstSampleReportsEverythingButCpu) {
  disks_->set("/home", 62.5);
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(gauge("orion_watcher_host_memory_percent"), 75.0);
  EXPECT_EQ(gauge("orion_watcher_host_swap_percent"), 25.0);
  EXPECT_EQ(gauge("orion_watcher_host_load_per_cpu"), 0.5);
  EXPECT_EQ(gauge("orion_watcher_host_cpu_percent"), 0.0) << "one /proc/stat reading is no rate";
  EXPECT_EQ(gauge("orion_watcher_host_disk_used_percent", {{"mount", "/"}}), 40.0);
  EXPECT_EQ(gauge("orion_watcher_host_disk_used_percent", {{"mount", "/home"}}), 62.5);
  EXPECT_EQ(gauge("orion_watcher_host_disk_used_percent", {{"mount", "/srv/data disk"}}), 40.0);
  EXPECT_EQ(gauge("orion_watcher_host_disk_used_percent", {{"mount", "/tmp"}}), -1);
  EXPECT_EQ(disks_->asked, (std::vector<std::string>{"/", "/boot/efi", "/srv/data disk", "/home"}));
  EXPECT_TRUE(publisher_.events.empty());
}

TEST_F(HostSourceTest, SecondSampleComputesCpuPercent) {
  std::string root = copyNormalTree();
  config_.proc_root = root + "/proc";
  config_.cpu_percent = {50.0, 90.0};
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_TRUE(publisher_.events.empty()) << "no CPU event on the first tick";

  std::filesystem::copy_file(root + "/stat.later", root + "/proc/stat",
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(gauge("orion_watcher_host_cpu_percent"), 62.5);
  ASSERT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.events[0].data["metric"], "cpu_percent");
  EXPECT_EQ(publisher_.events[0].data["resource"], "cpu");
  EXPECT_EQ(publisher_.events[0].data["value"], 62.5);
  EXPECT_EQ(publisher_.events[0].data["threshold"], 50.0);
}

TEST_F(HostSourceTest, AValueAboveAThresholdGivesOneEventThenARecovery) {
  config_.disk_percent = {1.0, 95.0};
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  ASSERT_EQ(publisher_.events.size(), 4u) << "one per real mount";
  for (const contracts::Event& event : publisher_.events) {
    EXPECT_EQ(event.source, "orion-watcher-host");
    EXPECT_EQ(event.severity, contracts::EventSeverity::kWarning);
    EXPECT_EQ(event.data["resource_type"], "disk");
    EXPECT_EQ(event.data["metric"], "disk_used_percent");
    EXPECT_EQ(event.data["state"], "firing");
    EXPECT_EQ(event.data["node"], "node-a");
    EXPECT_EQ(event.tags.at("node"), "node-a");
  }
  EXPECT_EQ(publisher_.events[2].data["resource"], "/srv/data disk");

  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(publisher_.events.size(), 4u) << "unchanged levels publish nothing";

  disks_->set("/home", 0);
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  ASSERT_EQ(publisher_.events.size(), 5u);
  EXPECT_EQ(publisher_.events[4].data["resource"], "/home");
  EXPECT_EQ(publisher_.events[4].data["state"], "recovered");
  EXPECT_EQ(publisher_.events[4].data["level"], "ok");
  EXPECT_EQ(publisher_.events[4].severity, contracts::EventSeverity::kInfo);
}

TEST_F(HostSourceTest, MemoryAndLoadThresholds) {
  config_.memory_percent = {75.0, 90.0};  // the fixture sits exactly on the warning level
  config_.load_per_cpu = {0.25, 0.5};     // and exactly on the critical one
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  ASSERT_EQ(publisher_.events.size(), 2u);
  EXPECT_EQ(publisher_.events[0].data["metric"], "load_per_cpu");
  EXPECT_EQ(publisher_.events[0].data["unit"], "ratio");
  EXPECT_EQ(publisher_.events[0].severity, contracts::EventSeverity::kCritical);
  EXPECT_EQ(publisher_.events[1].data["metric"], "memory_percent");
  EXPECT_EQ(publisher_.events[1].severity, contracts::EventSeverity::kWarning);
  EXPECT_EQ(publisher_.events[1].data["threshold"], 75.0);
}

TEST_F(HostSourceTest, AFailedPublishIsRetriedOnTheNextSample) {
  config_.memory_percent = {50.0, 90.0};
  publisher_.failures_left = 1;
  ASSERT_TRUE(source().sample(clock_.now()).isOk()) << "a bus problem is not a sample error";
  EXPECT_TRUE(publisher_.events.empty());
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  ASSERT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.events[0].data["metric"], "memory_percent");
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.attempts, 2);
}

TEST_F(HostSourceTest, MalformedMeminfoIsAnErrorButTheRestIsSampled) {
  config_.proc_root = fixtureRoot("malformed-meminfo") + "/proc";
  config_.disk_percent = {1.0, 95.0};
  Status status = source().sample(clock_.now());
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            config_.proc_root + "/meminfo: line 3: expected 'MemAvailable: number kB'");
  EXPECT_EQ(gauge("orion_watcher_host_memory_percent"), 0.0);
  EXPECT_EQ(gauge("orion_watcher_host_load_per_cpu"), 0.5);
  EXPECT_EQ(publisher_.events.size(), 4u) << "disks still fire";
}

TEST_F(HostSourceTest, MissingMeminfoIsNotFoundNamingThePath) {
  config_.proc_root = fixtureRoot("missing-meminfo") + "/proc";
  Status status = source().sample(clock_.now());
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find(config_.proc_root + "/meminfo"), std::string::npos);
  EXPECT_EQ(gauge("orion_watcher_host_load_per_cpu"), 0.5);
}

TEST_F(HostSourceTest, MissingProcRootReportsEveryFileAndDoesNotCrash) {
  config_.proc_root = (dir_.path() / "nowhere").string();
  Status status = source().sample(clock_.now());
  ASSERT_FALSE(status.isOk());
  for (const char* file : {"/stat", "/meminfo", "/self/mounts"}) {
    EXPECT_NE(status.message().find(config_.proc_root + file), std::string::npos) << file;
  }
}

TEST_F(HostSourceTest, BrokenStatReBaselinesCpu) {
  std::string root = copyNormalTree();
  config_.proc_root = root + "/proc";
  config_.cpu_percent = {1.0, 99.0};
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  orion::testing::TempDir scratch;
  std::filesystem::copy_file(scratch.write("stat", "garbage\n"), root + "/proc/stat",
                             std::filesystem::copy_options::overwrite_existing);
  Status broken = source().sample(clock_.now());
  EXPECT_NE(broken.message().find(root + "/proc/stat: line 1"), std::string::npos);
  std::filesystem::copy_file(root + "/stat.later", root + "/proc/stat",
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_TRUE(publisher_.events.empty()) << "no rate across a broken reading";
}

TEST_F(HostSourceTest, ConfiguredMountsReplaceDiscovery) {
  config_.mounts = {"/data", "/"};
  disks_->set("/data", 12.5);
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(disks_->asked, (std::vector<std::string>{"/data", "/"}));
  EXPECT_EQ(gauge("orion_watcher_host_disk_used_percent", {{"mount", "/data"}}), 12.5);
}

TEST_F(HostSourceTest, OneUnreadableMountDoesNotHideTheOthers) {
  config_.mounts = {"/gone", "/"};
  config_.disk_percent = {1.0, 95.0};
  Status status = source().sample(clock_.now());
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("/gone"), std::string::npos);
  ASSERT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.events[0].data["resource"], "/");
}

TEST(HostSourceRealHostTest, SamplesThisMachineWithinRange) {
  config::HostSourceConfig config;  // the real /proc and statvfs
  SimulatedClock clock;
  MetricsRegistry metrics;
  RecordingPublisher publisher;
  HostSource source(config, SourceContext{clock, metrics, makeLogger("test.host"), "n", publisher},
                    makeStatvfsFilesystemStats());
  ASSERT_TRUE(source.sample(clock.now()).isOk());
  ASSERT_TRUE(source.sample(clock.now()).isOk());
  for (const char* name : {"orion_watcher_host_cpu_percent", "orion_watcher_host_memory_percent",
                           "orion_watcher_host_swap_percent"}) {
    EXPECT_GE(metrics.read(name), 0.0) << name;
    EXPECT_LE(metrics.read(name), 100.0) << name;
  }
  EXPECT_GT(metrics.read("orion_watcher_host_memory_percent"), 0.0);
  EXPECT_GE(metrics.read("orion_watcher_host_load_per_cpu"), 0.0);
}

}  // namespace
}  // namespace orion::watcher::host
