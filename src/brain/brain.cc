#include "brain/brain.h"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "brain/brain_core.h"
#include "brain/brain_metrics.h"
#include "brain/state_io.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "common/time.h"
#include "contracts/registry.h"
#include "control/control.h"
#include "policy/holder.h"
#include "state/state_store.h"

namespace orion::brain {
namespace {

constexpr const char* kGroup = "brain";
constexpr const char* kConsumer = "brain-1";

contracts::AutonomyLevel levelOf(config::Autonomy level) {
  switch (level) {
    case config::Autonomy::kN0:
      return contracts::AutonomyLevel::kN0;
    case config::Autonomy::kN1:
      return contracts::AutonomyLevel::kN1;
    case config::Autonomy::kN2:
      return contracts::AutonomyLevel::kN2;
    case config::Autonomy::kN3:
      return contracts::AutonomyLevel::kN3;
  }
  return contracts::AutonomyLevel::kN0;
}

BrainCoreOptions coreOptions(const config::BrainConfig& config) {
  BrainCoreOptions options;
  options.configured = levelOf(config.autonomy_level);
  options.limits.max_incidents =
      static_cast<size_t>(std::max<int64_t>(1, config.max_tracked_incidents));
  return options;
}

std::string stringArg(const Json& args, const char* key) {
  auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : "";
}

class Brain final : public Service {
 public:
  Brain(const config::BrainConfig& config, ModuleContext context)
      : config_(config),
        context_(std::move(context)),
        logger_(makeLogger("brain")),
        metrics_(context_.metrics),
        policy_(config.policy_dir),
        core_(coreOptions(config), [] { return newUuid(); }) {}

  ~Brain() override { stop(context_.clock.monotonic()); }

  std::string_view name() const override { return "brain"; }

  Status start() override {
    if (!subscriptions_.empty()) return failedPrecondition("brain: already started");
    // A policy that does not load is reported (log, metric, policy.show) and leaves nothing SAFE;
    // the brain still runs, so the incidents are observed and explained.
    reloadPolicy("start").status().ignore();
    ORION_RETURN_IF_ERROR(openState());
    contracts::AutonomyLevel level = core_.level();
    metrics_.autonomy_level.set(static_cast<double>(level));
    if (level != core_.configured()) {
      const AutonomyRecord& runtime = *core_.state().autonomy();
      logger_->warn("autonomy {} (set at runtime by {}: \"{}\"); the configuration says {}",
                    contracts::toString(level), runtime.changed_by, runtime.reason,
                    contracts::toString(core_.configured()));
    }
    if (Status registered = registerOps(); !registered.isOk()) {
      unregisterOps();
      return registered.withContext("brain: registering control operations");
    }
    for (auto [type, handler] : {std::pair{contracts::type::kIncident, &Brain::handleIncident},
                                 std::pair{contracts::type::kAction, &Brain::handleAction},
                                 std::pair{contracts::type::kOutcome, &Brain::handleOutcome}}) {
      // One state write per bus batch, not per message (docs/benchmarks.md, "The pipeline"):
      // handlers decide and queue; before the batch is acknowledged, flush() writes the state
      // with the batch's documents in the outbox, then publishes them.
      bus::SubscribeOptions options{std::string(type), kGroup, kConsumer};
      options.before_ack = [this] {
        std::lock_guard lock(mutex_);
        flush();
        return Status::ok();
      };
      auto subscription = context_.bus.subscribe(
          options,
          [this, handler](const bus::Delivery& delivery) { return (this->*handler)(delivery); });
      if (!subscription) {
        stopSubscriptions(context_.clock.monotonic());
        unregisterOps();
        return subscription.status().withContext("brain: subscribing to " + std::string(type));
      }
      subscriptions_.push_back(std::move(subscription).value());
    }
    stopping_ = false;
    ticker_ = std::thread([this] {
      nameThisThread("brain-tick");
      tickLoop();
    });
    collector_ = context_.metrics.addCollector([this] { refreshSafetyGauges(); });
    {
      std::lock_guard lock(mutex_);
      afterChange(false);  // publishes what a previous run left in the outbox
    }
    return Status::ok();
  }

  void stop(MonoTime deadline) override {
    if (subscriptions_.empty()) return;
    context_.metrics.removeCollector(collector_);  // not under mutex_: the collector takes it
    unregisterOps();
    stopSubscriptions(deadline);
    {
      std::lock_guard lock(wake_mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    std::lock_guard lock(mutex_);
    afterChange(false);
    persist();  // what the last flush published leaves the stored outbox
  }

 private:
  void refreshSafetyGauges() {
    std::lock_guard lock(mutex_);
    SafetyCounts counts = core_.state().counts(*policy_.current(), context_.clock.now());
    metrics_.breakers_open.set(static_cast<double>(counts.breakers_open));
    metrics_.cooldowns_active.set(static_cast<double>(counts.cooldowns_active));
    metrics_.actions_in_flight.set(static_cast<double>(counts.in_flight));
    metrics_.budget_remaining.set(static_cast<double>(counts.budget_remaining));
  }

  // ---- bus handlers ----------------------------------------------------------------------

  Status handleIncident(const bus::Delivery& delivery) {
    auto incident = contracts::Incident::fromJson(*delivery.document);
    if (!incident) {
      metrics_.rejected.inc();
      // kInvalidArgument: the bus dead-letters it instead of retrying something that cannot work.
      return invalidArgument("brain: unreadable incident " + delivery.entry_id + ": " +
                             incident.status().message());
    }
    std::lock_guard lock(mutex_);
    IncidentVerdict verdict = core_.onIncident(*incident, *policy_.current(), context_.clock.now());
    switch (verdict) {
      case IncidentVerdict::kDecided:
        metrics_.incidents.inc();
        break;
      case IncidentVerdict::kUpdated:
        metrics_.incidents.inc();
        metrics_.updates.inc();
        break;
      case IncidentVerdict::kDuplicate:
        metrics_.duplicates.inc();
        break;
      case IncidentVerdict::kSkipped:
        metrics_.incidents.inc();
        metrics_.skipped(incident->state).inc();
        break;
    }
    account(false);
    return Status::ok();  // written and published by flush(), before the bus acknowledges it
  }

  Status handleAction(const bus::Delivery& delivery) {
    auto action = contracts::Action::fromJson(*delivery.document);
    if (!action) {
      return invalidArgument("brain: unreadable action " + delivery.entry_id + ": " +
                             action.status().message());
    }
    std::lock_guard lock(mutex_);
    ActionVerdict verdict = core_.onAction(*action, *policy_.current(), context_.clock.now());
    metrics_
        .actions(verdict == ActionVerdict::kStarted     ? "started"
                 : verdict == ActionVerdict::kDuplicate ? "duplicate"
                                                        : "ignored")
        .inc();
    account(true);
    return Status::ok();
  }

  Status handleOutcome(const bus::Delivery& delivery) {
    auto outcome = contracts::Outcome::fromJson(*delivery.document);
    if (!outcome) {
      return invalidArgument("brain: unreadable outcome " + delivery.entry_id + ": " +
                             outcome.status().message());
    }
    std::lock_guard lock(mutex_);
    OutcomeVerdict verdict = core_.onOutcome(*outcome, *policy_.current(), context_.clock.now());
    metrics_
        .outcomes(verdict == OutcomeVerdict::kApplied  ? "applied"
                  : verdict == OutcomeVerdict::kParked ? "parked"
                                                       : "duplicate")
        .inc();
    account(true);
    return Status::ok();
  }

  void tickLoop() {
    std::unique_lock wake_lock(wake_mutex_);
    while (!stopping_) {
      wake_.wait_for(wake_lock, config_.recheck_interval, [this] { return stopping_; });
      if (stopping_) return;
      wake_lock.unlock();
      {
        std::lock_guard lock(mutex_);
        size_t lost = core_.onTick(*policy_.current(), context_.clock.now());
        if (lost > 0) {
          metrics_.actions_lost.inc(lost);
          logger_->warn(
              "gave up waiting for the outcome of {} action(s); their cooldowns are "
              "released",
              lost);
        }
        afterChange(true);
      }
      wake_lock.lock();
    }
  }

  // Under mutex_: account for what was decided, write the state, publish the outbox.
  void afterChange(bool rechecks) {
    account(rechecks);
    flush();
  }

  // Under mutex_: metrics and a log line for each decision taken since the last call.
  void account(bool rechecks) {
    for (const DecisionResult& result : core_.takeDecided()) {
      const contracts::Decision& decision = result.decision;
      metrics_.decisions(decision).inc();
      if (rechecks) metrics_.rechecks.inc();
      if (decision.decision_type == contracts::DecisionType::kNoAction &&
          std::find(kGateOrder.begin(), kGateOrder.end(), result.decided_by) != kGateOrder.end()) {
        metrics_.gateBlocks(result.decided_by).inc();
      }
      logger_->info("decision {} for incident {}: {}", contracts::toString(decision.decision_type),
                    decision.incident_id, decision.reasoning);
    }
  }

  // Under mutex_: writes the state with the documents waiting in the outbox, then publishes
  // them. A document is in the state store before it is on the bus, so a crash in between
  // publishes it again at the next start (same document id), never loses it or decides anew.
  // What was published leaves the stored outbox with the next write.
  void flush() {
    persist();
    publishOutbox();
    uint64_t evictions = core_.state().evictions();
    if (evictions > evictions_seen_) metrics_.state_evictions.inc(evictions - evictions_seen_);
    evictions_seen_ = evictions;
    metrics_.outbox_pending.set(static_cast<double>(core_.state().outbox().size()));
  }

  void persist() {
    if (!store_) {
      core_.state().clearDirty();
      return;
    }
    Status written = flushState(*store_, core_.state());
    if (!written.isOk()) {
      metrics_.state_write_failures.inc();
      logger_->error("safety state not written (will retry): {}", written.message());
    }
  }

  void publishOutbox() {
    while (!core_.state().outbox().empty()) {
      const OutboxEntry& entry = core_.state().outbox().front();
      auto published = context_.bus.publishWritten(entry.type, entry.document, entry.text);
      if (!published) {
        metrics_.publish_failures.inc();
        logger_->warn("{} not published yet (kept, retried every {}): {}", entry.type,
                      formatDuration(config_.recheck_interval), published.status().message());
        return;
      }
      core_.published(entry.sequence);
    }
  }

  // ---- state, policy, control ------------------------------------------------------------

  Status openState() {
    if (context_.state_dir.empty()) {
      logger_->warn("no state_dir: the brain's safety state is kept in memory only");
      return Status::ok();
    }
    auto store =
        state::StateStore::open(std::filesystem::path(context_.state_dir) / "brain" / "state.log");
    if (!store) return store.status().withContext("brain: opening its state store");
    std::lock_guard lock(mutex_);
    ORION_RETURN_IF_ERROR(loadState(**store, core_.state()).withContext("brain"));
    store_ = std::move(store).value();
    return Status::ok();
  }

  Result<Json> reloadPolicy(std::string_view why) {
    Status status = policy_.reload();
    policy::PolicyPtr current = policy_.current();
    metrics_.policy_valid.set(current->loaded() ? 1 : 0);
    if (!status.isOk()) {
      metrics_.reloads("failed").inc();
      if (current->loaded()) {
        logger_->error("policy reload ({}) failed; keeping the policy in force ({}): {}", why,
                       current->digest(), status.message());
      } else {
        logger_->error("no valid policy in {} ({}): NOTHING IS SAFE and no rule applies: {}",
                       policy_.directory().string(), why, status.message());
      }
      return status;
    }
    metrics_.reloads("ok").inc();
    logger_->info("policy {} loaded from {} ({}): {}", current->digest(),
                  policy_.directory().string(), why, current->summary());
    return policyJson(*current);
  }

  Json policyJson(const policy::Policy& current) const {
    return {{"directory", policy_.directory().string()},
            {"loaded", current.loaded()},
            {"digest", current.digest()},
            {"summary", current.summary()},
            {"problem", current.problem()},
            {"failed_reloads", policy_.failedReloads()},
            {"last_error", policy_.lastError()}};
  }

  Result<Json> setAutonomy(const control::Request& request) {
    AutonomyChangeRequest change{stringArg(request.args, "level"),
                                 stringArg(request.args, "reason"),
                                 request.peer.describe(),
                                 static_cast<int64_t>(request.peer.uid),
                                 static_cast<int64_t>(request.peer.pid),
                                 request.peer.user};
    std::lock_guard lock(mutex_);
    contracts::AutonomyLevel before = core_.level();
    auto applied = core_.setAutonomy(change, context_.clock.now());
    if (!applied) return applied.status();
    metrics_.autonomy_changes.inc();
    metrics_.autonomy_level.set(static_cast<double>(applied->record.level));
    logger_->warn("autonomy changed {} → {} by {}: \"{}\"", contracts::toString(before),
                  contracts::toString(applied->record.level), applied->record.changed_by,
                  applied->record.reason);
    afterChange(false);
    Json out = describeAutonomy(core_.configured(), core_.state().autonomy());
    out["previous_level"] = contracts::toString(before);
    out["audited"] = core_.state().outbox().empty();
    return out;
  }

  Status registerOps() {
    auto add = [this](const char* op, const char* help, control::Handler handler) {
      return ops_.add(op, help, std::move(handler));
    };
    ORION_RETURN_IF_ERROR(add("autonomy.show", "the autonomy level in force and its last change",
                              [this](const control::Request&) -> Result<Json> {
                                std::lock_guard lock(mutex_);
                                return describeAutonomy(core_.configured(),
                                                        core_.state().autonomy());
                              }));
    ORION_RETURN_IF_ERROR(add("autonomy.set", "change the autonomy level (args: level, reason)",
                              [this](const control::Request& r) { return setAutonomy(r); }));
    ORION_RETURN_IF_ERROR(
        add("policy.reload", "load the policy directory again", [this](const control::Request& r) {
          return reloadPolicy("requested by " + r.peer.describe());
        }));
    ORION_RETURN_IF_ERROR(
        add("policy.show", "the policy in force", [this](const control::Request&) -> Result<Json> {
          return policyJson(*policy_.current());
        }));
    return Status::ok();
  }

  void unregisterOps() { ops_.clear(); }

  void stopSubscriptions(MonoTime deadline) {
    for (auto& subscription : subscriptions_) {
      if (!subscription->drain(deadline)) {
        logger_->warn("stopping with messages still unprocessed; they stay pending on the bus");
      }
    }
    for (auto& subscription : subscriptions_) subscription->stop();
    subscriptions_.clear();
  }

  const config::BrainConfig config_;
  ModuleContext context_;
  Logger logger_;
  BrainMetrics metrics_;
  policy::PolicyHolder policy_;
  uint64_t collector_ = 0;  // MetricsRegistry::addCollector
  std::mutex mutex_;        // guards core_, store_ and the metrics bookkeeping below
  BrainCore core_;
  std::unique_ptr<state::StateStore> store_;
  uint64_t evictions_seen_ = 0;
  control::OwnedOps ops_{context_.control};
  std::vector<std::unique_ptr<bus::Subscription>> subscriptions_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread ticker_;
};

}  // namespace

std::unique_ptr<Service> makeBrain(const config::BrainConfig& config, ModuleContext context) {
  return std::make_unique<Brain>(config, std::move(context));
}

}  // namespace orion::brain
