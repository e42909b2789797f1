// The consuming side of a Stream: what a subscription thread does under the stream's lock
// (take a batch, settle it, wait for more) and what drain() and stop() wait on.
#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "bus/embedded_stream.h"

namespace orion::bus {
namespace {

// A consumer takes at most this many entries per lock acquisition: large enough to amortise the
// lock and the wake-up, small enough that acknowledgements (which free stream space for a blocked
// publisher) are not held back for long.
constexpr size_t kMaxBatch = 128;

// How long a consumer keeps looking for new entries (yielding the CPU) before it sleeps on the
// condition variable. Under load the next entry usually arrives within microseconds, and a
// futex sleep/wake costs more than that on both sides; when idle, the consumer sleeps after it.
constexpr int kSpinRounds = 64;

// Timed waits that depend on the injected Clock (redelivery delays, drain deadlines) re-check it
// at least this often, so a SimulatedClock moved by a test is noticed promptly.
constexpr Duration kClockPoll = std::chrono::milliseconds(5);

}  // namespace

bool Stream::exchange(Group& group, Member& member, std::vector<Item>& batch,
                      std::vector<Orphan>& orphans, std::vector<RecordPtr>& released) {
  std::unique_lock lock(mutex_);
  MonoTime now = clock_.monotonic();
  // Spin only right after a busy batch: that is when the next entry is likely to be close.
  bool spin = !batch.empty();
  if (!batch.empty()) settle(group, batch, orphans, released);
  while (true) {
    if (member.stopping.load(std::memory_order_relaxed) || closed_) return false;
    MonoTime next_ready = MonoTime::max();
    take(group, member, now, batch, next_ready);
    if (!batch.empty() || !orphans.empty()) return true;
    if (spin || !released.empty()) {
      spin = false;
      uint64_t seen = end_pos_;
      lock.unlock();
      released.clear();
      spinWhileIdle(seen, member);
      lock.lock();
    } else {
      ++group.waiting;
      if (next_ready == MonoTime::max()) {
        group.work_cv.wait(lock);
      } else {
        group.work_cv.wait_for(lock,
                               std::clamp<Duration>(next_ready - now, Duration(0), kClockPoll));
      }
      --group.waiting;
    }
    now = clock_.monotonic();
  }
}

void Stream::spinWhileIdle(uint64_t seen, const Member& member) const {
  for (int round = 0; round < kSpinRounds; ++round) {
    if (end_hint_.load(std::memory_order_acquire) != seen) return;
    if (member.stopping.load(std::memory_order_relaxed)) return;
    std::this_thread::yield();
  }
}

void Stream::take(Group& group, const Member& member, MonoTime now, std::vector<Item>& batch,
                  MonoTime& next_ready) {
  // Consumers of one group share: each takes its fair part of what is available, so an idle
  // consumer is not starved by one that grabbed a whole burst.
  size_t live = 0;
  for (const Member* m : group.members) live += m->stopping.load(std::memory_order_relaxed) ? 0 : 1;
  live = std::max<size_t>(live, 1);
  size_t available = group.parked.size() + (end_pos_ - group.next_pos);
  size_t quota = std::clamp<size_t>((available + live - 1) / live, 1, kMaxBatch);

  // Redeliveries first: they are the oldest entries and hold the group's floor back.
  for (size_t i = 0; i < group.parked.size() && batch.size() < quota;) {
    uint64_t pos = group.parked[i];
    Slot& slot = group.window[pos - group.floor];
    if (slot.ready_at > now) {
      next_ready = std::min(next_ready, slot.ready_at);
      ++i;
      continue;
    }
    slot.owner = &member;
    Item& item = batch.emplace_back();
    item.pos = pos;
    item.record = entries_[pos - first_pos_];
    item.attempt = slot.attempts + 1;
    item.taken_at = now;
    group.parked[i] = group.parked.back();
    group.parked.pop_back();
  }
  while (group.next_pos < end_pos_ && batch.size() < quota) {
    uint64_t pos = group.next_pos++;
    Slot slot;
    slot.owner = &member;
    group.window.pushBack(std::move(slot));
    ++group.pending;
    Item& item = batch.emplace_back();
    item.pos = pos;
    item.record = entries_[pos - first_pos_];
    item.taken_at = now;
  }
}

void Stream::settle(Group& group, std::vector<Item>& batch, std::vector<Orphan>& orphans,
                    std::vector<RecordPtr>& released) {
  bool returned = false;
  uint64_t acked = 0;
  for (Item& item : batch) {
    // A slot below the floor was trimmed away while this consumer held it.
    Slot* slot = item.pos >= group.floor ? &group.window[item.pos - group.floor] : nullptr;
    switch (item.state) {
      case Item::State::kAcked:
        ++acked;
        if (slot != nullptr) {
          slot->done = true;
          --group.pending;
        } else {
          --group.orphans;  // trimmed while its handler ran, and handled all the same
        }
        break;
      case Item::State::kRetry:
        if (slot != nullptr) {
          slot->owner = nullptr;
          slot->attempts = item.attempt;
          slot->ready_at = item.taken_at + options_.redelivery_delay * item.attempt;
          slot->last_error = std::move(item.error);
          group.parked.push_back(item.pos);
          returned = true;
        } else {
          orphans.push_back({&group, std::move(item.record), item.attempt,
                             fmt::format("trimmed from the full stream after failed attempt {}; "
                                         "last error: {}",
                                         item.attempt, item.error)});
        }
        break;
      case Item::State::kTaken:
        if (slot != nullptr) {
          slot->owner = nullptr;
          slot->ready_at = MonoTime{};
          group.parked.push_back(item.pos);
          returned = true;
        } else {
          group.metrics.dropped.inc();  // trimmed before the group got to handle it
          --group.orphans;
        }
        break;
    }
  }
  batch.clear();
  group.metrics.acked.inc(acked);
  popDone(group);
  releaseAcknowledged(&released);
  updateLag(group);
  if (returned && group.waiting > 0) group.work_cv.notify_all();
  if (group.drain_waiters > 0 && drained(group, end_pos_)) group.drained_cv.notify_all();
}

void Stream::popDone(Group& group) {
  while (!group.window.empty() && group.window.front().done) {
    group.window.popFront();
    ++group.floor;
  }
}

void Stream::requestStop(Group& group, Member& member) {
  std::lock_guard lock(mutex_);
  member.stopping.store(true, std::memory_order_relaxed);
  group.work_cv.notify_all();
}

void Stream::orphansDeadLettered(const std::vector<Orphan>& orphans) {
  if (orphans.empty()) return;
  std::lock_guard lock(mutex_);
  for (const Orphan& orphan : orphans) --orphan.group->orphans;
  for (const Orphan& orphan : orphans) {
    Group& group = *orphan.group;
    if (group.drain_waiters > 0 && drained(group, end_pos_)) group.drained_cv.notify_all();
  }
}

bool Stream::drain(Group& group, MonoTime deadline) {
  std::unique_lock lock(mutex_);
  ++group.drain_waiters;
  while (!drained(group, end_pos_) && !closed_) {
    MonoTime now = clock_.monotonic();
    if (now >= deadline) break;
    group.drained_cv.wait_for(lock, std::min<Duration>(deadline - now, kClockPoll));
  }
  --group.drain_waiters;
  return drained(group, end_pos_);
}

}  // namespace orion::bus
