// Waiting for a condition with a deadline — never a fixed sleep. Polls `condition` every few
// milliseconds of real time until it holds or `timeout` passes; returns whether it held.
#pragma once

#include <chrono>
#include <functional>

namespace orion::testing {

bool waitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace orion::testing
