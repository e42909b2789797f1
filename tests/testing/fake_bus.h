// A synchronous in-memory Bus for testing one module's service without threads: subscribe()
// records the handler, deliver() calls it on the test's thread and returns its Status (each
// delivery a batch of one: a handler's OK is followed by the subscription's before_ack, whose
// Status is then returned), publish() validates (when given a registry) and records, or fails on
// demand.
//
// Shared by the guardian, brain, approval and commander unit tests (their CMakeLists add this
// directory to the include path).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "contracts/registry.h"

namespace orion::testing {

class FakeBus final : public bus::Bus {
 public:
  explicit FakeBus(std::shared_ptr<const contracts::ContractRegistry> contracts = nullptr)
      : contracts_(std::move(contracts)) {}

  Result<std::string> publish(std::string_view type, const Json& document) override {
    std::lock_guard lock(mutex_);
    if (fail_publishes_ > 0) {
      --fail_publishes_;
      return unavailable("fake bus: publish refused by the test");
    }
    if (contracts_) ORION_RETURN_IF_ERROR(contracts_->validate(type, document));
    published_[std::string(type)].push_back(document);
    return std::to_string(++sequence_) + "-0";
  }
  // Holds the publisher to its promise: the text it hands over is the document's.
  Result<std::string> publishWritten(std::string_view type, const Json& document,
                                     std::string text) override {
    if (text != dumpJson(document)) {
      return internalError("fake bus: the text given for a " + std::string(type) +
                           " is not the document's: " + text);
    }
    return publish(type, document);
  }

  Result<std::unique_ptr<bus::Subscription>> subscribe(const bus::SubscribeOptions& options,
                                                       bus::Handler handler) override {
    std::lock_guard lock(mutex_);
    subscriptions_.push_back(options);
    handlers_[options.type] = std::move(handler);
    before_acks_[options.type] = options.before_ack;
    return std::unique_ptr<bus::Subscription>(new NullSubscription);
  }

  bus::GroupBacklog backlog(std::string_view, std::string_view) const override { return {}; }
  std::string_view kind() const override { return "fake"; }
  bool healthy() const override { return true; }

  // Runs the handler subscribed to `type` on this thread; kNotFound when nothing subscribed.
  Status deliver(std::string_view type, const Json& document, int attempt = 1) {
    bus::Handler handler;
    std::function<Status()> before_ack;
    {
      std::lock_guard lock(mutex_);
      auto it = handlers_.find(std::string(type));
      if (it == handlers_.end())
        return notFound("fake bus: no subscriber for " + std::string(type));
      handler = it->second;
      before_ack = before_acks_[std::string(type)];
    }
    bus::Delivery delivery{type, "0-" + std::to_string(attempt),
                           std::make_shared<const Json>(document), attempt};
    Status handled = handler(delivery);
    if (!handled.isOk() || !before_ack) return handled;
    return before_ack();
  }

  // The next `count` publishes fail with kUnavailable.
  void failPublishes(int count) {
    std::lock_guard lock(mutex_);
    fail_publishes_ = count;
  }

  std::vector<Json> published(std::string_view type) const {
    std::lock_guard lock(mutex_);
    auto it = published_.find(std::string(type));
    return it == published_.end() ? std::vector<Json>{} : it->second;
  }

  std::vector<bus::SubscribeOptions> subscriptions() const {
    std::lock_guard lock(mutex_);
    return subscriptions_;
  }

 private:
  class NullSubscription final : public bus::Subscription {
   public:
    bool drain(MonoTime) override { return true; }
    void stop() override {}
  };

  std::shared_ptr<const contracts::ContractRegistry> contracts_;
  mutable std::mutex mutex_;
  int fail_publishes_ = 0;
  uint64_t sequence_ = 0;
  std::map<std::string, std::vector<Json>> published_;
  std::map<std::string, bus::Handler> handlers_;
  std::map<std::string, std::function<Status()>> before_acks_;
  std::vector<bus::SubscribeOptions> subscriptions_;
};

}  // namespace orion::testing
