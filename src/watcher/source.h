// A watcher source: one thing the watcher observes (this host; in later issues a container
// engine, an HTTP endpoint, a TCP port, a process, a Prometheus query).
//
// A source *type* ("host") has a directory under sources/<type>/ and is listed once in
// sources/builtin.cc, which turns the watcher config into configured *instances* (SourceSpec).
// Each instance gets its own narrow SourceContext: the clock, a logger named
// "watcher.<instance>", the metrics registry, the node name and an EventPublisher that already
// carries the instance's metric labels. It never sees the bus, the daemon or another source.
//
// Threading: the watcher calls sample() on its single sampling thread, one source at a time, every
// interval(). A sample must be quick (the host source takes well under a millisecond) and must not
// block on the network without a timeout: every source shares that thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/status.h"
#include "contracts/documents.h"

namespace orion::watcher {

// Where a source sends the events it decides to emit. The watcher's implementation publishes to
// the bus's `event` stream and counts orion_watcher_events_total{source,severity}.
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  // OK once the bus accepted the event. On failure (invalid document, full stream, bus down) the
  // error is logged and counted by the publisher; the source must not treat the state change as
  // announced, so that its next sample tries again.
  virtual Status publish(const contracts::Event& event) = 0;
};

struct SourceContext {
  const Clock& clock;
  MetricsRegistry& metrics;
  Logger logger;
  std::string node;
  EventPublisher& publisher;
};

class Source {
 public:
  virtual ~Source() = default;

  // The source type ("host") and how often the watcher samples this instance.
  virtual std::string_view type() const = 0;
  virtual Duration interval() const = 0;

  // Takes one sample at wall time `now` (the timestamp of any event it emits), updates the
  // source's gauges and publishes an event for each state change through the context's publisher.
  // Returns OK, or an error describing what could not be read (naming the file and line where
  // there is one); an error in one part of a sample does not stop the other parts. The watcher
  // counts and logs errors, so a source only returns them.
  virtual Status sample(WallTime now) = 0;
};

// One configured instance: its type, its instance name (the `source` label of its metrics and the
// suffix of its logger name) and how to build it.
struct SourceSpec {
  std::string type;
  std::string instance;
  std::function<Result<std::unique_ptr<Source>>(SourceContext context)> make;
};

}  // namespace orion::watcher
