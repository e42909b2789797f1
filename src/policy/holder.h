// PolicyHolder: the policy currently in force in one module, and its reload. A module that reads
// the policy (brain; later the commander and the approval coordinator) owns one holder and asks it
// for current() on every message; a reload (SIGHUP, `orion policy reload`) builds a new snapshot
// and swaps it in only if it validates, so a broken edit never replaces a working policy.
//
// Thread-safety: every method may be called from any thread. current() is a short lock and a
// shared_ptr copy; a reader keeps its snapshot alive for as long as it holds the pointer.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "common/status.h"
#include "policy/policy.h"

namespace orion::policy {

class PolicyHolder {
 public:
  // Starts with Policy::failClosed("not loaded yet"); call reload() to load `directory`.
  explicit PolicyHolder(std::filesystem::path directory);

  // Loads the directory. On success the new snapshot is current and OK is returned. On failure
  // the current snapshot stays (the first load leaves the fail-closed policy in force) and the
  // loader's error is returned (kInvalidArgument, file:line: key: expected …).
  Status reload();

  PolicyPtr current() const;
  const std::filesystem::path& directory() const { return directory_; }
  // How many reloads failed since the last success (0 when the current snapshot is the latest
  // valid one), and the error of the latest failure ("" when none).
  int failedReloads() const;
  std::string lastError() const;

 private:
  std::filesystem::path directory_;
  mutable std::mutex mutex_;
  PolicyPtr current_;
  int failed_reloads_ = 0;
  std::string last_error_;
};

}  // namespace orion::policy
