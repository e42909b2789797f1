#include "bus/redis_core.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "bus/redis_consumer.h"
#include "bus/redis_reply.h"
#include "bus/subscription_support.h"
#include "common/time.h"

namespace orion::bus {
namespace {

thread_local PublishScope* t_scope = nullptr;

// A consumer group name as a file name: anything but letters, digits, '.', '_' and '-' becomes
// '_' (group names come from code and node names, never from the network).
std::string fileNameFor(std::string_view group) {
  std::string name(group);
  for (char& c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return name;
}

}  // namespace

PublishScope::PublishScope(const void* core, std::vector<Outgoing>& outbox)
    : core_(core), outbox_(outbox), outer_(t_scope) {
  t_scope = this;
}

PublishScope::~PublishScope() { t_scope = outer_; }

std::vector<Outgoing>* PublishScope::current(const void* core) {
  for (PublishScope* scope = t_scope; scope != nullptr; scope = scope->outer_) {
    if (scope->core_ == core) return &scope->outbox_;
  }
  return nullptr;
}

DecodedEntries::Lookup DecodedEntries::lookup(const std::string& entry_id, Decoded& out) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(entry_id);
  if (inserted) {
    order_.push_back(entry_id);
    forgetOldestLocked();
    return Lookup::kClaimed;
  }
  if (it->second.pending) return Lookup::kElsewhere;
  out = takeLocked(it);
  return Lookup::kReady;
}

void DecodedEntries::resolve(const std::string& entry_id, std::optional<Decoded> decoded) {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(entry_id);
    if (!decoded) {
      // Not kept: each group decodes an invalid entry itself. Its id stays in order_; when it
      // comes to the front it forgets whatever is kept under that id by then (a miss at worst).
      if (it != entries_.end() && it->second.pending) entries_.erase(it);
    } else if (it == entries_.end()) {
      if (readers_ > 1) {  // forgotten meanwhile: kept for the others all the same
        entries_.emplace(entry_id, Slot{false, 1, std::move(*decoded)});
        order_.push_back(entry_id);
        forgetOldestLocked();
      }
    } else if (it->second.pending) {
      if (it->second.taken >= readers_) {
        entries_.erase(it);  // nobody else reads this stream here
      } else {
        it->second.pending = false;
        it->second.decoded = std::move(*decoded);
      }
    }
  }
  resolved_.notify_all();
}

std::optional<DecodedEntries::Decoded> DecodedEntries::wait(const std::string& entry_id) {
  std::unique_lock lock(mutex_);
  while (true) {
    auto it = entries_.find(entry_id);
    if (it == entries_.end()) return std::nullopt;
    if (!it->second.pending) return takeLocked(it);
    resolved_.wait(lock);
  }
}

std::optional<DecodedEntries::Decoded> DecodedEntries::find(const std::string& entry_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(entry_id);
  if (it == entries_.end() || it->second.pending) return std::nullopt;
  return it->second.decoded;
}

void DecodedEntries::setReaders(size_t readers) {
  std::lock_guard lock(mutex_);
  readers_ = std::max<size_t>(readers, 1);
}

size_t DecodedEntries::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

DecodedEntries::Decoded DecodedEntries::takeLocked(
    std::unordered_map<std::string, Slot>::iterator it) {
  if (++it->second.taken < readers_) return it->second.decoded;
  Decoded last = std::move(it->second.decoded);
  entries_.erase(it);
  return last;
}

void DecodedEntries::forgetOldestLocked() {
  while (order_.size() > kCapacity) {
    // A claim forgotten here is still resolved by its owner (resolve() adds it back) and its
    // waiters decode the entry themselves.
    auto it = entries_.find(order_.front());
    if (it != entries_.end()) entries_.erase(it);
    order_.pop_front();
  }
}

RedisCore::RedisCore(RedisBusOptions options,
                     std::shared_ptr<const contracts::ContractRegistry> contracts,
                     const Clock& clock, MetricsRegistry& metrics)
    : options_(std::move(options)),
      contracts_(std::move(contracts)),
      clock_(clock),
      metrics_(metrics),
      log_(makeLogger("bus")),
      health_("Redis at " + options_.endpoint.describe(), clock, metrics, log_) {
  for (const std::string& type : contracts_->types()) {
    Labels labels{{"type", type}};
    auto stream = std::unique_ptr<RedisStream>(new RedisStream{
        type,
        documentIdField(*contracts_, type),
        OutgoingStream{
            type, contracts::streamKey(options_.stream_prefix, type),
            metrics.counter("orion_bus_published_total", "Documents written to Redis", labels),
            metrics.counter("orion_bus_publish_failed_total",
                            "Documents Redis refused for good, or dropped from the "
                            "local queue",
                            labels)},
        metrics.counter("orion_bus_publish_rejected_total", "Publishes refused (invalid document)",
                        labels),
        {}});
    streams_.emplace(type, std::move(stream));
  }
  RedisWriterOptions writer;
  writer.queue_capacity = options_.local_queue_capacity;
  writer.max_stream_length = options_.max_stream_length;
  writer.reconnect = options_.reconnect;
  writer_ = std::make_unique<RedisWriter>(
      options_.endpoint, writer, clock, health_, metrics, log_,
      [this](RedisConnection& connection) { return createKnownGroups(connection); });
  admin_ = std::make_unique<RedisLink>(options_.endpoint, options_.reconnect, clock, health_,
                                       "admin", false);
  health_.setQueueDescription([this] { return writer_->describe(); });
}

Status RedisCore::start() {
  if (options_.redelivery_delay * options_.max_deliveries >= options_.claim_idle) {
    log_->warn(
        "bus.claim_idle ({}) is not longer than the retries of a failing handler take "
        "(bus.redelivery_delay × bus.max_deliveries): another consumer may take over an "
        "entry while it is being retried",
        formatDuration(options_.claim_idle));
  }
  Status error;
  {
    std::lock_guard lock(admin_mutex_);
    if (admin_->tryConnect(&error) == nullptr && error.code() != StatusCode::kUnavailable) {
      return error;
    }
  }
  if (!error.isOk()) {
    log_->warn("{}; starting degraded, publishes are queued until it is reachable",
               error.message());
  }
  writer_->start();
  return Status::ok();
}

const RedisStream* RedisCore::find(std::string_view type) const {
  auto it = streams_.find(type);
  return it == streams_.end() ? nullptr : it->second.get();
}

Result<std::string> RedisCore::publish(std::string_view type, const Json& document,
                                       std::string text) {
  const RedisStream* stream = find(type);
  if (stream == nullptr) return notFound(fmt::format("unknown contract type '{}'", type));
  Status valid = contracts_->validate(type, document);
  if (!valid) {
    stream->rejected.inc();
    return valid.withContext(fmt::format("publishing {} to {}", type, stream->out.key));
  }
  if (text.empty()) text = dumpJson(document);
  if (std::vector<Outgoing>* outbox = PublishScope::current(this)) {
    outbox->push_back(Outgoing{&stream->out, std::move(text), nullptr});
  } else {
    writer_->enqueue(stream->out, std::move(text), nullptr);
  }
  return std::string();
}

Status RedisCore::createGroup(RedisConnection& connection, const RedisStream& stream,
                              const std::string& group) {
  const char* start = options_.new_groups_from_beginning ? "0" : "$";
  Result<ReplyPtr> reply =
      connection.command({"XGROUP", "CREATE", stream.out.key, group, start, "MKSTREAM"});
  if (!reply) return reply.status();
  Status refused = replyError(**reply);
  if (!refused && refused.message().starts_with("BUSYGROUP")) return Status::ok();
  return refused.withContext(
      fmt::format("creating consumer group '{}' on {}", group, stream.out.key));
}

Status RedisCore::createKnownGroups(RedisConnection& connection) {
  std::vector<std::pair<const RedisStream*, std::string>> groups;
  {
    std::lock_guard lock(mutex_);
    groups.assign(groups_.begin(), groups_.end());
  }
  for (const auto& [stream, group] : groups) {
    Status created = createGroup(connection, *stream, group);
    // Only a transport error stops the writer; a refusal is the subscription's to report.
    if (created.code() == StatusCode::kUnavailable) return created;
  }
  return Status::ok();
}

Result<DedupWindow*> RedisCore::dedupWindow(const std::string& group, const std::string& type) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(group, type);
  if (auto it = windows_.find(key); it != windows_.end()) return it->second.get();
  state::StateStore* store = nullptr;
  if (!options_.state_dir.empty()) {
    auto& slot = stores_[group];
    if (!slot) {
      auto opened = state::StateStore::open(std::filesystem::path(options_.state_dir) /
                                            (fileNameFor(group) + ".log"));
      if (!opened) {
        return opened.status().withContext(
            fmt::format("the dedup window of consumer group '{}' (is another ORION process "
                        "using this state directory for the same group?)",
                        group));
      }
      slot = std::move(opened).value();
    }
    store = slot.get();
  }
  auto window = DedupWindow::open(options_.dedup_window, store, type);
  if (!window) return window.status();
  DedupWindow* raw = window->get();
  windows_.emplace(key, std::move(window).value());
  return raw;
}

Result<std::unique_ptr<Subscription>> RedisCore::subscribe(const SubscribeOptions& options,
                                                           Handler handler) {
  ORION_RETURN_IF_ERROR(checkSubscribeArguments(options, handler));
  const RedisStream* stream = find(options.type);
  if (stream == nullptr) return notFound(fmt::format("unknown contract type '{}'", options.type));
  std::string consumer =
      options_.node.empty() ? options.consumer : options.consumer + "@" + options_.node;
  auto identity = std::make_tuple(options.type, options.group, options.consumer);
  {
    std::lock_guard lock(mutex_);
    if (closed_) return failedPrecondition("subscribe: the bus is shutting down");
    if (live_.contains(identity)) {
      return Status(StatusCode::kAlreadyExists,
                    fmt::format("{}: consumer '{}' of group '{}' is already subscribed",
                                stream->out.key, options.consumer, options.group));
    }
  }
  Result<DedupWindow*> window = dedupWindow(options.group, options.type);
  if (!window) return window.status().withContext("subscribe");

  // Create the group now when Redis is reachable, so that what is published after subscribe()
  // returns reaches it (the supervisor starts consumers before producers). When Redis is not
  // reachable, the writer creates it before it writes anything and the consumer when it
  // connects; no connection is attempted here, so subscribing never waits for a dead host. A
  // refusal (NOPERM: this user may not read the stream) fails the subscription.
  {
    std::lock_guard lock(admin_mutex_);
    if (RedisConnection* connection = admin_->connected()) {
      Status created = createGroup(*connection, *stream, options.group);
      if (created.code() == StatusCode::kUnavailable) {
        admin_->fail(created);
      } else if (!created) {
        return created.withContext("subscribe");
      }
    }
  }

  auto consumer_ptr = std::make_shared<RedisConsumer>(
      shared_from_this(), *stream, options.group, consumer, options.consumer, std::move(handler),
      **window, options.before_ack, options.background);
  {
    std::lock_guard lock(mutex_);
    groups_.emplace(stream, options.group);
    stream->decoded.setReaders(static_cast<size_t>(std::count_if(
        groups_.begin(), groups_.end(), [&](const auto& g) { return g.first == stream; })));
    live_.insert(identity);
    std::erase_if(consumers_, [](const auto& c) { return c.expired(); });
    consumers_.push_back(consumer_ptr);
  }
  consumer_ptr->start();
  return makeRedisSubscription(std::move(consumer_ptr));
}

void RedisCore::forget(const RedisConsumer* consumer) {
  std::lock_guard lock(mutex_);
  live_.erase(std::make_tuple(consumer->type(), consumer->group(), consumer->localName()));
}

Result<GroupBacklog> RedisCore::queryBacklog(std::string_view type, std::string_view group) {
  const RedisStream* stream = find(type);
  if (stream == nullptr) return GroupBacklog{};
  std::lock_guard lock(admin_mutex_);
  Status error;
  RedisConnection* connection = admin_->tryConnect(&error);
  if (connection == nullptr) return error;
  auto run = [&](std::vector<std::string_view> args) -> Result<ReplyPtr> {
    Result<ReplyPtr> reply = connection->command(args);
    if (!reply) admin_->fail(reply.status());
    return reply;
  };
  Result<ReplyPtr> reply = run({"XINFO", "GROUPS", stream->out.key});
  if (!reply) return reply.status();
  // "ERR no such key": the stream does not exist yet, so neither does the group.
  if ((*reply)->type == REDIS_REPLY_ERROR) return GroupBacklog{};
  Result<std::vector<GroupInfo>> groups = parseGroupsInfo(reply->get());
  if (!groups) return groups.status();
  for (const GroupInfo& info : *groups) {
    if (info.name != group) continue;
    GroupBacklog backlog;
    backlog.pending = info.pending;
    if (info.lag) {
      backlog.unread = *info.lag;
      return backlog;
    }
    // Redis cannot count the lag after deletions: compare positions instead (0 or "some").
    Result<ReplyPtr> stream_info = run({"XINFO", "STREAM", stream->out.key});
    if (!stream_info) return stream_info.status();
    Result<std::string> last = parseLastGeneratedId(stream_info->get());
    if (!last) return last.status();
    backlog.unread = *last == info.last_delivered_id ? 0 : 1;
    return backlog;
  }
  return GroupBacklog{};
}

void RedisCore::deadLetter(const RedisStream& stream, GroupMetrics& metrics,
                           const RejectedAt& where, DeadletterReason reason, std::string text,
                           const Json* document, std::string_view raw) {
  if (stream.type == contracts::type::kDeadletter) {
    // Dead-lettering a dead letter would feed the stream it came from: stop here.
    log_->error("{}: dropping dead-letter entry {} that group '{}' could not handle: {}",
                stream.out.key, where.entry_id, where.group, text);
    metrics.deadletteredFor(DeadletterReason::kLost).inc();
    return;
  }
  contracts::Deadletter letter = makeDeadletter(where, text, document, raw, clock_.now());
  Result<std::string> sent = publish(contracts::type::kDeadletter, letter.toJson());
  if (!sent) {
    log_->error("{}: entry {} for group '{}' could not be dead-lettered ({}); it is lost: {}",
                stream.out.key, where.entry_id, where.group, sent.status().toString(), text);
    metrics.deadletteredFor(DeadletterReason::kLost).inc();
    return;
  }
  log_->warn("{}: entry {} for group '{}' dead-lettered ({}): {}", stream.out.key, where.entry_id,
             where.group, deadletterReasonName(reason), text);
  metrics.deadletteredFor(reason).inc();
}

void RedisCore::close() {
  std::vector<std::shared_ptr<RedisConsumer>> live;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    for (auto& weak : consumers_) {
      if (auto consumer = weak.lock()) live.push_back(std::move(consumer));
    }
  }
  for (auto& consumer : live) consumer->stop();
  persister_.stop();
  // What is still queued gets a moment to reach Redis (if it is reachable at all).
  writer_->stop(clock_.monotonic() +
                std::min<Duration>(options_.endpoint.read_timeout, std::chrono::seconds(1)));
}

Result<std::unique_ptr<Bus>> makeRedisBus(
    RedisBusOptions options, std::shared_ptr<const contracts::ContractRegistry> contracts,
    const Clock& clock, MetricsRegistry& metrics) {
  auto core = std::make_shared<RedisCore>(std::move(options), std::move(contracts), clock, metrics);
  ORION_RETURN_IF_ERROR(core->start());
  return std::unique_ptr<Bus>(std::make_unique<RedisBus>(std::move(core)));
}

}  // namespace orion::bus
