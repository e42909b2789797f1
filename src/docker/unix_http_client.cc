#include "docker/unix_http_client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace orion::docker {
namespace {

constexpr size_t kMaxBody = 32 * 1024 * 1024;

// A connected socket that reads and writes with poll() against a deadline (none: wait forever)
// and a cancellation fd.
class SocketSource final : public ByteSource {
 public:
  SocketSource(const Clock& clock, const Cancellation* cancel) : clock_(clock), cancel_(cancel) {}
  ~SocketSource() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void setDeadline(std::optional<MonoTime> deadline) { deadline_ = deadline; }

  Status connect(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) {
      return invalidArgument("socket path longer than " +
                             std::to_string(sizeof(address.sun_path) - 1) + " bytes: " + path);
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return unavailable(std::string("socket(): ") + std::strerror(errno));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      return Status::ok();
    }
    if (errno != EINPROGRESS && errno != EAGAIN) {
      return unavailable("connecting to " + path + ": " + std::strerror(errno));
    }
    ORION_RETURN_IF_ERROR(wait(POLLOUT));
    int error = 0;
    socklen_t length = sizeof(error);
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return unavailable("connecting to " + path + ": " + std::strerror(error));
    return Status::ok();
  }

  Status writeAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          ORION_RETURN_IF_ERROR(wait(POLLOUT));
          continue;
        }
        return unavailable(std::string("sending the request: ") + std::strerror(errno));
      }
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return Status::ok();
  }

  Result<size_t> read(char* buffer, size_t size) override {
    while (true) {
      ssize_t got = ::recv(fd_, buffer, size, 0);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        return unavailable(std::string("reading the response: ") + std::strerror(errno));
      }
      ORION_RETURN_IF_ERROR(wait(POLLIN));
    }
  }

 private:
  Status wait(short events) {
    while (true) {
      if (cancel_ && cancel_->cancelled()) return Status(StatusCode::kCancelled, "cancelled");
      int timeout_ms = -1;
      if (deadline_) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - clock_.monotonic());
        if (left.count() <= 0) return Status(StatusCode::kDeadlineExceeded, "engine timed out");
        timeout_ms = static_cast<int>(std::min<int64_t>(left.count() + 1, 60'000));
      }
      pollfd fds[2] = {{fd_, events, 0}, {cancel_ ? cancel_->fd() : -1, POLLIN, 0}};
      int ready = ::poll(fds, cancel_ && cancel_->fd() >= 0 ? 2 : 1, timeout_ms);
      if (ready < 0 && errno != EINTR) {
        return unavailable(std::string("poll(): ") + std::strerror(errno));
      }
      if (ready > 0 && (fds[1].revents & POLLIN)) {
        return Status(StatusCode::kCancelled, "cancelled");
      }
      if (ready > 0 && fds[0].revents != 0) return Status::ok();
    }
  }

  const Clock& clock_;
  const Cancellation* cancel_;
  std::optional<MonoTime> deadline_;
  int fd_ = -1;
};

std::string requestText(std::string_view method, std::string_view target, std::string_view body) {
  std::string text;
  text.reserve(160 + body.size());
  text.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  text.append("Host: docker\r\nUser-Agent: orion\r\nAccept: application/json\r\n");
  text.append("Connection: close\r\n");
  if (!body.empty() || method == "POST") {
    text.append("Content-Type: application/json\r\nContent-Length: ");
    text.append(std::to_string(body.size())).append("\r\n");
  }
  text.append("\r\n").append(body);
  return text;
}

}  // namespace

UnixHttpClient::UnixHttpClient(std::string socket_path, const Clock& clock)
    : socket_path_(std::move(socket_path)), clock_(clock) {}

Result<HttpResponse> UnixHttpClient::request(std::string_view method, std::string_view target,
                                             std::string_view body, Duration timeout) const {
  SocketSource socket(clock_, nullptr);
  socket.setDeadline(clock_.monotonic() + timeout);
  ORION_RETURN_IF_ERROR(socket.connect(socket_path_));
  ORION_RETURN_IF_ERROR(socket.writeAll(requestText(method, target, body)));
  WireReader reader(socket);
  Result<ResponseHead> head = reader.readHead();
  if (!head) return head.status();
  HttpResponse response{head->status, {}};
  ORION_RETURN_IF_ERROR(reader.readBody(
      *head,
      [&](std::string_view piece) {
        response.body.append(piece);
        return true;
      },
      kMaxBody));
  return response;
}

Status UnixHttpClient::stream(std::string_view target, Duration connect,
                              const std::function<void(const ResponseHead&)>& on_head,
                              const std::function<void(std::string_view)>& on_data,
                              const Cancellation& cancel) const {
  SocketSource socket(clock_, &cancel);
  socket.setDeadline(clock_.monotonic() + connect);
  ORION_RETURN_IF_ERROR(socket.connect(socket_path_));
  ORION_RETURN_IF_ERROR(socket.writeAll(requestText("GET", target, "")));
  WireReader reader(socket);
  Result<ResponseHead> head = reader.readHead();
  if (!head) return head.status();
  if (head->status < 200 || head->status > 299) {
    std::string message;
    Status drained = reader.readBody(
        *head,
        [&](std::string_view piece) {
          message.append(piece);
          return true;
        },
        64 * 1024);
    (void)drained;  // the status is what matters; the body only explains it
    return unavailable("engine answered " + std::to_string(head->status) + " to GET " +
                       std::string(target) + ": " + message.substr(0, 300));
  }
  if (on_head) on_head(*head);
  socket.setDeadline(std::nullopt);
  return reader.readBody(*head, [&](std::string_view piece) {
    on_data(piece);
    return true;
  });
}

}  // namespace orion::docker
