// The inside of the embedded bus (embedded_bus.h): one Stream per contract type, the publish
// path, the dead-letter path, and the set of live subscriptions. Internal to the bus module.
//
// The state lives in an EmbeddedCore shared by the EmbeddedBus facade and by every subscription,
// so a subscription that outlives its bus is still safe to stop and destroy. Destroying the bus
// closes the core: every subscription thread finishes the handler it is running, gives its
// unhandled entries back, and is joined before the destructor returns; a handler running at that
// moment may still publish (the streams exist until the last subscription is gone). Owners should
// still stop their subscriptions first, in pipeline order; this only makes the other order safe.
// The Clock and MetricsRegistry passed in must outlive the bus.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "bus/embedded_bus.h"
#include "bus/embedded_stream.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "contracts/registry.h"

namespace orion::bus {

class Consumer;

class EmbeddedCore : public std::enable_shared_from_this<EmbeddedCore> {
 public:
  // One stream per type the registry knows; the set is fixed, so lookups need no lock.
  EmbeddedCore(EmbeddedBusOptions options,
               std::shared_ptr<const contracts::ContractRegistry> contracts, const Clock& clock,
               MetricsRegistry& metrics);
  EmbeddedCore(const EmbeddedCore&) = delete;
  EmbeddedCore& operator=(const EmbeddedCore&) = delete;

  // Bus::publish: kNotFound for an unknown type, kInvalidArgument (with each failure, counted)
  // for an invalid document, else as Stream::append.
  Result<std::string> publish(std::string_view type, const Json& document);
  Result<std::string> publish(std::string_view type, Json&& document);  // keeps it, no copy

  // Appends `document` without publish-time validation. A test seam: on this bus every document
  // is validated at publish, so consume-time validation can only be exercised this way.
  Result<std::string> publishUnchecked(std::string_view type, const Json& document);

  // Bus::subscribe: kNotFound for an unknown type, kInvalidArgument for an empty group, consumer
  // or handler, kAlreadyExists for a consumer name already live in the group.
  Result<std::unique_ptr<Subscription>> subscribe(const SubscribeOptions& options, Handler handler);

  GroupBacklog backlog(std::string_view type, std::string_view group) const;

  // Publishes a `deadletter` document for `record` (read from `stream` by `group`) and counts it
  // under `reason`. When that is impossible (the record is itself a dead-letter, or the publish
  // fails) the loss is logged and counted as reason "lost"; it never loops.
  void deadLetter(const Stream& stream, const Record& record, Group& group, int attempts,
                  DeadletterReason reason, std::string text);

  // Closes every stream and joins every live subscription's thread (see the file comment).
  void close();

  const contracts::ContractRegistry& contracts() const { return *contracts_; }
  const EmbeddedBusOptions& options() const { return options_; }
  const Logger& log() const { return log_; }

 private:
  Stream* find(std::string_view type) const;
  Result<std::string> append(Stream& stream, RecordPtr record);

  const EmbeddedBusOptions options_;
  const std::shared_ptr<const contracts::ContractRegistry> contracts_;
  const Clock& clock_;
  Logger log_;
  std::map<std::string, std::unique_ptr<Stream>, std::less<>> streams_;

  std::mutex consumers_mutex_;
  std::vector<std::weak_ptr<Consumer>> consumers_;
};

// The Bus facade handed out by makeEmbeddedBus().
class EmbeddedBus final : public Bus {
 public:
  EmbeddedBus(EmbeddedBusOptions options,
              std::shared_ptr<const contracts::ContractRegistry> contracts, const Clock& clock,
              MetricsRegistry& metrics);
  ~EmbeddedBus() override;

  Result<std::string> publish(std::string_view type, const Json& document) override;
  Result<std::string> publish(std::string_view type, Json&& document) override;
  Result<std::unique_ptr<Subscription>> subscribe(const SubscribeOptions& options,
                                                  Handler handler) override;
  GroupBacklog backlog(std::string_view type, std::string_view group) const override;
  std::string_view kind() const override { return "embedded"; }
  bool healthy() const override { return true; }

  EmbeddedCore& core() { return *core_; }

 private:
  std::shared_ptr<EmbeddedCore> core_;
};

}  // namespace orion::bus
