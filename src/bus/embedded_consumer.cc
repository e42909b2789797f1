#include "bus/embedded_consumer.h"

#include <fmt/format.h>

#include "bus/embedded_core.h"
#include "bus/subscription_support.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"

namespace orion::bus {

std::unique_ptr<Subscription> makeSubscription(std::shared_ptr<Consumer> consumer) {
  return std::make_unique<ConsumerSubscription<Consumer>>(std::move(consumer));
}

Consumer::Consumer(std::shared_ptr<EmbeddedCore> core, Stream& stream, std::string name,
                   Handler handler, std::function<Status()> before_ack, bool background)
    : core_(std::move(core)),
      stream_(stream),
      handler_(std::move(handler)),
      before_ack_(std::move(before_ack)),
      background_(background) {
  member_.name = std::move(name);
}

Consumer::~Consumer() { stop(); }

Status Consumer::start(std::string_view group) {
  Result<Group*> joined = stream_.join(group, member_);
  if (!joined) return joined.status();
  group_ = *joined;
  thread_ = std::thread([this] {
    nameThisThread(group_->name + ":" + stream_.type());
    if (background_) lowerThisThreadPriority().ignore();  // best effort
    run();
  });
  thread_id_.store(thread_.get_id());
  return Status::ok();
}

bool Consumer::drain(MonoTime deadline) { return stream_.drain(*group_, deadline); }

void Consumer::stop() {
  if (group_ == nullptr) return;  // never started
  if (std::this_thread::get_id() == thread_id_.load()) {
    stream_.requestStop(*group_, member_);
    return;
  }
  std::lock_guard lock(join_mutex_);
  if (!thread_.joinable()) return;
  stream_.requestStop(*group_, member_);
  thread_.join();
  stream_.leave(*group_, member_);
}

void Consumer::run() {
  thread_id_.store(std::this_thread::get_id());  // start() may not have stored it yet
  std::vector<Item> batch;
  std::vector<Orphan> orphans;
  std::vector<RecordPtr> released;
  Delivery delivery;
  delivery.type = stream_.type();
  auto deadLetterOrphans = [&] {
    for (Orphan& orphan : orphans) {
      core_->deadLetter(stream_, *orphan.record, *orphan.group, orphan.attempts,
                        DeadletterReason::kTrimmed, std::move(orphan.reason));
    }
    stream_.orphansDeadLettered(orphans);
    orphans.clear();
  };
  while (stream_.exchange(*group_, member_, batch, orphans, released)) {
    released.clear();
    deadLetterOrphans();
    for (size_t i = 0; i < batch.size(); ++i) {
      // A handler already running finishes; what is left of the batch goes back to the group.
      if (member_.stopping.load(std::memory_order_relaxed)) break;
      if (handle(batch[i], delivery) && before_ack_) accepted_.push_back(i);
    }
    confirmAccepted(batch);
    group_->metrics.delivered.inc(delivered_);
    group_->metrics.redelivered.inc(redelivered_);
    delivered_ = redelivered_ = 0;
  }
  deadLetterOrphans();
}

bool Consumer::handle(Item& item, Delivery& delivery) {
  Record& record = *item.record;
  // Validation on consume. The document is immutable from publish on and every group validates
  // it against the same immutable registry, so the first consumer that finds it valid records
  // that on the entry and the other groups' consumers skip the check: one validation per entry,
  // not one per group. A failure is not cached: it is rare and each group dead-letters its copy.
  if (!record.checked.load(std::memory_order_acquire)) {
    Status valid = core_->contracts().validate(stream_.type(), record.document);
    if (!valid) {
      deadLetter(item, DeadletterReason::kInvalid,
                 "failed validation on consume: " + valid.message());
      item.state = Item::State::kAcked;
      return false;
    }
    record.checked.store(true, std::memory_order_release);
  }

  record.formatId(delivery.entry_id);
  delivery.attempt = item.attempt;
  // The item's reference moves into the delivery and back (aliasing constructors), so a delivery
  // costs no reference-count traffic on the shared document.
  delivery.document = JsonPtr(std::move(item.record), &record.document);
  Status status = callGuarded("handler", handler_, delivery);
  item.record = RecordPtr(std::move(delivery.document), &record);
  ++delivered_;
  if (item.attempt > 1) ++redelivered_;

  if (status) {
    item.state = Item::State::kAcked;
    return true;
  }
  fail(item, status, delivery.entry_id);
  return false;
}

void Consumer::fail(Item& item, const Status& status, std::string_view entry_id) {
  if (status.code() == StatusCode::kInvalidArgument) {
    // The handler says this message can never succeed: retrying would only delay the verdict.
    deadLetter(item, DeadletterReason::kPoison,
               "handler rejected the message as invalid: " + status.toString());
    item.state = Item::State::kAcked;
  } else if (item.attempt >= core_->options().max_deliveries) {
    deadLetter(item, DeadletterReason::kHandlerError,
               fmt::format("handler failed on {} delivery attempt(s); last error: {}", item.attempt,
                           status.toString()));
    item.state = Item::State::kAcked;
  } else {
    core_->log()->debug(
        "{}: group '{}' consumer '{}': attempt {} of entry {} failed, will retry: {}",
        stream_.key(), group_->name, member_.name, item.attempt, entry_id, status.toString());
    item.state = Item::State::kRetry;
    item.error = status.toString();
  }
}

void Consumer::confirmAccepted(std::vector<Item>& batch) {
  if (accepted_.empty()) return;
  Status confirmed = callGuarded("before_ack", before_ack_);
  if (!confirmed) {
    // Not durable: every accepted entry is a failed attempt. Retryable whatever the code, since
    // the entries themselves were fine.
    Status retryable = confirmed.code() == StatusCode::kInvalidArgument
                           ? unavailable(confirmed.message())
                           : confirmed;
    std::string entry_id;
    for (size_t index : accepted_) {
      batch[index].record->formatId(entry_id);
      fail(batch[index], retryable.withContext("confirming before acknowledgement"), entry_id);
    }
  }
  accepted_.clear();
}

void Consumer::deadLetter(const Item& item, DeadletterReason reason, std::string text) {
  core_->deadLetter(stream_, *item.record, *group_, item.attempt, reason, std::move(text));
}

}  // namespace orion::bus
