// The watcher's cost and speed, printed as one JSON object:
//   host_sample_us          one host sample (real /proc, /sys and statvfs), p50/p99 over 2000,
//                           wall time and the sampling thread's CPU time;
//   container_exit_ms       over `--kills` (default 60) kills of a container in a private podman
//                           API service (tests/testing/podman_service.h), through the real
//                           watcher, p50/p99/max of: the engine's exit time (State.FinishedAt,
//                           inspected after the event) → service_down received on the bus
//                           (exit_to_event); the event's own data.exited_at → the same
//                           (exited_at_to_event: the exit watch's or the die event's time); the
//                           kill request → the same (kill_request_to_event); and which path
//                           announced the exits (announced_via: pidfd, engine_event, resync);
//                           inspect_after_event: whether an inspect just after the event already
//                           had the exit code, and how long it took;
//   idle_cpu                CPU time the watcher used over `--idle-seconds` (default 60) at its
//                           default intervals (host 15 s, containers resync 30 s, one http probe
//                           30 s), from getrusage, as a share of one core.
// Usage: watcher_bench [--kills N] [--idle-seconds S] [--skip-containers] [--no-exit-watch]
// (--no-exit-watch: `exit_watch: false`, the engine's events alone, as before issue 6)
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/embedded_bus.h"
#include "common/time.h"
#include "containers_watcher.h"
#include "contracts/registry.h"
#include "docker/docker_client.h"
#include "testing/podman_service.h"
#include "testing/wait.h"
#include "watcher/sources/containers/containers_source.h"
#include "watcher/sources/host/host_source.h"
#include "watcher/watcher.h"

namespace {

using namespace orion;
using namespace std::chrono_literals;

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU time of the calling thread: what a sample costs, whatever else the machine is doing.
double threadCpuMicros() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

class NullPublisher final : public watcher::EventPublisher {
 public:
  Status publish(const contracts::Event&) override { return Status::ok(); }
};

std::string hostSample(const Clock& clock) {
  MetricsRegistry metrics;
  NullPublisher publisher;
  config::HostSourceConfig config;
  watcher::host::HostSource source(
      config,
      watcher::SourceContext{clock, metrics, makeLogger("bench.host"), "bench", publisher, "host"},
      watcher::host::makeStatvfsFilesystemStats());
  std::vector<double> micros;
  std::vector<double> cpu_micros;
  for (int i = 0; i < 2000; ++i) {
    MonoTime start = clock.monotonic();
    double cpu_start = threadCpuMicros();
    (void)source.sample(clock.now());
    cpu_micros.push_back(threadCpuMicros() - cpu_start);
    micros.push_back(std::chrono::duration<double, std::micro>(clock.monotonic() - start).count());
  }
  char out[300];
  std::snprintf(out, sizeof(out),
                "{\"samples\": 2000, \"wall\": {\"p50\": %.1f, \"p99\": %.1f}, "
                "\"cpu\": {\"p50\": %.1f, \"p99\": %.1f, \"max\": %.1f}}",
                percentile(micros, 0.5), percentile(micros, 0.99), percentile(cpu_micros, 0.5),
                percentile(cpu_micros, 0.99), percentile(cpu_micros, 1.0));
  return out;
}

// A watcher on an embedded bus whose events are timestamped when the subscriber gets them.
struct Pipeline {
  explicit Pipeline(const Clock& clock) : clock(clock) {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    bus = bus::makeEmbeddedBus({}, *registry, clock, metrics);
    auto subscribed = bus->subscribe({"event", "bench", "bench-1"}, [this](const bus::Delivery& d) {
      std::lock_guard lock(mutex);
      received.emplace_back(this->clock.monotonic(), *d.document);
      return Status::ok();
    });
    subscription = std::move(subscribed).value();
  }
  ~Pipeline() {
    if (watcher) watcher->stop(clock.monotonic() + 5s);
    subscription->stop();
  }
  // When the first event matching `match` arrived after index `from`, if it did.
  std::optional<MonoTime> arrival(size_t from, const std::function<bool(const Json&)>& match) {
    std::lock_guard lock(mutex);
    for (size_t i = from; i < received.size(); ++i) {
      if (match(received[i].second)) return received[i].first;
    }
    return std::nullopt;
  }
  std::optional<Json> event(size_t from, const std::function<bool(const Json&)>& match) {
    std::lock_guard lock(mutex);
    for (size_t i = from; i < received.size(); ++i) {
      if (match(received[i].second)) return received[i].second;
    }
    return std::nullopt;
  }
  size_t count() {
    std::lock_guard lock(mutex);
    return received.size();
  }

  const Clock& clock;
  MetricsRegistry metrics;
  std::unique_ptr<bus::Bus> bus;
  std::unique_ptr<bus::Subscription> subscription;
  std::unique_ptr<Service> watcher;
  std::mutex mutex;
  std::vector<std::pair<MonoTime, Json>> received;
};

std::string containerExit(const Clock& clock, int kills, bool exit_watch) {
  std::string missing = testing::PodmanService::missingReason();
  if (!missing.empty()) return "{\"error\": \"" + missing + "\"}";
  testing::PodmanService podman;
  Status ready = podman.start();
  if (ready) ready = podman.buildTestImage();
  if (!ready) return "{\"error\": \"podman: " + ready.message() + "\"}";
  Result<std::string> id =
      podman.podman({"run", "--detach", "--name", "victim", testing::PodmanService::kTestImage});
  if (!id) return "{\"error\": \"podman run failed\"}";

  Pipeline pipeline(clock);
  pipeline.watcher =
      watcher::makeWatcher(bench::containersOnlyWatcher(podman.socketPath(), exit_watch),
                           ModuleContext{*pipeline.bus, clock, pipeline.metrics, "bench"});
  if (!pipeline.watcher->start()) return "{\"error\": \"watcher did not start\"}";
  auto gauge = [&](const char* name) {
    return pipeline.metrics.read(name, {{"source", "engine"}});
  };
  testing::waitUntil([&] {
    return gauge("orion_watcher_containers_stream_connected") == 1 &&
           (!exit_watch || gauge("orion_watcher_containers_exit_watches") == 1);
  });
  docker::DockerClient client(podman.socketPath(), clock);
  auto is = [&](const char* type) {
    return [type, &id](const Json& event) {
      return event.value("event_type", "") == type &&
             event["data"].value("container_id", "") == *id;
    };
  };
  std::vector<double> millis;            // the engine's exit time → service_down on the bus
  std::vector<double> exited_at_millis;  // the event's data.exited_at → the same
  std::vector<double> kill_millis;       // the kill request → service_down on the bus
  std::vector<double> inspect_millis;    // an inspect right after service_down arrived
  int inspect_had_exit_code = 0;         // … that already had the exit code
  int event_had_exit_code = 0;           // service_down events that carried one
  int failures = 0;
  for (int i = 0; i < kills; ++i) {
    size_t before = pipeline.count();
    MonoTime start = clock.monotonic();
    if (!client.killContainer(*id)) {
      ++failures;
      continue;
    }
    std::optional<MonoTime> down;
    testing::waitUntil(
        [&] { return (down = pipeline.arrival(before, is("service_down"))).has_value(); }, 10s);
    std::optional<Json> event = pipeline.event(before, is("service_down"));
    if (event && (*event)["data"]["exit_code"].is_number()) ++event_had_exit_code;
    Result<WallTime> exited = event ? parseRfc3339((*event)["data"].value("exited_at", ""))
                                    : Result<WallTime>(notFound("no event"));
    // Would an inspect at once have had the exit code? (How long it takes, and whether it had.)
    MonoTime inspecting = clock.monotonic();
    Result<docker::ContainerDetails> after = client.inspectContainer(*id);
    inspect_millis.push_back(
        std::chrono::duration<double, std::milli>(clock.monotonic() - inspecting).count());
    if (after && !after->running && after->exit_code == 137) ++inspect_had_exit_code;
    Result<WallTime> finished =
        after ? parseRfc3339(after->finished_at) : Result<WallTime>(notFound("no inspect"));
    if (!down || !exited || !finished) {
      ++failures;
    } else {
      kill_millis.push_back(std::chrono::duration<double, std::milli>(*down - start).count());
      // Same machine, same wall clock: the engine stamped the exit, the subscriber its arrival.
      WallTime arrived = clock.now() - (clock.monotonic() - *down);
      exited_at_millis.push_back(
          std::chrono::duration<double, std::milli>(arrived - *exited).count());
      millis.push_back(std::chrono::duration<double, std::milli>(arrived - *finished).count());
    }
    size_t after_kill = pipeline.count();
    (void)client.startContainer(*id);
    testing::waitUntil([&] { return pipeline.arrival(after_kill, is("service_up")).has_value(); },
                       10s);
    // The next kill must find the new process watched (re-armed on the start).
    testing::waitUntil(
        [&] { return !exit_watch || gauge("orion_watcher_containers_exit_watches") == 1; }, 10s);
  }
  // The watcher's own share: engine event read → service_down published (bucket upper bounds).
  Histogram& handling = pipeline.metrics.histogram(
      "orion_watcher_containers_event_handling_seconds", "", {{"source", "engine"}},
      watcher::containers::eventHandlingBuckets());
  auto bucketPercentile = [&](double p) {
    for (size_t i = 0; i < handling.bounds().size(); ++i) {
      if (static_cast<double>(handling.cumulativeCount(i)) >=
          p * static_cast<double>(handling.count())) {
        return handling.bounds()[i] * 1000.0;
      }
    }
    return -1.0;
  };
  auto spread = [](const std::vector<double>& values) {
    char text[120];
    std::snprintf(text, sizeof(text), "{\"p50\": %.2f, \"p99\": %.2f, \"max\": %.2f}",
                  percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0));
    return std::string(text);
  };
  auto via = [&](const char* path) {
    return pipeline.metrics.read("orion_watcher_containers_down_announced_total",
                                 {{"source", "engine"}, {"via", path}});
  };
  char out[1100];
  std::snprintf(out, sizeof(out),
                "{\"kills\": %d, \"measured\": %zu, \"failures\": %d, "
                "\"watcher_handling_le\": {\"events\": %llu, \"p50\": %.3f, \"p99\": %.3f}, "
                "\"exit_to_event\": %s, \"exited_at_to_event\": %s, "
                "\"kill_request_to_event\": %s, "
                "\"events_with_exit_code\": %d, "
                "\"inspect_after_event\": {\"had_exit_code\": %d, \"ms\": %s}, "
                "\"announced_via\": {\"pidfd\": %.0f, \"engine_event\": %.0f, \"resync\": %.0f}}",
                kills, millis.size(), failures, static_cast<unsigned long long>(handling.count()),
                bucketPercentile(0.5), bucketPercentile(0.99), spread(millis).c_str(),
                spread(exited_at_millis).c_str(), spread(kill_millis).c_str(), event_had_exit_code,
                inspect_had_exit_code, spread(inspect_millis).c_str(), via("pidfd"),
                via("engine_event"), via("resync"));
  return out;
}

std::string idleCpu(const Clock& clock, int seconds, bool with_containers) {
  std::optional<testing::PodmanService> podman;
  Pipeline pipeline(clock);
  config::WatcherConfig config;  // host source at its default 15 s
  if (with_containers && testing::PodmanService::available()) {
    podman.emplace();
    Status started = podman->start();
    if (!started)
      std::fprintf(stderr, "idle: no containers source: %s\n", started.toString().c_str());
    if (started) {
      config::ContainersSourceConfig containers;  // default 30 s resync
      containers.socket = podman->socketPath();
      config.sources.push_back({"containers", "engine", "bench", containers});
    }
  }
  config::TcpProbeConfig tcp;  // default 30 s; nothing listens on port 9: a failing probe
  tcp.port = 9;
  config.sources.push_back({"tcp", "probe", "bench", tcp});
  pipeline.watcher =
      watcher::makeWatcher(config, ModuleContext{*pipeline.bus, clock, pipeline.metrics, "bench"});
  if (!pipeline.watcher->start()) return "{\"error\": \"watcher did not start\"}";
  std::this_thread::sleep_for(1s);  // past the first samples (start-up, not idle)
  double cpu_before = cpuSeconds();
  MonoTime started = clock.monotonic();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  double cpu = cpuSeconds() - cpu_before;
  double wall = std::chrono::duration<double>(clock.monotonic() - started).count();
  char out[220];
  std::snprintf(
      out, sizeof(out),
      "{\"seconds\": %.1f, \"sources\": %zu, \"cpu_ms\": %.2f, \"cpu_percent_of_one_core\": "
      "%.4f}",
      wall, config.sources.size() + 1, cpu * 1000.0, 100.0 * cpu / wall);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int kills = 60;
  int idle_seconds = 60;
  bool containers = true;
  bool exit_watch = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--kills") == 0 && i + 1 < argc) kills = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--idle-seconds") == 0 && i + 1 < argc) {
      idle_seconds = std::atoi(argv[++i]);
    }
    if (std::strcmp(argv[i], "--skip-containers") == 0) containers = false;
    if (std::strcmp(argv[i], "--no-exit-watch") == 0) exit_watch = false;
  }
  (void)configureLogging(LogSettings{"error", LogFormat::kText});
  RealClock clock;
  std::string host = hostSample(clock);
  std::string exits = containers ? containerExit(clock, kills, exit_watch) : "null";
  std::string idle = idleCpu(clock, idle_seconds, containers);
  std::printf("{\"host_sample_us\": %s,\n \"container_exit_ms\": %s,\n \"idle_cpu\": %s}\n",
              host.c_str(), exits.c_str(), idle.c_str());
  return 0;
}
