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
    config_.swap_percent = {};
    config_.disk_percent = {};
    config_.inode_percent = {};
    config_.load_per_cpu = {};
    config_.temperature_celsius = {};
    config_.net_errors_per_second = {};
    config_.fire_after = 1;  // hysteresis has its own tests below
    config_.clear_after = 1;
    for (const char* mount : {"/", "/boot/efi", "/srv/data disk", "/home"}) disks_->set(mount, 40);
  }

  HostSource& source() {
    if (!source_) {
      source_ = std::make_unique<HostSource>(
          config_,
          SourceContext{clock_, metrics_, makeLogger("test.host"), "node-a", publisher_, "host"},
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
  HostSource source(config,
                    SourceContext{clock, metrics, makeLogger("test.host"), "n", publisher, "host"},
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
  // Whatever sensors and interfaces this machine has are in range.
  std::string exposition = metrics.renderPrometheus();
  for (const char* family :
       {"orion_watcher_host_temperature_celsius{", "orion_watcher_host_net_errors_per_second{",
        "orion_watcher_host_inode_used_percent{"}) {
    for (size_t at = exposition.find(family); at != std::string::npos;
         at = exposition.find(family, at + 1)) {
      size_t space = exposition.find(' ', exposition.find('}', at));
      double value = std::stod(exposition.substr(space + 1));
      EXPECT_GE(value, 0.0) << exposition.substr(at, 120);
      EXPECT_LE(value, 200.0) << exposition.substr(at, 120);
    }
  }
}

TEST_F(HostSourceTest, SwapHasThresholdsToo) {
  config_.swap_percent = {20.0, 90.0};  // the fixture uses 25 %
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  ASSERT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.events[0].data["metric"], "swap_percent");
  EXPECT_EQ(publisher_.events[0].data["resource"], "swap");
  EXPECT_EQ(publisher_.events[0].data["value"], 25.0);
}

TEST_F(HostSourceTest, InodesPerMount) {
  config_.mounts = {"/", "/btrfs"};
  config_.inode_percent = {80.0, 95.0};
  disks_->table["/"] = {1000, 500, 500, 200, 10};    // 95 % of inodes used
  disks_->table["/btrfs"] = {1000, 500, 500, 0, 0};  // no inode table: no inode reading
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(gauge("orion_watcher_host_inode_used_percent", {{"mount", "/"}}), 95.0);
  EXPECT_EQ(gauge("orion_watcher_host_inode_used_percent", {{"mount", "/btrfs"}}), -1);
  ASSERT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.events[0].data["metric"], "inode_used_percent");
  EXPECT_EQ(publisher_.events[0].data["resource"], "/");
  EXPECT_EQ(publisher_.events[0].data["level"], "critical");
  EXPECT_EQ(publisher_.events[0].data["threshold"], 95.0);
}

TEST_F(HostSourceTest, TemperaturesFromThermalZonesAndHwmon) {
  config_.temperature_celsius = {50.0, 60.0};
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(
      gauge("orion_watcher_host_temperature_celsius", {{"sensor", "thermal_zone0:x86_pkg_temp"}}),
      47.5);
  EXPECT_EQ(gauge("orion_watcher_host_temperature_celsius", {{"sensor", "coretemp:Package id 0"}}),
            52.0);
  EXPECT_EQ(gauge("orion_watcher_host_temperature_celsius", {{"sensor", "coretemp:temp2"}}), 61.25);
  ASSERT_EQ(publisher_.events.size(), 2u);
  EXPECT_EQ(publisher_.events[0].data["resource"], "coretemp:Package id 0");
  EXPECT_EQ(publisher_.events[0].data["resource_type"], "sensor");
  EXPECT_EQ(publisher_.events[0].data["unit"], "celsius");
  EXPECT_EQ(publisher_.events[0].data["level"], "warning");
  EXPECT_EQ(publisher_.events[1].data["resource"], "coretemp:temp2");
  EXPECT_EQ(publisher_.events[1].data["level"], "critical");
}

TEST_F(HostSourceTest, NoSensorsIsNotAnError) {
  config_.sys_root = (dir_.path() / "empty-sys").string();
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(metrics_.renderPrometheus().find("orion_watcher_host_temperature_celsius{"),
            std::string::npos);
}

TEST_F(HostSourceTest, InterfaceErrorRateOverTheInterval) {
  std::string root = copyNormalTree();
  config_.proc_root = root + "/proc";
  config_.net_errors_per_second = {1.0, 10.0};
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  EXPECT_EQ(gauge("orion_watcher_host_net_errors_per_second", {{"interface", "eth0"}}), -1)
      << "a rate needs two readings";
  std::filesystem::copy_file(root + "/net.later", root + "/proc/net/dev",
                             std::filesystem::copy_options::overwrite_existing);
  clock_.advance(std::chrono::seconds(10));
  ASSERT_TRUE(source().sample(clock_.now()).isOk());
  // eth0: (33 + 22) - (3 + 2) = 50 errors in 10 s.
  EXPECT_EQ(gauge("orion_watcher_host_net_errors_per_second", {{"interface", "eth0"}}), 5.0);
  EXPECT_EQ(gauge("orion_watcher_host_net_errors_per_second", {{"interface", "wlan0"}}), 0.0);
  EXPECT_EQ(gauge("orion_watcher_host_net_errors_per_second", {{"interface", "lo"}}), -1)
      << "loopback is not watched";
  ASSERT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.events[0].data["resource"], "eth0");
  EXPECT_EQ(publisher_.events[0].data["resource_type"], "interface");
  EXPECT_EQ(publisher_.events[0].data["unit"], "per_second");
}

TEST_F(HostSourceTest, HysteresisFiresAfterNAndClearsAfterM) {
  config_.mounts = {"/"};
  config_.disk_percent = {90.0, 95.0};
  config_.fire_after = 3;
  config_.clear_after = 2;
  auto sampleAt = [&](double percent) {
    disks_->set("/", percent);
    clock_.advance(std::chrono::seconds(15));
    ASSERT_TRUE(source().sample(clock_.now()).isOk());
  };
  // Hovering at the threshold: never three in a row above it, so no storm, no event at all.
  for (double percent : {91.0, 89.0, 91.0, 91.0, 89.0, 90.0, 89.5, 91.0, 90.5}) sampleAt(percent);
  EXPECT_TRUE(publisher_.events.empty());
  sampleAt(92.0);  // third sample in a row at or above 90
  ASSERT_EQ(publisher_.events.size(), 1u);
  EXPECT_EQ(publisher_.events[0].data["state"], "firing");
  EXPECT_EQ(publisher_.events[0].data["value"], 92.0);
  // One sample below does not clear it; two do.
  sampleAt(80.0);
  sampleAt(93.0);
  sampleAt(80.0);
  EXPECT_EQ(publisher_.events.size(), 1u);
  sampleAt(81.0);
  ASSERT_EQ(publisher_.events.size(), 2u);
  EXPECT_EQ(publisher_.events[1].data["state"], "recovered");
  EXPECT_EQ(publisher_.events[1].data["value"], 81.0);
}

}  // namespace
}  // namespace orion::watcher::host
