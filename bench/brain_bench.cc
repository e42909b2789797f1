// Brain bench: the decider's in-process function (decide(): rule match, every gate, explanation)
// on one core, and the core around it. Prints one JSON object per phase, one per line:
//
//   {"phase": "decide_n2", "decisions": N, "decisions_per_s": .., "ns_per_decision": ..}
//   {"phase": "decide_n0", ...}          the same at N0 (gates still evaluated and explained)
//   {"phase": "core", ...}               BrainCore::onIncident on revisions it has seen: after
//                                        the first two rounds every call is a redelivery (the
//                                        cached decision path)
//   {"phase": "core_decide", ...}        BrainCore::onIncident on a new incident every call, in
//                                        steady state (the decision and incident tables full):
//                                        decide, record the decision, follow the incident and
//                                        serialise the decision (the document that goes on the bus)
//   {"phase": "executions", "pairs_per_s": ..}   onAction + onOutcome (cooldown, rate window,
//                                        budget, breakers, ladder)
//
// The shipped policies/ directory decides; the safety state holds the history of 1000 services
// (cooldowns, rate windows, breakers), so the gates read real entries. Rates are per CPU second
// of the benchmarking thread (CLOCK_THREAD_CPUTIME_ID).
//
// Usage: brain_bench [DECISIONS [PHASE...]]   (default 1000000, every phase). Naming phases runs
// only those (decide_n2, decide_n0, breakdown, core, core_decide, executions), e.g. under
// `valgrind --tool=callgrind` to count instructions per decision. Target (issue 4): >= 500k
// decisions/s on one core. Run from a Release build.
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "brain/brain_core.h"
#include "brain/candidate.h"
#include "brain/decider.h"
#include "brain/gates.h"
#include "common/clock.h"
#include "contracts/documents.h"
#include "policy/policy.h"

// Every heap allocation of the benchmarking thread, counted: allocations per decision are the
// cost that matters most here. A thread-local count, not an atomic one: a locked increment on
// every allocation would add its own cost to the decider's (the phases run on this one thread).
// (GCC 12 mistakes the malloc/free pair below for a mismatch once inlined.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static thread_local uint64_t t_allocations = 0;
void* operator new(size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

using namespace orion;
using namespace orion::brain;
using namespace std::chrono_literals;

constexpr size_t kServices = 1000;

std::string uuid(uint64_t n) { return fmt::format("00000000-0000-4000-8000-{:012x}", n); }

std::vector<contracts::Incident> incidents(WallTime now) {
  std::vector<contracts::Incident> out;
  for (size_t i = 0; i < kServices; ++i) {
    contracts::Incident incident;
    incident.incident_id = uuid(i + 1);
    incident.timestamp = now;
    incident.severity = contracts::IncidentSeverity::kHigh;
    incident.event_ids = {uuid(100000 + i)};
    incident.window_start = incident.window_end = now;
    incident.state = contracts::IncidentState::kOpen;
    std::string service = "svc" + std::to_string(i);
    if (i % 4 == 3) {
      incident.incident_type = "metric_anomaly";
      incident.severity = contracts::IncidentSeverity::kCritical;
      incident.description = "disk_used_percent of /srv is 97% (critical threshold 95%)";
      incident.tags = {{"node", "nas"},
                       {"metric", "disk_used_percent"},
                       {"resource", "/srv"},
                       {"target", "/srv"}};
    } else {
      incident.incident_type = "service_outage";
      incident.description = "service " + service + " is down";
      incident.tags = {{"node", "nas"},
                       {"service_name", service},
                       {"container_id", "c-" + service},
                       {"target", service}};
    }
    out.push_back(std::move(incident));
  }
  return out;
}

// History: five services restarted 20 minutes ago (under restart_container's "6 per hour"), two
// of them failed (breakers with failures), so the gates read real entries and most outages are
// still executable.
void fillHistory(SafetyState& state, const policy::Policy& policy, WallTime now) {
  for (size_t i = 0; i < 50; i += 10) {
    std::string service = "svc" + std::to_string(i);
    Json parameters = {{"service_name", service}, {"container_id", "c-" + service}};
    InFlight action{
        uuid(200000 + i),
        uuid(300000 + i),
        "restart_container",
        cooldownKeyOf("restart_container", policy.cooldownKey("restart_container", parameters)),
        policy.targetOf("restart_container", parameters),
        true,
        now - 20min};
    state.startAction(action, policy);
    state.finishAction(
        action.action_id,
        i % 20 == 0 ? contracts::OutcomeStatus::kFailed : contracts::OutcomeStatus::kSucceeded,
        true, now - 20min + 2s, policy);
  }
}

// CPU seconds this thread has used: "on one core" whatever else the machine is running (the
// development machine is shared; wall time there mostly measures the other builds).
double threadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

template <typename Body>
double timed(size_t count, Body body) {
  double begin = threadCpuSeconds();
  for (size_t i = 0; i < count; ++i) body(i);
  return threadCpuSeconds() - begin;
}

void decidePhase(const char* name, contracts::AutonomyLevel level, const policy::Policy& policy,
                 size_t count) {
  SimulatedClock clock;
  SafetyState state;
  fillHistory(state, policy, clock.now());
  auto all = incidents(clock.now());
  size_t executed = 0;
  uint64_t allocations_before = t_allocations;
  // The ids are inputs of decide(); made once so the bench times the decider, not formatting.
  const std::string decision_id = uuid(900001);
  const std::string request_id = uuid(900002);
  double seconds = timed(count, [&](size_t i) {
    DecisionResult result = decide(DecideInput{all[i % kServices], policy, state, level,
                                               clock.now(), decision_id, request_id});
    executed += result.decision.decision_type == contracts::DecisionType::kExecuteSafeAction;
  });
  double allocations =
      static_cast<double>(t_allocations - allocations_before) / static_cast<double>(count);
  std::printf(
      "{\"phase\": \"%s\", \"decisions\": %zu, \"decisions_per_s\": %.0f, "
      "\"ns_per_decision\": %.1f, \"allocations_per_decision\": %.1f, "
      "\"executions_proposed\": %zu}\n",
      name, count, static_cast<double>(count) / seconds, seconds * 1e9 / static_cast<double>(count),
      allocations, executed);
  std::fflush(stdout);
}

// Where decide()'s time goes: the rule match alone, and the gates alone.
void breakdown(const policy::Policy& policy, size_t count) {
  SimulatedClock clock;
  SafetyState state;
  fillHistory(state, policy, clock.now());
  auto all = incidents(clock.now());
  size_t matched = 0;
  double select_seconds = timed(count, [&](size_t i) {
    matched +=
        selectCandidate(all[i % kServices], policy, state, clock.now()).candidate.has_value();
  });
  Selection selection = selectCandidate(all[0], policy, state, clock.now());
  double gate_seconds = timed(count, [&](size_t i) {
    GateContext context{contracts::AutonomyLevel::kN2, policy,     state, all[i % kServices],
                        *selection.candidate,          clock.now()};
    matched += evaluateGates(context).gates.size();
  });
  std::printf(
      "{\"phase\": \"breakdown\", \"select_ns\": %.1f, \"gates_ns\": %.1f, \"matched\": %zu}\n",
      select_seconds * 1e9 / static_cast<double>(count),
      gate_seconds * 1e9 / static_cast<double>(count), matched);
  std::fflush(stdout);
}

void corePhase(const policy::Policy& policy, size_t count) {
  SimulatedClock clock;
  uint64_t ids = 0;
  BrainCoreOptions options;
  options.configured = contracts::AutonomyLevel::kN2;
  BrainCore core(options, [&ids] { return uuid(++ids); });
  fillHistory(core.state(), policy, clock.now());
  auto all = incidents(clock.now());
  double seconds = timed(count, [&](size_t i) {
    contracts::Incident& incident = all[i % kServices];
    // A new revision each time (severity alternates), so every call decides.
    incident.severity = incident.severity == contracts::IncidentSeverity::kHigh
                            ? contracts::IncidentSeverity::kCritical
                            : contracts::IncidentSeverity::kHigh;
    core.onIncident(incident, policy, clock.now());
    while (!core.state().outbox().empty()) core.published(core.state().outbox().front().sequence);
    core.takeDecided();
    core.state().clearDirty();
    if (i % 1000 == 999) clock.advance(1s);
  });
  std::printf(
      "{\"phase\": \"core\", \"decisions\": %zu, \"decisions_per_s\": %.0f, "
      "\"ns_per_decision\": %.1f}\n",
      count, static_cast<double>(count) / seconds, seconds * 1e9 / static_cast<double>(count));
  std::fflush(stdout);
}

// Every call a new incident (a new id), so every call decides; the first StateLimits::max_incidents
// (and max_decisions) calls fill the tables untimed, so the timed calls pay for eviction too.
void coreDecidePhase(const policy::Policy& policy, size_t count) {
  SimulatedClock clock;
  uint64_t ids = 0;
  BrainCoreOptions options;
  options.configured = contracts::AutonomyLevel::kN2;
  BrainCore core(options, [&ids] { return uuid(++ids); });
  fillHistory(core.state(), policy, clock.now());
  auto all = incidents(clock.now());
  uint64_t next_incident = 10000000;
  auto decideNew = [&](size_t i) {
    contracts::Incident incident = all[i % kServices];
    incident.incident_id = uuid(++next_incident);
    core.onIncident(incident, policy, clock.now());
    while (!core.state().outbox().empty()) core.published(core.state().outbox().front().sequence);
    core.takeDecided();
    core.state().clearDirty();
    if (i % 1000 == 999) clock.advance(1s);
  };
  size_t fill = std::max(options.limits.max_incidents, options.limits.max_decisions) + 1;
  for (size_t i = 0; i < fill; ++i) decideNew(i);
  double seconds = timed(count, [&](size_t i) { decideNew(fill + i); });
  std::printf(
      "{\"phase\": \"core_decide\", \"decisions\": %zu, \"decisions_per_s\": %.0f, "
      "\"ns_per_decision\": %.1f}\n",
      count, static_cast<double>(count) / seconds, seconds * 1e9 / static_cast<double>(count));
  std::fflush(stdout);
}

void executionsPhase(const policy::Policy& policy, size_t count) {
  SimulatedClock clock;
  BrainCoreOptions options;
  BrainCore core(options, [] { return std::string("00000000-0000-4000-8000-000000000000"); });
  std::vector<contracts::Action> actions;
  std::vector<contracts::Outcome> outcomes;
  for (size_t i = 0; i < count; ++i) {
    contracts::Action action;
    action.action_id = uuid(1000000 + i);
    action.decision_id = uuid(5000000 + i);
    action.action_type = i % 2 == 0 ? "restart_container" : "send_notification";
    action.parameters = {{"service_name", "svc" + std::to_string(i % kServices)},
                         {"notification_channel", "default"}};
    contracts::Outcome outcome;
    outcome.action_id = action.action_id;
    outcome.status =
        i % 3 == 0 ? contracts::OutcomeStatus::kFailed : contracts::OutcomeStatus::kSucceeded;
    actions.push_back(std::move(action));
    outcomes.push_back(std::move(outcome));
  }
  double seconds = timed(count, [&](size_t i) {
    clock.advance(10ms);
    actions[i].timestamp = clock.now();
    outcomes[i].timestamp = clock.now();
    core.onAction(actions[i], policy, clock.now());
    core.onOutcome(outcomes[i], policy, clock.now());
    core.state().clearDirty();
  });
  std::printf("{\"phase\": \"executions\", \"pairs\": %zu, \"pairs_per_s\": %.0f}\n", count,
              static_cast<double>(count) / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  auto policy = policy::Policy::load(ORION_SOURCE_DIR "/policies");
  if (!policy) {
    std::fprintf(stderr, "brain_bench: %s\n", policy.status().message().c_str());
    return 2;
  }
  std::vector<std::string_view> only(argv + std::min(argc, 2), argv + argc);
  auto wanted = [&only](std::string_view phase) {
    return only.empty() || std::find(only.begin(), only.end(), phase) != only.end();
  };
  if (wanted("decide_n2")) decidePhase("decide_n2", contracts::AutonomyLevel::kN2, **policy, count);
  if (wanted("decide_n0")) decidePhase("decide_n0", contracts::AutonomyLevel::kN0, **policy, count);
  if (wanted("breakdown")) breakdown(**policy, count / 4);
  if (wanted("core")) corePhase(**policy, count / 4);
  if (wanted("core_decide")) coreDecidePhase(**policy, count / 10);
  if (wanted("executions")) executionsPhase(**policy, count / 10);
  return 0;
}
