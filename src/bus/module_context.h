// What every pipeline module receives from the daemon: the bus it talks through, the clock it
// reads, the metrics registry it reports to, and the name of the node it runs on. Deliberately
// narrow: a module never sees the daemon or another module.
#pragma once

#include <string>

#include "bus/bus.h"
#include "common/clock.h"
#include "common/metrics.h"

namespace orion {

struct ModuleContext {
  bus::Bus& bus;
  const Clock& clock;
  MetricsRegistry& metrics;
  std::string node;  // this node's name (config `node.name`, default the host name)
};

}  // namespace orion
