// GET /api/v1/stream (docs/api.md, "Live stream"): server-sent events of the live documents.
//
// With its first client the group subscribes once per contract type ORION publishes
// (kStreamTypes), in the consumer group nodeGroup("api", node) so that with a shared Redis bus
// every process's API sees every document, and fans each document out to the connected clients
// (StreamHub). Until a client comes, the API does no bus work at all. Each client holds
// one HTTP worker thread for as long as it is connected (httplib's chunked content providers);
// the server sizes its pool for max_clients of them (api_server.cc).
//
// stop() (or closeStreams(), which the server calls before it stops listening) ends every open
// stream at once, so the server's stop is not held by a client.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "api/route_group.h"
#include "common/clock.h"

namespace orion::api {

// The contract types a client may ask for (`?types=`), in pipeline order.
inline constexpr std::array<std::string_view, 8> kStreamTypes = {
    "event",  "incident", "decision",       "approval_request", "approval_decision",
    "action", "outcome",  "autonomy_change"};

struct LiveStreamOptions {
  size_t max_clients = 16;
  size_t queue_limit = 1024;  // frames a client may be behind before it is disconnected
  Duration keep_alive = std::chrono::seconds(15);
};

class LiveStream : public RouteGroup {
 public:
  // Ends every stream and refuses new ones (the server is stopping). Idempotent.
  virtual void closeStreams() = 0;
};

// makeLiveStream(environment) in route_group.h is this with the default options.
std::unique_ptr<LiveStream> makeLiveStream(const ApiEnvironment& environment,
                                           LiveStreamOptions options);

}  // namespace orion::api
