#include "control/server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"
#include "common/thread_name.h"
#include "control/socket_io.h"

namespace orion::control {

namespace {

namespace fs = std::filesystem;

std::string errnoText() { return std::strerror(errno); }

Result<sockaddr_un> addressOf(const fs::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string text = path.string();
  if (text.empty() || text.size() >= sizeof(address.sun_path)) {
    return unavailable("control socket path " + text + " is " + std::to_string(text.size()) +
                       " bytes; a unix socket path must be shorter than " +
                       std::to_string(sizeof(address.sun_path)) + " (use a shorter state_dir)");
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  return address;
}

// A socket file left behind by a daemon that died is replaced; one that still answers belongs to
// a running ORION, which must not be hijacked.
Status clearStaleSocket(const fs::path& path, const sockaddr_un& address) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) return Status::ok();
  if (!S_ISSOCK(info.st_mode)) {
    return unavailable(path.string() + " exists and is not a socket; remove it");
  }
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0) {
    bool alive = connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    close(probe);
    if (alive) {
      return failedPrecondition("another ORION is using " + path.string() +
                                " (one daemon per state_dir)");
    }
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return unavailable("removing the stale " + path.string() + ": " + errnoText());
  }
  return Status::ok();
}

// Only the daemon's own user and root may steer it; the 0600 mode already says so, this is the
// second lock.
bool mayUse(uid_t uid) { return uid == 0 || uid == geteuid(); }

}  // namespace

Server::Server(ServerOptions options, const Router& router, const Clock& clock,
               MetricsRegistry& metrics)
    : options_(std::move(options)),
      router_(router),
      clock_(clock),
      requests_(metrics.counter("orion_control_requests_total",
                                "Control socket requests answered (any outcome).")),
      refused_(metrics.counter("orion_control_refused_total",
                               "Control socket connections refused (not the daemon's user).")),
      errors_(metrics.counter("orion_control_errors_total",
                              "Control requests answered with an error.")) {}

Server::~Server() { stop(); }

Status Server::start() {
  if (thread_.joinable()) return failedPrecondition("control server already started");
  auto address = addressOf(options_.socket_path);
  if (!address) return address.status();
  ORION_RETURN_IF_ERROR(clearStaleSocket(options_.socket_path, *address));

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return unavailable("control socket: " + errnoText());
  if (bind(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) != 0) {
    Status error = unavailable("binding " + options_.socket_path.string() + ": " + errnoText());
    close(fd);
    return error;
  }
  if (chmod(options_.socket_path.c_str(), 0600) != 0 || listen(fd, 16) != 0) {
    Status error = unavailable("preparing " + options_.socket_path.string() + ": " + errnoText());
    close(fd);
    unlink(options_.socket_path.c_str());
    return error;
  }
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    Status error = unavailable("control server eventfd: " + errnoText());
    close(fd);
    unlink(options_.socket_path.c_str());
    return error;
  }
  listen_fd_ = fd;
  wake_fd_ = wake;
  thread_ = std::thread([this] {
    nameThisThread("control");
    serve();
  });
  return Status::ok();
}

void Server::stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof(one));
  (void)ignored;  // if the eventfd were full the thread is already waking up
  thread_.join();
  close(listen_fd_);
  close(wake_fd_);
  listen_fd_ = wake_fd_ = -1;
  unlink(options_.socket_path.c_str());
}

void Server::serve() {
  Logger log = makeLogger("control");
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int ready = poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      log->error("control server stops: poll: {}", errnoText());
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int connection = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (connection < 0) continue;  // the client gave up already, or EAGAIN
    handle(connection);
    close(connection);
  }
}

void Server::handle(int connection) {
  MonoTime deadline = clock_.monotonic() + options_.io_timeout;
  ucred credentials{};
  socklen_t length = sizeof(credentials);
  Result<Json> result = internalError("not handled");
  if (getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
    result = unavailable("cannot read the caller's credentials: " + errnoText());
  } else if (!mayUse(credentials.uid)) {
    refused_.inc();
    result = Status(StatusCode::kPermissionDenied,
                    "uid " + std::to_string(credentials.uid) +
                        " may not control this ORION (only its own user and root)");
  } else {
    Result<std::string> text =
        readMessage(connection, options_.max_request_bytes, deadline, clock_);
    Result<Json> parsed = text.isOk() ? parseJson(*text) : Result<Json>(text.status());
    if (!parsed) {
      result = invalidArgument("bad control request: " + parsed.status().message());
    } else if (!parsed->is_object() || !(*parsed)["op"].is_string() ||
               (parsed->contains("args") && !(*parsed)["args"].is_object())) {
      result =
          invalidArgument("bad control request: expected {\"op\": \"<name>\", \"args\": {...}}");
    } else {
      Request request;
      request.op = (*parsed)["op"].get<std::string>();
      request.args = parsed->value("args", Json::object());
      request.peer = Peer{credentials.uid, credentials.gid, credentials.pid, "", "", ""};
      Peer self = selfPeer();
      if (self.uid == request.peer.uid) request.peer.user = self.user;
      if (request.peer.uid == 0) request.peer.user = "root";
      result = router_.dispatch(request);
    }
  }
  requests_.inc();
  if (!result.isOk()) errors_.inc();
  // The client may have gone; nothing more can be done for it.
  writeAll(connection, dumpJson(responseFor(result)) + "\n", deadline, clock_).ignore();
}

}  // namespace orion::control
