#include "guardian/guardian.h"

#include <algorithm>
#include <mutex>

#include "common/logging.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "guardian/correlator.h"
#include "guardian/guardian_metrics.h"

namespace orion::guardian {
namespace {

class Guardian final : public Service {
 public:
  Guardian(const config::GuardianConfig& config, ModuleContext context)
      : context_(std::move(context)),
        logger_(makeLogger("guardian")),
        metrics_(context_.metrics),
        correlator_(CorrelatorOptions{.max_open_incidents = static_cast<size_t>(
                                          std::max<int64_t>(config.max_open_incidents, 1))},
                    context_.clock) {}

  std::string_view name() const override { return "guardian"; }

  Status start() override {
    if (subscription_) return failedPrecondition("guardian: already started");
    auto subscription =
        context_.bus.subscribe({std::string(contracts::type::kEvent), "guardian", "guardian-1"},
                               [this](const bus::Delivery& delivery) { return handle(delivery); });
    if (!subscription) return subscription.status().withContext("guardian: subscribing to event");
    subscription_ = std::move(subscription).value();
    return Status::ok();
  }

  void stop(MonoTime deadline) override {
    if (!subscription_) return;
    // The watcher stops first, so draining here lets the last events become incidents before
    // the brain (stopped next) drains those in turn.
    if (!subscription_->drain(deadline)) {
      logger_->warn("stopping with events still unprocessed; they stay pending on the bus");
    }
    subscription_->stop();
    subscription_.reset();
  }

 private:
  Status handle(const bus::Delivery& delivery) {
    auto event = contracts::Event::fromJson(*delivery.document);
    if (!event) {
      metrics_.recordRejected();
      // kInvalidArgument: the bus dead-letters it instead of retrying something that cannot work.
      return invalidArgument("guardian: unreadable event " + delivery.entry_id + ": " +
                             event.status().message());
    }
    std::lock_guard lock(mutex_);
    Correlation correlation = correlator_.correlate(*event);
    if (correlation.incident) {
      auto published =
          context_.bus.publish(contracts::type::kIncident, correlation.incident->toJson());
      if (!published) {
        // Nothing was committed, so the redelivery recomputes the same incident (same id).
        metrics_.recordPublishFailure();
        return published.status().withContext("guardian: publishing incident " +
                                              correlation.incident->incident_id + " for event " +
                                              event->event_id);
      }
      logIncident(correlation);
    }
    size_t evicted = correlator_.commit(correlation);
    if (evicted > 0) {
      logger_->warn("forgot {} open incident(s) to stay within max_open_incidents", evicted);
    }
    metrics_.record(correlation, evicted, correlator_.openCount());
    return Status::ok();
  }

  void logIncident(const Correlation& c) {
    const contracts::Incident& incident = *c.incident;
    logger_->info("incident {} {}: {} severity={} events={}: {}", incident.incident_id,
                  toString(c.verdict), incident.incident_type,
                  contracts::toString(incident.severity), incident.event_ids.size(),
                  incident.description.value_or(""));
  }

  ModuleContext context_;
  Logger logger_;
  GuardianMetrics metrics_;
  std::mutex mutex_;  // the correlator's two steps must not interleave across deliveries
  Correlator correlator_;
  std::unique_ptr<bus::Subscription> subscription_;
};

}  // namespace

std::unique_ptr<Service> makeGuardian(const config::GuardianConfig& config, ModuleContext context) {
  return std::make_unique<Guardian>(config, std::move(context));
}

}  // namespace orion::guardian
