#include "commander/commander.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "bus/routing.h"
#include "commander/commander_metrics.h"
#include "commander/execution_pool.h"
#include "commander/outbox.h"
#include "commander/runner.h"
#include "commander/verdict.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/recent_keys.h"
#include "common/thread_name.h"
#include "common/time.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "policy/holder.h"
#include "signing/admin_key.h"
#include "signing/approval_signature.h"
#include "signing/overrides.h"
#include "state/state_store.h"

namespace orion::commander {
namespace {

using contracts::ApprovalVerdict;

constexpr size_t kRememberedIds = 4096;
// Tables of <state_dir>/commander/state.log.
constexpr const char* kExecutions = "executions";  // decision id → {action, state, outcome?}
constexpr const char* kAwaiting = "awaiting";      // decision id → {decision, deadline}
constexpr const char* kUsed = "used_approvals";    // approval id → {decision_id, expires_at}
constexpr const char* kParked = "parked";          // decision id → approval (came first)
constexpr auto kOutboxRetry = std::chrono::seconds(1);

struct Awaiting {
  contracts::Decision decision;
  WallTime deadline;
  contracts::SafetyClass classification = contracts::SafetyClass::kRisky;
};

class Commander final : public Service {
 public:
  Commander(CommanderOptions options, ModuleContext context,
            std::vector<std::unique_ptr<Executor>> extra)
      : options_(std::move(options)),
        context_(std::move(context)),
        logger_(makeLogger("commander")),
        metrics_(context_.metrics),
        policy_(options_.policy_dir),
        decision_ids_(kRememberedIds),
        approval_ids_(kRememberedIds) {
    for (auto& executor : extra) executors_.add(std::move(executor)).ignore();
  }

  ~Commander() override { stop(MonoTime::min()); }

  std::string_view name() const override { return "commander"; }

  Status start() override {
    if (decisions_) return failedPrecondition("commander: already started");
    ORION_RETURN_IF_ERROR(registerBuiltinExecutors(executors_, options_.builtin, context_.clock)
                              .withContext("commander"));
    if (options_.policy_dir.empty()) {
      logger_->warn("commander: no policy directory: nothing is SAFE");
    } else if (Status loaded = policy_.reload(); !loaded.isOk()) {
      logger_->error("commander: {}: nothing is SAFE until the policy loads", loaded.message());
    }
    ORION_RETURN_IF_ERROR(
        registerExecActions(executors_, *policy_.current()).withContext("commander"));
    // Every action type it can run reads 0 on a dashboard until it has run.
    for (const auto& [action_type, executor] : executors_.all()) {
      for (auto status :
           {contracts::OutcomeStatus::kSucceeded, contracts::OutcomeStatus::kFailed}) {
        metrics_.executions(action_type, contracts::toString(status));
      }
    }
    ORION_RETURN_IF_ERROR(loadKey());
    ORION_RETURN_IF_ERROR(openJournal());
    if (options_.execution_workers > 0) {
      pool_ = std::make_unique<ExecutionPool>(options_.execution_workers);
    }
    // Routing (bus/routing.h): each node's commander has consumer groups of its own.
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

    {
      std::lock_guard lock(mutex_);
      flushOutbox();  // what a previous run could not publish
    }
    stopping_ = false;
    retrier_ = std::thread([this] {
      nameThisThread("commander-retry");
      retryLoop();
    });
    logger_->info("commander started: {} executor(s), {} decision(s) awaiting approval{}{}",
                  executors_.all().size(), awaiting_.size(),
                  key_ ? "" : "; no admin key: no approval will be accepted",
                  options_.dry_run ? "; DRY RUN: nothing is executed" : "");
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
    // Every journalled execution completes and publishes its outcome before the commander stops.
    if (pool_) {
      pool_->drain();
      pool_.reset();
      metrics_.in_progress.set(0);
    }
    {
      std::lock_guard lock(retry_mutex_);
      stopping_ = true;
    }
    retry_wake_.notify_all();
    if (retrier_.joinable()) retrier_.join();
  }

 private:
  // ---- start -------------------------------------------------------------------------------

  Status loadKey() {
    auto key = signing::loadConfiguredKey(options_.admin_key_file, context_.state_dir);
    if (!key) return key.status().withContext("commander");
    key_ = std::move(key).value();
    return Status::ok();
  }

  // Reads the journal. An action a previous run left "executing" was interrupted (crash, kill):
  // it is marked failed and never run again, because running it twice could do harm.
  Status openJournal() {
    if (context_.state_dir.empty()) return Status::ok();
    auto store = state::StateStore::open(std::filesystem::path(context_.state_dir) / "commander" /
                                         "state.log");
    if (!store) return store.status().withContext("commander: opening its journal");
    store_ = std::move(store).value();
    // First what a previous run could not publish, so it goes out before anything newer.
    outbox_ = Outbox(store_.get());
    ORION_RETURN_IF_ERROR(outbox_.load());
    auto executions = store_->scan(kExecutions);
    auto awaiting = store_->scan(kAwaiting);
    auto used = store_->scan(kUsed);
    auto parked = store_->scan(kParked);
    for (auto* scanned : {&executions, &awaiting, &used, &parked}) {
      if (!*scanned) return scanned->status().withContext("commander: reading its journal");
    }
    std::lock_guard lock(mutex_);
    for (auto& [decision_id, entry] : *executions) {
      executed_.insert(decision_id);
      if (entry.value("state", "") != "executing") continue;
      auto action = contracts::Action::fromJson(entry["action"]);
      if (!action) continue;
      metrics_.interrupted.inc();
      logger_->error(
          "action {} ({}) was executing when ORION stopped: marked failed "
          "(interrupted), not run again",
          action->action_id, action->action_type);
      contracts::Outcome outcome;
      outcome.outcome_id = newUuid();
      outcome.timestamp = context_.clock.now();
      outcome.action_id = action->action_id;
      outcome.status = contracts::OutcomeStatus::kFailed;
      outcome.tags = action->tags;
      outcome.result = Json{{"interrupted", true}};
      outcome.error = contracts::OutcomeError{
          "INTERRUPTED",
          "interrupted: ORION stopped while the action was executing; it is not rerun "
          "automatically",
          Json{{"action_type", action->action_type}}};
      finish(decision_id, *action, outcome);
    }
    for (auto& [decision_id, entry] : *awaiting) {
      auto decision = contracts::Decision::fromJson(entry["decision"]);
      auto deadline = parseRfc3339(entry.value("deadline", ""));
      auto classification = contracts::parseSafetyClass(entry.value("classification", "RISKY"));
      if (!decision || !deadline) continue;
      awaiting_[decision_id] = Awaiting{
          *decision, *deadline, classification ? *classification : contracts::SafetyClass::kRisky};
    }
    for (auto& [approval_id, entry] : *used) used_.insert(approval_id);
    for (auto& [decision_id, entry] : *parked) parked_[decision_id] = entry;
    metrics_.awaiting.set(static_cast<double>(awaiting_.size()));
    return Status::ok();
  }

  // ---- decisions ---------------------------------------------------------------------------

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
    const std::string& id = decision->decision_id;
    if (decision_ids_.contains(id) || executed_.contains(id) || awaiting_.contains(id)) {
      metrics_.duplicates.inc();
      return Status::ok();
    }
    decision_ids_.insert(id);
    metrics_.decisions(decision->decision_type).inc();
    policy::PolicyPtr policy = policy_.current();
    Verdict verdict = judgeDecision(*decision, *policy, executors_);
    switch (verdict.kind) {
      case VerdictKind::kIgnore:
        metrics_.ignored(verdict.reason).inc();
        logger_->debug("decision {}: {}", id, verdict.detail);
        return Status::ok();
      case VerdictKind::kRefuse:
        // Acknowledged, not retried: a refusal is final, and retrying would only repeat it.
        metrics_.refused(verdict.reason).inc();
        logger_->error("decision {} (incident {}): {}", id, decision->incident_id, verdict.detail);
        return Status::ok();
      case VerdictKind::kExecute:
        return execute(*decision, verdict.classification, nullptr);
      case VerdictKind::kAwaitApproval:
        break;
    }
    if (!key_) {
      metrics_.refused("no_admin_key").inc();
      logger_->error(
          "decision {}: {} but no admin key is configured (approval.admin_key_file): "
          "no approval can be verified, so it never executes",
          id, verdict.detail);
      return Status::ok();
    }
    Duration window = std::min(policy->approvalTimeout(decision->proposed_action->action_type),
                               options_.max_approval_wait);
    Awaiting waiting{*decision,
                     decision->timestamp + std::chrono::duration_cast<WallTime::duration>(window),
                     verdict.classification};
    ORION_RETURN_IF_ERROR(saveAwaiting(waiting));
    awaiting_[id] = waiting;
    metrics_.awaiting.set(static_cast<double>(awaiting_.size()));
    logger_->info("decision {}: {} until {}", id, verdict.detail, formatRfc3339(waiting.deadline));
    if (auto parked = parked_.find(id); parked != parked_.end()) {
      auto approval = contracts::ApprovalDecision::fromJson(parked->second);
      parked_.erase(parked);
      if (store_) store_->erase(kParked, id).ignore();
      if (approval) return applyApproval(*approval);
    }
    return Status::ok();
  }

  Status saveAwaiting(const Awaiting& waiting) {
    if (!store_) return Status::ok();
    return store_
        ->put(kAwaiting, waiting.decision.decision_id,
              Json{{"decision", waiting.decision.toJson()},
                   {"deadline", formatRfc3339(waiting.deadline)},
                   {"classification", contracts::toString(waiting.classification)}})
        .withContext("commander: saving a decision awaiting approval");
  }

  // ---- approvals ---------------------------------------------------------------------------

  Status handleApproval(const bus::Delivery& delivery) {
    auto approval = contracts::ApprovalDecision::fromJson(*delivery.document);
    if (!approval) {
      metrics_.rejected.inc();
      return invalidArgument("commander: unreadable approval_decision " + delivery.entry_id + ": " +
                             approval.status().message());
    }
    std::lock_guard lock(mutex_);
    if (approval_ids_.contains(approval->approval_id)) {
      metrics_.duplicates.inc();
      return Status::ok();
    }
    approval_ids_.insert(approval->approval_id);
    metrics_.approvalDecisions(contracts::toString(approval->decision)).inc();
    return applyApproval(*approval);
  }

  // Called with mutex_ held.
  Status applyApproval(const contracts::ApprovalDecision& approval) {
    const std::string& decision_id = approval.decision_id;
    auto refuse = [&](std::string_view reason, const std::string& why) {
      metrics_.approvalsRefused(reason).inc();
      logger_->error("approval {} for decision {} refused ({}): {}; nothing executed",
                     approval.approval_id, decision_id, reason, why);
      return Status::ok();
    };
    if (!key_) return refuse("no_admin_key", "no admin key is configured");
    if (Status verified = signing::verifyApproval(approval, *key_); !verified.isOk()) {
      return refuse("bad_signature", verified.message());
    }
    WallTime now = context_.clock.now();
    if (approval.decision == ApprovalVerdict::kDeny) {
      if (auto it = awaiting_.find(decision_id); it != awaiting_.end()) {
        awaiting_.erase(it);
        if (store_) store_->erase(kAwaiting, decision_id).ignore();
        metrics_.awaiting.set(static_cast<double>(awaiting_.size()));
        logger_->warn("decision {} ended without execution: {} by {}: \"{}\"", decision_id,
                      approval.tags.count("expired") != 0 ? "expired" : "denied",
                      approval.admin_identity, approval.reason);
      }
      return Status::ok();
    }
    if (used_.contains(approval.approval_id)) {
      return refuse("reused", "this approval was already used (single-use)");
    }
    if (now >= approval.expires_at) {
      return refuse("expired", "it expired at " + formatRfc3339(approval.expires_at));
    }
    auto it = awaiting_.find(decision_id);
    if (it == awaiting_.end()) {
      if (executed_.contains(decision_id)) {
        return refuse("reused", "the decision was already executed");
      }
      // The approval may have been consumed before its decision (separate streams).
      parked_[decision_id] = approval.toJson();
      if (store_) store_->put(kParked, decision_id, approval.toJson()).ignore();
      logger_->info("approval {} arrived before decision {}: kept until it does",
                    approval.approval_id, decision_id);
      return Status::ok();
    }
    const Awaiting& waiting = it->second;
    if (approval.issued_at >= waiting.deadline) {
      return refuse("expired", "issued after the decision's approval window ended (" +
                                   formatRfc3339(waiting.deadline) + ")");
    }
    const contracts::ProposedAction& proposed = *waiting.decision.proposed_action;
    auto hash = approval.tags.find(std::string(signing::kActionHashTag));
    if (hash == approval.tags.end() ||
        hash->second != signing::actionHash(proposed.action_type, proposed.parameters)) {
      return refuse("other_action", "it approves another action than the decision proposes");
    }
    auto tag = [&waiting](const char* key) {
      auto it = waiting.decision.tags.find(key);
      return it == waiting.decision.tags.end() ? std::string() : it->second;
    };
    signing::RequiredOverrides required =
        signing::parseRequiredOverrides(tag("requires_override"), tag("cooldown_until"));
    if (Status allowed =
            signing::checkOverrides(required, approval.decision, approval.override_cooldown,
                                    approval.override_circuit_breaker, now);
        !allowed) {
      return refuse("override_required", allowed.message());
    }
    contracts::Decision decision = waiting.decision;
    contracts::SafetyClass classification = waiting.classification;
    awaiting_.erase(it);
    metrics_.awaiting.set(static_cast<double>(awaiting_.size()));
    logger_->warn("decision {}: {} by {} (\"{}\"){}: executing {}", decision_id,
                  contracts::toString(approval.decision), approval.admin_identity, approval.reason,
                  approval.decision == ApprovalVerdict::kForce
                      ? fmt::format(" override cooldown {}, breaker {}", approval.override_cooldown,
                                    approval.override_circuit_breaker)
                      : "",
                  decision.proposed_action->action_type);  // `proposed` died with the erase
    return execute(decision, classification, &approval);
  }

  // ---- execution ---------------------------------------------------------------------------

  // Called with mutex_ held. Journals, publishes pending/executing, runs, publishes the end.
  Status execute(const contracts::Decision& decision, contracts::SafetyClass classification,
                 const contracts::ApprovalDecision* approval) {
    const contracts::ProposedAction& proposed = *decision.proposed_action;
    Executor* executor = executors_.find(proposed.action_type);
    policy::PolicyPtr policy = policy_.current();
    contracts::Action action;
    action.action_id = approval && approval->action_id ? *approval->action_id : newUuid();
    action.timestamp = context_.clock.now();
    action.source = approval
                        ? (approval->source == "orion-approval-telegram" ? "orion-approval-telegram"
                                                                         : "orion-approval-cli")
                        : "orion-brain";
    action.decision_id = decision.decision_id;
    action.action_type = proposed.action_type;
    action.safety_classification = classification;
    action.parameters = proposed.parameters;
    action.rollback_enabled = false;
    auto dry = proposed.parameters.find("dry_run");
    action.dry_run = options_.dry_run ||
                     (dry != proposed.parameters.end() && dry->is_boolean() && dry->get<bool>());
    action.tags["incident_id"] = decision.incident_id;
    if (auto node = decision.tags.find("node"); node != decision.tags.end()) {
      action.tags["node"] = node->second;
    }
    std::string target = policy->targetOf(proposed.action_type, proposed.parameters);
    if (!target.empty()) action.tags["target"] = target;
    if (approval) {
      action.approval_id = approval->approval_id;
      action.tags["approved_by"] = approval->admin_identity;
      if (approval->decision == ApprovalVerdict::kForce) {
        action.tags["forced"] = "true";
        action.tags["override_cooldown"] = approval->override_cooldown ? "true" : "false";
        action.tags["override_circuit_breaker"] =
            approval->override_circuit_breaker ? "true" : "false";
      }
    }

    // The journal entry comes first: after a crash from here on, the action is "interrupted",
    // never run a second time.
    if (store_) {
      state::Batch batch;
      action.state = contracts::ActionState::kExecuting;
      batch.put(kExecutions, decision.decision_id,
                Json{{"action", action.toJson()}, {"state", "executing"}});
      batch.erase(kAwaiting, decision.decision_id);
      if (approval) {
        batch.put(kUsed, approval->approval_id,
                  Json{{"decision_id", decision.decision_id},
                       {"expires_at", formatRfc3339(approval->expires_at)}});
      }
      ORION_RETURN_IF_ERROR(store_->apply(batch).withContext("commander: journalling an action"));
    }
    executed_.insert(decision.decision_id);
    if (approval) used_.insert(approval->approval_id);

    action.state = contracts::ActionState::kPending;
    publish(contracts::type::kAction, action.toJson());
    action.state = contracts::ActionState::kExecuting;
    publish(contracts::type::kAction, action.toJson());

    RunOptions run{options_.action_timeout, options_.max_attempts, options_.retry_backoff,
                   action.dry_run, policy};
    if (!pool_) {
      runAndFinish(decision.decision_id, action, *executor, run);
      return Status::ok();
    }
    // On a worker: the consuming thread goes on with the next decision at once. The journal
    // already says "executing", so a crash from here on is an interruption, never a rerun.
    Status queued =
        pool_->submit(target, [this, decision_id = decision.decision_id, action, executor, run] {
          std::unique_lock lock(mutex_, std::defer_lock);
          runAndFinish(decision_id, action, *executor, run, &lock);
        });
    // Stopping: the pool takes nothing new, so finish it here rather than leave it executing.
    if (!queued.isOk()) runAndFinish(decision.decision_id, action, *executor, run);
    metrics_.in_progress.set(static_cast<double>(pool_->inProgress()));
    return Status::ok();
  }

  // Runs the action and finish()es it. `lock` (on a worker: mutex_, not held yet) is taken
  // only for finish(), so the execution itself runs without the commander's lock; without one
  // the caller already holds mutex_.
  void runAndFinish(const std::string& decision_id, const contracts::Action& action,
                    Executor& executor, const RunOptions& run,
                    std::unique_lock<std::mutex>* lock = nullptr) {
    contracts::Outcome outcome =
        runAction(action, executor, run, context_.clock, [] { return newUuid(); });
    if (lock) {
      lock->lock();
      // This job still counts in the pool until it returns; the gauge says it is done before
      // its outcome is published.
      metrics_.in_progress.set(static_cast<double>(pool_->inProgress() - 1));
    }
    finish(decision_id, action, outcome);
  }

  // Called with mutex_ held (or during start): records and publishes the end of an action.
  void finish(const std::string& decision_id, contracts::Action action,
              const contracts::Outcome& outcome) {
    action.state = outcome.status == contracts::OutcomeStatus::kSucceeded
                       ? contracts::ActionState::kSucceeded
                       : contracts::ActionState::kFailed;
    action.timestamp = outcome.timestamp;
    if (store_) {
      Json entry{{"action", action.toJson()},
                 {"state", std::string(contracts::toString(action.state))},
                 {"outcome", outcome.toJson()}};
      if (Status saved = store_->put(kExecutions, decision_id, entry); !saved.isOk()) {
        logger_->error("commander: {}", saved.message());
      }
    }
    publish(contracts::type::kAction, action.toJson());
    publish(contracts::type::kOutcome, outcome.toJson());
    metrics_.executions(action.action_type, contracts::toString(outcome.status)).inc();
    if (outcome.status == contracts::OutcomeStatus::kSucceeded) {
      logger_->info("action {} ({}) {} in {} ms{}", action.action_id, action.action_type,
                    action.dry_run ? "dry run recorded" : "succeeded", outcome.execution_time_ms,
                    outcome.result && outcome.result->value("verified", false) ? ", verified" : "");
    } else {
      logger_->error("action {} ({}) failed: {}", action.action_id, action.action_type,
                     outcome.error ? outcome.error->message : "unknown");
    }
  }

  // Called with mutex_ held. Actions and outcomes are never dropped: what the bus refuses waits
  // in the outbox (kept in the journal's store) and goes out, in order, before anything newer.
  void publish(std::string_view type, const Json& document) {
    if (Status status = outbox_.publish(context_.bus, type, document); !status.isOk()) {
      metrics_.publish_failures.inc();
      logger_->error("commander: publishing {} failed (kept, retried): {}", type, status.message());
    }
    metrics_.outbox.set(static_cast<double>(outbox_.size()));
  }

  // Called with mutex_ held.
  void flushOutbox() {
    outbox_.flush(context_.bus);
    metrics_.outbox.set(static_cast<double>(outbox_.size()));
  }

  void retryLoop() {
    std::unique_lock wake_lock(retry_mutex_);
    while (!stopping_) {
      retry_wake_.wait_for(wake_lock, kOutboxRetry, [this] { return stopping_; });
      if (stopping_) return;
      wake_lock.unlock();
      {
        std::lock_guard lock(mutex_);
        flushOutbox();
      }
      wake_lock.lock();
    }
  }

  CommanderOptions options_;
  ModuleContext context_;
  Logger logger_;
  CommanderMetrics metrics_;
  policy::PolicyHolder policy_;
  ExecutorRegistry executors_;
  std::optional<signing::AdminKey> key_;
  std::unique_ptr<state::StateStore> store_;
  std::mutex mutex_;  // the two subscription threads share everything below
  RecentKeys decision_ids_;
  RecentKeys approval_ids_;
  std::set<std::string> executed_;  // decision ids with an execution in the journal
  std::set<std::string> used_;      // approval ids used
  std::map<std::string, Awaiting> awaiting_;
  std::map<std::string, Json> parked_;   // decision id → approval that came before it
  std::unique_ptr<ExecutionPool> pool_;  // null: executions run on the consuming thread
  std::unique_ptr<bus::Subscription> decisions_;
  std::unique_ptr<bus::Subscription> approvals_;
  Outbox outbox_{nullptr};
  std::thread retrier_;
  std::mutex retry_mutex_;
  std::condition_variable retry_wake_;
  bool stopping_ = false;
};

}  // namespace

std::unique_ptr<Service> makeCommanderService(CommanderOptions options, ModuleContext context,
                                              std::vector<std::unique_ptr<Executor>> extra) {
  return std::make_unique<Commander>(std::move(options), std::move(context), std::move(extra));
}

}  // namespace orion::commander
