// SafetyState: everything the brain must still know after a restart to stay safe, in one value.
//
//   executions   cooldowns (last execution per action and entity), rate-limit windows (per action
//                type), the fleet-wide budget window (automatic executions), circuit breakers
//                (per action type and per target) and escalation-ladder failure counts (per rule
//                and target). All of it changes only from the `action` and `outcome` streams,
//                never from the brain's own decisions: it counts what was executed.
//   in flight    actions that started and have no outcome yet (and outcomes that arrived before
//                their action: the two streams are consumed on separate threads).
//   decisions    what the brain decided recently, so an outcome can be traced to its rule, and
//                the incidents it follows (latest revision, when to look again).
//   outbox       documents decided but not yet published (published in order, retried).
//   autonomy     the level set at runtime by the admin, with who, why and when.
//
// Every mutation marks the (table, key) it touched; flush() (safety_state_store.cc) writes those
// to the brain's StateStore in one transaction, and load() rebuilds the same value on start:
// restart tests compare snapshot() before and after. Times are stored as integer nanoseconds, so
// the rebuilt state is exactly equal.
//
// Not thread-safe: the brain's core owns it under its mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "brain/circuit_breaker.h"
#include "brain/timed_table.h"
#include "common/clock.h"
#include "common/json.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::brain {

// An action that started (from the `action` stream) and has no outcome yet.
struct InFlight {
  std::string action_id;
  std::string decision_id;
  std::string action_type;
  std::string cooldown_key;  // "<action_type>/<entity>" (entity may be empty)
  std::string target;        // policy.targetOf(), for the per-target breaker
  bool automatic = true;     // executed without an admin's approval (counts toward the budget)
  WallTime started;
  friend bool operator==(const InFlight&, const InFlight&) = default;
};

// What the brain decided, kept so that an outcome can be traced back to its rule and target.
struct DecisionRecord {
  std::string decision_id;
  std::string incident_id;
  std::string rule;    // "" when no rule proposed anything
  std::string target;  // the incident's target the ladder counts per
  std::string action_type;
  size_t step = 0;  // index into the rule's steps
  contracts::DecisionType type = contracts::DecisionType::kNoAction;
  WallTime at;
  friend bool operator==(const DecisionRecord&, const DecisionRecord&) = default;
};

// An incident the brain follows: its latest revision, and when to decide again.
struct TrackedIncident {
  contracts::Incident incident;
  std::vector<std::string> revisions;       // decided revisions (bounded), for redelivery checks
  std::optional<WallTime> last_actionable;  // the latest decision that proposed an action
  std::optional<WallTime> retry_at;         // a time-limited gate blocked: look again then
  bool awaiting_outcome = false;            // an action may run: its failure re-decides
  // Set by SafetyState::track() and updateIncident() only: the least recently updated incident
  // is the one evicted when there are too many.
  WallTime updated;
};

struct LadderCount {
  int64_t failures = 0;
  WallTime last_failure;
  friend bool operator==(const LadderCount&, const LadderCount&) = default;
};

struct AutonomyRecord {
  contracts::AutonomyLevel level = contracts::AutonomyLevel::kN0;
  contracts::AutonomyLevel configured_when_set = contracts::AutonomyLevel::kN0;
  std::string change_id;
  std::string changed_by;  // control::Peer::describe()
  int64_t uid = -1;
  std::string reason;
  WallTime at;
  friend bool operator==(const AutonomyRecord&, const AutonomyRecord&) = default;
};

struct OutboxEntry {
  uint64_t sequence = 0;
  std::string type;  // contract type
  Json document;
  std::string text;  // dumpJson(document): written once, stored, then published
};

// Bounds on what the state holds; each eviction is counted (SafetyState::evictions()).
struct StateLimits {
  size_t max_cooldowns = 100000;
  size_t max_breakers = 100000;
  size_t max_ladders = 100000;
  size_t max_in_flight = 10000;
  size_t max_finished = 10000;
  size_t max_orphans = 1000;
  size_t max_decisions = 10000;
  size_t max_incidents = 10000;
  size_t max_window_entries = 100000;  // per rate window and for the budget
  Duration in_flight_ttl = std::chrono::hours(1);
  Duration orphan_ttl = std::chrono::minutes(10);
  Duration incident_ttl = std::chrono::hours(24);
  Duration finished_ttl = std::chrono::hours(24);
};

// The safety state in numbers, for the metrics (brain_metrics.h) and the API's status.
struct SafetyCounts {
  size_t breakers_open = 0;       // open or half-open
  size_t cooldowns_active = 0;    // actions that may not run again yet on their entity
  size_t in_flight = 0;           // actions started, no outcome yet
  int64_t budget_remaining = -1;  // automatic actions left in the window; -1: budget disabled
};

class SafetyState {
 public:
  explicit SafetyState(StateLimits limits = {}) : limits_(limits) {}

  // ---- reads used by the gates -----------------------------------------------------------
  // None of them allocates: keys are looked up as views (the scope and ladder keys are put
  // together on the stack).
  std::optional<WallTime> lastExecution(std::string_view cooldown_key) const;
  const InFlight* inFlightFor(std::string_view cooldown_key) const;
  // Executions of `action_type` (or automatic ones, for the budget) after `since`, and the
  // oldest of them (to tell when the window has room again).
  size_t executionsSince(std::string_view action_type, WallTime since) const;
  std::optional<WallTime> oldestExecutionSince(std::string_view action_type, WallTime since) const;
  size_t automaticSince(WallTime since) const;
  std::optional<WallTime> oldestAutomaticSince(WallTime since) const;
  const CircuitBreaker* breaker(std::string_view scope) const;
  // breaker(typeScope(action_type)) and breaker(targetScope(action_type, target)).
  const CircuitBreaker* typeBreaker(std::string_view action_type) const;
  const CircuitBreaker* targetBreaker(std::string_view action_type, std::string_view target) const;
  // Failed outcomes of `rule` on `target` not older than `reset_after` at `now`.
  int64_t ladderFailures(std::string_view rule, std::string_view target, WallTime now,
                         Duration reset_after) const;
  const InFlight* inFlight(const std::string& action_id) const;
  // True once the action's outcome was applied (a late or repeated action/outcome is ignored).
  bool finished(std::string_view action_id) const { return finished_.contains(action_id); }
  const DecisionRecord* decision(const std::string& decision_id) const;
  const TrackedIncident* incident(const std::string& incident_id) const;
  const std::optional<AutonomyRecord>& autonomy() const { return autonomy_; }
  const std::deque<OutboxEntry>& outbox() const { return outbox_; }
  SafetyCounts counts(const policy::Policy& policy, WallTime now) const;

  // ---- executions (from the action and outcome streams) ----------------------------------
  // Records a started action; returns false (and changes nothing) when it is already known.
  bool startAction(InFlight action, const policy::Policy& policy);
  // Applies the outcome of a started action: cooldown, rate window, budget, breakers, ladder.
  // `verified` false for a success the commander could not confirm (it then neither closes a
  // breaker nor resets the ladder). Removes the action from in-flight.
  void finishAction(const std::string& action_id, contracts::OutcomeStatus status, bool verified,
                    WallTime at, const policy::Policy& policy);
  // An outcome whose action was not seen yet: kept (bounded) until the action arrives.
  void parkOutcome(const std::string& action_id, Json outcome, WallTime now);
  std::optional<Json> takeParkedOutcome(const std::string& action_id);

  // ---- decisions and incidents -----------------------------------------------------------
  void recordDecision(DecisionRecord record);
  TrackedIncident& track(const contracts::Incident& incident, WallTime now);
  // A newer document of an incident already followed (the same revision with more events): kept
  // for later re-decisions, updated at `now`. Nothing happens for an incident not followed.
  void updateIncident(const contracts::Incident& incident, WallTime now);
  void forgetIncident(const std::string& incident_id);
  void touchIncident(const std::string& incident_id);  // marks it for writing after an edit
  // For edits of anything but `updated` (track() and updateIncident() set that).
  TrackedIncident* mutableIncident(const std::string& incident_id);
  // Incidents whose retry_at has come, oldest first.
  std::vector<std::string> dueIncidents(WallTime now) const;
  // Incidents waiting for the outcome of `decision_id`'s action.
  std::vector<std::string> incidentsAwaiting(const std::string& decision_id) const;

  void setAutonomy(AutonomyRecord record);

  uint64_t enqueue(std::string type, Json document);
  void dequeue(uint64_t sequence);  // the front entry was published

  // Drops what has expired (in-flight and parked outcomes past their TTL, idle breakers,
  // forgotten ladders, stale incidents). Returns how many in-flight actions were given up on.
  size_t expire(WallTime now, const policy::Policy& policy);

  // ---- persistence (safety_state_store.cc) -----------------------------------------------
  using Key = std::pair<std::string, std::string>;  // (table, key)
  const std::set<Key>& dirty() const { return dirty_; }
  void clearDirty() { dirty_.clear(); }
  // Appends the JSON text of the stored value of (table, key) and returns true, or returns false
  // when it no longer exists. What flushState() writes, built without a Json tree.
  bool appendValue(const Key& key, std::string& out) const;
  // The same value parsed (snapshot() and tests).
  std::optional<Json> valueOf(const Key& key) const;
  // Rebuilds one stored (table, key, value); kDataLoss naming it when the value is unreadable.
  Status restore(const std::string& table, const std::string& key, const Json& value);
  static const std::vector<std::string>& tables();
  // The whole state as one JSON document: every stored value, as valueOf() gives it, and the
  // in-flight index (tests compare it across a restart).
  Json snapshot() const;

  uint64_t evictions() const { return evictions_; }

 private:
  void mark(const char* table, const std::string& key) { dirty_.emplace(table, key); }
  void insertTime(std::deque<WallTime>& window, WallTime at);
  template <typename Table>
  void evictOldest(Table& table, const char* name, size_t limit);

  // What each bounded table's entries are as old as (the oldest is evicted first).
  struct TimeIs {
    WallTime operator()(WallTime at) const { return at; }
  };
  struct BreakerTime {  // opened, else its latest failure
    WallTime operator()(const CircuitBreaker& b) const {
      if (b.opened_at) return *b.opened_at;
      return b.failures.empty() ? WallTime{} : b.failures.back();
    }
  };
  struct LastFailure {
    WallTime operator()(const LadderCount& l) const { return l.last_failure; }
  };
  struct Started {
    WallTime operator()(const InFlight& f) const { return f.started; }
  };
  struct Parked {
    WallTime operator()(const std::pair<WallTime, Json>& o) const { return o.first; }
  };
  struct DecidedAt {
    WallTime operator()(const DecisionRecord& d) const { return d.at; }
  };
  struct UpdatedAt {
    WallTime operator()(const TrackedIncident& i) const { return i.updated; }
  };

  StateLimits limits_;
  // Keys are std::less<> throughout: the gates look them up as views.
  TimedTable<WallTime, TimeIs> cooldowns_;                          // "<action>/<entity>" →
  std::map<std::string, std::deque<WallTime>, std::less<>> rates_;  // action type → executions
  std::deque<WallTime> budget_;                                     // automatic executions
  TimedTable<CircuitBreaker, BreakerTime> breakers_;                // "type/<a>", "target/<a>/<t>"
  TimedTable<LadderCount, LastFailure> ladders_;                    // "<rule>/<target>"
  TimedTable<InFlight, Started> in_flight_;                         // action_id →
  std::map<std::string, std::string, std::less<>> in_flight_by_key_;  // cooldown key → action_id
  TimedTable<std::pair<WallTime, Json>, Parked> orphans_;             // action_id → outcome
  TimedTable<WallTime, TimeIs> finished_;             // action_id → outcome applied
  TimedTable<DecisionRecord, DecidedAt> decisions_;   // decision_id →
  TimedTable<TrackedIncident, UpdatedAt> incidents_;  // incident_id →
  std::optional<AutonomyRecord> autonomy_;
  std::deque<OutboxEntry> outbox_;
  uint64_t next_sequence_ = 1;
  std::set<Key> dirty_;
  uint64_t evictions_ = 0;
};

// Scope keys and cooldown keys, one spelling everywhere.
std::string cooldownKeyOf(std::string_view action_type, std::string_view entity);
std::string typeScope(std::string_view action_type);
std::string targetScope(std::string_view action_type, std::string_view target);
std::string ladderKey(std::string_view rule, std::string_view target);

}  // namespace orion::brain
