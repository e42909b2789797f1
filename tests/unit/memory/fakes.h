// Test doubles for memory: an audit file that can be told to fail (a full disk, a broken fsync)
// and a bus that hands deliveries straight to the subscribed handlers.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "bus/bus.h"
#include "memory/audit_file.h"

namespace orion::memory::testing {

// Counters and switches shared by a test and the FailingAuditFile it injected.
struct FileFaults {
  std::atomic<bool> fail_appends{false};
  std::atomic<bool> fail_syncs{false};
  std::atomic<int> appends{0};
  std::atomic<int> syncs{0};
};

// The real file, with failures injected in front of it.
class FailingAuditFile final : public AuditFile {
 public:
  FailingAuditFile(std::unique_ptr<AuditFile> real, FileFaults& faults)
      : real_(std::move(real)), faults_(faults) {}

  const std::filesystem::path& path() const override { return real_->path(); }
  uint64_t size() const override { return real_->size(); }
  Result<std::string> readAt(uint64_t offset, size_t length) const override {
    return real_->readAt(offset, length);
  }
  Status append(std::string_view bytes) override {
    if (faults_.fail_appends) {
      return {StatusCode::kResourceExhausted, "writing " + path().string() + ": No space left"};
    }
    ++faults_.appends;
    return real_->append(bytes);
  }
  Status sync() override {
    if (faults_.fail_syncs) return unavailable("syncing " + path().string() + ": I/O error");
    ++faults_.syncs;
    return real_->sync();
  }
  Status truncate(uint64_t size) override { return real_->truncate(size); }

 private:
  std::unique_ptr<AuditFile> real_;
  FileFaults& faults_;
};

inline AuditFileOpener failingOpener(FileFaults& faults) {
  return [&faults](const std::filesystem::path& path) -> Result<std::unique_ptr<AuditFile>> {
    Result<std::unique_ptr<AuditFile>> real = openPosixAuditFile(path);
    if (!real) return real.status();
    return std::unique_ptr<AuditFile>(
        std::make_unique<FailingAuditFile>(std::move(real).value(), faults));
  };
}

// A bus without streams: subscribe() records the handler, deliver() calls it on the test's
// thread. Enough to test what a consumer does with each delivery.
class DirectBus final : public bus::Bus {
 public:
  Result<std::string> publish(std::string_view, const Json&) override {
    return failedPrecondition("DirectBus does not publish");
  }
  Result<std::unique_ptr<bus::Subscription>> subscribe(const bus::SubscribeOptions& options,
                                                       bus::Handler handler) override {
    std::lock_guard lock(mutex_);
    if (refuse_type == options.type)
      return notFound("unknown contract type '" + options.type + "'");
    subscriptions[options.type] = {options, std::move(handler)};
    return std::unique_ptr<bus::Subscription>(std::make_unique<NullSubscription>());
  }
  bus::GroupBacklog backlog(std::string_view, std::string_view) const override { return {}; }
  std::string_view kind() const override { return "direct"; }
  bool healthy() const override { return true; }

  Status deliver(const std::string& type, const Json& document, const std::string& entry_id,
                 int attempt = 1) {
    bus::Handler handler;
    {
      std::lock_guard lock(mutex_);
      auto it = subscriptions.find(type);
      if (it == subscriptions.end()) return notFound("no subscription to " + type);
      handler = it->second.second;
    }
    auto stored = subscriptions.find(type);
    return handler(
        bus::Delivery{stored->first, entry_id, std::make_shared<const Json>(document), attempt});
  }

  std::map<std::string, std::pair<bus::SubscribeOptions, bus::Handler>> subscriptions;
  std::string refuse_type;

 private:
  class NullSubscription final : public bus::Subscription {
   public:
    bool drain(MonoTime) override { return true; }
    void stop() override {}
  };
  std::mutex mutex_;
};

}  // namespace orion::memory::testing
