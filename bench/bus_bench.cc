// Embedded bus micro benchmarks: publish→handler throughput (items/s).
//
//   RealPath    the embedded contract registry: an `event` is validated on publish and once more
//               on consume (valijson + ORION's format checks), as in production.
//   Transport   a registry holding one trivial schema (type "bench": {"type": "object"}), so the
//               figure is the bus itself: copy, append, wake, batch, handler call, acknowledge.
//
// Each iteration publishes kBatch documents from the benchmark thread and waits until every
// subscribed group's handler has seen them all, so the time covers publish to handler, not just
// publish. The stream uses the block policy so a publisher that outruns its consumers is held
// back rather than losing messages. Run from a release build:
//   build/release/bench/bus_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "bus/embedded_bus.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/metrics.h"
#include "common/time.h"
#include "contracts/registry.h"

namespace orion::bus {
namespace {

constexpr int kBatch = 10000;

std::shared_ptr<const contracts::ContractRegistry> embeddedRegistry() {
  static const auto registry = *contracts::ContractRegistry::loadEmbedded();
  return registry;
}

// A registry with one schema that accepts any object, loaded from a temporary directory.
std::shared_ptr<const contracts::ContractRegistry> trivialRegistry() {
  static const auto registry = [] {
    auto dir = std::filesystem::temp_directory_path() / ("orion-bus-bench-" + newUuid());
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "bench.schema.json") << R"({"type": "object"})";
    auto loaded = contracts::ContractRegistry::loadDirectory(dir);
    std::filesystem::remove_all(dir);
    if (!loaded.isOk()) {
      fprintf(stderr, "loading the bench schema: %s\n", loaded.status().toString().c_str());
      std::abort();
    }
    return *loaded;
  }();
  return registry;
}

Json eventDocument(const Clock& clock) {
  return Json{{"version", "1.0"},
              {"event_id", newUuid()},
              {"timestamp", formatRfc3339(clock.now())},
              {"source", "orion-watcher-host"},
              {"event_type", "metric_threshold_exceeded"},
              {"severity", "warning"},
              {"data", {{"metric", "disk_used_percent"}, {"value", 91.5}, {"mount", "/"}}}};
}

// CPU time of the whole process (every thread), in seconds.
double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

enum class Path { kReal, kTransport };
enum class Payload { kEvent, kSmall };

void publishToHandler(benchmark::State& state, Path path, Payload payload, int groups) {
  RealClock clock;
  MetricsRegistry metrics;
  EmbeddedBusOptions options;
  options.when_full = WhenFull::kBlock;
  options.block_timeout = std::chrono::seconds(30);
  auto bus = makeEmbeddedBus(options, path == Path::kReal ? embeddedRegistry() : trivialRegistry(),
                             clock, metrics);
  const std::string type = path == Path::kReal ? "event" : "bench";
  const Json document = payload == Payload::kEvent ? eventDocument(clock) : Json{{"n", 1}};

  std::vector<std::unique_ptr<std::atomic<uint64_t>>> handled;
  std::vector<std::unique_ptr<Subscription>> subs;
  for (int g = 0; g < groups; ++g) {
    std::atomic<uint64_t>* count =
        handled.emplace_back(std::make_unique<std::atomic<uint64_t>>(0)).get();
    auto sub = bus->subscribe({type, "group-" + std::to_string(g), "consumer-1"},
                              [count](const Delivery&) {
                                count->fetch_add(1, std::memory_order_relaxed);
                                return Status::ok();
                              });
    if (!sub.isOk()) {
      state.SkipWithError(sub.status().toString().c_str());
      return;
    }
    subs.push_back(std::move(*sub));
  }

  uint64_t target = 0;
  double cpu_start = processCpuSeconds();
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      auto id = bus->publish(type, document);
      if (!id.isOk()) {
        state.SkipWithError(id.status().toString().c_str());
        return;
      }
    }
    target += kBatch;
    // Sleeping rather than spinning keeps this thread off the cores the bus threads need; the
    // wake-up granularity is small against one iteration.
    for (auto& count : handled) {
      while (count->load(std::memory_order_relaxed) < target) {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
  }
  const double messages = static_cast<double>(state.iterations()) * kBatch;
  // CPU spent by every thread (publisher, consumers, this one waiting) per message: on a loaded
  // machine the wall-clock rate says more about the neighbours than about the bus.
  state.counters["cpu_ns_per_msg"] = (processCpuSeconds() - cpu_start) * 1e9 / messages;
  state.SetItemsProcessed(static_cast<int64_t>(messages));
  for (auto& sub : subs) sub->stop();
}

void BM_RealPath_Event(benchmark::State& state) {
  publishToHandler(state, Path::kReal, Payload::kEvent, 1);
}
void BM_RealPath_Event_FanOut2(benchmark::State& state) {
  publishToHandler(state, Path::kReal, Payload::kEvent, 2);
}
void BM_Transport_Event(benchmark::State& state) {
  publishToHandler(state, Path::kTransport, Payload::kEvent, 1);
}
void BM_Transport_Small(benchmark::State& state) {
  publishToHandler(state, Path::kTransport, Payload::kSmall, 1);
}
void BM_Transport_Small_FanOut2(benchmark::State& state) {
  publishToHandler(state, Path::kTransport, Payload::kSmall, 2);
}

// Publish alone (no group, so nothing is retained): validation plus the document copy, the part
// of the real path that runs on the publisher's thread.
void BM_PublishOnly_Event(benchmark::State& state) {
  RealClock clock;
  MetricsRegistry metrics;
  auto bus = makeEmbeddedBus({}, embeddedRegistry(), clock, metrics);
  const Json document = eventDocument(clock);
  for (auto _ : state) benchmark::DoNotOptimize(bus->publish("event", document));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

BENCHMARK(BM_RealPath_Event)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RealPath_Event_FanOut2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Transport_Event)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Transport_Small)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Transport_Small_FanOut2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PublishOnly_Event);

}  // namespace
}  // namespace orion::bus
