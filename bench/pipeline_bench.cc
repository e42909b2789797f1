// End-to-end pipeline bench: the real guardian, brain and memory (audit file in a temporary
// directory) on the embedded bus, in process. Publishes N synthetic warning events, each about a
// different resource so each opens its own incident, as fast as the bus accepts them, and times
// each event until the decision about its incident arrives. Prints one JSON object:
//
//   {"events": N, "decided": .., "paced_events_per_s": .., "events_per_s": ..,
//    "decision_latency_p50_ms": .., "decision_latency_p99_ms": .., "peak_rss_mib": ..}
//
// events_per_s is end to end: decisions received per second from the first publish to the last
// decision. paced_events_per_s is RATE (0: unpaced).
//
// Usage: pipeline_bench [N] [RATE]   (default 5000 events, as fast as possible; with RATE, events
// are paced at RATE per second, which shows the latency of the pipeline itself rather than the
// queueing of a burst). Run from a Release build.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "brain/brain.h"
#include "bus/embedded_bus.h"
#include "common/ids.h"
#include "common/logging.h"
#include "config/config.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "guardian/guardian.h"
#include "memory/memory.h"

namespace {

using namespace orion;
using namespace std::chrono_literals;

// What the bench's own consumer group sees, keyed so a decision can be traced to its event.
struct Timeline {
  std::mutex mutex;
  std::unordered_map<std::string, MonoTime> published;             // event_id → publish
  std::unordered_map<std::string, std::string> event_of_incident;  // incident_id → event_id
  std::unordered_map<std::string, MonoTime> decided;               // incident_id → arrival
};

contracts::Event syntheticEvent(const Clock& clock, size_t i) {
  contracts::Event event;
  event.event_id = newUuid();
  event.timestamp = clock.now();
  event.source = "orion-watcher-host";
  event.event_type = "metric_threshold_exceeded";
  event.severity = contracts::EventSeverity::kWarning;
  event.data = {{"node", "bench"},
                {"resource_type", "disk"},
                {"resource", "/mnt/disk" + std::to_string(i)},
                {"metric", "disk_used_percent"},
                {"value", 93.5},
                {"unit", "percent"},
                {"threshold", 90.0},
                {"level", "warning"},
                {"state", "firing"}};
  event.tags = {{"node", "bench"}};
  return event;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double peakRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

int fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "pipeline_bench: %s: %s\n", what.c_str(), status.toString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 5000;
  if (n == 0) n = 5000;
  double rate = argc > 2 ? std::strtod(argv[2], nullptr) : 0;
  (void)configureLogging({"warn", LogFormat::kJson});

  std::string dir_template =
      (std::filesystem::temp_directory_path() / "orion-pipeline-bench-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) return 1;
  std::filesystem::path state_dir = dir_template;

  RealClock clock;
  MetricsRegistry metrics;
  auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) return fail("loading contracts", contracts.status());
  bus::EmbeddedBusOptions bus_options;
  bus_options.max_stream_length = std::max<size_t>(bus_options.max_stream_length, n + 100);
  auto bus = bus::makeEmbeddedBus(bus_options, *contracts, clock, metrics);
  ModuleContext context{*bus, clock, metrics, "bench"};

  config::Config config;
  config.guardian.max_open_incidents = static_cast<int64_t>(n) + 100;
  std::vector<std::unique_ptr<Service>> modules;  // start order
  modules.push_back(memory::makeMemory(config.memory, state_dir, context));
  modules.push_back(brain::makeBrain(config.brain, context));
  modules.push_back(guardian::makeGuardian(config.guardian, context));

  Timeline timeline;
  auto incidents = bus->subscribe({"incident", "bench", "bench-1"}, [&](const bus::Delivery& d) {
    const Json& doc = *d.document;
    std::lock_guard lock(timeline.mutex);
    timeline.event_of_incident[doc["incident_id"].get<std::string>()] =
        doc["event_ids"][0].get<std::string>();
    return Status::ok();
  });
  auto decisions = bus->subscribe({"decision", "bench", "bench-1"}, [&](const bus::Delivery& d) {
    MonoTime now = clock.monotonic();
    std::lock_guard lock(timeline.mutex);
    timeline.decided.emplace((*d.document)["incident_id"].get<std::string>(), now);
    return Status::ok();
  });
  if (!incidents) return fail("subscribing", incidents.status());
  if (!decisions) return fail("subscribing", decisions.status());
  for (auto& module : modules) {
    if (Status started = module->start(); !started.isOk()) return fail("starting", started);
  }

  // Events are built before the clock starts so the bench times the pipeline, not the UUIDs.
  std::vector<std::pair<std::string, Json>> events;
  events.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    contracts::Event event = syntheticEvent(clock, i);
    events.emplace_back(event.event_id, event.toJson());
  }
  MonoTime begin = clock.monotonic();
  for (size_t i = 0; i < n; ++i) {
    auto& [id, doc] = events[i];
    if (rate > 0) {
      auto due = begin + std::chrono::duration_cast<Duration>(
                             std::chrono::duration<double>(static_cast<double>(i) / rate));
      while (clock.monotonic() < due) std::this_thread::sleep_for(50us);
    }
    {
      std::lock_guard lock(timeline.mutex);
      timeline.published[id] = clock.monotonic();
    }
    while (true) {
      auto published = bus->publish("event", doc);
      if (published) break;
      if (published.status().code() != StatusCode::kResourceExhausted) {
        return fail("publishing", published.status());
      }
    }
  }

  MonoTime give_up = clock.monotonic() + 120s;
  while (clock.monotonic() < give_up) {
    {
      std::lock_guard lock(timeline.mutex);
      if (timeline.decided.size() >= n && timeline.event_of_incident.size() >= n) break;
    }
    std::this_thread::sleep_for(1ms);
  }

  std::vector<double> latencies_ms;
  MonoTime last = begin;
  {
    std::lock_guard lock(timeline.mutex);
    for (const auto& [incident_id, decided_at] : timeline.decided) {
      auto event = timeline.event_of_incident.find(incident_id);
      if (event == timeline.event_of_incident.end()) continue;
      auto published = timeline.published.find(event->second);
      if (published == timeline.published.end()) continue;
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(decided_at - published->second).count());
      last = std::max(last, decided_at);
    }
  }
  double seconds = std::chrono::duration<double>(last - begin).count();

  incidents.value()->stop();
  decisions.value()->stop();
  for (auto it = modules.rbegin(); it != modules.rend(); ++it) {
    (*it)->stop(clock.monotonic() + 2s);
  }
  modules.clear();
  std::error_code ignored;
  std::filesystem::remove_all(state_dir, ignored);

  if (latencies_ms.size() < n) {
    std::fprintf(stderr, "pipeline_bench: only %zu of %zu events reached a decision\n",
                 latencies_ms.size(), n);
  }
  std::printf(
      "{\"events\": %zu, \"decided\": %zu, \"paced_events_per_s\": %.0f, \"events_per_s\": %.0f, "
      "\"decision_latency_p50_ms\": %.3f, \"decision_latency_p99_ms\": %.3f, "
      "\"peak_rss_mib\": %.1f}\n",
      n, latencies_ms.size(), rate,
      seconds > 0 ? static_cast<double>(latencies_ms.size()) / seconds : 0,
      percentile(latencies_ms, 0.50), percentile(latencies_ms, 0.99), peakRssMib());
  return latencies_ms.size() == n ? 0 : 1;
}
