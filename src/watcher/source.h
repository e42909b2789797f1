// A watcher source: one thing the watcher observes — this host, a container engine, an HTTP
// endpoint, a TCP port, a process, a Prometheus query.
//
// A source *type* (SourceType, source_registry.h: name, metadata, factory; its config schema is
// the type's key table in config/fields/watcher.cc) has a directory under sources/<type>/ and is
// registered once in sources/builtin.cc. Configured *instances* (`watcher.sources`, plus the
// built-in `watcher.host`) each get their own narrow SourceContext: the clock, a logger named
// "watcher.<instance>", the metrics registry, the node name and an EventPublisher that adds the
// instance's labels to every event's tags and counts it under the instance's name. A source
// never sees the bus, the daemon or another source.
//
// Threading: every instance has its own sampling thread; the watcher calls sample() on it every
// interval(), so a slow probe (an HTTP timeout) delays nobody else. A source that needs a thread
// of its own beyond that (the containers source's event stream) starts it in start() and joins
// it in stop(); it may publish from that thread (the publisher is thread-safe).
#pragma once

#include <functional>
#include <map>
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
// the bus's `event` stream and counts orion_watcher_events_total{source,severity}. Thread-safe.
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
  std::string instance;  // the instance's name: the `source` label of its metrics
};

class Source {
 public:
  virtual ~Source() = default;

  // The source type ("host") and how often the watcher samples this instance.
  virtual std::string_view type() const = 0;
  virtual Duration interval() const = 0;

  // Called once before the first sample, on the supervisor's thread: start any thread of the
  // source's own. An error fails the watcher's start.
  virtual Status start() { return Status::ok(); }
  // Called once at shutdown after the last sample: stop and join those threads promptly.
  virtual void stop() {}

  // Takes one sample at wall time `now` (the timestamp of any event it emits), updates the
  // source's gauges and publishes an event for each state change through the context's publisher.
  // Returns OK, or an error describing what could not be read (naming the file and line where
  // there is one); an error in one part of a sample does not stop the other parts. The watcher
  // counts and logs errors, so a source only returns them.
  virtual Status sample(WallTime now) = 0;
};

// One configured instance: its type, its instance name (the `source` label of its metrics and the
// suffix of its logger name), the labels its events carry, and how to build it.
struct SourceSpec {
  std::string type;
  std::string instance;
  std::function<Result<std::unique_ptr<Source>>(SourceContext context)> make;
  std::map<std::string, std::string> labels;
};

}  // namespace orion::watcher
