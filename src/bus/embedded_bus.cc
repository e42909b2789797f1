#include "bus/embedded_bus.h"

#include "bus/embedded_core.h"

namespace orion::bus {

EmbeddedBus::EmbeddedBus(EmbeddedBusOptions options,
                         std::shared_ptr<const contracts::ContractRegistry> contracts,
                         const Clock& clock, MetricsRegistry& metrics)
    : core_(std::make_shared<EmbeddedCore>(std::move(options), std::move(contracts), clock,
                                           metrics)) {}

EmbeddedBus::~EmbeddedBus() { core_->close(); }

Result<std::string> EmbeddedBus::publish(std::string_view type, const Json& document) {
  return core_->publish(type, document);
}

Result<std::string> EmbeddedBus::publish(std::string_view type, Json&& document) {
  return core_->publish(type, std::move(document));
}

Result<std::unique_ptr<Subscription>> EmbeddedBus::subscribe(const SubscribeOptions& options,
                                                             Handler handler) {
  return core_->subscribe(options, std::move(handler));
}

GroupBacklog EmbeddedBus::backlog(std::string_view type, std::string_view group) const {
  return core_->backlog(type, group);
}

std::unique_ptr<Bus> makeEmbeddedBus(EmbeddedBusOptions options,
                                     std::shared_ptr<const contracts::ContractRegistry> contracts,
                                     const Clock& clock, MetricsRegistry& metrics) {
  return std::make_unique<EmbeddedBus>(std::move(options), std::move(contracts), clock, metrics);
}

}  // namespace orion::bus
