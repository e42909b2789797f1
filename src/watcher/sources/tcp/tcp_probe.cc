#include "watcher/sources/tcp/tcp_probe.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace orion::watcher::tcp {

Status connectOnce(const std::string& host, int port, Duration timeout, const Clock& clock) {
  MonoTime deadline = clock.monotonic() + timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  int lookup = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses);
  if (lookup != 0) return unavailable("resolving " + host + ": " + ::gai_strerror(lookup));
  Status last = unavailable("no address for " + host);
  for (addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      address->ai_protocol);
    if (fd < 0) {
      last = unavailable(std::string("socket(): ") + std::strerror(errno));
      continue;
    }
    int rc = ::connect(fd, address->ai_addr, address->ai_addrlen);
    int error = rc == 0 ? 0 : errno;
    if (error == EINPROGRESS) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.monotonic());
      pollfd pfd{fd, POLLOUT, 0};
      int ready = left.count() > 0 ? ::poll(&pfd, 1, static_cast<int>(left.count())) : 0;
      if (ready == 0) {
        ::close(fd);
        last = Status(StatusCode::kDeadlineExceeded, "connect timed out");
        continue;
      }
      socklen_t length = sizeof(error);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    }
    ::close(fd);
    if (error == 0) {
      ::freeaddrinfo(addresses);
      return Status::ok();
    }
    last = unavailable(std::string("connect: ") + std::strerror(error));
  }
  ::freeaddrinfo(addresses);
  return last;
}

TcpProbe::TcpProbe(config::TcpProbeConfig config, SourceContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      reporter_(std::string(kEventSource), context_, serviceNameOf(config_, context_),
                config_.fire_after, config_.clear_after) {}

Status TcpProbe::sample(WallTime now) {
  MonoTime started = context_.clock.monotonic();
  Status connected =
      connectOnce(config_.host, static_cast<int>(config_.port), config_.timeout, context_.clock);
  double latency = std::chrono::duration<double>(context_.clock.monotonic() - started).count();
  reporter_.setLatency(context_.clock.monotonic() - started);
  Json details{{"probe", "tcp"},
               {"target", config_.host + ":" + std::to_string(config_.port)},
               {"latency_ms", std::round(latency * 10000.0) / 10.0}};
  if (!connected) details["error"] = connected.message();
  return reporter_.report(connected.isOk(), std::move(details), now);
}

}  // namespace orion::watcher::tcp
