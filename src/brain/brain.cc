#include "brain/brain.h"

#include <map>
#include <mutex>

#include "brain/decider.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/recent_keys.h"
#include "contracts/documents.h"
#include "contracts/registry.h"

namespace orion::brain {
namespace {

// Enough to recognise any redelivery the bus can make (it retries within seconds), small enough
// to be a few hundred kilobytes.
constexpr size_t kRememberedRevisions = 4096;

// Metrics, in one place:
//   orion_brain_incidents_total                   incident documents received (not duplicates)
//   orion_brain_decisions_total{type,autonomy}    decisions published
//   orion_brain_duplicates_total                  redelivered incident revisions, ignored
//   orion_brain_incidents_skipped_total{state}    resolved/acknowledged incidents (no decision)
//   orion_brain_incidents_rejected_total          deliveries that were not a readable incident
//   orion_brain_publish_failures_total            decision publishes the bus refused (retried)
//   orion_brain_autonomy_degraded (gauge)         1 when the configured level is not applied
struct BrainMetrics {
  explicit BrainMetrics(MetricsRegistry& registry)
      : registry(registry),
        incidents(registry.counter("orion_brain_incidents_total",
                                   "Incident documents received by the brain.")),
        duplicates(registry.counter("orion_brain_duplicates_total",
                                    "Redelivered incident revisions, ignored.")),
        rejected(registry.counter("orion_brain_incidents_rejected_total",
                                  "Deliveries on the incident stream that were not readable.")),
        publish_failures(registry.counter("orion_brain_publish_failures_total",
                                          "Decision publishes the bus refused (retried).")),
        degraded(registry.gauge("orion_brain_autonomy_degraded",
                                "1 when the configured autonomy level cannot be applied.")) {}

  Counter& decisions(const contracts::Decision& decision) {
    std::string type(contracts::toString(decision.decision_type));
    std::string autonomy(decision.autonomy_level ? contracts::toString(*decision.autonomy_level)
                                                 : "none");
    return registry.counter("orion_brain_decisions_total", "Decisions published, by type.",
                            {{"type", type}, {"autonomy", autonomy}});
  }

  Counter& skipped(contracts::IncidentState state) {
    return registry.counter("orion_brain_incidents_skipped_total",
                            "Incidents that need no decision, by state.",
                            {{"state", std::string(contracts::toString(state))}});
  }

  MetricsRegistry& registry;
  Counter& incidents;
  Counter& duplicates;
  Counter& rejected;
  Counter& publish_failures;
  Gauge& degraded;
};

class Brain final : public Service {
 public:
  Brain(const config::BrainConfig& config, ModuleContext context)
      : context_(std::move(context)),
        logger_(makeLogger("brain")),
        metrics_(context_.metrics),
        decider_(config.autonomy_level),
        revisions_(kRememberedRevisions) {
    // Registered up front so the N0 series and the skip counters read 0, not absent.
    metrics_.skipped(contracts::IncidentState::kResolved);
    metrics_.skipped(contracts::IncidentState::kAcknowledged);
    metrics_.registry.counter("orion_brain_decisions_total", "Decisions published, by type.",
                              {{"type", "NO_ACTION"}, {"autonomy", "N0"}});
  }

  std::string_view name() const override { return "brain"; }

  Status start() override {
    if (subscription_) return failedPrecondition("brain: already started");
    if (decider_.degraded()) {
      logger_->warn(
          "autonomy level {} is configured but no policy engine is available in this build; "
          "deciding as N0 (observe only): nothing will be executed",
          config::toString(decider_.configured()));
    }
    metrics_.degraded.set(decider_.degraded() ? 1 : 0);
    auto subscription =
        context_.bus.subscribe({std::string(contracts::type::kIncident), "brain", "brain-1"},
                               [this](const bus::Delivery& delivery) { return handle(delivery); });
    if (!subscription) return subscription.status().withContext("brain: subscribing to incident");
    subscription_ = std::move(subscription).value();
    return Status::ok();
  }

  void stop(MonoTime deadline) override {
    if (!subscription_) return;
    if (!subscription_->drain(deadline)) {
      logger_->warn("stopping with incidents still undecided; they stay pending on the bus");
    }
    subscription_->stop();
    subscription_.reset();
  }

 private:
  Status handle(const bus::Delivery& delivery) {
    auto incident = contracts::Incident::fromJson(*delivery.document);
    if (!incident) {
      metrics_.rejected.inc();
      return invalidArgument("brain: unreadable incident " + delivery.entry_id + ": " +
                             incident.status().message());
    }
    std::lock_guard lock(mutex_);
    std::string revision = revisionOf(*incident);
    if (revisions_.contains(revision)) {
      metrics_.duplicates.inc();
      return Status::ok();
    }
    if (!needsDecision(*incident)) {
      revisions_.insert(revision);
      metrics_.incidents.inc();
      metrics_.skipped(incident->state).inc();
      return Status::ok();
    }
    contracts::Decision decision = decider_.decide(*incident, context_.clock.now(), newUuid());
    auto published = context_.bus.publish(contracts::type::kDecision, decision.toJson());
    if (!published) {
      // The revision is not remembered, so the redelivery decides again.
      metrics_.publish_failures.inc();
      return published.status().withContext("brain: publishing decision for incident " +
                                            incident->incident_id);
    }
    revisions_.insert(revision);
    metrics_.incidents.inc();
    metrics_.decisions(decision).inc();
    logger_->info("decision {} for incident {}: {}", contracts::toString(decision.decision_type),
                  incident->incident_id, decision.reasoning);
    return Status::ok();
  }

  ModuleContext context_;
  Logger logger_;
  BrainMetrics metrics_;
  const Decider decider_;
  std::mutex mutex_;  // guards revisions_
  RecentKeys revisions_;
  std::unique_ptr<bus::Subscription> subscription_;
};

}  // namespace

std::unique_ptr<Service> makeBrain(const config::BrainConfig& config, ModuleContext context) {
  return std::make_unique<Brain>(config, std::move(context));
}

}  // namespace orion::brain
