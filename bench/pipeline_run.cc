#include "pipeline_run.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "brain/brain.h"
#include "bus/module_context.h"
#include "common/ids.h"
#include "config/config.h"
#include "contracts/documents.h"
#include "guardian/guardian.h"
#include "memory/memory.h"

namespace orion::bench {
namespace {

using namespace std::chrono_literals;

// What the bench's own consumer groups see. Each event is about a node of its own, and the
// incident and the decision that follow it carry that node's name (tags.node): the bench tells
// them apart by it.
struct Timeline {
  std::mutex mutex;
  std::unordered_map<std::string, MonoTime> published;      // node → event published
  std::unordered_map<std::string, MonoTime> decided;        // node → decision arrived
  std::unordered_map<std::string, MonoTime> incident_seen;  // node → incident arrived (timeline)
};

// The file PIPELINE_BENCH_TIMELINE names, or nullptr.
const char* timelineFile() {
  const char* path = std::getenv("PIPELINE_BENCH_TIMELINE");
  return path == nullptr || *path == '\0' ? nullptr : path;
}

// With PIPELINE_BENCH_TIMELINE=FILE in the environment, one line per decided event goes to FILE:
// milliseconds after the first publish at which the event was published, its incident reached
// the bench (as it reached the brain), and its decision arrived: where a slow event lost its time.
void writeTimeline(const Timeline& timeline, MonoTime begin) {
  const char* path = timelineFile();
  if (path == nullptr) return;
  FILE* out = std::fopen(path, "w");
  if (out == nullptr) return;
  auto ms = [begin](MonoTime t) {
    return std::chrono::duration<double, std::milli>(t - begin).count();
  };
  std::fprintf(
      out, "# first publish at %.6f s of CLOCK_MONOTONIC\npublished_ms incident_ms decided_ms\n",
      std::chrono::duration<double>(begin.time_since_epoch()).count());
  for (const auto& [node, decided_at] : timeline.decided) {
    auto published = timeline.published.find(node);
    auto seen = timeline.incident_seen.find(node);
    if (published == timeline.published.end() || seen == timeline.incident_seen.end()) continue;
    std::fprintf(out, "%.3f %.3f %.3f\n", ms(published->second), ms(seen->second), ms(decided_at));
  }
  std::fclose(out);
}

// The node a bench document is about ("" when it names none).
std::string nodeOf(const Json& document) {
  auto tags = document.find("tags");
  if (tags == document.end() || !tags->is_object()) return "";
  auto node = tags->find("node");
  return node != tags->end() && node->is_string() ? node->get<std::string>() : "";
}

// Each event is a new condition on a node of its own, so each becomes one incident and one
// decision (on one node, the guardian would rightly fold them into one correlation_detected
// incident after the third).
contracts::Event syntheticEvent(const Clock& clock, size_t i) {
  std::string node = "bench-" + std::to_string(i);
  contracts::Event event;
  event.event_id = newUuid();
  event.timestamp = clock.now();
  event.source = "orion-watcher-host";
  event.event_type = "metric_threshold_exceeded";
  event.severity = contracts::EventSeverity::kWarning;
  event.data = {{"node", node},
                {"resource_type", "disk"},
                {"resource", "/mnt/disk" + std::to_string(i)},
                {"metric", "disk_used_percent"},
                {"value", 93.5},
                {"unit", "percent"},
                {"threshold", 90.0},
                {"level", "warning"},
                {"state", "firing"}};
  event.tags = {{"node", node}};
  return event;
}

}  // namespace

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

Result<PipelineResult> runPipeline(bus::Bus& bus, const Clock& clock, MetricsRegistry& metrics,
                                   const std::filesystem::path& state_dir, size_t n, double rate,
                                   Duration patience) {
  // As `orion run` has them: the guardian and the brain keep their safety state under the state
  // directory (a StateStore each, written as they go), and the brain loads the shipped policies.
  ModuleContext context{bus, clock, metrics, "bench", state_dir.string()};
  config::Config config;
  config.guardian.max_open_incidents = static_cast<int64_t>(n) + 100;
  config.brain.policy_dir = ORION_SOURCE_DIR "/policies";
  std::vector<std::unique_ptr<Service>> modules;  // start order
  modules.push_back(memory::makeMemory(config.memory, state_dir, context));
  modules.push_back(brain::makeBrain(config.brain, context));
  modules.push_back(guardian::makeGuardian(config.guardian, context));

  Timeline timeline;
  // The decisions stand in for the commander's group. The incidents are read only for the
  // timeline: a consumer group of the bench's own would add a seventh consumption to every event.
  std::unique_ptr<bus::Subscription> incidents;
  if (timelineFile() != nullptr) {
    auto subscribed = bus.subscribe({"incident", "bench", "bench-1"}, [&](const bus::Delivery& d) {
      MonoTime now = clock.monotonic();
      std::lock_guard lock(timeline.mutex);
      timeline.incident_seen.emplace(nodeOf(*d.document), now);
      return Status::ok();
    });
    if (!subscribed) return subscribed.status().withContext("subscribing");
    incidents = std::move(subscribed).value();
  }
  auto decisions = bus.subscribe({"decision", "bench", "bench-1"}, [&](const bus::Delivery& d) {
    MonoTime now = clock.monotonic();
    std::lock_guard lock(timeline.mutex);
    timeline.decided.emplace(nodeOf(*d.document), now);
    return Status::ok();
  });
  if (!decisions) return decisions.status().withContext("subscribing");
  for (auto& module : modules) {
    if (Status started = module->start(); !started.isOk()) return started.withContext("starting");
  }
  // Timed from a pipeline that is up: on the Redis bus, every subscription has connected and
  // created its groups (a few hundred XGROUP CREATEs from some twenty threads at start, which
  // held up the first events by tens of milliseconds and, at 1 000 events/s, made the p99 of a
  // 5 s run a start-up figure).
  MonoTime ready_by = clock.monotonic() + std::chrono::seconds(10);
  while (!bus.healthy() && clock.monotonic() < ready_by) std::this_thread::sleep_for(1ms);

  // Events are built before the clock starts so the bench times the pipeline, not the UUIDs.
  std::vector<std::pair<std::string, Json>> events;  // (node, event)
  events.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    contracts::Event event = syntheticEvent(clock, i);
    events.emplace_back(event.tags.find("node")->second, event.toJson());
  }
  // Every thread's but this one's (the bench's publisher, and its wait for the last decision).
  uint64_t switches_before = voluntarySwitches() - voluntarySwitchesOfThisThread();
  MonoTime begin = clock.monotonic();
  for (size_t i = 0; i < n; ++i) {
    auto& [node, doc] = events[i];
    if (rate > 0) {
      // One sleep per event: polling in short sleeps woke this thread ~10 000 times a second,
      // load that is the bench's own and that lengthened the pipeline's tail on this machine.
      auto due = begin + std::chrono::duration_cast<Duration>(
                             std::chrono::duration<double>(static_cast<double>(i) / rate));
      MonoTime now = clock.monotonic();
      if (now < due) std::this_thread::sleep_for(due - now);
    }
    {
      std::lock_guard lock(timeline.mutex);
      timeline.published[node] = clock.monotonic();
    }
    while (true) {
      auto published = bus.publish("event", doc);
      if (published) break;
      if (published.status().code() != StatusCode::kResourceExhausted) {
        return published.status().withContext("publishing");
      }
    }
  }

  MonoTime give_up = clock.monotonic() + patience;
  while (clock.monotonic() < give_up) {
    {
      std::lock_guard lock(timeline.mutex);
      if (timeline.decided.size() >= n &&
          (incidents == nullptr || timeline.incident_seen.size() >= n)) {
        break;
      }
    }
    std::this_thread::sleep_for(1ms);
  }
  uint64_t switches = voluntarySwitches() - voluntarySwitchesOfThisThread() - switches_before;

  std::vector<double> latencies_ms;
  MonoTime last = begin;
  {
    std::lock_guard lock(timeline.mutex);
    for (const auto& [node, decided_at] : timeline.decided) {
      auto published = timeline.published.find(node);
      if (published == timeline.published.end()) continue;
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(decided_at - published->second).count());
      last = std::max(last, decided_at);
    }
  }
  double seconds = std::chrono::duration<double>(last - begin).count();
  {
    std::lock_guard lock(timeline.mutex);
    writeTimeline(timeline, begin);
  }

  if (incidents != nullptr) incidents->stop();
  decisions.value()->stop();
  for (auto it = modules.rbegin(); it != modules.rend(); ++it) {
    (*it)->stop(clock.monotonic() + 2s);
  }

  PipelineResult result;
  result.events = n;
  result.decided = latencies_ms.size();
  result.events_per_s = seconds > 0 ? static_cast<double>(latencies_ms.size()) / seconds : 0;
  result.latency_p50_ms = percentile(latencies_ms, 0.50);
  result.latency_p99_ms = percentile(latencies_ms, 0.99);
  result.switches = switches;
  return result;
}

namespace {

uint64_t switchesIn(const std::filesystem::path& status_file) {
  std::ifstream status(status_file);  // a thread that ended meanwhile: nothing
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("voluntary_ctxt_switches:")) {
      return std::strtoull(line.c_str() + line.find(':') + 1, nullptr, 10);
    }
  }
  return 0;
}

}  // namespace

uint64_t voluntarySwitches(pid_t pid) {
  std::filesystem::path tasks = pid == 0
                                    ? std::filesystem::path("/proc/self/task")
                                    : std::filesystem::path("/proc") / std::to_string(pid) / "task";
  uint64_t total = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    total += switchesIn(task.path() / "status");
  }
  return total;
}

uint64_t voluntarySwitchesOfThisThread() { return switchesIn("/proc/thread-self/status"); }

}  // namespace orion::bench
