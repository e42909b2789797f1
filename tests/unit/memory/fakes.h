// Test doubles for memory: a fault-injecting file layer over the real one (a disk that fills up, an
// fsync that fails or is held back) and a bus that hands deliveries straight to the subscribed
// handlers. Shared with tests/integration/memory.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "memory/audit_file.h"

namespace orion::memory::testing {

// Switches and counters shared by a test and the FaultyFs it injected.
struct FsFaults {
  // Bytes appends may still add (-1: unlimited). An append that does not fit writes what fits,
  // then fails with ENOSPC and removes its partial bytes again, as the real layer does.
  std::atomic<int64_t> space_left{-1};
  std::atomic<bool> fail_syncs{false};
  std::atomic<bool> fail_new_files{false};      // openAppend of a file that does not exist yet
  std::atomic<bool> fail_atomic_writes{false};  // head.json, checkpoint.json
  // A slow disk: each append is written in two halves with this pause between them, so a process
  // killed meanwhile leaves a torn record behind.
  std::atomic<int> split_pause_us{0};
  std::function<void()> on_split;     // called between the halves (set before use)
  std::atomic<int> sync_pause_us{0};  // a slow disk: each sync takes at least this long
  std::atomic<int> appends{0};
  std::atomic<int> syncs{0};

  // While held, sync() blocks (a slow disk): records are written but not durable.
  void holdSyncs() {
    std::lock_guard lock(mutex);
    held = true;
  }
  void releaseSyncs() {
    {
      std::lock_guard lock(mutex);
      held = false;
    }
    cv.notify_all();
  }
  void waitIfHeld() {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return !held; });
  }

  std::mutex mutex;
  std::condition_variable cv;
  bool held = false;
};

class FaultyFile final : public AuditFile {
 public:
  FaultyFile(std::unique_ptr<AuditFile> real, FsFaults& faults)
      : real_(std::move(real)), faults_(faults) {}

  const std::filesystem::path& path() const override { return real_->path(); }
  uint64_t size() const override { return real_->size(); }
  Result<uint64_t> currentSize() const override { return real_->currentSize(); }
  Result<std::string> readAt(uint64_t offset, size_t length) const override {
    return real_->readAt(offset, length);
  }
  Result<size_t> readInto(uint64_t offset, char* out, size_t length) const override {
    return real_->readInto(offset, out, length);
  }
  Status append(std::string_view bytes) override {
    int64_t left = faults_.space_left.load();
    if (left >= 0 && static_cast<int64_t>(bytes.size()) > left) {
      uint64_t before = real_->size();
      if (left > 0)
        ORION_RETURN_IF_ERROR(real_->append(bytes.substr(0, static_cast<size_t>(left))));
      ORION_RETURN_IF_ERROR(real_->truncate(before));
      return {StatusCode::kResourceExhausted,
              "writing " + path().string() + ": No space left on device"};
    }
    if (left >= 0) faults_.space_left -= static_cast<int64_t>(bytes.size());
    ++faults_.appends;
    if (int pause = faults_.split_pause_us.load(); pause > 0 && bytes.size() > 1) {
      ORION_RETURN_IF_ERROR(real_->append(bytes.substr(0, bytes.size() / 2)));
      if (faults_.on_split) faults_.on_split();
      std::this_thread::sleep_for(std::chrono::microseconds(pause));
      return real_->append(bytes.substr(bytes.size() / 2));
    }
    return real_->append(bytes);
  }
  Status sync() override {
    faults_.waitIfHeld();
    if (faults_.fail_syncs) return unavailable("syncing " + path().string() + ": I/O error");
    if (int pause = faults_.sync_pause_us.load(); pause > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(pause));
    }
    ++faults_.syncs;
    return real_->sync();
  }
  Status truncate(uint64_t size) override { return real_->truncate(size); }

 private:
  std::unique_ptr<AuditFile> real_;
  FsFaults& faults_;
};

class FaultyFs final : public AuditFs {
 public:
  explicit FaultyFs(FsFaults& faults) : real_(makePosixAuditFs()), faults_(faults) {}

  Result<std::unique_ptr<AuditFile>> openAppend(const std::filesystem::path& path) override {
    if (faults_.fail_new_files && !std::filesystem::exists(path)) {
      return Status(StatusCode::kResourceExhausted,
                    "opening " + path.string() + ": No space left on device");
    }
    Result<std::unique_ptr<AuditFile>> file = real_->openAppend(path);
    if (!file) return file.status();
    return std::unique_ptr<AuditFile>(std::make_unique<FaultyFile>(std::move(*file), faults_));
  }
  Result<std::unique_ptr<AuditFile>> openRead(const std::filesystem::path& path) override {
    return real_->openRead(path);
  }
  Status makeDirectories(const std::filesystem::path& dir) override {
    return real_->makeDirectories(dir);
  }
  Result<std::vector<std::string>> list(const std::filesystem::path& dir) override {
    return real_->list(dir);
  }
  Status remove(const std::filesystem::path& path) override { return real_->remove(path); }
  Status syncDirectory(const std::filesystem::path& dir) override {
    return real_->syncDirectory(dir);
  }
  Status writeAtomic(const std::filesystem::path& path, std::string_view bytes,
                     bool durable) override {
    if (faults_.fail_atomic_writes || faults_.space_left.load() == 0) {
      return Status(StatusCode::kResourceExhausted,
                    "writing " + path.string() + ": No space left on device");
    }
    return real_->writeAtomic(path, bytes, durable);
  }
  Result<std::optional<std::string>> readWhole(const std::filesystem::path& path) override {
    return real_->readWhole(path);
  }
  Result<std::unique_ptr<FileLock>> lock(const std::filesystem::path& path) override {
    return real_->lock(path);
  }

 private:
  std::shared_ptr<AuditFs> real_;
  FsFaults& faults_;
};

// A bus without streams: subscribe() records the handler, deliver() calls it and then the
// subscription's before_ack on the test's thread, as a bus does before acknowledging.
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

  // The handler's status, or before_ack's when the handler accepted the delivery.
  Status deliver(const std::string& type, const Json& document, const std::string& entry_id,
                 int attempt = 1) {
    std::pair<bus::SubscribeOptions, bus::Handler> subscription;
    {
      std::lock_guard lock(mutex_);
      auto it = subscriptions.find(type);
      if (it == subscriptions.end()) return notFound("no subscription to " + type);
      subscription = it->second;
    }
    Status handled = subscription.second(bus::Delivery{
        subscription.first.type, entry_id, std::make_shared<const Json>(document), attempt});
    if (!handled || !subscription.first.before_ack) return handled;
    return subscription.first.before_ack();
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
