// What both buses' subscriptions share: checking the subscribe() arguments, calling a
// subscriber's handler from a bus thread, and the Subscription handed back, which owns the
// consumer behind it. Internal to the bus module.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "bus/bus.h"

namespace orion::bus {

// Handlers (and before_ack callbacks) must not throw across the bus; one that does is treated as
// a failed (retryable) delivery rather than taking the subscription thread down. `what` names the
// callback in the error.
template <typename Callback, typename... Args>
Status callGuarded(std::string_view what, const Callback& callback, const Args&... args) {
  try {
    return callback(args...);
  } catch (const std::exception& e) {
    return internalError(std::string(what) + " threw: " + e.what());
  } catch (...) {
    return internalError(std::string(what) + " threw a non-standard exception");
  }
}

inline Status callHandler(const Handler& handler, const Delivery& delivery) {
  return callGuarded("handler", handler, delivery);
}

// kInvalidArgument for an empty group, consumer name or handler.
inline Status checkSubscribeArguments(const SubscribeOptions& options, const Handler& handler) {
  if (options.group.empty()) return invalidArgument("subscribe: the consumer group is empty");
  if (options.consumer.empty()) return invalidArgument("subscribe: the consumer name is empty");
  if (!handler) return invalidArgument("subscribe: the handler is empty");
  return Status::ok();
}

// The Subscription over a bus's consumer (anything with drain(MonoTime) and stop()); destroying
// it stops the consumer.
template <typename Consumer>
class ConsumerSubscription final : public Subscription {
 public:
  explicit ConsumerSubscription(std::shared_ptr<Consumer> consumer)
      : consumer_(std::move(consumer)) {}
  ~ConsumerSubscription() override { consumer_->stop(); }
  bool drain(MonoTime deadline) override { return consumer_->drain(deadline); }
  void stop() override { consumer_->stop(); }

 private:
  std::shared_ptr<Consumer> consumer_;
};

}  // namespace orion::bus
