#include "control/socket_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace orion::control {

namespace {

// Waits for `events` on `fd` until `deadline`; OK when ready.
Status waitFor(int fd, short events, MonoTime deadline, const Clock& clock) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.monotonic());
    if (left.count() <= 0) return {StatusCode::kDeadlineExceeded, "timed out"};
    pollfd entry{fd, events, 0};
    int ready = poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) return Status::ok();
    if (ready < 0 && errno != EINTR)
      return unavailable(std::string("poll: ") + std::strerror(errno));
  }
}

}  // namespace

Result<std::string> readMessage(int fd, size_t max_bytes, MonoTime deadline, const Clock& clock) {
  std::string message;
  char buffer[4096];
  while (true) {
    ORION_RETURN_IF_ERROR(waitFor(fd, POLLIN, deadline, clock));
    ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return unavailable(std::string("read: ") + std::strerror(errno));
    }
    if (got == 0) return message;  // end of stream ends the message too
    message.append(buffer, static_cast<size_t>(got));
    if (size_t newline = message.find('\n'); newline != std::string::npos) {
      message.resize(newline);
      return message;
    }
    if (message.size() > max_bytes) {
      return Status(StatusCode::kResourceExhausted,
                    "message over " + std::to_string(max_bytes) + " bytes");
    }
  }
}

Status writeAll(int fd, std::string_view bytes, MonoTime deadline, const Clock& clock) {
  while (!bytes.empty()) {
    ORION_RETURN_IF_ERROR(waitFor(fd, POLLOUT, deadline, clock));
    ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return unavailable(std::string("write: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return Status::ok();
}

}  // namespace orion::control
