// One stream of the embedded bus ("orion:events"): its entries, its consumer groups, and the
// rules that move an entry from published to read, pending and acknowledged. Internal to the bus
// module; the Bus interface (bus.h) is what modules see.
//
// Positions. Every appended entry gets the next position (0, 1, 2, ...). The stream keeps the
// entries in [first_pos_, end_pos_). Each group keeps a cursor (`next_pos`: the next entry none of
// its consumers has read) and a window of slots for [floor, next_pos): the entries it has read,
// each pending (owned by a consumer, or parked waiting for redelivery) or done. `floor` is the
// group's oldest unacknowledged entry. The stream retains exactly what some group still needs:
// first_pos_ is the lowest floor, so an entry every group has acknowledged is released at once
// (and with no groups nothing is retained: a new group only sees entries published after it).
//
// Bound. The length (end_pos_ - first_pos_) never exceeds max_stream_length. A full stream either
// trims its oldest entry (drop_oldest: groups that had not read it count it as dropped; a group
// that had it parked for redelivery gets it back as an orphan to dead-letter) or makes the
// publisher wait, in real time, for the slowest group to acknowledge (block).
//
// Threads. Every method locks the stream's mutex; publishers and the consumer threads of every
// group of the stream share it. Consumers take entries in batches under one lock acquisition.
// The publishing side is in embedded_stream.cc, the consuming side in embedded_stream_consume.cc.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/bus_metrics.h"
#include "bus/deadletter.h"
#include "bus/embedded_bus.h"
#include "bus/ring.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"

namespace orion::bus {

// One published document with its stream id. Immutable after publish but for `checked`.
struct Record {
  explicit Record(Json doc) : document(std::move(doc)) {}

  int64_t ms = 0;
  uint64_t seq = 0;
  Json document;
  // Set by the first consumer whose consume-time validation passed (see embedded_consumer.cc).
  std::atomic<bool> checked{false};

  // Writes "<ms>-<seq>" into `out`, reusing its capacity.
  void formatId(std::string& out) const;
  std::string id() const;
};
using RecordPtr = std::shared_ptr<Record>;

// A subscription's identity within its group. `stopping` is read without the lock between
// handler calls, hence atomic.
struct Member {
  std::string name;
  std::atomic<bool> stopping{false};
};

// One entry a consumer took, and then what became of it.
struct Item {
  enum class State {
    kTaken,  // not handled yet: on stop it goes back to the group, attempt unchanged
    kAcked,  // handled, or dead-lettered: acknowledge
    kRetry,  // the handler failed and may be retried: park for redelivery
  };
  uint64_t pos = 0;
  RecordPtr record;
  int attempt = 1;
  State state = State::kTaken;
  std::string error;  // kRetry: the handler's status, for the dead-letter reason if it is trimmed
  // When the attempt was taken, before its handler ran: a failed attempt is redelivered
  // redelivery_delay × attempt after this, a moment a test (or anyone) can observe, unlike the
  // end of the batch it was in.
  MonoTime taken_at;
};

struct Group;

// An entry that left a group's window unfinished and must be dead-lettered (outside the lock) by
// whoever found it: trimmed while parked, or trimmed while its consumer's handler was failing.
struct Orphan {
  Group* group = nullptr;
  RecordPtr record;
  int attempts = 0;
  std::string reason;
};

struct Slot {
  const Member* owner = nullptr;  // the consumer holding it; nullptr while parked
  int attempts = 0;               // handler calls so far
  MonoTime ready_at{};            // parked: not redelivered before this
  std::string last_error;         // parked after a failure: the handler's status
  bool done = false;
};

struct Group {
  Group(std::string group_name, uint64_t start, GroupMetrics group_metrics)
      : name(std::move(group_name)), next_pos(start), floor(start), metrics(group_metrics) {}

  const std::string name;
  uint64_t next_pos;
  uint64_t floor;
  Ring<Slot> window;     // positions [floor, next_pos)
  uint64_t pending = 0;  // slots in the window not done
  // Entries trimmed away unfinished whose end is not settled yet: still held by a consumer, or
  // orphaned and not yet dead-lettered. drain() waits for them too.
  uint64_t orphans = 0;
  std::vector<uint64_t> parked;  // positions of parked slots, unordered
  std::vector<Member*> members;
  std::condition_variable work_cv;     // consumers wait here for entries
  std::condition_variable drained_cv;  // drain() waits here
  int waiting = 0;
  int drain_waiters = 0;
  GroupMetrics metrics;
};

class Stream {
 public:
  Stream(std::string type, std::string key, const EmbeddedBusOptions& options, const Clock& clock,
         MetricsRegistry& metrics, Logger log);
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  const std::string& type() const { return type_; }
  const std::string& key() const { return key_; }

  // Counts a publish refused before it reached the stream (invalid document).
  void countRejected() { rejected_.inc(); }

  // Appends `record` and returns its id. A full stream trims (entries parked for redelivery are
  // added to `orphans`) or waits up to block_timeout, then fails with kResourceExhausted
  // naming the slowest group. kCancelled once the bus is closing and the stream is full.
  Result<std::string> append(RecordPtr record, std::vector<Orphan>& orphans);

  // Adds `member` to group `group_name`, creating the group at the end of the stream. Fails with
  // kAlreadyExists when a live consumer of that name is in the group, kFailedPrecondition once
  // the bus is closing. The group (never destroyed) outlives the member.
  Result<Group*> join(std::string_view group_name, Member& member);
  // Removes `member` from its group; its entries were released by its last exchange().
  void leave(Group& group, Member& member);

  // A consumer's step: settles `batch` (acknowledges, parks retries, gives untouched entries back
  // to the group), then refills it with entries for `member`, waiting while there are none.
  // Orphans found while settling are added to `orphans`. Returns false (batch settled and
  // empty) once the member is stopping or the bus is closing.
  // Entries every group has acknowledged are moved to `released` rather than destroyed under
  // the lock; the caller destroys them after the call (the publisher is not kept waiting while a
  // batch of documents is freed). They are also destroyed before the consumer sleeps.
  bool exchange(Group& group, Member& member, std::vector<Item>& batch,
                std::vector<Orphan>& orphans, std::vector<RecordPtr>& released);

  // Marks `member` stopping and wakes it.
  void requestStop(Group& group, Member& member);

  // Called once `orphans` (from append() or exchange()) have been dead-lettered.
  void orphansDeadLettered(const std::vector<Orphan>& orphans);

  // Waits until `group` has nothing unread or pending, or the clock passes `deadline`.
  bool drain(Group& group, MonoTime deadline);

  GroupBacklog backlog(std::string_view group_name) const;

  // Wakes every waiter; exchange() returns false from now on.
  void close();

 private:
  uint64_t length() const { return end_pos_ - first_pos_; }
  static bool drained(const Group& group, uint64_t end_pos) {
    return group.next_pos == end_pos && group.pending == 0 && group.orphans == 0;
  }
  void trimOldest(std::vector<Orphan>& orphans);
  void take(Group& group, const Member& member, MonoTime now, std::vector<Item>& batch,
            MonoTime& next_ready);
  void settle(Group& group, std::vector<Item>& batch, std::vector<Orphan>& orphans,
              std::vector<RecordPtr>& released);
  void popDone(Group& group);
  // Drops the entries no group needs any more, moving them to `released` when given.
  void releaseAcknowledged(std::vector<RecordPtr>* released);
  void updateLag(Group& group);
  const Group* slowestGroup() const;
  void spinWhileIdle(uint64_t seen, const Member& member) const;

  const std::string type_;
  const std::string key_;
  const EmbeddedBusOptions& options_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  Logger log_;
  Counter& published_;
  Counter& rejected_;
  Counter& blocked_;
  Gauge& length_gauge_;

  mutable std::mutex mutex_;
  std::condition_variable space_cv_;  // publishers blocked on a full stream wait here
  Ring<RecordPtr> entries_;           // positions [first_pos_, end_pos_)
  uint64_t first_pos_ = 0;
  uint64_t end_pos_ = 0;
  int64_t last_ms_ = 0;
  uint64_t last_seq_ = 0;
  int blocked_publishers_ = 0;
  bool closed_ = false;
  bool warned_full_ = false;
  std::vector<std::unique_ptr<Group>> groups_;
  // end_pos_, readable without the lock by a consumer spinning for new entries.
  std::atomic<uint64_t> end_hint_{0};
};

}  // namespace orion::bus
