// The end-to-end pipeline run shared by the pipeline benches (pipeline_bench on the embedded bus,
// redis_bench on Redis): the real guardian, brain and memory (audit file under `state_dir`) on
// the given bus, plus the bench's own consumer group on decision (standing in for a commander).
// Publishes N synthetic warning events, each about a node of its own so each opens its own
// incident, optionally paced at `rate` per second, and times each event from its publish until
// the decision about its incident arrives (told apart by the node the decision names).
// PIPELINE_BENCH_TIMELINE=FILE also reads the incidents, in a group of the bench's own, and writes
// each event's times (published, incident seen, decision arrived; ms after the first publish) to
// FILE, one line per event, for the last run of the process (redis_bench: the paced one).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>

#include "bus/bus.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/status.h"

namespace orion::bench {

struct PipelineResult {
  size_t events = 0;
  size_t decided = 0;         // events whose decision arrived
  double events_per_s = 0;    // decisions per second, first publish to last decision
  double latency_p50_ms = 0;  // publish → decision
  double latency_p99_ms = 0;
  // Times this process's threads but the caller's went to sleep from the first publish to the
  // last decision (voluntarySwitches; the run's modules and bus threads live through all of it).
  uint64_t switches = 0;
};

// `rate` 0: as fast as the bus accepts. Waits up to `patience` for the last decision.
Result<PipelineResult> runPipeline(bus::Bus& bus, const Clock& clock, MetricsRegistry& metrics,
                                   const std::filesystem::path& state_dir, size_t events,
                                   double rate, Duration patience = std::chrono::seconds(120));

double percentile(std::vector<double> values, double p);

// Times the threads of process `pid` (0: this one) alive now have gone to sleep so far (the sum
// of their voluntary_ctxt_switches in /proc): each is a wake-up later, which on a virtual machine
// is among the dearest things a thread does.
uint64_t voluntarySwitches(pid_t pid = 0);
// The same for the calling thread alone.
uint64_t voluntarySwitchesOfThisThread();
double peakRssMib();

}  // namespace orion::bench
