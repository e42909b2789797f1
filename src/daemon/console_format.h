// The lines of the live summary `orion run` prints on a terminal: one per document that flows
// through the pipeline, and a periodic status line built from the metrics registry. Pure
// functions of their inputs, so they are tested without a terminal or a bus.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "common/metrics.h"

namespace orion::daemon {

// What the header of the live summary shows.
struct ConsoleHeader {
  std::string node;
  std::string autonomy;  // "N0"
  std::string bus_kind;  // "embedded"
  std::string state_dir;
  std::string audit_file;  // absolute
};

// The header block (several lines, each ending in '\n').
std::string formatHeader(const ConsoleHeader& header);

// One line (no '\n') for a document of contract `type` ("event", "incident", "decision",
// "approval_request", "outcome", "deadletter"), e.g.
//   12:00:01 EVENT    warning  disk_used_percent / = 93.1% (≥ 90 warning) node=host
// Fields a document lacks are left out; it never fails, whatever the document holds.
std::string formatDocumentLine(std::string_view type, const Json& document);

// The status line (no '\n'), from the gauges the watcher exports and the bus and guardian
// counters, stamped with `time` ("HH:MM:SS"). A metric that was never registered shows "-".
// While a Redis bus is disconnected (orion_bus_redis_up 0) it ends with "BUS DEGRADED ...".
std::string formatStatusLine(const MetricsRegistry& metrics, std::string_view time);

// The largest value of any series of the counter or gauge family `name` in a Prometheus text
// exposition, or -1 when the family has no series.
double maxOfFamily(std::string_view exposition, std::string_view name);

}  // namespace orion::daemon
