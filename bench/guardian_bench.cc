// Guardian bench: the correlator's in-process function (Correlator::process) on one core, and its
// memory over a long run. Prints one JSON object per phase, one per line:
//
//   {"phase": "lifecycle", "events": N, "fingerprints": F, "events_per_s": .., "ns_per_event": ..,
//    ..., "page_faults": ..}    page faults taken during the measured run
//   {"phase": "storm", ...}          the same with flapping and node correlation engaged
//   {"phase": "sweep", "open_incidents": .., "us_per_sweep": ..}
//   {"phase": "floor", "read_ns": .., "read_fingerprint_ns": .., ...}   what any correlator
//     spends per lifecycle event on this workload, measured without one: writing and reading the
//     event's data, then also its fingerprint (SHA-256), then also handing out one document
//   {"phase": "memory", "events": .., "rss_mib": .., "open_incidents": .., "conditions": ..}
//   (one line every million events, then a summary with rss_growth_mib after the warm-up)
//
// Each fingerprint cycles warning → warning (absorbed) → critical (raised) → recovered
// (resolved), so every branch of the lifecycle runs. "lifecycle" spaces a fingerprint's opens far
// apart (no flapping, no node groups); "storm" packs them so that flapping and node correlation
// happen all the time. Event ids are fresh for every event (no redelivery shortcut) and as long
// as the UUIDs watchers give them (36 characters: too long for a std::string's inline buffer, so
// every copy of one allocates, as it does in the guardian; until stop 20 they were "e-N", which
// hid that cost).
//
// Usage: guardian_bench [MEMORY_EVENTS] [FINGERPRINTS] [PHASES]   (defaults 10000000, 100000 and
// every phase; PHASES is a comma-separated list such as "storm" or "lifecycle,floor", so that a
// profiler records one phase alone)
// Target (issue 4): >= 500k events/s on one core; memory flat over 10M events / 100k
// fingerprints. Rates are per CPU second of the benchmarking thread (CLOCK_THREAD_CPUTIME_ID), so
// they mean "on one core" on a shared machine too. Run from a Release build.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "contracts/documents.h"
#include "guardian/correlator.h"
#include "guardian/fingerprint.h"

namespace {

using namespace orion;
using namespace orion::guardian;
using namespace std::chrono_literals;
using contracts::EventSeverity;

double rssMib() {
  long pages = 0;
  long resident = 0;
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return -1;
  if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = -1;
  std::fclose(statm);
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

// The events, written as a guardian's decoder writes them: into one event per phase that the bench
// reuses, so the correlator reads an event that was just written (hot in the cache), as it does
// behind the bus. Only what tells the events apart is rewritten: the event id, the node and the
// resource. (Until stop 21 the bench kept a template per fingerprint and phase, 400 000 events
// at 100 000 fingerprints, and every event the correlator read was a run of cache misses that no
// guardian takes: ~230 ns of the ~2 200 ns per event.)
class Workload {
 public:
  Workload(size_t fingerprints, size_t nodes) : fingerprints_(fingerprints), nodes_(nodes) {
    const EventSeverity severities[4] = {EventSeverity::kWarning, EventSeverity::kWarning,
                                         EventSeverity::kCritical, EventSeverity::kInfo};
    const char* levels[4] = {"warning", "warning", "critical", "ok"};
    for (int phase = 0; phase < 4; ++phase) {
      contracts::Event& event = events_[phase];
      event.timestamp = WallTime{};
      event.source = "orion-watcher-host";
      event.event_type = "metric_threshold_exceeded";
      event.severity = severities[phase];
      event.data = {{"node", ""},
                    {"resource_type", "disk"},
                    {"resource", ""},
                    {"metric", "disk_used_percent"},
                    {"value", 90.0 + phase},
                    {"unit", "percent"},
                    {"threshold", 90},
                    {"level", levels[phase]},
                    {"state", phase == 3 ? "recovered" : "firing"}};
      node_[phase] = &event.data["node"].get_ref<std::string&>();
      resource_[phase] = &event.data["resource"].get_ref<std::string&>();
    }
  }
  // The i-th event: fingerprint i % F, phase (i / F) % 4, id i.
  const contracts::Event& at(size_t i) {
    size_t phase = (i / fingerprints_) % 4;
    size_t fingerprint = i % fingerprints_;
    contracts::Event& event = events_[phase];
    // UUID-shaped: 8-4-4-4-12, the last group the event's number, zero-padded.
    event.event_id.assign("00000000-0000-4000-8000-");
    appendNumber(event.event_id, i, 12);
    node_[phase]->assign("node-");
    appendNumber(*node_[phase], fingerprint % nodes_, 0);
    resource_[phase]->assign("/mnt/d");
    appendNumber(*resource_[phase], fingerprint, 0);
    return event;
  }

 private:
  static void appendNumber(std::string& out, size_t number, size_t width) {
    char buffer[32];
    auto end = std::to_chars(buffer, buffer + sizeof(buffer), number).ptr;
    auto digits = static_cast<size_t>(end - buffer);
    if (digits < width) out.append(width - digits, '0');
    out.append(buffer, end);
  }

  size_t fingerprints_;
  size_t nodes_;
  contracts::Event events_[4];
  std::string* node_[4] = {};
  std::string* resource_[4] = {};
};

CorrelatorOptions options(size_t fingerprints) {
  CorrelatorOptions o;
  o.max_open_incidents = fingerprints * 2;
  o.max_resolved_fingerprints = fingerprints * 2;
  return o;
}

// CPU seconds this thread has used: "on one core" whatever else the machine is running.
double threadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Page faults this process has taken: a phase that keeps taking them is touching fresh memory
// (the allocator handing back pages it returned to the kernel), which costs more than its
// instructions.
long minorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// The guardian sweeps once per real second; at the target rate that is once per ~500k events.
constexpr size_t kSweepEvery = 500000;
// The guardian writes the rows an event changed to its StateStore after each bus batch and then
// clears the correlator's dirty set (guardian.cc); the bench clears it as often, without writing.
constexpr size_t kBatch = 256;

// Runs `count` events, advancing the simulated clock by `step` per event and sweeping every
// kSweepEvery events. Returns CPU seconds spent in process() and sweep().
double run(Correlator& correlator, Workload& workload, SimulatedClock& clock, size_t first,
           size_t count, Duration step, size_t& published) {
  double begin = threadCpuSeconds();
  for (size_t i = first; i < first + count; ++i) {
    clock.advance(step);
    published += correlator.process(workload.at(i)).incidents.size();
    if (i % kSweepEvery == kSweepEvery - 1) published += correlator.sweep().size();
    if (i % kBatch == kBatch - 1) correlator.clearDirty();
  }
  return threadCpuSeconds() - begin;
}

void throughput(const char* phase, size_t fingerprints, size_t nodes, Duration step) {
  Workload workload(fingerprints, nodes);
  SimulatedClock clock;
  Correlator correlator(options(fingerprints), clock);
  size_t published = 0;
  // One full cycle first, so the measured run is the steady state.
  run(correlator, workload, clock, 0, fingerprints * 4, step, published);
  size_t events = fingerprints * 8;
  published = 0;
  long faults = minorFaults();
  double seconds = run(correlator, workload, clock, fingerprints * 4, events, step, published);
  faults = minorFaults() - faults;
  std::printf(
      "{\"phase\": \"%s\", \"events\": %zu, \"fingerprints\": %zu, \"events_per_s\": %.0f, "
      "\"ns_per_event\": %.1f, \"incidents_published\": %zu, \"open_incidents\": %zu, "
      "\"page_faults\": %ld}\n",
      phase, events, fingerprints, static_cast<double>(events) / seconds,
      seconds * 1e9 / static_cast<double>(events), published, correlator.openCount(), faults);
  std::fflush(stdout);
}

void sweepCost(size_t fingerprints) {
  Workload workload(fingerprints, fingerprints);
  SimulatedClock clock;
  Correlator correlator(options(fingerprints), clock);
  size_t published = 0;
  // Leave every fingerprint open (first phase only), then time sweeps with nothing due.
  run(correlator, workload, clock, 0, fingerprints, 1ns, published);
  double begin = threadCpuSeconds();
  constexpr int kSweeps = 50;
  for (int i = 0; i < kSweeps; ++i) published += correlator.sweep().size();
  double seconds = threadCpuSeconds() - begin;
  std::printf("{\"phase\": \"sweep\", \"open_incidents\": %zu, \"us_per_sweep\": %.1f}\n",
              correlator.openCount(), seconds * 1e6 / kSweeps);
  std::fflush(stdout);
}

// Keeps the compiler from dropping work whose result nothing else reads.
volatile size_t observed = 0;

// The floor under "lifecycle": the same events in the same order, but only what a correlator
// cannot avoid: writing the event as the decoder would (Workload::at) and reading its data, then
// also its fingerprint (SHA-256), then also handing out one document. The document is one the
// lifecycle publishes (12 tags), handed out shared as the correlator hands out its documents.
void floorCost(size_t fingerprints) {
  Workload workload(fingerprints, fingerprints / 10 + 1);
  SimulatedClock clock;
  Correlator correlator(options(fingerprints), clock);
  const IncidentDocument document = correlator.process(workload.at(0)).incidents.at(0);
  const size_t first = fingerprints * 4;
  const size_t events = fingerprints * 8;
  size_t sink = 0;
  // Each the least of three rounds: the other work on a shared machine only ever adds.
  double ns[3] = {1e18, 1e18, 1e18};
  for (int round = 0; round < 9; ++round) {
    int steps = 1 + round % 3;
    double begin = threadCpuSeconds();
    for (size_t i = first; i < first + events; ++i) {
      const contracts::Event& event = workload.at(i);
      for (const auto& [key, value] : event.data.get_ref<const Json::object_t&>()) {
        sink += key.size() + (value.is_string() ? value.get_ref<const std::string&>().size() : 1);
      }
      if (steps >= 2) sink += fingerprintOf(event).size();
      if (steps >= 3) {
        std::vector<IncidentDocument> published;
        published.push_back(document);
        sink += published.size();
      }
    }
    double spent = (threadCpuSeconds() - begin) * 1e9 / static_cast<double>(events);
    ns[steps - 1] = std::min(ns[steps - 1], spent);
  }
  std::printf(
      "{\"phase\": \"floor\", \"events\": %zu, \"read_ns\": %.1f, \"read_fingerprint_ns\": %.1f, "
      "\"read_fingerprint_document_ns\": %.1f}\n",
      events, ns[0], ns[1], ns[2]);
  observed = sink;
  std::fflush(stdout);
}

void memory(size_t total, size_t fingerprints) {
  Workload workload(fingerprints, fingerprints / 10);
  SimulatedClock clock;
  Correlator correlator(options(fingerprints), clock);
  size_t published = 0;
  constexpr size_t kReport = 1000000;
  double warm = -1;
  double last = 0;
  double seconds = 0;
  for (size_t done = 0; done < total; done += kReport) {
    size_t count = std::min(kReport, total - done);
    seconds += run(correlator, workload, clock, done, count, 7ms, published);
    last = rssMib();
    if (warm < 0 && done + count >= 2 * kReport) warm = last;
    std::printf(
        "{\"phase\": \"memory\", \"events\": %zu, \"rss_mib\": %.1f, \"open_incidents\": %zu, "
        "\"conditions\": %zu}\n",
        done + count, last, correlator.openCount(), correlator.conditionCount());
    std::fflush(stdout);
  }
  std::printf(
      "{\"phase\": \"memory_summary\", \"events\": %zu, \"fingerprints\": %zu, "
      "\"rss_after_2M_mib\": %.1f, \"rss_final_mib\": %.1f, \"rss_growth_mib\": %.1f, "
      "\"events_per_s\": %.0f}\n",
      total, fingerprints, warm, last, last - warm, static_cast<double>(total) / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  size_t fingerprints = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  if (fingerprints == 0) fingerprints = 1;
  std::string phases = argc > 3 ? argv[3] : "lifecycle,storm,sweep,floor,memory";
  auto wanted = [&phases](std::string_view phase) {
    for (size_t begin = 0; begin <= phases.size();) {
      size_t end = std::min(phases.find(',', begin), phases.size());
      if (std::string_view(phases).substr(begin, end - begin) == phase) return true;
      begin = end + 1;
    }
    return false;
  };
  // Lifecycle: a fingerprint's opens ~12 minutes apart, ten fingerprints per node.
  if (wanted("lifecycle")) throughput("lifecycle", fingerprints, fingerprints / 10 + 1, 7ms);
  // Storm: everything within seconds, 100 fingerprints per node.
  if (wanted("storm")) throughput("storm", fingerprints, fingerprints / 100 + 1, 10us);
  if (wanted("sweep")) sweepCost(fingerprints);
  if (wanted("floor")) floorCost(fingerprints);
  if (wanted("memory")) memory(total, fingerprints);
  return 0;
}
