// The thread behind one embedded-bus subscription. Internal to the bus module.
//
// The thread loops: take a batch of entries for its group from the stream (one lock
// acquisition), then for each entry validate it on consume, call the handler and note the
// outcome, then settle the whole batch (acknowledge, park for redelivery) on the next take.
// Failures that cannot be retried are dead-lettered from this thread, before acknowledging.
// With a before_ack callback (deferred acknowledgement, bus.h), the entries the handler accepted
// are confirmed by one before_ack() call per batch, before the batch is settled.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "bus/embedded_stream.h"

namespace orion::bus {

class EmbeddedCore;

class Consumer {
 public:
  Consumer(std::shared_ptr<EmbeddedCore> core, Stream& stream, std::string name, Handler handler,
           std::function<Status()> before_ack = nullptr, bool background = false);
  ~Consumer();  // stop()
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Joins `group` (creating it at the end of the stream) and starts the thread. Errors as
  // Stream::join. Called once.
  Status start(std::string_view group);

  // Subscription::drain and Subscription::stop. stop() called from the subscription's own handler
  // only requests the stop (a thread cannot join itself); a later stop() or the destructor joins.
  // The subscription must not be destroyed from its own handler.
  bool drain(MonoTime deadline);
  void stop();

 private:
  void run();
  // Runs one entry: consume-time validation, the handler, and the decision what to do with it.
  // Returns true when the handler accepted the entry (it is then acknowledged).
  bool handle(Item& item, Delivery& delivery);
  // A failed attempt: retried later, or dead-lettered once it can never succeed or has used up
  // its deliveries.
  void fail(Item& item, const Status& status, std::string_view entry_id);
  // Deferred acknowledgement: asks before_ack_ to confirm the accepted entries of `batch`; if it
  // fails, each of them becomes a failed attempt instead.
  void confirmAccepted(std::vector<Item>& batch);
  void deadLetter(const Item& item, DeadletterReason reason, std::string text);

  const std::shared_ptr<EmbeddedCore> core_;
  Stream& stream_;
  Group* group_ = nullptr;
  Member member_;
  const Handler handler_;
  const std::function<Status()> before_ack_;
  const bool background_;         // SubscribeOptions::background
  std::vector<size_t> accepted_;  // batch indexes the handler accepted, awaiting before_ack_
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_;  // thread_ itself is reset when joined
  std::mutex join_mutex_;
  // Per batch, folded into the group's counters once per batch rather than once per message.
  uint64_t delivered_ = 0;
  uint64_t redelivered_ = 0;
};

// The Subscription handed to the subscriber; destroying it stops the consumer.
std::unique_ptr<Subscription> makeSubscription(std::shared_ptr<Consumer> consumer);

}  // namespace orion::bus
