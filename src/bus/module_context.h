// What every pipeline module receives from the daemon: the bus it talks through, the clock it
// reads, the metrics registry it reports to, the name of the node it runs on, where it keeps its
// durable state, and where it registers its admin operations. Deliberately narrow: a module never
// sees the daemon or another module.
#pragma once

#include <string>

#include "bus/bus.h"
#include "common/clock.h"
#include "common/metrics.h"

namespace orion::control {
class Registry;    // control/control.h; a module that registers operations links orion_control
class Dispatcher;  // control/control.h
}  // namespace orion::control

namespace orion {

struct ModuleContext {
  bus::Bus& bus;
  const Clock& clock;
  MetricsRegistry& metrics;
  std::string node;  // this node's name (config `node.name`, default the host name)
  // The process's state directory (config `state_dir`): a module keeps its safety state in
  // `<state_dir>/<module>/state.log` (state/state_store.h). Empty in tests that want none.
  std::string state_dir = {};
  // Where the module registers its control-socket operations (control/control.h); owned by the
  // daemon and valid while the module runs. nullptr when no control channel is served.
  control::Registry* control = nullptr;
  // Runs the registered operations in process. For front ends only (the HTTP API); a pipeline
  // module never calls another module's operations. nullptr when there is no control channel.
  const control::Dispatcher* operations = nullptr;
};

}  // namespace orion
