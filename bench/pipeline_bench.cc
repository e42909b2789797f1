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
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bus/embedded_bus.h"
#include "common/logging.h"
#include "contracts/registry.h"
#include "pipeline_run.h"

int main(int argc, char** argv) {
  using namespace orion;
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
  if (!contracts) {
    std::fprintf(stderr, "pipeline_bench: %s\n", contracts.status().toString().c_str());
    return 1;
  }
  bus::EmbeddedBusOptions bus_options;
  bus_options.max_stream_length = std::max<size_t>(bus_options.max_stream_length, n + 100);
  auto bus = bus::makeEmbeddedBus(bus_options, *contracts, clock, metrics);
  auto result = bench::runPipeline(*bus, clock, metrics, state_dir, n, rate);
  std::error_code ignored;
  std::filesystem::remove_all(state_dir, ignored);
  if (!result) {
    std::fprintf(stderr, "pipeline_bench: %s\n", result.status().toString().c_str());
    return 1;
  }
  if (result->decided < n) {
    std::fprintf(stderr, "pipeline_bench: only %zu of %zu events reached a decision\n",
                 result->decided, n);
  }
  std::printf(
      "{\"events\": %zu, \"decided\": %zu, \"paced_events_per_s\": %.0f, \"events_per_s\": %.0f, "
      "\"decision_latency_p50_ms\": %.3f, \"decision_latency_p99_ms\": %.3f, "
      "\"peak_rss_mib\": %.1f}\n",
      n, result->decided, rate, result->events_per_s, result->latency_p50_ms,
      result->latency_p99_ms, bench::peakRssMib());
  return result->decided == n ? 0 : 1;
}
