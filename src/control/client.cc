#include "control/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "control/control.h"
#include "control/socket_io.h"

namespace orion::control {

std::filesystem::path socketPathFor(const std::string& state_dir) {
  return std::filesystem::path(state_dir) / "control.sock";
}

Result<Json> call(const std::filesystem::path& socket_path, std::string_view op, const Json& args,
                  Duration timeout) {
  RealClock clock;
  MonoTime deadline = clock.monotonic() + timeout;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string path = socket_path.string();
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return invalidArgument("control socket path too long: " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable(std::string("socket: ") + std::strerror(errno));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    int error = errno;
    close(fd);
    if (error == ENOENT || error == ECONNREFUSED) {
      return unavailable("ORION is not running with this state_dir (no control socket at " + path +
                         ")");
    }
    return unavailable("connecting to " + path + ": " + std::strerror(error));
  }
  Json request = {{"op", op}, {"args", args.is_object() ? args : Json::object()}};
  Status sent = writeAll(fd, dumpJson(request) + "\n", deadline, clock);
  shutdown(fd, SHUT_WR);
  // Read even after a failed write: a server that refuses a caller answers before it reads.
  Result<std::string> answer = readMessage(fd, 16 * 1024 * 1024, deadline, clock);
  close(fd);
  if (!answer || (answer->empty() && !sent.isOk())) {
    Status failed = sent.isOk() ? answer.status() : sent;
    return failed.withContext("control request '" + std::string(op) + "'");
  }
  if (answer->empty()) {
    return unavailable("ORION closed the control connection without answering '" + std::string(op) +
                       "'");
  }
  auto response = parseJson(*answer);
  if (!response)
    return internalError("control: unreadable response: " + response.status().message());
  return resultOf(*response);
}

}  // namespace orion::control
