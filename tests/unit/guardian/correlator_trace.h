// A long, deterministic run of the correlator for trace_test.cc: events of every kind the
// correlator distinguishes (services and external APIs going down and up, metrics firing and
// recovering, edge devices, unknown types, numbers where strings are usual, a missing node, data
// that is not an object), redeliveries, sweeps, acknowledgements and restarts through the state
// store, on a simulated clock with steps from nothing to eleven minutes, under tight bounds or
// the defaults. Each step is summed up in one line: what it did and a digest of every document
// it produced, so that a golden file of those lines pins the correlator's behaviour byte for
// byte (tests/unit/guardian/golden/).
//
// The run is a template over the correlator type so that the golden files can be produced by
// another implementation of the same interface. The random numbers are mt19937_64's raw output,
// which the standard specifies, so the run is the same on every platform.
#pragma once

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "contracts/documents.h"

namespace orion::testing {

struct TraceOptions {
  bool tight = false;  // small bounds, so that every bound drops something
  uint64_t seed = 1;
  size_t steps = 800;
};

// What a run needs from outside: the first 16 hex characters of a digest, and the state store.
struct TraceHooks {
  std::function<std::string(const std::string&)> digest;
  // Writes what changed to the store (and clears the changes).
  std::function<void()> flush;
  // Replaces the correlator by a new one loaded from the store; false on failure.
  std::function<bool()> restart;
};

template <typename Options>
Options traceCorrelatorOptions(const TraceOptions& trace) {
  Options options;
  if (trace.tight) {
    options.max_open_incidents = 6;
    options.max_resolved_fingerprints = 4;
    options.max_remembered_events = 12;
    options.max_event_ids_per_incident = 3;
    options.max_group_members = 3;
    options.correlation_window = std::chrono::seconds(40);
    options.flap_window = std::chrono::seconds(300);
  }
  return options;
}

class TraceEvents {
 public:
  explicit TraceEvents(uint64_t seed) : random_(seed) {}

  size_t below(size_t n) { return static_cast<size_t>(random_() % n); }
  bool chance(size_t percent) { return below(100) < percent; }

  contracts::Event next(WallTime at) {
    using contracts::EventSeverity;
    contracts::Event event;
    event.event_id = "trace-" + std::to_string(++count_);
    event.timestamp = at;
    event.source = chance(90) ? "orion-watcher-host" : "orion-watcher-other";
    std::string node = "node-" + std::to_string(below(3));
    auto failing = [this] {
      return chance(10) ? EventSeverity::kInfo : static_cast<EventSeverity>(1 + below(3));
    };
    switch (below(6)) {
      case 5: {
        // A service that keeps failing and recovering: flapping.
        flapper_down_ = !flapper_down_;
        event.event_type = flapper_down_ ? "service_down" : "service_up";
        event.severity = flapper_down_ ? failing() : EventSeverity::kInfo;
        event.data = {{"service_name", "flapper"}};
        node = "node-" + std::to_string(below(2));
        break;
      }
      case 0:
      case 1: {
        std::string service = "svc-" + std::to_string(below(4));
        bool up = chance(45);
        bool api = chance(30);
        event.event_type = api ? (up ? "external_api_success" : "external_api_failure")
                               : (up ? "service_up" : "service_down");
        event.severity = up ? (chance(85) ? EventSeverity::kInfo : failing()) : failing();
        event.data = {{"service_name", service},
                      {"container_id", "c0ffee-" + service},
                      {"exit_code", static_cast<int>(below(140))},
                      {"health", "unhealthy"}};
        if (chance(5)) event.data["container_name"] = std::string(300, 'x');
        if (chance(5)) event.data["exit_code"] = 18446744073709551615ull;
        if (chance(5)) event.data["health"] = chance(50);
        if (chance(3)) event.data["image"] = Json::object({{"name", "x"}});
        break;
      }
      case 2:
      case 3: {
        bool recovered = chance(30);
        event.event_type = "metric_threshold_exceeded";
        event.severity = recovered ? EventSeverity::kInfo : failing();
        event.data = {{"resource", chance(5) ? Json(3) : Json("/r" + std::to_string(below(4)))},
                      {"metric", chance(50) ? "disk_used_percent" : "load_1m"},
                      {"value", chance(50) ? Json(90.0 + static_cast<double>(below(1000)) / 7.0)
                                           : Json(static_cast<int>(below(100)))},
                      {"unit", chance(60) ? "percent" : (chance(50) ? "ratio" : "MB")},
                      {"threshold", 90},
                      {"state", recovered ? "recovered" : "firing"}};
        if (chance(50)) event.data["level"] = chance(50) ? "warning" : "critical";
        if (chance(20)) event.data.erase("threshold");
        if (chance(10)) event.data["resource_type"] = nullptr;
        break;
      }
      default: {
        bool online = chance(40);
        event.event_type =
            online ? "edge_device_online" : (chance(50) ? "edge_device_offline" : "custom_check");
        event.severity = online ? EventSeverity::kInfo : failing();
        if (chance(70)) event.data = {{"device_id", "dev-" + std::to_string(below(3))}};
        break;
      }
    }
    if (chance(90)) {
      event.data["node"] = node;
    } else if (chance(80)) {
      event.tags["node"] = node;
    }
    if (chance(2)) event.data = Json::array();
    return event;
  }

 private:
  std::mt19937_64 random_;
  size_t count_ = 0;
  bool flapper_down_ = false;
};

// The correlator's documents, whether it hands them out as values or as shared pointers.
inline const contracts::Incident& incidentOf(const contracts::Incident& incident) {
  return incident;
}
template <typename Pointer>
const contracts::Incident& incidentOf(const Pointer& incident) {
  return *incident;
}

template <typename Incident>
Json documentsOf(const std::vector<Incident>& incidents) {
  Json documents = Json::array();
  for (const Incident& incident : incidents) documents.push_back(incidentOf(incident).toJson());
  return documents;
}

// Runs the trace on `correlator()` (which restart() may replace) and returns its lines.
template <typename Correlator>
std::vector<std::string> runTrace(const TraceOptions& trace, SimulatedClock& clock,
                                  const std::function<Correlator&()>& correlator,
                                  const TraceHooks& hooks) {
  TraceEvents events(trace.seed);
  std::vector<contracts::Event> sent;
  std::vector<std::string> incident_ids;
  std::vector<std::string> lines;
  const Duration steps[] = {Duration(0),
                            std::chrono::milliseconds(1),
                            std::chrono::seconds(1),
                            std::chrono::seconds(10),
                            std::chrono::seconds(30),
                            std::chrono::seconds(61),
                            std::chrono::minutes(5),
                            std::chrono::minutes(11)};
  bool quick = false;
  for (size_t step = 0; step < trace.steps; ++step) {
    if (step % 100 == 0) quick = events.chance(50);  // stretches of storms and of calm
    clock.advance(steps[events.below(quick ? 4 : 8)]);
    size_t what = events.below(100);
    std::string line = std::to_string(step) + " ";
    if (what < 7 && !sent.empty()) {
      auto result = correlator().process(
          sent[sent.size() - 1 - events.below(std::min<size_t>(sent.size(), 20))]);
      line += "redeliver " + std::string(toString(result.verdict)) + " " +
              hooks.digest(documentsOf(result.incidents).dump());
    } else if (what < 14) {
      auto swept = correlator().sweep();
      line +=
          "sweep " + std::to_string(swept.size()) + " " + hooks.digest(documentsOf(swept).dump());
    } else if (what < 17 && !incident_ids.empty()) {
      std::string id = events.chance(90)
                           ? incident_ids[incident_ids.size() - 1 -
                                          events.below(std::min<size_t>(incident_ids.size(), 12))]
                           : "not-an-incident";
      auto acknowledged = correlator().acknowledge(id, "trace", "action-" + std::to_string(step));
      line += "acknowledge " +
              (acknowledged ? hooks.digest(acknowledged->toJson().dump()) : std::string("none"));
    } else if (what < 19) {
      hooks.flush();
      line += hooks.restart() ? "restart " + hooks.digest(correlator().snapshot().dump())
                              : std::string("restart failed");
    } else {
      contracts::Event event = events.next(clock.now());
      sent.push_back(event);
      auto result = correlator().process(event);
      for (const auto& incident : result.incidents) {
        incident_ids.push_back(incidentOf(incident).incident_id);
      }
      std::string opened;
      for (const std::string& id : result.opened) opened += id.substr(0, 8) + ",";
      // A duplicate is recognised by its id before its fingerprint is computed.
      std::string fingerprint = result.verdict == guardian::Verdict::kDuplicate
                                    ? ""
                                    : guardian::fingerprintText(result.fingerprint);
      line += "event " + std::string(toString(result.verdict)) + " " + fingerprint.substr(0, 8) +
              " " + std::to_string(result.incidents.size()) + " " + opened + " " +
              hooks.digest(documentsOf(result.incidents).dump());
      const auto* open = correlator().openIncident(fingerprint);
      line += " " + (open != nullptr ? hooks.digest(open->toJson().dump()) : std::string("-"));
    }
    const auto& counters = correlator().counters();
    line += " | " + std::to_string(correlator().openCount()) + " " +
            std::to_string(correlator().conditionCount()) + " " +
            std::to_string(counters.evicted_incidents) + "/" +
            std::to_string(counters.expired_fingerprints) + "/" +
            std::to_string(counters.evicted_fingerprints) + "/" +
            std::to_string(counters.forgotten_event_ids) + "/" +
            std::to_string(counters.truncated_event_ids) + "/" +
            std::to_string(counters.truncated_members);
    if (events.chance(60)) hooks.flush();
    if (step % 50 == 49) line += " snapshot " + hooks.digest(correlator().snapshot().dump());
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace orion::testing
