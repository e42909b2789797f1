#include "bus/redis_consumer.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "bus/subscription_support.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"

namespace orion::bus {
namespace {

using std::chrono::milliseconds;

// The longest XREADGROUP BLOCK: a bound on how late a due claim or retry runs. stop() does not
// wait for it (it interrupts the read).
constexpr Duration kMaxBlock = std::chrono::seconds(1);
// History and claim rounds take at most this many pages per pass, so a huge backlog of pending
// entries does not starve new ones.
constexpr int kMaxPages = 16;
// While acknowledgements wait for their dedup commit, reads block at most this long.
constexpr Duration kAckPoll = milliseconds(2);
// drain() re-checks this often.
constexpr Duration kDrainPoll = milliseconds(10);

std::string millis(Duration duration) {
  return std::to_string(
      std::max<int64_t>(1, std::chrono::duration_cast<milliseconds>(duration).count()));
}

Duration claimInterval(Duration idle) {
  return std::clamp<Duration>(idle / 2, milliseconds(50), std::chrono::seconds(10));
}

}  // namespace

std::unique_ptr<Subscription> makeRedisSubscription(std::shared_ptr<RedisConsumer> consumer) {
  return std::make_unique<ConsumerSubscription<RedisConsumer>>(std::move(consumer));
}

RedisConsumer::RedisConsumer(std::shared_ptr<RedisCore> core, const RedisStream& stream,
                             std::string group, std::string consumer, std::string local_name,
                             Handler handler, DedupWindow& window,
                             std::function<Status()> before_ack, bool background)
    : core_(std::move(core)),
      stream_(stream),
      group_(std::move(group)),
      consumer_(std::move(consumer)),
      local_name_(std::move(local_name)),
      handler_(std::move(handler)),
      window_(window),
      before_ack_(std::move(before_ack)),
      background_(background),
      metrics_(makeGroupMetrics(core_->metrics(), stream_.type, group_)),
      count_(std::to_string(std::max<size_t>(core_->options().read_count, 1))),
      claim_interval_(claimInterval(core_->options().claim_idle)) {}

RedisConsumer::~RedisConsumer() { stop(); }

void RedisConsumer::start() {
  thread_ = std::thread([this] {
    nameThisThread(group_ + ":" + stream_.type);
    if (background_) lowerThisThreadPriority().ignore();  // best effort
    run();
  });
  thread_id_.store(thread_.get_id());
}

void RedisConsumer::stop() {
  {
    std::lock_guard lock(read_mutex_);
    stopping_.store(true);
    if (reading_ != nullptr) reading_->interrupt();
  }
  if (std::this_thread::get_id() == thread_id_.load()) return;  // a thread cannot join itself
  std::lock_guard lock(join_mutex_);
  if (!thread_.joinable()) return;
  thread_.join();
  core_->forget(this);
}

bool RedisConsumer::drain(MonoTime deadline) {
  while (true) {
    // While Redis is unreachable nothing can drain, and asking it would wait for a connection.
    if (core_->healthy() && core_->writer().queued() == 0 && holding_.load() == 0) {
      Result<GroupBacklog> backlog = core_->queryBacklog(stream_.type, group_);
      if (backlog && backlog->empty()) return true;
    }
    if (core_->clock().monotonic() >= deadline || stopping()) return false;
    std::this_thread::sleep_for(kDrainPoll);
  }
}

void RedisConsumer::run() {
  thread_id_.store(std::this_thread::get_id());  // start() may not have stored it yet
  const RedisBusOptions& options = core_->options();
  RedisLink link(options.endpoint, options.reconnect, core_->clock(), core_->health(),
                 fmt::format("subscription {}/{}", stream_.out.key, group_));
  auto is_stopping = [this] { return stopping(); };
  bool need_history = true;
  bool need_group = true;
  next_claim_ = core_->clock().monotonic();  // a consumer that starts takes over at once
  while (!stopping()) {
    bool fresh = false;
    RedisConnection* connection = link.connect(is_stopping, &fresh);
    if (connection == nullptr) break;
    Status status;
    if (fresh) {
      // The socket timeout must outlast the longest BLOCK.
      status = connection->setReadTimeout(options.endpoint.read_timeout + kMaxBlock);
      need_history = need_group = true;
      acks_.clear();  // the history read takes those entries back; the dedup window acks them
      takeCommittedAcks();
      acks_.clear();
    }
    if (status && need_group) status = settleUnsettled(*connection);
    if (status && need_group) {
      status = core_->createGroup(*connection, stream_, group_);
      // This thread writes its handlers' output itself: the other groups of this process must
      // exist before it does (see RedisWriter, which does the same).
      if (status) status = core_->createKnownGroups(*connection);
      if (status) need_group = false;
    }
    if (status) link.confirm();
    if (status && need_history) {
      status = readHistory(*connection);
      if (status) need_history = false;
    }
    if (status && core_->clock().monotonic() >= next_claim_) status = claim(*connection);
    if (status) status = runRetries(*connection);
    if (status) status = readNew(*connection);
    if (stopping()) {
      // A last acknowledgement so a clean stop leaves nothing pending that was handled (the
      // connection is broken if stop() interrupted a read; then the next start takes them back).
      if (status && !connection->broken()) flushAcks(*connection).ignore();
      break;
    }
    if (!status) abandonUnsettled();  // readNew settles before anything can fail
    if (status) continue;
    if (status.code() == StatusCode::kNotFound) {
      // NOGROUP: the stream or the group was deleted under us; create it again.
      core_->log()->warn("{}: group '{}' is gone ({}); creating it again", stream_.out.key, group_,
                         status.message());
      need_group = true;
      continue;
    }
    link.fail(status);
  }
  abandonUnsettled();
}

Result<std::vector<int>> RedisConsumer::deliveryCounts(RedisConnection& connection,
                                                       const std::vector<StreamEntry>& entries) {
  std::vector<int> counts(entries.size(), 1);
  if (entries.empty()) return counts;
  std::string count = std::to_string(entries.size());
  Result<ReplyPtr> reply =
      connection.command({"XPENDING", stream_.out.key, group_, entries.front().id,
                          entries.back().id, count, consumer_});
  if (!reply) return reply.status();
  if (Status refused = replyError(**reply); !refused) return refused;
  Result<std::vector<std::pair<std::string, int64_t>>> pending = parsePendingCounts(reply->get());
  if (!pending) return pending.status();
  for (size_t i = 0; i < entries.size(); ++i) {
    for (const auto& [id, deliveries] : *pending) {
      if (id == entries[i].id) counts[i] = static_cast<int>(std::max<int64_t>(deliveries, 1));
    }
  }
  return counts;
}

Status RedisConsumer::readHistory(RedisConnection& connection) {
  ORION_RETURN_IF_ERROR(settleUnsettled(connection));
  std::string after = "0";
  for (int page = 0; page < kMaxPages && !stopping(); ++page) {
    Result<ReplyPtr> reply = connection.command({"XREADGROUP", "GROUP", group_, consumer_, "COUNT",
                                                 count_, "STREAMS", stream_.out.key, after});
    if (!reply) return reply.status();
    if (Status refused = replyError(**reply); !refused) return refused;
    Result<std::vector<StreamEntry>> entries = parseReadReply(reply->get());
    if (!entries) return entries.status();
    if (entries->empty()) return Status::ok();
    after = entries->back().id;
    std::erase_if(*entries, [&](const StreamEntry& e) { return holds(e.id); });
    Result<std::vector<int>> counts = deliveryCounts(connection, *entries);
    if (!counts) return counts.status();
    std::vector<Held> batch;
    for (size_t i = 0; i < entries->size(); ++i) {
      batch.push_back(Held{std::move((*entries)[i]), nullptr, {}, (*counts)[i], {}});
    }
    if (!batch.empty()) {
      core_->log()->info(
          "{}: group '{}' consumer '{}': resuming {} entries it had not acknowledged",
          stream_.out.key, group_, consumer_, batch.size());
    }
    ORION_RETURN_IF_ERROR(process(connection, std::move(batch)));
  }
  return Status::ok();
}

Status RedisConsumer::claim(RedisConnection& connection) {
  ORION_RETURN_IF_ERROR(settleUnsettled(connection));
  next_claim_ = core_->clock().monotonic() + claim_interval_;
  std::string cursor = "0-0";
  std::string idle = millis(core_->options().claim_idle);
  for (int page = 0; page < kMaxPages && !stopping(); ++page) {
    Result<ReplyPtr> reply = connection.command(
        {"XAUTOCLAIM", stream_.out.key, group_, consumer_, idle, cursor, "COUNT", count_});
    if (!reply) return reply.status();
    if (Status refused = replyError(**reply); !refused) return refused;
    Result<ClaimReply> claimed = parseClaimReply(reply->get());
    if (!claimed) return claimed.status();
    // Pending entries whose data was trimmed away: Redis has dropped them from the pending list.
    metrics_.dropped.inc(claimed->deleted.size());
    std::vector<StreamEntry>& entries = claimed->entries;
    std::erase_if(entries, [&](const StreamEntry& e) { return holds(e.id); });
    if (!entries.empty()) {
      Result<std::vector<int>> counts = deliveryCounts(connection, entries);
      if (!counts) return counts.status();
      core_->log()->info(
          "{}: group '{}' consumer '{}': took over {} entries pending for more "
          "than {} (a consumer stopped or crashed)",
          stream_.out.key, group_, consumer_, entries.size(), idle + "ms");
      metrics_.reclaimed.inc(entries.size());
      std::vector<Held> batch;
      for (size_t i = 0; i < entries.size(); ++i) {
        batch.push_back(Held{std::move(entries[i]), nullptr, {}, (*counts)[i], {}});
      }
      ORION_RETURN_IF_ERROR(process(connection, std::move(batch)));
    }
    cursor = claimed->cursor;
    if (cursor == "0-0" || cursor.empty()) break;
  }
  return Status::ok();
}

Status RedisConsumer::runRetries(RedisConnection& connection) {
  if (parked_.empty()) return Status::ok();
  ORION_RETURN_IF_ERROR(settleUnsettled(connection));
  MonoTime now = core_->clock().monotonic();
  std::vector<Held> due;
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (it->ready_at <= now) {
      due.push_back(std::move(*it));
      it = parked_.erase(it);
    } else {
      ++it;
    }
  }
  holding_.fetch_sub(due.size());
  return process(connection, std::move(due));
}

Duration RedisConsumer::blockTime(MonoTime now) const {
  Duration wait = std::min<Duration>(kMaxBlock, next_claim_ - now);
  // Acknowledgements waiting for their dedup commit should not wait for a whole BLOCK as well.
  if (committed_acks_->committing.load() > 0 || unsettled_) {
    wait = std::min<Duration>(wait, kAckPoll);
  }
  for (const Held& held : parked_) wait = std::min<Duration>(wait, held.ready_at - now);
  return std::max<Duration>(wait, milliseconds(1));
}

Status RedisConsumer::readNew(RedisConnection& connection) {
  std::string block = millis(blockTime(core_->clock().monotonic()));
  {
    std::lock_guard lock(read_mutex_);
    if (stopping()) return Status::ok();
    reading_ = &connection;
  }
  // The acknowledgements of the last batches travel in the same round trip as the next read, and
  // so do the last batch's publishes (queued by process()): their replies come first.
  takeCommittedAcks();
  const size_t acks_sent = acks_.size();  // settling may queue more, for the next read
  bool acking = acks_sent > 0;
  if (acking) connection.append(ackCommand());
  connection.append({"XREADGROUP", "GROUP", group_, consumer_, "COUNT", count_, "BLOCK", block,
                     "STREAMS", stream_.out.key, ">"});
  Status settled = settleUnsettled(connection);
  Result<ReplyPtr> acked = !settled ? Result<ReplyPtr>(settled)
                           : acking ? connection.reply()
                                    : Result<ReplyPtr>(ReplyPtr());
  Result<ReplyPtr> reply = acked ? connection.reply() : acked.status();
  {
    std::lock_guard lock(read_mutex_);
    reading_ = nullptr;
  }
  if (!reply) return stopping() ? Status::ok() : reply.status();
  if (acking) {
    if (Status refused = replyError(**acked); !refused) return refused;
    metrics_.acked.inc(acks_sent);
    acks_.erase(acks_.begin(), acks_.begin() + static_cast<ptrdiff_t>(acks_sent));
  }
  if (Status refused = replyError(**reply); !refused) return refused;
  Result<std::vector<StreamEntry>> entries = parseReadReply(reply->get());
  if (!entries) return entries.status();
  std::vector<Held> batch;
  batch.reserve(entries->size());
  for (StreamEntry& entry : *entries) batch.push_back(Held{std::move(entry), nullptr, {}, 1, {}});
  return process(connection, std::move(batch), /*defer_outbox=*/true);
}

std::vector<std::string_view> RedisConsumer::ackCommand() const {
  std::vector<std::string_view> args = {"XACK", stream_.out.key, group_};
  for (const std::string& id : acks_) args.push_back(id);
  return args;
}

Status RedisConsumer::flushAcks(RedisConnection& connection) {
  ORION_RETURN_IF_ERROR(settleUnsettled(connection));
  takeCommittedAcks();
  if (acks_.empty()) return Status::ok();
  Result<ReplyPtr> reply = connection.command(ackCommand());
  if (!reply) return reply.status();
  if (Status refused = replyError(**reply); !refused) return refused;
  metrics_.acked.inc(acks_.size());
  acks_.clear();
  return Status::ok();
}

bool RedisConsumer::holds(const std::string& id) const {
  return std::any_of(parked_.begin(), parked_.end(),
                     [&](const Held& held) { return held.entry.id == id; });
}

Status RedisConsumer::process(RedisConnection& connection, std::vector<Held> batch,
                              bool defer_outbox) {
  if (batch.empty()) return Status::ok();
  holding_.fetch_add(batch.size());
  Handled handled;
  size_t parked = 0;
  auto park = [&](Held& held) {
    parked_.push_back(std::move(held));
    ++parked;
  };
  {
    PublishScope scope(core_.get(), handled.outbox);
    decodeBatch(batch);
    std::vector<Held*> accepted;  // awaiting before_ack_
    for (Held& held : batch) {
      // A handler already running finishes; the rest of the batch stays pending in Redis and is
      // taken back by this consumer (or claimed by another) later.
      if (stopping()) break;
      Outcome outcome = handle(held, handled.keys);
      if (outcome == Outcome::kPark) {
        park(held);
      } else if (outcome == Outcome::kAccepted && before_ack_) {
        accepted.push_back(&held);
      } else {
        handled.acks.push_back(held.entry.id);
      }
    }
    if (!accepted.empty()) {
      Status confirmed = callGuarded("before_ack", before_ack_);
      // Not durable: every accepted entry is a failed attempt, retryable whatever the code since
      // the entries themselves were fine.
      Status retryable = confirmed.code() == StatusCode::kInvalidArgument
                             ? unavailable(confirmed.message())
                             : confirmed;
      for (Held* held : accepted) {
        if (confirmed) {
          handled.acks.push_back(held->entry.id);
          continue;
        }
        std::erase(handled.keys, held->key);
        window_.release({held->key});
        if (fail(*held, retryable.withContext("confirming before acknowledgement")) ==
            Outcome::kPark) {
          park(*held);
        } else {
          handled.acks.push_back(held->entry.id);
        }
      }
    }
  }
  handled.settles = batch.size() - parked;
  if (defer_outbox && !handled.outbox.empty()) {
    // The publishes go out in the same round trip as the next read (readNew), which reads their
    // replies first and then settles the batch.
    appendXadds(connection, handled.outbox, core_->writer().maxLength());
    unsettled_ = std::move(handled);
    return Status::ok();
  }
  return settle(connection, std::move(handled), /*appended=*/false);
}

Status RedisConsumer::settleUnsettled(RedisConnection& connection) {
  if (!unsettled_) return Status::ok();
  Handled handled = std::move(*unsettled_);
  unsettled_.reset();
  return settle(connection, std::move(handled), /*appended=*/true);
}

void RedisConsumer::abandonUnsettled() {
  if (!unsettled_) return;
  // Never sent: the batch stays pending in Redis and is handled again (by a later start, or by
  // another consumer of the group, whose claims these held keys must not block).
  window_.release(unsettled_->keys);
  holding_.fetch_sub(unsettled_->settles);
  unsettled_.reset();
}

Status RedisConsumer::settle(RedisConnection& connection, Handled handled, bool appended) {
  // Acknowledge only what is safe: what the handlers published (dead letters included) must be
  // in Redis first, or a crash would lose it. This thread writes it itself, in one pipeline on
  // its own connection (no hand-over to the writer thread on the way). If a document was lost,
  // or we are stopping before it was written, the batch stays pending and is handled again later
  // (its keys are released, so the dedup window lets it in).
  bool lost = false;
  Status written = writeOutbox(connection, handled.outbox, lost, appended);
  holding_.fetch_sub(handled.settles);
  if (lost) {
    window_.release(handled.keys);
    if (!stopping()) {
      core_->log()->warn(
          "{}: group '{}': {} entries left pending because what their handlers "
          "published could not be written; they will be handled again",
          stream_.out.key, group_, handled.acks.size());
    }
    return written;
  }
  // Acknowledgements are sent with the next read (readNew); those of handled messages only once
  // their dedup keys are persisted, which the persister does off this thread. If the connection
  // breaks meanwhile, the entries come back through the history read after the reconnect and the
  // dedup window, committed by then, recognises them.
  if (handled.keys.empty()) {
    acks_.insert(acks_.end(), std::make_move_iterator(handled.acks.begin()),
                 std::make_move_iterator(handled.acks.end()));
    return written;
  }
  std::shared_ptr<AckBox> box = committed_acks_;
  box->committing.fetch_add(1);
  core_->persister().submit(
      window_, std::move(handled.keys),
      [box, acks = std::move(handled.acks), log = core_->log(),
       where = stream_.out.key + " group '" + group_ + "'"](const Status& done) {
        if (!done) {
          // Still acknowledged: handling them again now is a certain duplicate, while a lost
          // dedup key only matters if the same entry comes back later.
          log->error("{}: {}", where, done.message());
        }
        std::lock_guard lock(box->mutex);
        box->ids.insert(box->ids.end(), acks.begin(), acks.end());
        box->committing.fetch_sub(1);
      });
  return written;
}

void RedisConsumer::takeCommittedAcks() {
  std::lock_guard lock(committed_acks_->mutex);
  std::vector<std::string>& ids = committed_acks_->ids;
  acks_.insert(acks_.end(), std::make_move_iterator(ids.begin()),
               std::make_move_iterator(ids.end()));
  ids.clear();
}

Status RedisConsumer::writeOutbox(RedisConnection& connection, std::vector<Outgoing>& outbox,
                                  bool& lost, bool appended) {
  if (outbox.empty()) return Status::ok();
  std::vector<Outgoing> again;
  XaddOutcome outcome = appended ? readXadds(connection, outbox, again, core_->log(), warned_)
                                 : sendXadds(connection, outbox, again, core_->writer().maxLength(),
                                             core_->log(), warned_);
  lost = outcome.refused;
  if (!again.empty()) {
    // The connection broke, or Redis refuses writes for now: the writer takes them over (in
    // order; it reconnects and retries on its own) and this batch waits for them.
    auto ticket = std::make_shared<FlushTicket>();
    for (Outgoing& item : again) {
      core_->writer().enqueue(*item.stream, std::move(item.data), ticket);
    }
    if (!core_->writer().waitFor(*ticket, [this] { return stopping(); }) || ticket->lost.load()) {
      lost = true;
    }
  }
  return outcome.transport;
}

void RedisConsumer::decodeBatch(std::vector<Held>& batch) {
  std::vector<Held*> elsewhere;
  for (Held& held : batch) {
    if (held.document || held.invalid || held.entry.deleted) continue;
    DecodedEntries::Decoded ready;
    switch (stream_.decoded.lookup(held.entry.id, ready)) {
      case DecodedEntries::Lookup::kReady:
        held.document = std::move(ready.document);  // another group of this process did it
        held.key = std::move(ready.key);
        break;
      case DecodedEntries::Lookup::kClaimed:
        try {
          decode(held);  // resolves the claim either way
        } catch (...) {
          stream_.decoded.resolve(held.entry.id, std::nullopt);  // nobody may wait for it forever
          throw;
        }
        break;
      case DecodedEntries::Lookup::kElsewhere:
        elsewhere.push_back(&held);
        break;
    }
  }
  // Every claim of this thread is resolved: waiting now cannot wait for this thread.
  for (Held* held : elsewhere) {
    if (std::optional<DecodedEntries::Decoded> ready = stream_.decoded.wait(held->entry.id)) {
      held->document = std::move(ready->document);
      held->key = std::move(ready->key);
    } else {
      decode(*held);  // not valid for the other group either, or forgotten: decide for ourselves
    }
  }
}

bool RedisConsumer::decode(Held& held) {
  const StreamEntry& entry = held.entry;
  auto invalid = [&](std::string text, const Json* document) {
    stream_.decoded.resolve(entry.id, std::nullopt);
    deadLetter(held, DeadletterReason::kInvalid, std::move(text), document);
    held.invalid = true;
    return false;
  };
  if (!entry.data) {
    return invalid("the entry has no 'data' field (fields: " + entry.fields + ")", nullptr);
  }
  Result<Json> parsed = parseJson(*entry.data);
  if (!parsed) {
    return invalid("the 'data' field is not JSON: " + parsed.status().message(), nullptr);
  }
  Status valid = core_->contracts().validate(stream_.type, *parsed);
  if (!valid) return invalid("failed validation on consume: " + valid.message(), &*parsed);
  std::string id;
  if (!stream_.id_field.empty() && (*parsed)[stream_.id_field].is_string()) {
    id = (*parsed)[stream_.id_field].get<std::string>();
  }
  held.key = dedupKey(id, *entry.data);
  held.document = std::make_shared<const Json>(std::move(parsed).value());
  stream_.decoded.resolve(entry.id, DecodedEntries::Decoded{held.document, held.key});
  return true;
}

RedisConsumer::Outcome RedisConsumer::handle(Held& held, std::vector<std::string>& handled_keys) {
  if (held.entry.deleted) {
    metrics_.dropped.inc();  // trimmed (MAXLEN) while it was pending: nothing left to handle
    return Outcome::kAck;
  }
  if (held.invalid) return Outcome::kAck;  // dead-lettered by decodeBatch()
  if (!held.document && !decode(held)) return Outcome::kAck;
  if (!window_.claim(held.key)) {
    metrics_.duplicates.inc();
    core_->log()->debug("{}: group '{}': entry {} is a duplicate of a message already handled",
                        stream_.out.key, group_, held.entry.id);
    return Outcome::kAck;
  }
  Delivery delivery{stream_.type, held.entry.id, held.document, held.attempt};
  Status status = callHandler(handler_, delivery);
  metrics_.delivered.inc();
  if (held.attempt > 1) metrics_.redelivered.inc();
  if (status) {
    handled_keys.push_back(held.key);
    return Outcome::kAccepted;
  }
  window_.release({held.key});
  return fail(held, status);
}

RedisConsumer::Outcome RedisConsumer::fail(Held& held, const Status& status) {
  const int max = std::max(core_->options().max_deliveries, 1);
  if (status.code() == StatusCode::kInvalidArgument) {
    deadLetter(held, DeadletterReason::kPoison,
               "handler rejected the message as invalid: " + status.toString(),
               held.document.get());
    return Outcome::kAck;
  }
  if (held.attempt >= max) {
    deadLetter(held, DeadletterReason::kHandlerError,
               fmt::format("handler failed on {} delivery attempt(s); last error: {}", held.attempt,
                           status.toString()),
               held.document.get());
    return Outcome::kAck;
  }
  core_->log()->debug("{}: group '{}' consumer '{}': attempt {} of entry {} failed, will retry: {}",
                      stream_.out.key, group_, consumer_, held.attempt, held.entry.id,
                      status.toString());
  held.ready_at = core_->clock().monotonic() + core_->options().redelivery_delay * held.attempt;
  ++held.attempt;
  return Outcome::kPark;
}

void RedisConsumer::deadLetter(const Held& held, DeadletterReason reason, std::string text,
                               const Json* document) {
  std::string_view raw =
      held.entry.data ? std::string_view(*held.entry.data) : std::string_view(held.entry.fields);
  core_->deadLetter(stream_, metrics_,
                    {stream_.out.key, stream_.type, group_, held.entry.id, held.attempt}, reason,
                    std::move(text), document, raw);
}

}  // namespace orion::bus
