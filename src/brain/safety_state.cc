#include "brain/safety_state.h"

#include <fmt/format.h>

#include <algorithm>

namespace orion::brain {

namespace {

size_t countAfter(const std::deque<WallTime>& window, WallTime since) {
  return static_cast<size_t>(window.end() - std::upper_bound(window.begin(), window.end(), since));
}

std::optional<WallTime> oldestAfter(const std::deque<WallTime>& window, WallTime since) {
  auto it = std::upper_bound(window.begin(), window.end(), since);
  if (it == window.end()) return std::nullopt;
  return *it;
}

// "<a>/<b>..." put together for one lookup, on the stack unless it is unusually long.
class JoinedKey {
 public:
  JoinedKey(std::initializer_list<std::string_view> parts) {
    for (std::string_view part : parts) buffer_.append(part.data(), part.data() + part.size());
  }
  std::string_view view() const { return {buffer_.data(), buffer_.size()}; }

 private:
  fmt::basic_memory_buffer<char, 160> buffer_;
};

// Nothing ORION counts looks further back than a day (rate limits are at most "per day", the
// budget window at most 24 h), so older executions are dropped from the windows.
constexpr Duration kLongestWindow = std::chrono::hours(24);

}  // namespace

std::string cooldownKeyOf(std::string_view action_type, std::string_view entity) {
  return std::string(JoinedKey{action_type, "/", entity}.view());
}
std::string typeScope(std::string_view action_type) {
  return std::string(JoinedKey{"type/", action_type}.view());
}
std::string targetScope(std::string_view action_type, std::string_view target) {
  return std::string(JoinedKey{"target/", action_type, "/", target}.view());
}
std::string ladderKey(std::string_view rule, std::string_view target) {
  return std::string(JoinedKey{rule, "/", target}.view());
}

// ---- reads ---------------------------------------------------------------------------------

std::optional<WallTime> SafetyState::lastExecution(std::string_view cooldown_key) const {
  auto it = cooldowns_.find(cooldown_key);
  if (it == cooldowns_.end()) return std::nullopt;
  return it->second;
}

const InFlight* SafetyState::inFlightFor(std::string_view cooldown_key) const {
  auto it = in_flight_by_key_.find(cooldown_key);
  return it == in_flight_by_key_.end() ? nullptr : inFlight(it->second);
}

size_t SafetyState::executionsSince(std::string_view action_type, WallTime since) const {
  auto it = rates_.find(action_type);
  return it == rates_.end() ? 0 : countAfter(it->second, since);
}

std::optional<WallTime> SafetyState::oldestExecutionSince(std::string_view action_type,
                                                          WallTime since) const {
  auto it = rates_.find(action_type);
  return it == rates_.end() ? std::nullopt : oldestAfter(it->second, since);
}

size_t SafetyState::automaticSince(WallTime since) const { return countAfter(budget_, since); }

std::optional<WallTime> SafetyState::oldestAutomaticSince(WallTime since) const {
  return oldestAfter(budget_, since);
}

SafetyCounts SafetyState::counts(const policy::Policy& policy, WallTime now) const {
  SafetyCounts counts;
  for (const auto& [scope, breaker] : breakers_) {
    if (breaker.phase(policy.breaker(), now) != BreakerPhase::kClosed) ++counts.breakers_open;
  }
  for (const auto& [key, last_run] : cooldowns_) {
    Duration cooldown = policy.cooldownFor(key.substr(0, key.find('/'))).duration;
    if (now - last_run < cooldown) ++counts.cooldowns_active;
  }
  counts.in_flight = in_flight_.size();
  const policy::BudgetSettings& budget = policy.budget();
  if (budget.enabled) {
    auto used = static_cast<int64_t>(automaticSince(now - budget.window));
    counts.budget_remaining = std::max<int64_t>(0, budget.max_actions - used);
  }
  return counts;
}

const CircuitBreaker* SafetyState::breaker(std::string_view scope) const {
  auto it = breakers_.find(scope);
  return it == breakers_.end() ? nullptr : &it->second;
}

// The keys below are spelled as typeScope(), targetScope() and ladderKey() spell them.
const CircuitBreaker* SafetyState::typeBreaker(std::string_view action_type) const {
  return breaker(JoinedKey{"type/", action_type}.view());
}

const CircuitBreaker* SafetyState::targetBreaker(std::string_view action_type,
                                                 std::string_view target) const {
  return breaker(JoinedKey{"target/", action_type, "/", target}.view());
}

int64_t SafetyState::ladderFailures(std::string_view rule, std::string_view target, WallTime now,
                                    Duration reset_after) const {
  auto it = ladders_.find(JoinedKey{rule, "/", target}.view());
  if (it == ladders_.end() || it->second.last_failure + reset_after <= now) return 0;
  return it->second.failures;
}

const InFlight* SafetyState::inFlight(const std::string& action_id) const {
  auto it = in_flight_.find(action_id);
  return it == in_flight_.end() ? nullptr : &it->second;
}

const DecisionRecord* SafetyState::decision(const std::string& decision_id) const {
  auto it = decisions_.find(decision_id);
  return it == decisions_.end() ? nullptr : &it->second;
}

const TrackedIncident* SafetyState::incident(const std::string& incident_id) const {
  auto it = incidents_.find(incident_id);
  return it == incidents_.end() ? nullptr : &it->second;
}

// ---- executions ----------------------------------------------------------------------------

bool SafetyState::startAction(InFlight action, const policy::Policy& policy) {
  if (in_flight_.contains(action.action_id)) return false;
  // A half-open breaker lets exactly one trial through: this action is it.
  const policy::BreakerSettings& settings = policy.breaker();
  if (settings.appliesTo(action.action_type)) {
    for (const std::string& scope :
         {typeScope(action.action_type), targetScope(action.action_type, action.target)}) {
      auto it = breakers_.find(scope);
      if (it != breakers_.end() && it->second.trial_action_id.empty() &&
          it->second.phase(settings, action.started) == BreakerPhase::kHalfOpen) {
        breakers_.edit(scope, [&](CircuitBreaker& b) { b.trial_action_id = action.action_id; });
        mark("breakers", scope);
      }
    }
  }
  in_flight_by_key_[action.cooldown_key] = action.action_id;
  std::string id = action.action_id;
  in_flight_.set(id, std::move(action));
  mark("inflight", id);
  evictOldest(in_flight_, "inflight", limits_.max_in_flight);
  return true;
}

void SafetyState::insertTime(std::deque<WallTime>& window, WallTime at) {
  window.insert(std::upper_bound(window.begin(), window.end(), at), at);
  while (!window.empty() && window.front() <= at - kLongestWindow) window.pop_front();
  while (window.size() > limits_.max_window_entries) {
    window.pop_front();
    ++evictions_;
  }
}

void SafetyState::finishAction(const std::string& action_id, contracts::OutcomeStatus status,
                               bool verified, WallTime at, const policy::Policy& policy) {
  std::optional<InFlight> taken = in_flight_.take(action_id);
  if (!taken) return;
  InFlight action = std::move(*taken);
  mark("inflight", action_id);
  if (auto key = in_flight_by_key_.find(action.cooldown_key);
      key != in_flight_by_key_.end() && key->second == action_id) {
    in_flight_by_key_.erase(key);
  }

  finished_.set(action_id, at);
  mark("finished", action_id);
  evictOldest(finished_, "finished", limits_.max_finished);

  // It ran, whatever its status: the cooldown, the rate window and the budget count it.
  cooldowns_.set(action.cooldown_key, at);
  mark("cooldowns", action.cooldown_key);
  evictOldest(cooldowns_, "cooldowns", limits_.max_cooldowns);
  insertTime(rates_[action.action_type], at);
  mark("rates", action.action_type);
  if (action.automatic) {
    insertTime(budget_, at);
    mark("budget", "automatic");
  }

  bool failed = status != contracts::OutcomeStatus::kSucceeded;
  bool verified_success = !failed && verified;
  const policy::BreakerSettings& settings = policy.breaker();
  if (settings.appliesTo(action.action_type)) {
    for (const std::string& scope :
         {typeScope(action.action_type), targetScope(action.action_type, action.target)}) {
      breakers_.edit(scope, [&](CircuitBreaker& breaker) {
        if (breaker.trial_action_id == action_id) breaker.trial_action_id.clear();
        if (failed) {
          breaker.recordFailure(settings, at);
        } else if (verified_success) {
          breaker.recordVerifiedSuccess(settings, at);
        }
      });
      mark("breakers", scope);
    }
    evictOldest(breakers_, "breakers", limits_.max_breakers);
  }

  const DecisionRecord* record = decision(action.decision_id);
  if (record != nullptr && !record->rule.empty()) {
    std::string key = ladderKey(record->rule, record->target);
    if (failed) {
      ladders_.edit(key, [&](LadderCount& count) {
        ++count.failures;
        count.last_failure = std::max(count.last_failure, at);
      });
      evictOldest(ladders_, "ladders", limits_.max_ladders);
    } else if (verified_success) {
      ladders_.erase(key);
    }
    mark("ladders", key);
  }
}

void SafetyState::parkOutcome(const std::string& action_id, Json outcome, WallTime now) {
  orphans_.set(action_id, {now, std::move(outcome)});
  mark("orphans", action_id);
  evictOldest(orphans_, "orphans", limits_.max_orphans);
}

std::optional<Json> SafetyState::takeParkedOutcome(const std::string& action_id) {
  std::optional<std::pair<WallTime, Json>> parked = orphans_.take(action_id);
  if (!parked) return std::nullopt;
  mark("orphans", action_id);
  return std::move(parked->second);
}

template <typename Table>
void SafetyState::evictOldest(Table& table, const char* name, size_t limit) {
  while (table.size() > std::max<size_t>(limit, 1)) {
    auto oldest = table.oldest();
    mark(name, oldest->first);
    if constexpr (std::is_same_v<Table, decltype(in_flight_)>) {
      in_flight_by_key_.erase(oldest->second.cooldown_key);
    }
    table.erase(oldest);
    ++evictions_;
  }
}

size_t SafetyState::expire(WallTime now, const policy::Policy& policy) {
  size_t lost = 0;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->second.started + limits_.in_flight_ttl > now) {
      ++it;
      continue;
    }
    // No outcome within the TTL: the action is given up on (counted by the caller). Its
    // cooldown key is released so the incident can be looked at again.
    if (auto key = in_flight_by_key_.find(it->second.cooldown_key);
        key != in_flight_by_key_.end() && key->second == it->first) {
      in_flight_by_key_.erase(key);
    }
    mark("inflight", it->first);
    it = in_flight_.erase(it);
    ++lost;
  }
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    if (it->second.first + limits_.orphan_ttl > now) {
      ++it;
    } else {
      mark("orphans", it->first);
      it = orphans_.erase(it);
    }
  }
  for (auto it = breakers_.begin(); it != breakers_.end();) {
    if (it->second.idle(policy.breaker(), now)) {
      mark("breakers", it->first);
      it = breakers_.erase(it);
    } else {
      ++it;
    }
  }
  finished_.eraseIf([&](const std::string& action_id, WallTime at) {
    bool old = at + limits_.finished_ttl <= now;
    if (old) mark("finished", action_id);
    return old;
  });
  // The longest cooldown a policy may set is 7 days, the longest ladder reset 30 days.
  cooldowns_.eraseIf([&](const std::string& key, WallTime at) {
    bool old = at + std::chrono::hours(24 * 7) <= now;
    if (old) mark("cooldowns", key);
    return old;
  });
  ladders_.eraseIf([&](const std::string& key, const LadderCount& count) {
    bool old = count.last_failure + std::chrono::hours(24 * 30) <= now;
    if (old) mark("ladders", key);
    return old;
  });
  for (auto it = rates_.begin(); it != rates_.end();) {
    size_t before = it->second.size();
    while (!it->second.empty() && it->second.front() <= now - kLongestWindow) {
      it->second.pop_front();
    }
    if (it->second.size() != before) mark("rates", it->first);
    it = it->second.empty() ? rates_.erase(it) : std::next(it);
  }
  size_t budget_before = budget_.size();
  while (!budget_.empty() && budget_.front() <= now - kLongestWindow) budget_.pop_front();
  if (budget_.size() != budget_before) mark("budget", "automatic");
  for (auto it = incidents_.begin(); it != incidents_.end();) {
    if (it->second.updated + limits_.incident_ttl > now) {
      ++it;
    } else {
      mark("incidents", it->first);
      it = incidents_.erase(it);
    }
  }
  return lost;
}

// ---- decisions, incidents, autonomy, outbox ------------------------------------------------

void SafetyState::recordDecision(DecisionRecord record) {
  std::string id = record.decision_id;
  decisions_.set(id, std::move(record));
  mark("decisions", id);
  evictOldest(decisions_, "decisions", limits_.max_decisions);
}

TrackedIncident& SafetyState::track(const contracts::Incident& incident, WallTime now) {
  incidents_.edit(incident.incident_id, [&](TrackedIncident& tracked) {
    tracked.incident = incident;
    tracked.updated = now;
  });
  mark("incidents", incident.incident_id);
  if (incidents_.size() > limits_.max_incidents) {
    // Evict the least recently updated incident, never the one just tracked.
    auto oldest = incidents_.oldestExcept(incident.incident_id);
    if (oldest != incidents_.end()) {
      mark("incidents", oldest->first);
      incidents_.erase(oldest);
      ++evictions_;
    }
  }
  return *incidents_.mutableValue(incident.incident_id);
}

void SafetyState::updateIncident(const contracts::Incident& incident, WallTime now) {
  if (!incidents_.contains(incident.incident_id)) return;
  incidents_.edit(incident.incident_id, [&](TrackedIncident& tracked) {
    tracked.incident = incident;
    tracked.updated = now;
  });
  mark("incidents", incident.incident_id);
}

void SafetyState::forgetIncident(const std::string& incident_id) {
  if (incidents_.erase(incident_id)) mark("incidents", incident_id);
}

void SafetyState::touchIncident(const std::string& incident_id) { mark("incidents", incident_id); }

TrackedIncident* SafetyState::mutableIncident(const std::string& incident_id) {
  TrackedIncident* tracked = incidents_.mutableValue(incident_id);
  if (tracked != nullptr) mark("incidents", incident_id);
  return tracked;
}

std::vector<std::string> SafetyState::dueIncidents(WallTime now) const {
  std::vector<std::pair<WallTime, std::string>> due;
  for (const auto& [id, tracked] : incidents_) {
    if (tracked.retry_at && *tracked.retry_at <= now &&
        tracked.incident.state == contracts::IncidentState::kOpen) {
      due.emplace_back(*tracked.retry_at, id);
    }
  }
  std::sort(due.begin(), due.end());
  std::vector<std::string> ids;
  for (auto& [at, id] : due) ids.push_back(std::move(id));
  return ids;
}

std::vector<std::string> SafetyState::incidentsAwaiting(const std::string& decision_id) const {
  std::vector<std::string> ids;
  const DecisionRecord* record = decision(decision_id);
  if (record == nullptr) return ids;
  const TrackedIncident* tracked = incident(record->incident_id);
  if (tracked != nullptr && tracked->awaiting_outcome &&
      tracked->incident.state == contracts::IncidentState::kOpen) {
    ids.push_back(record->incident_id);
  }
  return ids;
}

void SafetyState::setAutonomy(AutonomyRecord record) {
  autonomy_ = std::move(record);
  mark("autonomy", "current");
}

uint64_t SafetyState::enqueue(std::string type, Json document) {
  uint64_t sequence = next_sequence_++;
  std::string text = dumpJson(document);
  outbox_.push_back(OutboxEntry{sequence, std::move(type), std::move(document), std::move(text)});
  mark("outbox", std::to_string(sequence));
  return sequence;
}

void SafetyState::dequeue(uint64_t sequence) {
  if (outbox_.empty() || outbox_.front().sequence != sequence) return;
  outbox_.pop_front();
  mark("outbox", std::to_string(sequence));
}

}  // namespace orion::brain
