#include "approval/coordinator.h"

#include <fmt/format.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "approval/answers.h"
#include "approval/approval.h"
#include "approval/approval_metrics.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "common/time.h"
#include "contracts/registry.h"
#include "control/control.h"
#include "policy/holder.h"
#include "signing/admin_key.h"
#include "state/state_store.h"

namespace orion::approval {
namespace {

// Tables of <state_dir>/approval/state.log.
constexpr const char* kPendingTable = "pending";    // request id → PendingRequest::toJson()
constexpr const char* kAnsweredTable = "answered";  // request id → {expires_at, approval_id}
constexpr const char* kOutboxTable = "outbox";      // approval id → approval_decision document

class Coordinator final : public Service {
 public:
  Coordinator(CoordinatorOptions options, ModuleContext context)
      : options_(std::move(options)),
        context_(std::move(context)),
        logger_(makeLogger("approval")),
        metrics_(context_.metrics),
        pending_(options_.pending) {}

  ~Coordinator() override { stop(MonoTime::min()); }

  std::string_view name() const override { return "approval"; }

  Status start() override {
    if (subscription_) return failedPrecondition("approval: already started");
    ORION_RETURN_IF_ERROR(loadKey());
    if (!options_.policy_dir.empty()) {
      policy_.emplace(options_.policy_dir);
      if (Status loaded = policy_->reload(); !loaded.isOk()) {
        logger_->error("approval: {}; requests wait at most approval.default_timeout",
                       loaded.message());
      }
    }
    ORION_RETURN_IF_ERROR(openState());
    {
      std::lock_guard lock(mutex_);
      stopping_ = false;
    }
    ORION_RETURN_IF_ERROR(registerOps());
    sweeper_ = std::thread([this] {
      nameThisThread("approval-sweep");
      sweepLoop();
    });
    auto subscription = context_.bus.subscribe(
        {std::string(contracts::type::kApprovalRequest), "approval-coordinator", "coordinator-1"},
        [this](const bus::Delivery& delivery) { return handle(delivery); });
    if (!subscription) {
      unregisterOps();
      stopSweeper();
      return subscription.status().withContext("approval: subscribing to approval_request");
    }
    subscription_ = std::move(subscription).value();
    logger_->info("approval coordinator started: {} pending request(s); {}", pending_.size(),
                  key_ ? "answers are verified with the admin key " + key_->origin()
                       : std::string("no admin key configured: every answer is refused"));
    return Status::ok();
  }

  void stop(MonoTime deadline) override {
    unregisterOps();
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
  Status loadKey() {
    auto key = signing::loadConfiguredKey(options_.admin_key_file, context_.state_dir);
    if (!key) return key.status().withContext("approval");
    key_ = std::move(key).value();
    return Status::ok();
  }

  // Reads what a previous run left: pending requests (expired ones go at the next sweep),
  // answered ids (a redelivered request is not asked again) and unpublished answers.
  Status openState() {
    if (context_.state_dir.empty()) return Status::ok();
    auto store = state::StateStore::open(std::filesystem::path(context_.state_dir) / "approval" /
                                         "state.log");
    if (!store) return store.status().withContext("approval: opening its state");
    store_ = std::move(store).value();
    auto pending = store_->scan(kPendingTable);
    auto answered = store_->scan(kAnsweredTable);
    auto outbox = store_->scan(kOutboxTable);
    for (auto* scanned : {&pending, &answered, &outbox}) {
      if (!*scanned) return scanned->status().withContext("approval: reading its state");
    }
    std::lock_guard lock(mutex_);
    for (auto& [id, value] : *pending) {
      auto request = PendingRequest::fromStored(value);
      if (!request) return request.status().withContext("approval: " + store_->file().string());
      WallTime received = request->received_at;
      (void)pending_.add(*request,
                         std::min(received, request->expires_at - std::chrono::seconds(1)));
    }
    for (auto& [id, value] : *answered) {
      auto expires = parseRfc3339(value.value("expires_at", ""));
      answered_[id] = expires ? *expires : context_.clock.now();
    }
    for (auto& [id, value] : *outbox) outbox_[id] = value;
    metrics_.pending.set(static_cast<double>(pending_.size()));
    return Status::ok();
  }

  Status handle(const bus::Delivery& delivery) {
    auto request = parseApprovalRequest(*delivery.document);
    if (!request) {
      metrics_.rejected.inc();
      return request.status().withContext("approval: entry " + delivery.entry_id);
    }
    std::lock_guard lock(mutex_);
    if (answered_.contains(request->approval_request_id)) {
      metrics_.duplicates.inc();
      return Status::ok();
    }
    std::optional<Duration> timeout;
    if (policy_) timeout = policy_->current()->approvalTimeout(request->action_type);
    WallTime now = context_.clock.now();
    AddOutcome outcome = pending_.add(*request, now, timeout);
    state::Batch batch;
    switch (outcome.result) {
      case AddResult::kDuplicate:
        metrics_.duplicates.inc();
        return Status::ok();
      case AddResult::kAlreadyExpired:
        metrics_.expired.inc();
        recordExpiry(batch, *request, "it arrived already expired", now);
        return commit(batch);
      case AddResult::kAdded:
        break;
    }
    metrics_.requests.inc();
    if (outcome.evicted) {
      metrics_.evicted.inc();
      recordExpiry(batch, *outcome.evicted, "dropped to make room (too many pending requests)",
                   now);
    }
    const PendingRequest& stored = *pending_.find(request->approval_request_id);
    batch.put(kPendingTable, stored.approval_request_id, stored.toJson());
    if (Status status = commit(batch); !status.isOk()) {
      pending_.remove(stored.approval_request_id);  // redelivered and stored next time
      return status;
    }
    if (stored.timeout_capped) metrics_.capped.inc();
    logger_->info("approval request {} for {} (decision {}) waits until {}{}",
                  stored.approval_request_id, stored.action_type, stored.decision_id,
                  formatRfc3339(stored.expires_at),
                  stored.timeout_capped ? " (capped at the policy's or the maximum timeout)" : "");
    metrics_.pending.set(static_cast<double>(pending_.size()));
    wake_.notify_one();  // the new request may expire before the sweeper's current wait ends
    return Status::ok();
  }

  // ---- answers (control socket) ------------------------------------------------------------

  Result<Json> answer(const control::Request& request) {
    auto it = request.args.find("answer");
    if (it == request.args.end()) return invalidArgument("approvals.answer: missing 'answer'");
    auto answer = contracts::ApprovalDecision::fromJson(*it);
    if (!answer) return answer.status().withContext("approvals.answer");
    // The socket's caller is its uid; an in-process front end (the HTTP API) says whom it
    // authenticated.
    std::string caller = request.peer.identity.empty()
                             ? cliIdentity(request.peer.uid, request.peer.user)
                             : request.peer.identity;
    std::lock_guard lock(mutex_);
    WallTime now = context_.clock.now();
    const PendingRequest* pending = pending_.find(answer->approval_request_id);
    if (pending == nullptr) {
      metrics_.refused_answers.inc();
      return notFound("no pending approval request " + answer->approval_request_id +
                      (answered_.contains(answer->approval_request_id)
                           ? " (already answered: an approval is single-use)"
                           : " (unknown, or expired)"));
    }
    AnswerRules rules{key_ ? &*key_ : nullptr, options_.answer_validity};
    if (Status checked = checkAnswer(*pending, *answer, caller, rules, now); !checked.isOk()) {
      metrics_.refused_answers.inc();
      logger_->error("approval request {}: answer from {} refused: {}",
                     pending->approval_request_id, request.peer.describe(), checked.message());
      auditRefusal(*it, "answer from " + request.peer.describe() + " refused: " + checked.message(),
                   now);
      if (checked.code() == StatusCode::kFailedPrecondition) expireNow(*pending, now);
      return checked;
    }
    PendingRequest answered = *pending;
    state::Batch batch;
    batch.erase(kPendingTable, answered.approval_request_id);
    batch.put(kAnsweredTable, answered.approval_request_id,
              Json{{"expires_at", formatRfc3339(answered.expires_at)},
                   {"approval_id", answer->approval_id}});
    Json document = answer->toJson();
    batch.put(kOutboxTable, answer->approval_id, document);
    outbox_[answer->approval_id] = document;
    ORION_RETURN_IF_ERROR(commit(batch));
    pending_.remove(answered.approval_request_id);
    answered_[answered.approval_request_id] = answered.expires_at;
    metrics_.answers(contracts::toString(answer->decision)).inc();
    metrics_.pending.set(static_cast<double>(pending_.size()));
    logger_->warn("approval request {} ({} {}) answered '{}' by {}: \"{}\"{}",
                  answered.approval_request_id, answered.action_type, answered.parameters.dump(),
                  contracts::toString(answer->decision), request.peer.describe(), answer->reason,
                  answer->override_cooldown || answer->override_circuit_breaker
                      ? fmt::format(" (override cooldown: {}, override breaker: {})",
                                    answer->override_cooldown, answer->override_circuit_breaker)
                      : "");
    bool published = !outbox_.contains(answer->approval_id);
    return Json{{"answer", document}, {"published", published}};
  }

  // A refused answer (a wrong signature, a mismatched action, a stale answer) is a bad message:
  // it goes to the dead-letter stream with its reason, so the audit trail records the attempt.
  // It is never published as an approval_decision.
  void auditRefusal(const Json& answer, const std::string& why, WallTime now) {
    contracts::Deadletter refused;
    refused.deadletter_id = newUuid();
    refused.timestamp = now;
    refused.source = "orion-approval-coordinator";
    refused.stream = "control:approvals.answer";  // it came over the control socket, not a stream
    refused.contract_type = std::string(contracts::type::kApprovalDecision);
    refused.reason = why;
    refused.original_document = answer;
    auto sent = context_.bus.publish(contracts::type::kDeadletter, refused.toJson());
    if (!sent.isOk()) {
      logger_->error("approval: recording a refused answer failed: {}", sent.status().message());
    }
  }

  Result<Json> list() {
    std::lock_guard lock(mutex_);
    WallTime now = context_.clock.now();
    Json out = Json::array();
    for (const PendingRequest* request : pending_.all()) out.push_back(describe(*request, now));
    return Json{{"pending", out}, {"now", formatRfc3339(now)}, {"keyed", key_.has_value()}};
  }

  Result<Json> show(const control::Request& request) {
    auto id = request.args.find("id");
    if (id == request.args.end() || !id->is_string()) {
      return invalidArgument("approvals.show: missing 'id'");
    }
    std::lock_guard lock(mutex_);
    auto found = pending_.lookup(id->get<std::string>());
    if (!found) return found.status();
    Json out = describe(**found, context_.clock.now());
    out["answer_validity_seconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(options_.answer_validity).count();
    return out;
  }

  Json describe(const PendingRequest& request, WallTime now) const {
    Json out = request.toJson();
    out["seconds_left"] =
        std::chrono::duration_cast<std::chrono::seconds>(request.expires_at - now).count();
    return out;
  }

  Status registerOps() {
    auto add = [this](const char* op, const char* help, control::Handler handler) {
      return ops_.add(op, help, std::move(handler));
    };
    Status status = add("approvals.list", "pending approval requests",
                        [this](const control::Request&) { return list(); });
    if (status.isOk()) {
      status = add("approvals.show", "one pending request (args: id or an 8+ character prefix)",
                   [this](const control::Request& r) { return show(r); });
    }
    if (status.isOk()) {
      status = add("approvals.answer", "approve, deny or force (args: answer, a signed document)",
                   [this](const control::Request& r) { return answer(r); });
    }
    if (!status.isOk()) unregisterOps();
    return status.withContext("approval: registering control operations");
  }

  void unregisterOps() { ops_.clear(); }

  // ---- expiry ------------------------------------------------------------------------------

  void sweepLoop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      WallTime now = context_.clock.now();
      state::Batch batch;
      for (const PendingRequest& request : pending_.expire(now)) {
        metrics_.expired.inc();
        batch.erase(kPendingTable, request.approval_request_id);
        recordExpiry(batch, request, "it expired at " + formatRfc3339(request.expires_at), now);
      }
      for (auto it = answered_.begin(); it != answered_.end();) {
        // Past its request's expiry a redelivered request is refused as expired anyway.
        if (it->second > now) {
          ++it;
          continue;
        }
        batch.erase(kAnsweredTable, it->first);
        it = answered_.erase(it);
      }
      if (Status status = commit(batch); !status.isOk()) {
        logger_->error("approval: {}", status.message());
      }
      metrics_.pending.set(static_cast<double>(pending_.size()));
      Duration wait = options_.max_sweep_wait;
      if (auto next = pending_.nextExpiry()) {
        wait = std::clamp<Duration>(*next - now, Duration::zero(), options_.max_sweep_wait);
      }
      wake_.wait_for(lock, wait);
    }
  }

  // An answer that found its request expired ends the request at once.
  void expireNow(const PendingRequest& request, WallTime now) {
    PendingRequest copy = request;
    pending_.remove(copy.approval_request_id);
    metrics_.expired.inc();
    state::Batch batch;
    batch.erase(kPendingTable, copy.approval_request_id);
    recordExpiry(batch, copy, "it expired at " + formatRfc3339(copy.expires_at), now);
    if (Status status = commit(batch); !status.isOk()) {
      logger_->error("approval: {}", status.message());
    }
  }

  // Called with mutex_ held: the expiry becomes an approval_decision (deny, tags.expired) in
  // the outbox, so the audit trail and the commander see it; nothing is executed.
  void recordExpiry(state::Batch& batch, const PendingRequest& request, const std::string& why,
                    WallTime now) {
    logger_->error(
        "approval request {} for action {} (decision {}): {}. NOT executed: no admin answered; "
        "the system stays in safe inaction.",
        request.approval_request_id, request.action_type, request.decision_id, why);
    contracts::ApprovalDecision record =
        expiryRecord(request, why, newUuid(), key_ ? &*key_ : nullptr, now);
    Json document = record.toJson();
    batch.put(kOutboxTable, record.approval_id, document);
    outbox_[record.approval_id] = document;
    batch.put(kAnsweredTable, request.approval_request_id,
              Json{{"expires_at", formatRfc3339(request.expires_at)},
                   {"approval_id", record.approval_id}});
    answered_[request.approval_request_id] = request.expires_at;
  }

  // Called with mutex_ held: applies `batch`, then publishes the outbox (what is published is
  // erased; what the bus refuses stays for the next sweep).
  Status commit(const state::Batch& batch) {
    if (store_ && !batch.empty()) {
      ORION_RETURN_IF_ERROR(store_->apply(batch).withContext("approval: saving its state"));
    }
    state::Batch published;
    for (auto it = outbox_.begin(); it != outbox_.end();) {
      auto sent = context_.bus.publish(contracts::type::kApprovalDecision, it->second);
      if (!sent) {
        metrics_.publish_failures.inc();
        logger_->warn("approval: publishing answer {} failed ({}); retried at the next sweep",
                      it->first, sent.status().message());
        ++it;
        continue;
      }
      published.erase(kOutboxTable, it->first);
      it = outbox_.erase(it);
    }
    if (store_ && !published.empty()) store_->apply(published).ignore();
    return Status::ok();
  }

  void stopSweeper() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
  }

  CoordinatorOptions options_;
  ModuleContext context_;
  Logger logger_;
  ApprovalMetrics metrics_;
  std::optional<signing::AdminKey> key_;
  std::optional<policy::PolicyHolder> policy_;
  std::unique_ptr<state::StateStore> store_;
  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  PendingRequests pending_;
  std::map<std::string, WallTime> answered_;  // request id → its expiry (then forgotten)
  std::map<std::string, Json> outbox_;        // approval id → document not yet published
  bool stopping_ = false;
  std::thread sweeper_;
  control::OwnedOps ops_{context_.control};
  std::unique_ptr<bus::Subscription> subscription_;
};

}  // namespace

std::unique_ptr<Service> makeCoordinator(CoordinatorOptions options, ModuleContext context) {
  return std::make_unique<Coordinator>(std::move(options), std::move(context));
}

std::unique_ptr<Service> makeApprovalCoordinator(const config::ApprovalConfig& config,
                                                 std::string policy_dir, ModuleContext context) {
  CoordinatorOptions options;
  options.pending.max_timeout = config.max_timeout;
  options.policy_dir = std::move(policy_dir);
  options.admin_key_file = config.admin_key_file;
  options.answer_validity = std::min(config.answer_validity, config.max_timeout);
  return makeCoordinator(std::move(options), std::move(context));
}

}  // namespace orion::approval
