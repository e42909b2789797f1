// The inside of the Redis bus (redis_bus.h): the streams, the writer, the consumer groups this
// process uses, their dedup windows, the admin connection, and the live subscriptions. Internal.
//
// The core is shared (std::shared_ptr) by the RedisBus facade and every subscription, so a
// subscription that outlives its bus is still safe to stop. close() (the bus's destructor) stops
// every live subscription, then the writer (which writes what it still can for a moment).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bus/bus.h"
#include "bus/bus_metrics.h"
#include "bus/dedup_window.h"
#include "bus/redis_bus.h"
#include "bus/redis_link.h"
#include "bus/redis_writer.h"
#include "common/logging.h"
#include "contracts/registry.h"
#include "state/state_store.h"

namespace orion::bus {

class RedisConsumer;

// Documents decoded recently, by stream entry id, so the groups of one process that read the
// same stream (the guardian and memory both read events) parse and validate each entry once.
// Groups usually read the same entries at the same moment (one XADD wakes them all), so decoding
// is claimed: the first thread to look an entry up decodes it, and another thread reading it
// meanwhile decodes other entries of its batch and only then waits for the claimed ones. A claim
// is always resolved before its owner waits for anything, so no two threads wait for each other.
// An entry is forgotten once every group of the process reading the stream has taken it, and in
// any case once 4096 newer ones came (a group far behind the others decodes for itself); so a
// stream one group reads keeps nothing. Thread-safe. Only valid documents are kept: an entry
// that failed is decoded again by each group, which dead-letters it for itself.
class DecodedEntries {
 public:
  struct Decoded {
    JsonPtr document;
    std::string key;  // dedupKey()
  };
  enum class Lookup {
    kReady,     // decoded: `out` holds it
    kClaimed,   // the caller decodes it now, and must resolve() it whatever happens
    kElsewhere  // another thread is decoding it: wait() for it after other work
  };
  Lookup lookup(const std::string& entry_id, Decoded& out);
  // Resolves a claim: the decoded document, or nullopt when the entry is not valid.
  void resolve(const std::string& entry_id, std::optional<Decoded> decoded);
  // Waits until another thread's claim on the entry is resolved: its document, or nullopt when
  // it failed or was forgotten meanwhile (then decode it yourself).
  std::optional<Decoded> wait(const std::string& entry_id);
  // The document kept under the entry, without taking it (for tests).
  std::optional<Decoded> find(const std::string& entry_id) const;
  // How many groups of this process read the stream (RedisCore counts them as they subscribe).
  void setReaders(size_t readers);
  size_t size() const;

 private:
  struct Slot {
    bool pending = true;
    size_t taken = 1;  // groups that have it, the one decoding it included
    Decoded decoded;
  };
  // Counts one more group taking the entry; forgets it when that was the last one.
  Decoded takeLocked(std::unordered_map<std::string, Slot>::iterator it);
  void forgetOldestLocked();

  static constexpr size_t kCapacity = 4096;
  mutable std::mutex mutex_;
  std::condition_variable resolved_;
  std::unordered_map<std::string, Slot> entries_;
  std::deque<std::string> order_;
  size_t readers_ = 1;
};

// One contract type's stream.
struct RedisStream {
  std::string type;
  std::string id_field;  // documentIdField()
  OutgoingStream out;    // key and the publish counters
  Counter& rejected;
  mutable DecodedEntries decoded;  // a thread-safe cache: usable through a const stream
};

// While a subscription thread runs a batch of handlers, what they publish is collected in the
// batch's outbox (on that thread only), and the subscription writes it itself before it
// acknowledges the batch (see RedisConsumer::process).
class PublishScope {
 public:
  PublishScope(const void* core, std::vector<Outgoing>& outbox);
  ~PublishScope();
  PublishScope(const PublishScope&) = delete;
  PublishScope& operator=(const PublishScope&) = delete;
  // The outbox of the batch running on this thread for `core`, or null.
  static std::vector<Outgoing>* current(const void* core);

 private:
  const void* core_;
  std::vector<Outgoing>& outbox_;
  PublishScope* outer_;
};

class RedisCore : public std::enable_shared_from_this<RedisCore> {
 public:
  RedisCore(RedisBusOptions options, std::shared_ptr<const contracts::ContractRegistry> contracts,
            const Clock& clock, MetricsRegistry& metrics);
  RedisCore(const RedisCore&) = delete;
  RedisCore& operator=(const RedisCore&) = delete;

  // Connects the admin link once (see makeRedisBus) and starts the writer.
  Status start();

  // `text`: dumpJson(document) when the caller has it (Bus::publishWritten), else empty.
  Result<std::string> publish(std::string_view type, const Json& document, std::string text = {});
  Result<std::unique_ptr<Subscription>> subscribe(const SubscribeOptions& options, Handler handler);
  // Unread and pending of `group` on `type`'s stream, from XINFO; kUnavailable while Redis is.
  Result<GroupBacklog> queryBacklog(std::string_view type, std::string_view group);
  bool healthy() const { return health_.healthy(); }
  void close();

  // ---- for the subscriptions ----
  const RedisBusOptions& options() const { return options_; }
  const contracts::ContractRegistry& contracts() const { return *contracts_; }
  const Clock& clock() const { return clock_; }
  const Logger& log() const { return log_; }
  RedisHealth& health() { return health_; }
  RedisWriter& writer() { return *writer_; }
  MetricsRegistry& metrics() { return metrics_; }
  DedupPersister& persister() { return persister_; }

  // XGROUP CREATE <key> <group> <$|0> MKSTREAM; an existing group is fine.
  Status createGroup(RedisConnection& connection, const RedisStream& stream,
                     const std::string& group);
  // Creates every group this process subscribed (after a reconnect, before anything is written
  // on that connection, so no group of this process misses it). Only a transport error fails.
  Status createKnownGroups(RedisConnection& connection);

  // Publishes the dead letter for a message `group` gave up on, counting it under `reason`
  // (a dead letter of a dead letter is only logged and counted as lost: it never loops).
  void deadLetter(const RedisStream& stream, GroupMetrics& metrics, const RejectedAt& where,
                  DeadletterReason reason, std::string text, const Json* document,
                  std::string_view raw);

  void forget(const RedisConsumer* consumer);

 private:
  const RedisStream* find(std::string_view type) const;
  Result<DedupWindow*> dedupWindow(const std::string& group, const std::string& type);

  const RedisBusOptions options_;
  const std::shared_ptr<const contracts::ContractRegistry> contracts_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  Logger log_;
  RedisHealth health_;
  std::map<std::string, std::unique_ptr<RedisStream>, std::less<>> streams_;
  std::unique_ptr<RedisWriter> writer_;

  std::mutex admin_mutex_;
  std::unique_ptr<RedisLink> admin_;

  std::mutex mutex_;  // what follows
  std::set<std::pair<const RedisStream*, std::string>> groups_;
  std::map<std::string, std::unique_ptr<state::StateStore>> stores_;  // per group
  std::map<std::pair<std::string, std::string>, std::unique_ptr<DedupWindow>> windows_;
  std::vector<std::weak_ptr<RedisConsumer>> consumers_;
  std::set<std::tuple<std::string, std::string, std::string>> live_;  // (type, group, consumer)
  bool closed_ = false;
  DedupPersister persister_;  // after windows_: stopped (and destroyed) before them
};

// The Bus facade.
class RedisBus final : public Bus {
 public:
  explicit RedisBus(std::shared_ptr<RedisCore> core) : core_(std::move(core)) {}
  ~RedisBus() override { core_->close(); }

  Result<std::string> publish(std::string_view type, const Json& document) override {
    return core_->publish(type, document);
  }
  Result<std::string> publishWritten(std::string_view type, const Json& document,
                                     std::string text) override {
    return core_->publish(type, document, std::move(text));
  }
  Result<std::unique_ptr<Subscription>> subscribe(const SubscribeOptions& options,
                                                  Handler handler) override {
    return core_->subscribe(options, std::move(handler));
  }
  GroupBacklog backlog(std::string_view type, std::string_view group) const override {
    return core_->queryBacklog(type, group).valueOr(GroupBacklog{});
  }
  std::string_view kind() const override { return "redis"; }
  bool healthy() const override { return core_->healthy(); }

 private:
  std::shared_ptr<RedisCore> core_;
};

}  // namespace orion::bus
