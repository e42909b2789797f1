#include "bus/embedded_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/time.h"

namespace orion::bus {

void Record::formatId(std::string& out) const {
  char text[48];
  char* end = std::to_chars(text, text + 24, ms).ptr;
  *end++ = '-';
  end = std::to_chars(end, text + sizeof(text), seq).ptr;
  out.assign(text, end);
}

std::string Record::id() const {
  std::string id;
  formatId(id);
  return id;
}

Stream::Stream(std::string type, std::string key, const EmbeddedBusOptions& options,
               const Clock& clock, MetricsRegistry& metrics, Logger log)
    : type_(std::move(type)),
      key_(std::move(key)),
      options_(options),
      clock_(clock),
      metrics_(metrics),
      log_(std::move(log)),
      published_(metrics.counter("orion_bus_published_total", "Documents accepted by publish",
                                 {{"type", type_}})),
      rejected_(metrics.counter("orion_bus_publish_rejected_total",
                                "Publishes refused (invalid document, or full stream timed out)",
                                {{"type", type_}})),
      blocked_(metrics.counter("orion_bus_publish_blocked_total",
                               "Publishes that found the stream full and had to wait",
                               {{"type", type_}})),
      length_gauge_(metrics.gauge("orion_bus_stream_length", "Entries retained in the stream",
                                  {{"type", type_}})) {}

Result<std::string> Stream::append(RecordPtr record, std::vector<Orphan>& orphans) {
  // Consumers are woken after the lock is released, so they do not wake only to block on it.
  // Groups are never destroyed while the stream exists, so the pointers stay valid.
  std::array<Group*, 4> wake{};
  size_t wake_count = 0;
  {
    std::unique_lock lock(mutex_);
    if (length() >= options_.max_stream_length) {
      if (options_.when_full == WhenFull::kBlock) {
        blocked_.inc();
        ++blocked_publishers_;
        bool room = space_cv_.wait_for(lock, options_.block_timeout, [&] {
          return closed_ || length() < options_.max_stream_length;
        });
        --blocked_publishers_;
        if (closed_) return Status(StatusCode::kCancelled, key_ + ": the bus is shutting down");
        if (!room) {
          rejected_.inc();
          return Status(StatusCode::kResourceExhausted,
                        fmt::format("{} is full ({} entries): group '{}' has not acknowledged "
                                    "its oldest entry within {}",
                                    key_, length(), slowestGroup()->name,
                                    formatDuration(options_.block_timeout)));
        }
      } else {
        while (length() >= options_.max_stream_length) trimOldest(orphans);
      }
    }

    // Ids follow the wall clock but never go backwards: within one millisecond, or after the wall
    // clock stepped back, the previous millisecond is kept and the sequence disambiguates.
    auto ms = std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
               .count());
    if (end_pos_ == 0 || ms > last_ms_) {
      last_ms_ = ms;
      last_seq_ = 0;
    } else {
      ++last_seq_;
    }
    record->ms = last_ms_;
    record->seq = last_seq_;

    if (groups_.empty()) {
      ++end_pos_;  // no group will ever read it
      first_pos_ = end_pos_;
    } else {
      entries_.pushBack(record);
      ++end_pos_;
    }
    end_hint_.store(end_pos_, std::memory_order_release);
    published_.inc();
    length_gauge_.set(static_cast<double>(length()));
    for (auto& group : groups_) {
      updateLag(*group);
      if (group->waiting == 0) continue;
      if (wake_count < wake.size()) {
        wake[wake_count++] = group.get();
      } else {
        group->work_cv.notify_one();
      }
    }
  }
  for (size_t i = 0; i < wake_count; ++i) wake[i]->work_cv.notify_one();
  return record->id();
}

void Stream::trimOldest(std::vector<Orphan>& orphans) {
  const uint64_t pos = first_pos_;
  for (auto& group_ptr : groups_) {
    Group& group = *group_ptr;
    if (group.next_pos <= pos) {
      // Unread by this group: it loses the entry (Redis MAXLEN semantics), counted.
      group.next_pos = group.floor = pos + 1;
      group.metrics.dropped.inc();
      if (!warned_full_) {
        log_->warn("{} is full ({} entries): dropping the oldest entries unread by group '{}'",
                   key_, options_.max_stream_length, group.name);
        warned_full_ = true;
      }
    } else if (group.floor == pos) {
      Slot& slot = group.window.front();
      if (!slot.done) {
        --group.pending;
        ++group.orphans;
        if (slot.owner == nullptr) {
          // Parked for redelivery: it can no longer be redelivered, so it is dead-lettered rather
          // than silently lost. A slot owned by a consumer is found missing when it settles.
          std::erase(group.parked, pos);
          orphans.push_back({&group, entries_.front(), slot.attempts,
                             fmt::format("trimmed from the full stream while awaiting "
                                         "redelivery after {} failed attempt(s); last error: {}",
                                         slot.attempts, slot.last_error)});
        }
      }
      group.window.popFront();
      ++group.floor;
      popDone(group);
    }
    updateLag(group);
  }
  entries_.popFront();
  ++first_pos_;
  releaseAcknowledged(nullptr);
}

Result<Group*> Stream::join(std::string_view group_name, Member& member) {
  std::lock_guard lock(mutex_);
  if (closed_) return failedPrecondition(key_ + ": the bus is shutting down");
  Group* group = nullptr;
  for (auto& existing : groups_) {
    if (existing->name == group_name) group = existing.get();
  }
  if (group == nullptr) {
    std::string name(group_name);
    GroupMetrics metrics = makeGroupMetrics(metrics_, type_, name);
    groups_.push_back(std::make_unique<Group>(std::move(name), end_pos_, metrics));
    group = groups_.back().get();
  }
  for (const Member* other : group->members) {
    if (other->name == member.name) {
      return Status(StatusCode::kAlreadyExists,
                    fmt::format("{}: consumer '{}' of group '{}' is already subscribed", key_,
                                member.name, group->name));
    }
  }
  group->members.push_back(&member);
  return group;
}

void Stream::leave(Group& group, Member& member) {
  std::lock_guard lock(mutex_);
  std::erase(group.members, &member);
}

void Stream::releaseAcknowledged(std::vector<RecordPtr>* released) {
  uint64_t needed = end_pos_;
  for (const auto& group : groups_) needed = std::min(needed, group->floor);
  if (needed <= first_pos_) return;
  while (first_pos_ < needed) {
    if (released != nullptr) released->push_back(std::move(entries_.front()));
    entries_.popFront();
    ++first_pos_;
  }
  length_gauge_.set(static_cast<double>(length()));
  if (length() <= options_.max_stream_length / 2) warned_full_ = false;
  if (blocked_publishers_ > 0) space_cv_.notify_all();
}

void Stream::updateLag(Group& group) {
  group.metrics.lag.set(static_cast<double>(end_pos_ - group.next_pos + group.pending));
}

const Group* Stream::slowestGroup() const {
  const Group* slowest = groups_.front().get();
  for (const auto& group : groups_) {
    if (group->floor < slowest->floor) slowest = group.get();
  }
  return slowest;
}

GroupBacklog Stream::backlog(std::string_view group_name) const {
  std::lock_guard lock(mutex_);
  for (const auto& group : groups_) {
    if (group->name == group_name) return {end_pos_ - group->next_pos, group->pending};
  }
  return {};
}

void Stream::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (auto& group : groups_) {
    group->work_cv.notify_all();
    group->drained_cv.notify_all();
  }
  space_cv_.notify_all();
}

}  // namespace orion::bus
