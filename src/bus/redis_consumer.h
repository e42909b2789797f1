// The thread behind one Redis-bus subscription (see redis_bus.h for the semantics). Internal.
//
// The thread owns a RedisLink and loops: (re)connect; after each connect create the group if
// needed and take back this consumer's own pending entries (XREADGROUP ... 0: what it had read
// but not acknowledged before a crash or a lost connection); every claim interval take over
// entries idle past bus.claim_idle (XAUTOCLAIM); run the handler retries that are due; then
// XREADGROUP ... BLOCK for new entries. Every set of entries is handled as one batch: parse,
// validate (both once per process, shared with the other groups reading the stream), dedup
// check, handler; then the batch's publishes are written by this thread as one pipeline, sent in
// the same round trip as the next XREADGROUP (their replies read first), the dedup keys
// committed, and the batch acknowledged with one XACK sent in the same round trip as a later
// XREADGROUP. Any other command settles queued publishes first.
//
// stop() may come from any thread: it interrupts a blocking read by shutting the socket down
// (only while the thread is inside that read, so no command is cut in half), and joins.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bus/bus.h"
#include "bus/bus_metrics.h"
#include "bus/dedup_window.h"
#include "bus/redis_core.h"
#include "bus/redis_reply.h"

namespace orion::bus {

class RedisConsumer {
 public:
  // `consumer` is the Redis consumer name ("guardian-1@nas"). `window` belongs to the core.
  RedisConsumer(std::shared_ptr<RedisCore> core, const RedisStream& stream, std::string group,
                std::string consumer, std::string local_name, Handler handler, DedupWindow& window,
                std::function<Status()> before_ack = nullptr, bool background = false);
  ~RedisConsumer();  // stop()
  RedisConsumer(const RedisConsumer&) = delete;
  RedisConsumer& operator=(const RedisConsumer&) = delete;

  void start();
  // Subscription::drain: true once the writer has nothing queued, this consumer holds nothing,
  // and Redis reports nothing unread or pending for the group; false at `deadline` (Clock).
  bool drain(MonoTime deadline);
  // Subscription::stop. From the subscription's own handler it only requests the stop.
  void stop();

  const std::string& type() const { return stream_.type; }
  const std::string& group() const { return group_; }
  const std::string& localName() const { return local_name_; }

 private:
  // An entry this consumer holds: read, being handled, or parked for a retry.
  struct Held {
    StreamEntry entry;
    JsonPtr document;  // parsed and validated (null until then)
    std::string key;   // dedup key
    int attempt = 1;
    MonoTime ready_at{};
    bool invalid = false;  // dead-lettered by decode()
  };
  // kAccepted: the handler returned OK (acknowledged at once, or after before_ack_ confirmed).
  enum class Outcome { kAck, kAccepted, kPark };

  void run();
  Status readHistory(RedisConnection& connection);
  Status claim(RedisConnection& connection);
  Status runRetries(RedisConnection& connection);
  Status readNew(RedisConnection& connection);
  // The delivery counts Redis keeps for `entries` (after the read that just incremented them).
  Result<std::vector<int>> deliveryCounts(RedisConnection& connection,
                                          const std::vector<StreamEntry>& entries);
  // What the handlers of a batch left to do: publishes to write, then entries to acknowledge.
  struct Handled {
    std::vector<Outgoing> outbox;
    std::vector<std::string> acks;
    std::vector<std::string> keys;  // dedup keys of the handled entries, to commit
    size_t settles = 0;             // entries of the batch not parked (holding_ to give back)
  };
  // Handles `batch`, then settles it; with `defer_outbox`, its publishes are only queued on
  // `connection` (unsettled_) and settled by the next read, which sends them.
  Status process(RedisConnection& connection, std::vector<Held> batch, bool defer_outbox = false);
  // Writes what a batch published (or, `appended`, reads the replies of what is queued), then
  // queues its acknowledgements (after the dedup commit) or, if a publish was lost, releases it.
  Status settle(RedisConnection& connection, Handled handled, bool appended);
  // settle() for unsettled_, if any: before any command other than readNew's.
  Status settleUnsettled(RedisConnection& connection);
  // Gives up unsettled_ (never sent): its entries stay pending and are handled again.
  void abandonUnsettled();
  // Writes `outbox` on `connection` (`appended`: reads the replies of the XADDs queued there);
  // what cannot be written now goes to the writer, and this waits for it. `lost` when a document
  // could not be written at all.
  Status writeOutbox(RedisConnection& connection, std::vector<Outgoing>& outbox, bool& lost,
                     bool appended);
  std::vector<std::string_view> ackCommand() const;
  Status flushAcks(RedisConnection& connection);
  void takeCommittedAcks();
  Outcome handle(Held& held, std::vector<std::string>& handled_keys);
  // A failed attempt: parked for a retry, or dead-lettered (then acknowledged) once it can never
  // succeed or has used up its deliveries.
  Outcome fail(Held& held, const Status& status);
  // Decodes the batch's entries, sharing the work with the other groups of this process that read
  // them at the same time (DecodedEntries); an entry that is not valid is dead-lettered.
  void decodeBatch(std::vector<Held>& batch);
  // Turns an entry into a validated document and offers it to the other groups; false (and
  // `invalid`) when it was dead-lettered instead.
  bool decode(Held& held);
  void deadLetter(const Held& held, DeadletterReason reason, std::string text,
                  const Json* document);
  bool holds(const std::string& id) const;
  Duration blockTime(MonoTime now) const;
  bool stopping() const { return stopping_.load(); }

  const std::shared_ptr<RedisCore> core_;
  const RedisStream& stream_;
  const std::string group_;
  const std::string consumer_;
  const std::string local_name_;
  const Handler handler_;
  DedupWindow& window_;
  const std::function<Status()> before_ack_;  // deferred acknowledgement (bus.h), or empty
  const bool background_;                     // SubscribeOptions::background
  GroupMetrics metrics_;
  const std::string count_;
  const Duration claim_interval_;

  std::vector<Held> parked_;          // thread only
  std::vector<std::string> acks_;     // thread only: handled, to acknowledge with the next read
  std::optional<Handled> unsettled_;  // thread only: publishes queued for the next read
  // Acknowledgements whose dedup keys the persister has committed (it fills this box).
  struct AckBox {
    std::mutex mutex;
    std::vector<std::string> ids;
    std::atomic<int> committing{0};  // persister requests not done yet
  };
  std::shared_ptr<AckBox> committed_acks_ = std::make_shared<AckBox>();
  std::set<std::string> warned_;    // thread only: XADD refusals already logged
  MonoTime next_claim_{};           // thread only
  std::atomic<size_t> holding_{0};  // entries taken and not settled, parked included
  std::atomic<bool> stopping_{false};
  std::mutex read_mutex_;  // guards reading_ against stop()
  RedisConnection* reading_ = nullptr;
  std::mutex join_mutex_;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_;
};

// The Subscription handed to the subscriber; destroying it stops the consumer.
std::unique_ptr<Subscription> makeRedisSubscription(std::shared_ptr<RedisConsumer> consumer);

}  // namespace orion::bus
