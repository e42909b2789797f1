// The process's own metrics, read from /proc/self when /metrics is rendered (a collector, see
// MetricsRegistry::addCollector):
//   orion_process_resident_memory_bytes   resident set size
//   orion_process_virtual_memory_bytes    virtual memory size
//   orion_process_cpu_seconds             user + system CPU time since start (use rate())
//   orion_process_open_fds                open file descriptors
//   orion_process_threads                 threads
//   orion_process_start_time_seconds      start time, seconds since the Unix epoch
//   orion_build_info{version,build_type}  always 1
// Linux only; a value /proc does not give is left at its last reading.
#pragma once

#include <cstdint>

#include "common/metrics.h"

namespace orion {

struct ProcessSample {
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double cpu_seconds = 0;
  double open_fds = 0;
  double threads = 0;
  double start_time_seconds = 0;
};

// Reads /proc/self/stat, /proc/self/statm, /proc/self/fd and (for the start time, which never
// changes, only when asked) /proc/stat's btime.
ProcessSample sampleProcess(bool with_start_time = true);

// Registers the metrics above (the start time and build info set once) and a collector that
// refreshes the others; returns the collector's id
// (MetricsRegistry::removeCollector).
uint64_t addProcessMetrics(MetricsRegistry& registry);

}  // namespace orion
