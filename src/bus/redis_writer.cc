#include "bus/redis_writer.h"

#include <fmt/format.h>

#include "common/thread_name.h"

namespace orion::bus {
namespace {

// Documents per pipeline: enough to amortise a round trip, small enough that the first
// document's publisher is not kept waiting behind a huge write.
constexpr size_t kMaxWriteBatch = 256;

// An idle writer PINGs this often, so a Redis that went away is noticed (and reported) even when
// nothing is being published.
constexpr Duration kIdlePing = std::chrono::seconds(1);

// Waits for resolutions re-check `stopping` and the Clock at least this often.
constexpr Duration kResolvedPoll = std::chrono::milliseconds(5);

}  // namespace

RedisWriter::RedisWriter(const RedisEndpoint& endpoint, RedisWriterOptions options,
                         const Clock& clock, RedisHealth& health, MetricsRegistry& metrics,
                         Logger log, std::function<Status(RedisConnection&)> on_connect)
    : options_(options),
      clock_(clock),
      log_(std::move(log)),
      link_(endpoint, options.reconnect, clock, health, "writer"),
      on_connect_(std::move(on_connect)),
      queue_gauge_(metrics.gauge("orion_bus_local_queue_length",
                                 "Publishes waiting in the local queue to be written to Redis")),
      dropped_(
          metrics.counter("orion_bus_local_queue_dropped_total",
                          "Publishes dropped because the local queue was full (oldest first)")),
      max_length_(std::to_string(std::max<size_t>(options.max_stream_length, 1))) {
  options_.queue_capacity = std::max<size_t>(options_.queue_capacity, 1);
}

RedisWriter::~RedisWriter() { stop(clock_.monotonic()); }

void RedisWriter::start() {
  thread_ = std::thread([this] {
    nameThisThread("bus-writer");
    run();
  });
}

void RedisWriter::enqueue(const OutgoingStream& stream, std::string data,
                          std::shared_ptr<FlushTicket> ticket) {
  if (ticket) ticket->outstanding.fetch_add(1);
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{&stream, std::move(data), std::move(ticket)});
    while (queue_.size() > options_.queue_capacity) dropOldestLocked();
    queue_gauge_.set(static_cast<double>(queue_.size()));
  }
  work_cv_.notify_one();
}

void RedisWriter::dropOldestLocked() {
  Item& oldest = queue_.front();
  if (dropped_in_outage_ == 0) {
    log_->warn("local publish queue full ({} documents): dropping the oldest until Redis is back",
               options_.queue_capacity);
  }
  ++dropped_in_outage_;
  ++dropped_total_;
  dropped_.inc();
  resolveOutgoing(oldest, false);
  queue_.pop_front();
}

void resolveOutgoing(Outgoing& item, bool written) {
  if (!item.ticket) return;
  if (!written) item.ticket->lost.store(true);
  item.ticket->outstanding.fetch_sub(1);
}

bool RedisWriter::waitFor(const FlushTicket& ticket, const std::function<bool()>& stopping) {
  std::unique_lock lock(mutex_);
  while (ticket.outstanding.load() > 0) {
    if (stopping()) return false;
    resolved_cv_.wait_for(lock, kResolvedPoll);
  }
  return true;
}

bool RedisWriter::waitEmpty(MonoTime deadline) {
  std::unique_lock lock(mutex_);
  while (!queue_.empty() || in_flight_ > 0) {
    if (clock_.monotonic() >= deadline) return false;
    resolved_cv_.wait_for(lock, kResolvedPoll);
  }
  return true;
}

size_t RedisWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + in_flight_;
}

std::string RedisWriter::describe() const {
  std::lock_guard lock(mutex_);
  std::string text = fmt::format("{} publishes queued locally", queue_.size() + in_flight_);
  if (dropped_in_outage_ > 0) text += fmt::format(", {} dropped", dropped_in_outage_);
  return text;
}

void RedisWriter::stop(MonoTime deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stop_requested_.store(true);
    stop_deadline_ = deadline;
  }
  work_cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  if (!queue_.empty()) {
    log_->error("{} documents queued for Redis were not written before shutdown: they are lost",
                queue_.size());
    for (Item& item : queue_) resolveOutgoing(item, false);
    dropped_.inc(queue_.size());
    queue_.clear();
    queue_gauge_.set(0);
  }
  resolved_cv_.notify_all();
}

void RedisWriter::run() {
  std::vector<Item> batch;
  // At shutdown a writer without a connection gives up at once: waiting out a back-off delay
  // for a Redis that is down would only delay the exit.
  auto giving_up = [this] { return stop_requested_.load(); };
  while (true) {
    bool fresh = false;
    RedisConnection* connection = link_.connect(giving_up, &fresh);
    if (connection == nullptr) break;
    if (fresh) {
      Status ready = on_connect_ ? on_connect_(*connection) : Status::ok();
      if (!ready) {
        link_.fail(ready);
        continue;
      }
      link_.confirm();
    }
    bool ping = false;
    {
      std::unique_lock lock(mutex_);
      if (queue_.empty() && !stop_requested_) {
        ping =
            !work_cv_.wait_for(lock, kIdlePing, [&] { return !queue_.empty() || stop_requested_; });
      }
      if (stop_requested_ && (queue_.empty() || clock_.monotonic() >= stop_deadline_)) break;
      if (!ping) {
        size_t take = std::min(queue_.size(), kMaxWriteBatch);
        for (size_t i = 0; i < take; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        in_flight_ = batch.size();
        queue_gauge_.set(static_cast<double>(queue_.size()));
      }
    }
    if (ping) {
      Result<ReplyPtr> pong = connection->command({"PING"});
      if (!pong) link_.fail(pong.status());
      continue;
    }
    send(*connection, batch);
  }
}

XaddOutcome sendXadds(RedisConnection& connection, std::vector<Outgoing>& items,
                      std::vector<Outgoing>& again, const std::string& max_length,
                      const Logger& log, std::set<std::string>& warned) {
  appendXadds(connection, items, max_length);
  return readXadds(connection, items, again, log, warned);
}

void appendXadds(RedisConnection& connection, const std::vector<Outgoing>& items,
                 const std::string& max_length) {
  for (const Outgoing& item : items) {
    connection.append(
        {"XADD", item.stream->key, "MAXLEN", "~", max_length, "*", "data", item.data});
  }
}

XaddOutcome readXadds(RedisConnection& connection, std::vector<Outgoing>& items,
                      std::vector<Outgoing>& again, const Logger& log,
                      std::set<std::string>& warned) {
  XaddOutcome outcome;
  for (size_t i = 0; i < items.size(); ++i) {
    Outgoing& item = items[i];
    Result<ReplyPtr> reply = connection.reply();
    if (!reply) {
      // The rest of the pipeline may or may not have reached Redis: sent again after the
      // reconnect (at-least-once; consumers drop the duplicates).
      outcome.transport = reply.status();
      for (size_t j = i; j < items.size(); ++j) again.push_back(std::move(items[j]));
      break;
    }
    Status error = replyError(**reply);
    if (error.isOk()) {
      item.stream->published.inc();
      resolveOutgoing(item, true);
      ++outcome.written;
    } else if (error.code() == StatusCode::kUnavailable) {
      // OOM (maxmemory with noeviction), LOADING, ...: Redis may take it later.
      outcome.transient = error.withContext("Redis refuses writes");
      again.push_back(std::move(item));
    } else {
      item.stream->failed.inc();
      if (warned.insert(item.stream->key + error.message()).second) {
        log->error(
            "XADD to {} refused, document dropped (further refusals are counted in "
            "orion_bus_publish_failed_total): {}",
            item.stream->key, error.message());
      }
      resolveOutgoing(item, false);
      outcome.refused = true;
    }
  }
  items.clear();
  return outcome;
}

void RedisWriter::send(RedisConnection& connection, std::vector<Item>& batch) {
  std::vector<Item> again;  // not written yet: back to the front of the queue, in order
  XaddOutcome outcome = sendXadds(connection, batch, again, max_length_, log_, warned_);
  if (!outcome.transport.isOk()) {
    link_.fail(outcome.transport);
  } else if (!outcome.transient.isOk()) {
    link_.fail(outcome.transient);
  }
  {
    std::lock_guard lock(mutex_);
    for (auto it = again.rbegin(); it != again.rend(); ++it) queue_.push_front(std::move(*it));
    while (queue_.size() > options_.queue_capacity) dropOldestLocked();
    in_flight_ = 0;
    queue_gauge_.set(static_cast<double>(queue_.size()));
    if (outcome.written > 0 && dropped_in_outage_ > 0) {
      log_->warn("{} publishes were dropped from the full local queue while Redis was unreachable",
                 dropped_in_outage_);
      dropped_in_outage_ = 0;
    }
  }
  resolved_cv_.notify_all();
}

}  // namespace orion::bus
