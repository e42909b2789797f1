// Test doubles for watcher sources: an EventPublisher that records (or refuses) events and a
// FilesystemStats that answers from a table, plus the path of the fixture trees.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "watcher/source.h"
#include "watcher/sources/host/filesystem_stats.h"

namespace orion::watcher::testing {

inline std::string fixtureRoot(const std::string& tree) {
  return std::string(ORION_SOURCE_DIR) + "/tests/fixtures/host/" + tree;
}

class RecordingPublisher final : public EventPublisher {
 public:
  Status publish(const contracts::Event& event) override {
    ++attempts;
    if (failures_left > 0) {
      --failures_left;
      return unavailable("bus is down");
    }
    events.push_back(event);
    return Status::ok();
  }

  std::vector<contracts::Event> events;
  int attempts = 0;
  int failures_left = 0;
};

class FakeFilesystemStats final : public host::FilesystemStats {
 public:
  Result<host::FilesystemUsage> usage(const std::string& mount_point) override {
    asked.push_back(mount_point);
    auto it = table.find(mount_point);
    if (it == table.end()) return notFound("statvfs " + mount_point + ": no such mount");
    return it->second;
  }

  // A filesystem of 1000 bytes with `used_percent` of them used and nothing reserved.
  void set(const std::string& mount_point, double used_percent) {
    auto used = static_cast<uint64_t>(used_percent * 10);
    table[mount_point] = {1000, 1000 - used, 1000 - used, 0, 0};
  }

  std::map<std::string, host::FilesystemUsage> table;
  std::vector<std::string> asked;
};

}  // namespace orion::watcher::testing
