// Service: something with a lifetime that the daemon's supervisor starts and stops.
//
// Every pipeline module (watcher, guardian, brain, approval, commander, memory) and the API
// implement it. start() returns once the service is running (its bus subscriptions registered, its
// threads started) or with the Status explaining why it could not start. stop() asks it to finish
// what it acknowledged and release its threads; it is idempotent and returns within the deadline
// the supervisor gives. Both are called from the supervisor's thread only.
#pragma once

#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace orion {

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual Status start() = 0;
  // Stops taking new work, finishes in-flight work and joins threads. `deadline` is a monotonic
  // time point; work not done by then is left unacknowledged (it will be redelivered).
  virtual void stop(MonoTime deadline) = 0;
};

}  // namespace orion
