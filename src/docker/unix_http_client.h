// A small HTTP/1.1 client over a unix domain socket: what the Docker Engine API (and podman's
// compatible service) speaks. Written here because Debian 12's cpp-httplib (0.11.4) cannot
// connect to a unix socket (AF_UNIX support arrived in a later release).
//
// One connection per request (`Connection: close`): local sockets cost microseconds, and it keeps
// the client free of connection-pool state. Every wait is bounded: a request by its timeout, a
// stream by its Cancellation (and by the engine closing it). Time comes from the injected Clock.
//
// Thread-safe: the client holds only configuration; each call uses its own socket.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "docker/cancellation.h"
#include "docker/http_wire.h"

namespace orion::docker {

struct HttpResponse {
  int status = 0;
  std::string body;
};

class UnixHttpClient {
 public:
  UnixHttpClient(std::string socket_path, const Clock& clock);

  const std::string& socketPath() const { return socket_path_; }

  // Sends `method target` (target: "/containers/json?all=1") with an optional JSON body and
  // returns the status and the whole body. Errors: kUnavailable (cannot connect, connection
  // dropped), kDeadlineExceeded (no complete answer within `timeout`), kInvalidArgument
  // (malformed response), kResourceExhausted (body over 32 MiB).
  Result<HttpResponse> request(std::string_view method, std::string_view target,
                               std::string_view body, Duration timeout) const;

  // GETs `target` and hands its body to `on_data` as it arrives, for as long as the engine keeps
  // the response open. `on_head` sees the status first; a non-2xx status ends the call with
  // kUnavailable carrying the engine's message. Returns OK when the engine ends the body,
  // kCancelled promptly after `cancel` is raised, or the error that broke the stream. `connect`
  // bounds the connection and the head; the body may then stay silent for any time.
  Status stream(std::string_view target, Duration connect,
                const std::function<void(const ResponseHead&)>& on_head,
                const std::function<void(std::string_view)>& on_data,
                const Cancellation& cancel) const;

 private:
  std::string socket_path_;
  const Clock& clock_;
};

}  // namespace orion::docker
