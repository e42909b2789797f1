#include "approval/approval.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "approval/coordinator.h"
#include "common/logging.h"
#include "common/time.h"
#include "contracts/registry.h"

namespace orion::approval {
namespace {

// Metrics, in one place:
//   orion_approval_requests_total           approval requests accepted for waiting
//   orion_approval_expired_total            requests that expired (on arrival or while pending)
//   orion_approval_evicted_total            requests dropped to stay within capacity
//   orion_approval_duplicates_total         redelivered requests, ignored
//   orion_approval_rejected_total           deliveries that were not a readable request
//   orion_approval_timeout_capped_total     requests whose expiry was pulled in to max_timeout
//   orion_approval_pending (gauge)          requests waiting now
struct ApprovalMetrics {
  explicit ApprovalMetrics(MetricsRegistry& registry)
      : requests(registry.counter("orion_approval_requests_total",
                                  "Approval requests accepted for waiting.")),
        expired(registry.counter("orion_approval_expired_total",
                                 "Approval requests that expired unanswered (never executed).")),
        evicted(registry.counter("orion_approval_evicted_total",
                                 "Approval requests dropped to stay within capacity.")),
        duplicates(registry.counter("orion_approval_duplicates_total",
                                    "Redelivered approval requests, ignored.")),
        rejected(registry.counter("orion_approval_rejected_total",
                                  "Deliveries that were not a readable approval request.")),
        capped(registry.counter("orion_approval_timeout_capped_total",
                                "Approval requests whose expiry was capped at max_timeout.")),
        pending(registry.gauge("orion_approval_pending", "Approval requests waiting now.")) {}

  Counter& requests;
  Counter& expired;
  Counter& evicted;
  Counter& duplicates;
  Counter& rejected;
  Counter& capped;
  Gauge& pending;
};

class Coordinator final : public Service {
 public:
  Coordinator(CoordinatorOptions options, ModuleContext context)
      : options_(options),
        context_(std::move(context)),
        logger_(makeLogger("approval")),
        metrics_(context_.metrics),
        pending_(options.pending) {}

  ~Coordinator() override { stop(MonoTime::min()); }

  std::string_view name() const override { return "approval"; }

  Status start() override {
    if (subscription_) return failedPrecondition("approval: already started");
    {
      std::lock_guard lock(mutex_);
      stopping_ = false;
    }
    sweeper_ = std::thread([this] { sweepLoop(); });
    auto subscription = context_.bus.subscribe(
        {std::string(contracts::type::kApprovalRequest), "approval-coordinator", "coordinator-1"},
        [this](const bus::Delivery& delivery) { return handle(delivery); });
    if (!subscription) {
      stopSweeper();
      return subscription.status().withContext("approval: subscribing to approval_request");
    }
    subscription_ = std::move(subscription).value();
    logger_->info(
        "approval coordinator started; no approval channel exists in this build, so every "
        "request waits until it expires and is never executed");
    return Status::ok();
  }

  void stop(MonoTime deadline) override {
    if (subscription_) {
      if (!subscription_->drain(deadline)) {
        logger_->warn("stopping with approval requests still unread; they stay pending on the bus");
      }
      subscription_->stop();
      subscription_.reset();
    }
    stopSweeper();
  }

 private:
  Status handle(const bus::Delivery& delivery) {
    auto request = parseApprovalRequest(*delivery.document);
    if (!request) {
      metrics_.rejected.inc();
      return request.status().withContext("approval: entry " + delivery.entry_id);
    }
    std::lock_guard lock(mutex_);
    AddOutcome outcome = pending_.add(*request, context_.clock.now());
    switch (outcome.result) {
      case AddResult::kDuplicate:
        metrics_.duplicates.inc();
        return Status::ok();
      case AddResult::kAlreadyExpired:
        metrics_.expired.inc();
        escalate(*request, "arrived already expired");
        return Status::ok();
      case AddResult::kAdded:
        break;
    }
    metrics_.requests.inc();
    if (outcome.evicted) {
      metrics_.evicted.inc();
      escalate(*outcome.evicted, "dropped to make room (too many pending requests)");
    }
    const PendingRequest& stored = *pending_.find(request->approval_request_id);
    if (stored.timeout_capped) metrics_.capped.inc();
    logger_->info("approval request {} for {} (decision {}) waits until {}{}",
                  stored.approval_request_id, stored.action_type, stored.decision_id,
                  formatRfc3339(stored.expires_at),
                  stored.timeout_capped ? " (capped at the maximum timeout)" : "");
    metrics_.pending.set(static_cast<double>(pending_.size()));
    wake_.notify_one();  // the new request may expire before the sweeper's current wait ends
    return Status::ok();
  }

  void sweepLoop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      WallTime now = context_.clock.now();
      for (const PendingRequest& request : pending_.expire(now)) {
        metrics_.expired.inc();
        escalate(request, "expired at " + formatRfc3339(request.expires_at));
      }
      metrics_.pending.set(static_cast<double>(pending_.size()));
      Duration wait = options_.max_sweep_wait;
      if (auto next = pending_.nextExpiry()) {
        wait = std::clamp<Duration>(*next - now, Duration::zero(), options_.max_sweep_wait);
      }
      wake_.wait_for(lock, wait);
    }
  }

  void stopSweeper() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
  }

  // Called with mutex_ held.
  void escalate(const PendingRequest& request, const std::string& why) {
    logger_->error(
        "approval request {} for action {} (decision {}) {}: NOT executed. No admin answered; "
        "the system stays in safe inaction.",
        request.approval_request_id, request.action_type, request.decision_id, why);
  }

  CoordinatorOptions options_;
  ModuleContext context_;
  Logger logger_;
  ApprovalMetrics metrics_;
  std::mutex mutex_;  // guards pending_ and stopping_
  std::condition_variable wake_;
  PendingRequests pending_;
  bool stopping_ = false;
  std::thread sweeper_;
  std::unique_ptr<bus::Subscription> subscription_;
};

}  // namespace

std::unique_ptr<Service> makeCoordinator(CoordinatorOptions options, ModuleContext context) {
  return std::make_unique<Coordinator>(options, std::move(context));
}

std::unique_ptr<Service> makeApprovalCoordinator(const config::ApprovalConfig& config,
                                                 ModuleContext context) {
  CoordinatorOptions options;
  options.pending.max_timeout = config.max_timeout;
  return makeCoordinator(options, std::move(context));
}

}  // namespace orion::approval
