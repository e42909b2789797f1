// The publishing side of the Redis bus: one ordered local queue and one writer thread that
// drains it into Redis with pipelined XADDs. Internal to the Redis bus (redis_bus.h).
//
// publish() (any thread) validates, serialises and enqueue()s; it returns at once. The writer
// takes what is queued, in order, sends it as one pipeline (XADD <key> MAXLEN ~ <n> * data
// <json>, one per document) and reads the replies: a document is written when its reply is an
// entry id. While Redis is unreachable the queue simply grows, up to its capacity; when it is
// full the oldest document is dropped (counted in orion_bus_local_queue_dropped_total, logged
// once per outage). When the writer reconnects it first recreates the consumer groups it knows
// (so nothing it writes is published before a local group exists) and then drains the queue in
// order. A document whose XADD failed in transit is sent again: delivery is at-least-once and
// consumers deduplicate (dedup_window.h).
//
// Flush tickets. A subscription must not acknowledge a message before what its handler
// published is in Redis (otherwise a crash would lose the handler's output). It normally writes
// that itself (sendXadds, on its own connection); what it cannot write then (its connection broke,
// Redis refuses writes for now) it hands to the writer with a FlushTicket and waits for the ticket
// (waitFor) before it acknowledges: every document written, or one of them lost (dropped from a
// full queue, or refused by Redis), in which case the batch is left pending and comes back later.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis_link.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace orion::bus {

struct FlushTicket {
  std::atomic<int> outstanding{0};  // documents of the ticket not written (nor lost) yet
  std::atomic<bool> lost{false};    // one of them was dropped or refused
  bool used() const { return outstanding.load() > 0 || lost.load(); }
};

// Per-stream facts the writer needs: where to write and what to count.
struct OutgoingStream {
  std::string type;
  std::string key;
  Counter& published;  // written to Redis
  Counter& failed;     // refused by Redis for good (e.g. NOPERM), or dropped from the queue
};

// One document on its way to Redis.
struct Outgoing {
  const OutgoingStream* stream = nullptr;
  std::string data;
  std::shared_ptr<FlushTicket> ticket;  // may be null
};

// What became of a pipeline of XADDs (sendXadds).
struct XaddOutcome {
  size_t written = 0;    // in Redis (counted in orion_bus_published_total)
  bool refused = false;  // Redis refused one for good (NOPERM, ...): counted, dropped
  Status transport;      // the connection broke: it is no longer usable
  Status transient;      // Redis refused one for now (OOM, LOADING): retry later
};

// Sends `items` as one pipeline of "XADD <key> MAXLEN ~ <max_length> * data <json>" on
// `connection` and reads every reply. Written items resolve their tickets; items refused for
// good are counted in orion_bus_publish_failed_total, logged once per stream and error (`warned`
// remembers which) and resolve their tickets as lost; the others (after a transport failure, or
// refused for now) are appended to `again`, in order, tickets untouched. `items` is emptied.
XaddOutcome sendXadds(RedisConnection& connection, std::vector<Outgoing>& items,
                      std::vector<Outgoing>& again, const std::string& max_length,
                      const Logger& log, std::set<std::string>& warned);
// sendXadds in two halves, for a caller that sends other commands in the same round trip:
// appendXadds queues the XADDs on `connection` (RedisConnection::append), readXadds reads their
// replies (the first replies the connection has not read) and does the rest of sendXadds.
void appendXadds(RedisConnection& connection, const std::vector<Outgoing>& items,
                 const std::string& max_length);
XaddOutcome readXadds(RedisConnection& connection, std::vector<Outgoing>& items,
                      std::vector<Outgoing>& again, const Logger& log,
                      std::set<std::string>& warned);

// Resolves an item's ticket: written, or lost.
void resolveOutgoing(Outgoing& item, bool written);

struct RedisWriterOptions {
  size_t queue_capacity = 10000;
  size_t max_stream_length = 10000;  // MAXLEN ~ on every XADD
  ReconnectPolicy reconnect;
};

class RedisWriter {
 public:
  // `on_connect` runs on the writer's thread right after each (re)connect, before anything is
  // written: the bus recreates its consumer groups there. A transport error from it makes the
  // writer reconnect. `endpoint`, `clock`, `health` and `metrics` must outlive the writer.
  RedisWriter(const RedisEndpoint& endpoint, RedisWriterOptions options, const Clock& clock,
              RedisHealth& health, MetricsRegistry& metrics, Logger log,
              std::function<Status(RedisConnection&)> on_connect);
  ~RedisWriter();  // stop(now)
  RedisWriter(const RedisWriter&) = delete;
  RedisWriter& operator=(const RedisWriter&) = delete;

  void start();

  // Queues `data` for `stream`. `ticket` (may be null) is counted until the document is written
  // or lost. Never blocks on Redis.
  void enqueue(const OutgoingStream& stream, std::string data, std::shared_ptr<FlushTicket> ticket);

  // The largest MAXLEN ~ argument, as text, for other senders of XADD (sendXadds).
  const std::string& maxLength() const { return max_length_; }

  // Waits until `ticket` has nothing outstanding (true), or `stopping` turns true (false).
  bool waitFor(const FlushTicket& ticket, const std::function<bool()>& stopping);

  // Waits until the queue is empty and nothing is in flight, or the Clock passes `deadline`.
  bool waitEmpty(MonoTime deadline);

  // Stops the writer. While connected it keeps writing until the queue is empty or the Clock
  // passes `deadline`; what is still queued then is lost (counted, and logged once).
  void stop(MonoTime deadline);

  size_t queued() const;
  // "N publishes queued locally (M dropped)", for the health log lines.
  std::string describe() const;

 private:
  using Item = Outgoing;

  void run();
  // Sends `batch` as one pipeline; what could not be written is put back in front of the queue.
  void send(RedisConnection& connection, std::vector<Item>& batch);
  void dropOldestLocked();

  RedisWriterOptions options_;
  const Clock& clock_;
  Logger log_;
  RedisLink link_;
  std::function<Status(RedisConnection&)> on_connect_;
  Gauge& queue_gauge_;
  Counter& dropped_;
  const std::string max_length_;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;      // the writer waits here for documents
  std::condition_variable resolved_cv_;  // waitFor()/waitEmpty() wait here
  std::deque<Item> queue_;
  size_t in_flight_ = 0;
  uint64_t dropped_in_outage_ = 0;
  uint64_t dropped_total_ = 0;
  std::atomic<bool> stop_requested_{false};
  MonoTime stop_deadline_{};
  std::set<std::string> warned_;  // writer thread only: streams whose refusal was logged
  std::thread thread_;
};

}  // namespace orion::bus
