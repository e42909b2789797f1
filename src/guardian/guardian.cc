#include "guardian/guardian.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "common/json.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "guardian/correlator.h"
#include "guardian/correlator_store.h"
#include "guardian/guardian_metrics.h"
#include "state/state_store.h"

namespace orion::guardian {
namespace {

// Incidents decided but not yet published. Past this the guardian stops taking events (the bus
// keeps them and redelivers), so a bus that refuses publishes cannot grow memory without bound.
constexpr size_t kMaxOutbox = 10000;
constexpr Duration kSweepInterval = std::chrono::seconds(1);

CorrelatorOptions optionsFrom(const config::GuardianConfig& config) {
  auto size = [](int64_t value) { return static_cast<size_t>(std::max<int64_t>(value, 1)); };
  CorrelatorOptions options;
  options.max_open_incidents = size(config.max_open_incidents);
  options.max_resolved_fingerprints = size(config.max_resolved_fingerprints);
  options.max_remembered_events = size(config.max_remembered_events);
  options.correlation_window = config.correlation_window;
  options.flap_threshold = size(config.flap_threshold);
  options.flap_window = config.flap_window;
  options.node_correlation_threshold = size(config.node_correlation_threshold);
  return options;
}

class Guardian final : public Service {
 public:
  Guardian(const config::GuardianConfig& config, ModuleContext context)
      : context_(std::move(context)),
        logger_(makeLogger("guardian")),
        metrics_(context_.metrics),
        correlator_(optionsFrom(config), context_.clock) {}

  ~Guardian() override { stop(context_.clock.monotonic()); }

  std::string_view name() const override { return "guardian"; }

  Status start() override {
    if (subscription_) return failedPrecondition("guardian: already started");
    ORION_RETURN_IF_ERROR(openState());
    // One state write per bus batch, not per event (docs/benchmarks.md, "The pipeline"): the
    // handler only correlates and queues; before the batch is acknowledged, flush() writes what
    // the batch changed with its incidents in the outbox, then publishes them.
    bus::SubscribeOptions events{std::string(contracts::type::kEvent), "guardian", "guardian-1"};
    events.before_ack = [this] {
      std::lock_guard lock(mutex_);
      flush();
      return Status::ok();
    };
    auto subscription = context_.bus.subscribe(
        events, [this](const bus::Delivery& delivery) { return handle(delivery); });
    if (!subscription) return subscription.status().withContext("guardian: subscribing to event");
    subscription_ = std::move(subscription).value();
    // The commander's actions: a succeeded acknowledge_incident acknowledges its incident.
    auto actions = context_.bus.subscribe(
        {std::string(contracts::type::kAction), "guardian", "guardian-1"},
        [this](const bus::Delivery& delivery) { return onAction(delivery); });
    if (!actions) {
      subscription_->stop();
      subscription_.reset();
      return actions.status().withContext("guardian: subscribing to action");
    }
    actions_ = std::move(actions).value();
    stopping_ = false;
    sweeper_ = std::thread([this] {
      nameThisThread("guardian-sweep");
      sweepLoop();
    });
    std::lock_guard lock(mutex_);
    publishOutbox();  // what a previous run decided but could not publish
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
    if (actions_) {
      actions_->drain(deadline);
      actions_->stop();
      actions_.reset();
    }
    {
      std::lock_guard lock(wake_mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    std::lock_guard lock(mutex_);
    publishOutbox();
    persist();
  }

 private:
  // An incident waiting to be published, with its text: written once, stored, then sent.
  struct Pending {
    uint64_t sequence;
    Json document;
    std::string text;  // dumpJson(document)
  };

  Status handle(const bus::Delivery& delivery) {
    auto event = contracts::Event::fromJson(*delivery.document);
    if (!event) {
      metrics_.recordRejected();
      // kInvalidArgument: the bus dead-letters it instead of retrying something that cannot work.
      return invalidArgument("guardian: unreadable event " + delivery.entry_id + ": " +
                             event.status().message());
    }
    std::lock_guard lock(mutex_);
    if (outbox_.size() >= kMaxOutbox) {
      flush();
      if (outbox_.size() >= kMaxOutbox) {
        metrics_.recordOutboxFull();
        return unavailable("guardian: " + std::to_string(outbox_.size()) +
                           " incidents wait to be published; event " + event->event_id +
                           " is left for redelivery");
      }
    }
    Correlation correlation = correlator_.process(*event);
    metrics_.record(correlation);
    queue(correlation.incidents, correlation.opened);
    metrics_.recordState(correlator_, outbox_.size());
    return Status::ok();  // written and published by flush(), before the bus acknowledges it
  }

  // Only a real (not dry-run) acknowledge_incident that succeeded changes the incident.
  Status onAction(const bus::Delivery& delivery) {
    auto action = contracts::Action::fromJson(*delivery.document);
    if (!action) {
      return invalidArgument("guardian: unreadable action " + delivery.entry_id + ": " +
                             action.status().message());
    }
    if (action->action_type != "acknowledge_incident" ||
        action->state != contracts::ActionState::kSucceeded || action->dry_run) {
      return Status::ok();
    }
    std::string incident_id;
    if (auto it = action->parameters.find("incident_id");
        it != action->parameters.end() && it->is_string()) {
      incident_id = it->get<std::string>();
    } else if (auto tag = action->tags.find("incident_id"); tag != action->tags.end()) {
      incident_id = tag->second;
    }
    if (incident_id.empty()) return Status::ok();
    std::lock_guard lock(mutex_);
    auto acknowledged = correlator_.acknowledge(incident_id, "orion-commander", action->action_id);
    if (!acknowledged) return Status::ok();
    queue({acknowledged}, {});
    flush();
    metrics_.recordState(correlator_, outbox_.size());
    return Status::ok();
  }

  void sweepLoop() {
    std::unique_lock wake_lock(wake_mutex_);
    while (!stopping_) {
      wake_.wait_for(wake_lock, kSweepInterval, [this] { return stopping_; });
      if (stopping_) return;
      wake_lock.unlock();
      {
        std::lock_guard lock(mutex_);
        queue(correlator_.sweep(), {});
        flush();
        metrics_.recordState(correlator_, outbox_.size());
      }
      wake_lock.lock();
    }
  }

  // Under mutex_: the incidents to publish join the outbox (kept in the state store).
  void queue(const std::vector<IncidentDocument>& incidents,
             const std::vector<std::string>& opened) {
    for (const IncidentDocument& document : incidents) {
      const contracts::Incident& incident = *document;
      bool is_new = std::find(opened.begin(), opened.end(), incident.incident_id) != opened.end();
      metrics_.recordPublished(incident, is_new);
      logger_->info("incident {} {}: {} severity={} events={}: {}", incident.incident_id,
                    is_new ? "opened" : contracts::toString(incident.state), incident.incident_type,
                    contracts::toString(incident.severity), incident.event_ids.size(),
                    incident.description.value_or(""));
      uint64_t sequence = ++outbox_sequence_;
      std::string text;
      incident.appendJsonText(text);  // dumpJson(toJson()), without walking the tree
      outbox_.push_back(Pending{sequence, incident.toJson(), std::move(text)});
      outbox_dirty_.insert(sequence);
    }
  }

  // Under mutex_: writes the state with the incidents waiting in the outbox, then publishes them.
  // An incident is in the state store before it is on the bus, so a crash in between publishes
  // it again at the next start (same incident, same content), never loses it. What was published
  // leaves the stored outbox with the next write (the next batch or sweep, or stop()).
  void flush() {
    persist();
    publishOutbox();
  }

  void publishOutbox() {
    while (!outbox_.empty()) {
      const Pending& front = outbox_.front();
      auto published =
          context_.bus.publishWritten(contracts::type::kIncident, front.document, front.text);
      if (!published) {
        metrics_.recordPublishFailure();
        logger_->warn("incident not published yet (kept, retried): {}",
                      published.status().message());
        break;
      }
      outbox_dirty_.insert(outbox_.front().sequence);
      outbox_.pop_front();
    }
  }

  void persist() {
    if (!store_) {
      correlator_.clearDirty();
      outbox_dirty_.clear();
      return;
    }
    if (!correlator_.hasChanges() && outbox_dirty_.empty()) return;
    state::Batch batch;
    addChanges(correlator_, batch);
    for (uint64_t sequence : outbox_dirty_) {
      // The outbox is in sequence order (queued in order, sorted when restored).
      auto it = std::lower_bound(
          outbox_.begin(), outbox_.end(), sequence,
          [](const Pending& pending, uint64_t wanted) { return pending.sequence < wanted; });
      if (it == outbox_.end() || it->sequence != sequence) {
        batch.erase("outbox", std::to_string(sequence));
      } else {
        batch.putText("outbox", std::to_string(sequence), it->text);
      }
    }
    Status written = store_->apply(batch);
    if (!written.isOk()) {
      metrics_.recordStateWriteFailure();
      logger_->error("guardian state not written (will retry): {}", written.message());
      return;
    }
    correlator_.clearDirty();
    outbox_dirty_.clear();
  }

  Status openState() {
    if (context_.state_dir.empty()) {
      logger_->warn("no state_dir: open incidents and fingerprints are kept in memory only");
      return Status::ok();
    }
    auto store = state::StateStore::open(std::filesystem::path(context_.state_dir) / "guardian" /
                                         "state.log");
    if (!store) return store.status().withContext("guardian: opening its state store");
    std::lock_guard lock(mutex_);
    ORION_RETURN_IF_ERROR(loadCorrelator(**store, correlator_));
    auto pending = (*store)->scan("outbox");
    if (!pending) return pending.status().withContext("guardian: loading 'outbox'");
    for (auto& [key, document] : *pending) {
      uint64_t sequence = 0;
      auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), sequence);
      if (error != std::errc() || end != key.data() + key.size()) {
        return {StatusCode::kDataLoss, "guardian state: outbox key '" + key + "' is not a number"};
      }
      std::string text = dumpJson(document);
      outbox_.push_back(Pending{sequence, std::move(document), std::move(text)});
    }
    std::sort(outbox_.begin(), outbox_.end(),
              [](const Pending& a, const Pending& b) { return a.sequence < b.sequence; });
    if (!outbox_.empty()) outbox_sequence_ = outbox_.back().sequence;
    logger_->info("guardian state: {} open incident(s), {} fingerprint(s), {} unpublished",
                  correlator_.openCount(), correlator_.conditionCount(), outbox_.size());
    store_ = std::move(store).value();
    metrics_.recordState(correlator_, outbox_.size());
    return Status::ok();
  }

  ModuleContext context_;
  Logger logger_;
  GuardianMetrics metrics_;
  std::mutex mutex_;  // guards the correlator, the outbox and the store
  Correlator correlator_;
  std::deque<Pending> outbox_;
  std::set<uint64_t> outbox_dirty_;
  uint64_t outbox_sequence_ = 0;
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<bus::Subscription> subscription_;
  std::unique_ptr<bus::Subscription> actions_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace

std::unique_ptr<Service> makeGuardian(const config::GuardianConfig& config, ModuleContext context) {
  return std::make_unique<Guardian>(config, std::move(context));
}

}  // namespace orion::guardian
