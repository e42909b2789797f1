#include "commander/commander.h"

#include <mutex>

#include "bus/routing.h"
#include "commander/verdict.h"
#include "common/logging.h"
#include "common/recent_keys.h"
#include "contracts/documents.h"
#include "contracts/registry.h"

namespace orion::commander {
namespace {

constexpr size_t kRememberedIds = 4096;

// Metrics, in one place:
//   orion_commander_decisions_total{type}            decisions judged (duplicates excluded)
//   orion_commander_ignored_total{reason}            decisions with nothing to do
//   orion_commander_refused_total{reason}            execution refused (never executed)
//   orion_commander_approval_decisions_total{decision}  approval decisions received (ignored)
//   orion_commander_duplicates_total                 redelivered decisions/approvals, ignored
//   orion_commander_rejected_total                   deliveries that were not readable
struct CommanderMetrics {
  explicit CommanderMetrics(MetricsRegistry& registry)
      : registry(registry),
        duplicates(registry.counter("orion_commander_duplicates_total",
                                    "Redelivered decisions or approval decisions, ignored.")),
        rejected(registry.counter("orion_commander_rejected_total",
                                  "Deliveries that were not a readable document.")) {
    for (std::string_view reason : {"no_executor", "not_safe", "no_proposed_action"}) {
      refused(reason);
    }
  }

  Counter& decisions(contracts::DecisionType type) {
    return registry.counter("orion_commander_decisions_total", "Decisions judged, by type.",
                            {{"type", std::string(contracts::toString(type))}});
  }
  Counter& ignored(std::string_view reason) {
    return registry.counter("orion_commander_ignored_total",
                            "Decisions with nothing to execute, by reason.",
                            {{"reason", std::string(reason)}});
  }
  Counter& refused(std::string_view reason) {
    return registry.counter("orion_commander_refused_total",
                            "Executions refused (nothing executed), by reason.",
                            {{"reason", std::string(reason)}});
  }
  Counter& approvalDecisions(std::string_view decision) {
    return registry.counter("orion_commander_approval_decisions_total",
                            "Approval decisions received (ignored in this build).",
                            {{"decision", std::string(decision)}});
  }

  MetricsRegistry& registry;
  Counter& duplicates;
  Counter& rejected;
};

class Commander final : public Service {
 public:
  Commander(const config::CommanderConfig& /*config*/, ModuleContext context)
      : context_(std::move(context)),
        logger_(makeLogger("commander")),
        metrics_(context_.metrics),
        decision_ids_(kRememberedIds),
        approval_ids_(kRememberedIds) {}

  std::string_view name() const override { return "commander"; }

  // Both subscriptions run at once, each on its own bus thread: an approval must be able to
  // arrive while decisions are being consumed (the original blocked on the first subscription
  // and never consumed approvals).
  Status start() override {
    if (decisions_) return failedPrecondition("commander: already started");
    // Routing (bus/routing.h): each node's commander has consumer groups of its own
    // ("commander-<node>"), so it sees every decision once and acts only on those addressed to
    // its node; in the one-process shape that is every decision.
    auto decisions = context_.bus.subscribe(
        {std::string(contracts::type::kDecision), bus::nodeGroup("commander", context_.node),
         "commander-1"},
        [this](const bus::Delivery& delivery) { return handleDecision(delivery); });
    if (!decisions) return decisions.status().withContext("commander: subscribing to decision");
    auto approvals = context_.bus.subscribe(
        {std::string(contracts::type::kApprovalDecision),
         bus::nodeGroup("commander-approval", context_.node), "commander-approval-1"},
        [this](const bus::Delivery& delivery) { return handleApproval(delivery); });
    if (!approvals) {
      decisions.value()->stop();
      return approvals.status().withContext("commander: subscribing to approval_decision");
    }
    decisions_ = std::move(decisions).value();
    approvals_ = std::move(approvals).value();
    logger_->info("commander started; no executor is available in this build: nothing will run");
    return Status::ok();
  }

  void stop(MonoTime deadline) override {
    for (auto* subscription : {&decisions_, &approvals_}) {
      if (!*subscription) continue;
      if (!(*subscription)->drain(deadline)) {
        logger_->warn("stopping with messages still unjudged; they stay pending on the bus");
      }
      (*subscription)->stop();
      subscription->reset();
    }
  }

 private:
  Status handleDecision(const bus::Delivery& delivery) {
    auto decision = contracts::Decision::fromJson(*delivery.document);
    if (!decision) {
      metrics_.rejected.inc();
      return invalidArgument("commander: unreadable decision " + delivery.entry_id + ": " +
                             decision.status().message());
    }
    if (!bus::addressedTo(*delivery.document, context_.node)) {
      // Another node's decision (or one addressed to no node): its commander acts, not this one.
      metrics_.ignored("other_node").inc();
      return Status::ok();
    }
    std::lock_guard lock(mutex_);
    if (decision_ids_.contains(decision->decision_id)) {
      metrics_.duplicates.inc();
      return Status::ok();
    }
    decision_ids_.insert(decision->decision_id);
    metrics_.decisions(decision->decision_type).inc();
    Verdict verdict = judgeDecision(*decision);
    if (verdict.kind == VerdictKind::kIgnore) {
      metrics_.ignored(verdict.reason).inc();
      logger_->debug("decision {}: {}", decision->decision_id, verdict.detail);
      return Status::ok();
    }
    // Acknowledged, not retried: a refusal is final, and retrying would only repeat it.
    metrics_.refused(verdict.reason).inc();
    logger_->error("decision {} (incident {}): {}", decision->decision_id, decision->incident_id,
                   verdict.detail);
    return Status::ok();
  }

  Status handleApproval(const bus::Delivery& delivery) {
    const Json& document = *delivery.document;
    auto id = document.find("approval_id");
    auto kind = document.find("decision");
    if (!document.is_object() || id == document.end() || !id->is_string() ||
        kind == document.end() || !kind->is_string()) {
      metrics_.rejected.inc();
      return invalidArgument("commander: approval_decision " + delivery.entry_id +
                             ": expected string fields 'approval_id' and 'decision'");
    }
    std::lock_guard lock(mutex_);
    std::string approval_id = id->get<std::string>();
    if (approval_ids_.contains(approval_id)) {
      metrics_.duplicates.inc();
      return Status::ok();
    }
    approval_ids_.insert(approval_id);
    metrics_.approvalDecisions(kind->get<std::string>()).inc();
    logger_->warn("approval decision {} ({}) ignored: no executor is available in this build",
                  approval_id, kind->get<std::string>());
    return Status::ok();
  }

  ModuleContext context_;
  Logger logger_;
  CommanderMetrics metrics_;
  std::mutex mutex_;  // the two subscription threads share the metrics helpers and id sets
  RecentKeys decision_ids_;
  RecentKeys approval_ids_;
  std::unique_ptr<bus::Subscription> decisions_;
  std::unique_ptr<bus::Subscription> approvals_;
};

}  // namespace

std::unique_ptr<Service> makeCommander(const config::CommanderConfig& config,
                                       ModuleContext context) {
  return std::make_unique<Commander>(config, std::move(context));
}

}  // namespace orion::commander
