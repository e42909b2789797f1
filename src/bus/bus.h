// The Bus: how ORION's modules talk. Nothing else connects them.
//
// Semantics are those of Redis Streams with consumer groups, so the embedded in-process bus
// (embedded_bus.h, the default) and the Redis bus (redis_bus.h) are interchangeable:
//
//  - publish(type, doc) validates `doc` against the contract `type` and appends it to that type's
//    stream ("<prefix>:<type>s"). An invalid document is refused (kInvalidArgument, nothing
//    written); an unknown type is kNotFound. Returns the stream entry id ("<ms>-<seq>"), or ""
//    from a bus that writes asynchronously (the Redis bus queues the document, in order, and its
//    writer thread appends it; see redis_bus.h).
//  - subscribe({type, group, consumer}, handler): every *group* sees every message of the stream;
//    the consumers of one group share them. A new group starts with messages published after it
//    was created. Delivery is at-least-once: the handler runs on the subscription's own thread,
//    and the message is acknowledged only when the handler returns OK.
//  - Deferred acknowledgement (optional, SubscribeOptions::before_ack): a consumer that makes its
//    work durable in batches (memory's group commit) lets the handler return OK once the work is
//    queued, and the bus calls before_ack() on the same thread before it acknowledges any of the
//    messages whose handler returned OK since the last call. before_ack() blocks until that work
//    is durable; an error turns each of those messages into a failed attempt (redelivered, as if
//    the handler had failed). A bus takes messages in batches, so one before_ack() covers a batch.
//  - A handler error is retried (redelivered with attempt+1) up to `max_deliveries`; a handler
//    returning kInvalidArgument means "this message can never succeed" and is not retried. Either
//    way the message then goes to the dead-letter stream ("deadletter" contract) with the reason,
//    and is acknowledged. Documents are validated again on consume; one that fails goes straight to
//    the dead-letter stream. Handlers must therefore be idempotent (a redelivered document has the
//    same id).
//  - Memory is bounded: each stream keeps at most `max_stream_length` entries. When a stream is
//    full the configured policy applies (drop the oldest entry, or block the publisher up to a
//    timeout and then fail with kResourceExhausted); both are counted in metrics.
//
// Thread-safety: publish() and subscribe() may be called from any thread, including from inside a
// handler. Subscriptions are stopped by the module that owns them, in pipeline order.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::bus {

// One delivery of one message to one consumer.
struct Delivery {
  std::string_view type;  // contract type, e.g. "event"
  std::string entry_id;   // stream entry id, "<ms>-<seq>"
  JsonPtr document;       // validated, immutable, shared with other groups' deliveries
  int attempt = 1;        // 1 on first delivery, 2 on the first redelivery, ...
};

using Handler = std::function<Status(const Delivery&)>;

struct SubscribeOptions {
  std::string type;      // contract type to consume
  std::string group;     // consumer group, e.g. "guardian"
  std::string consumer;  // consumer name within the group, e.g. "guardian-1"
  // Optional: called on the subscription's thread after the handler accepted one or more
  // deliveries and before any of them is acknowledged (see "Deferred acknowledgement" above).
  // Empty (the default): each delivery is acknowledged as soon as its handler returns OK.
  std::function<Status()> before_ack = nullptr;
  // Beside the decision path (memory's audit subscriptions): the subscription's thread runs at a
  // lower priority (common/thread_priority.h), so on a busy machine it never delays a decision.
  bool background = false;
};

// What a group has yet to finish on a stream.
struct GroupBacklog {
  uint64_t unread = 0;   // entries not yet delivered to any consumer of the group
  uint64_t pending = 0;  // delivered but not yet acknowledged
  bool empty() const { return unread == 0 && pending == 0; }
};

// A running subscription. Destroying it stops it (as stop() with an immediate deadline).
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Waits until the group has nothing unread or pending on this stream, or `deadline` passes.
  // Returns true when drained.
  virtual bool drain(MonoTime deadline) = 0;
  // Stops delivering and joins the subscription's thread. A handler already running finishes;
  // unacknowledged messages stay pending for the group. Idempotent.
  virtual void stop() = 0;
};

class Bus {
 public:
  virtual ~Bus() = default;

  virtual Result<std::string> publish(std::string_view type, const Json& document) = 0;
  // The same for a document the caller gives away (a temporary, e.g. `event.toJson()`): a bus that
  // keeps documents in memory takes it without a copy. The default copies, for buses that
  // serialise it anyway.
  virtual Result<std::string> publish(std::string_view type, Json&& document) {
    return publish(type, static_cast<const Json&>(document));
  }
  // The same for a document whose text the publisher has written already (it keeps the text in
  // its state store until the document is published): `text` must be dumpJson(document). The
  // document is validated as always; a bus that sends text sends `text` instead of writing the
  // same bytes again. The default ignores it, for buses that keep documents in memory.
  virtual Result<std::string> publishWritten(std::string_view type, const Json& document,
                                             std::string text) {
    (void)text;
    return publish(type, document);
  }

  virtual Result<std::unique_ptr<Subscription>> subscribe(const SubscribeOptions& options,
                                                          Handler handler) = 0;

  // Unread and pending counts of `group` on `type`'s stream (zeros for an unknown group).
  virtual GroupBacklog backlog(std::string_view type, std::string_view group) const = 0;

  // "embedded" or "redis"; and whether the bus is currently able to deliver (false while a remote
  // bus is disconnected).
  virtual std::string_view kind() const = 0;
  virtual bool healthy() const = 0;
};

}  // namespace orion::bus
