#include "bus/embedded_core.h"

#include <fmt/format.h>

#include <algorithm>

#include "bus/embedded_consumer.h"
#include "bus/subscription_support.h"
#include "contracts/documents.h"

namespace orion::bus {
namespace {

EmbeddedBusOptions sanitised(EmbeddedBusOptions options) {
  // A zero bound or zero attempts would make every publish or every delivery fail; the config
  // layer rejects them, and the bus clamps rather than misbehave if handed one anyway.
  options.max_stream_length = std::max<size_t>(options.max_stream_length, 1);
  options.max_deliveries = std::max(options.max_deliveries, 1);
  return options;
}

}  // namespace

EmbeddedCore::EmbeddedCore(EmbeddedBusOptions options,
                           std::shared_ptr<const contracts::ContractRegistry> contracts,
                           const Clock& clock, MetricsRegistry& metrics)
    : options_(sanitised(std::move(options))),
      contracts_(std::move(contracts)),
      clock_(clock),
      log_(makeLogger("bus")) {
  for (const std::string& type : contracts_->types()) {
    streams_.emplace(
        type, std::make_unique<Stream>(type, contracts::streamKey(options_.stream_prefix, type),
                                       options_, clock_, metrics, log_));
  }
}

Stream* EmbeddedCore::find(std::string_view type) const {
  auto it = streams_.find(type);
  return it == streams_.end() ? nullptr : it->second.get();
}

Result<std::string> EmbeddedCore::publish(std::string_view type, const Json& document) {
  // The one copy a publish makes: the bus owns an immutable document that every group's
  // deliveries share.
  return publish(type, Json(document));
}

Result<std::string> EmbeddedCore::publish(std::string_view type, Json&& document) {
  Stream* stream = find(type);
  if (stream == nullptr) return notFound(fmt::format("unknown contract type '{}'", type));
  Status valid = contracts_->validate(type, document);
  if (!valid) {
    stream->countRejected();
    return valid.withContext(fmt::format("publishing {} to {}", type, stream->key()));
  }
  return append(*stream, std::make_shared<Record>(std::move(document)));
}

Result<std::string> EmbeddedCore::publishUnchecked(std::string_view type, const Json& document) {
  Stream* stream = find(type);
  if (stream == nullptr) return notFound(fmt::format("unknown contract type '{}'", type));
  return append(*stream, std::make_shared<Record>(document));
}

Result<std::string> EmbeddedCore::append(Stream& stream, RecordPtr record) {
  std::vector<Orphan> orphans;
  Result<std::string> id = stream.append(std::move(record), orphans);
  // Entries the trim took from a group while parked for redelivery: dead-lettered here, on the
  // publisher's thread, outside the stream's lock.
  for (Orphan& orphan : orphans) {
    deadLetter(stream, *orphan.record, *orphan.group, orphan.attempts, DeadletterReason::kTrimmed,
               std::move(orphan.reason));
  }
  stream.orphansDeadLettered(orphans);
  return id;
}

Result<std::unique_ptr<Subscription>> EmbeddedCore::subscribe(const SubscribeOptions& options,
                                                              Handler handler) {
  ORION_RETURN_IF_ERROR(checkSubscribeArguments(options, handler));
  Stream* stream = find(options.type);
  if (stream == nullptr) return notFound(fmt::format("unknown contract type '{}'", options.type));

  auto consumer =
      std::make_shared<Consumer>(shared_from_this(), *stream, options.consumer, std::move(handler),
                                 options.before_ack, options.background);
  Status started = consumer->start(options.group);
  if (!started) return started.withContext("subscribe");
  {
    std::lock_guard lock(consumers_mutex_);
    std::erase_if(consumers_, [](const std::weak_ptr<Consumer>& c) { return c.expired(); });
    consumers_.push_back(consumer);
  }
  return makeSubscription(std::move(consumer));
}

GroupBacklog EmbeddedCore::backlog(std::string_view type, std::string_view group) const {
  Stream* stream = find(type);
  return stream == nullptr ? GroupBacklog{} : stream->backlog(group);
}

void EmbeddedCore::deadLetter(const Stream& stream, const Record& record, Group& group,
                              int attempts, DeadletterReason reason, std::string text) {
  std::string entry_id = record.id();
  if (stream.type() == contracts::type::kDeadletter) {
    // Dead-lettering a dead-letter would feed the stream it came from: stop here.
    log_->error("{}: dropping dead-letter entry {} that group '{}' could not handle: {}",
                stream.key(), entry_id, group.name, text);
    group.metrics.deadletteredFor(DeadletterReason::kLost).inc();
    return;
  }
  // A document that is not an object (only the unchecked test seam can append one) travels as
  // its text.
  contracts::Deadletter letter =
      makeDeadletter({stream.key(), stream.type(), group.name, entry_id, attempts}, text,
                     &record.document, {}, clock_.now());
  Result<std::string> sent = publish(contracts::type::kDeadletter, letter.toJson());
  if (!sent) {
    log_->error("{}: entry {} for group '{}' could not be dead-lettered ({}); it is lost: {}",
                stream.key(), entry_id, group.name, sent.status().toString(), text);
    group.metrics.deadletteredFor(DeadletterReason::kLost).inc();
    return;
  }
  log_->warn("{}: entry {} for group '{}' dead-lettered as {} ({}): {}", stream.key(), entry_id,
             group.name, *sent, deadletterReasonName(reason), text);
  group.metrics.deadletteredFor(reason).inc();
}

void EmbeddedCore::close() {
  for (auto& [type, stream] : streams_) stream->close();
  std::vector<std::shared_ptr<Consumer>> live;
  {
    std::lock_guard lock(consumers_mutex_);
    for (auto& weak : consumers_) {
      if (auto consumer = weak.lock()) live.push_back(std::move(consumer));
    }
  }
  for (auto& consumer : live) consumer->stop();
}

}  // namespace orion::bus
