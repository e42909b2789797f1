// Calling a subscriber's handler from a bus thread. Internal to the bus module.
#pragma once

#include <exception>
#include <string>

#include "bus/bus.h"

namespace orion::bus {

// Handlers must not throw across the bus; one that does is treated as a failed (retryable)
// delivery rather than taking the subscription thread down.
inline Status callHandler(const Handler& handler, const Delivery& delivery) {
  try {
    return handler(delivery);
  } catch (const std::exception& e) {
    return internalError(std::string("handler threw: ") + e.what());
  } catch (...) {
    return internalError("handler threw a non-standard exception");
  }
}

}  // namespace orion::bus
