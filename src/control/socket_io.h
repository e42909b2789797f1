// Bounded, deadline-limited reads and writes on a connected socket, shared by the control server
// and client. Internal to the control module.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace orion::control {

// Reads until a newline, the peer's end of stream, `max_bytes` or `deadline` (monotonic), whichever
// comes first. Returns the bytes before the newline. kResourceExhausted when more than
// `max_bytes` arrive without a newline, kDeadlineExceeded at the deadline, kUnavailable on a
// socket error.
Result<std::string> readMessage(int fd, size_t max_bytes, MonoTime deadline, const Clock& clock);

// Writes all of `bytes` before `deadline`; kDeadlineExceeded or kUnavailable otherwise.
Status writeAll(int fd, std::string_view bytes, MonoTime deadline, const Clock& clock);

}  // namespace orion::control
