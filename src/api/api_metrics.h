// The API's own metrics, declared in one place (docs/metrics.md):
//   orion_api_requests_total{route,status}         requests answered, by route pattern and status
//   orion_api_request_duration_seconds{route}      time from routing to the last byte written
//   orion_api_stream_clients                       live-stream clients connected now
//   orion_api_stream_overflows_total               stream clients disconnected for falling behind
//   orion_api_stream_sent_total                    documents written to stream clients
// `route` is the route pattern ("/api/v1/incidents/{id}"), never the raw path, so a client cannot
// make the series grow without bound; paths no route knows are "other".
//
// Thread-safety: every member is safe from any thread (metrics.h).
#pragma once

#include <string>
#include <string_view>

#include "common/metrics.h"

namespace orion::api {

struct ApiMetrics {
  explicit ApiMetrics(MetricsRegistry& registry);

  // Counts one answered request and observes its duration.
  void request(std::string_view route, int status, double seconds);

  MetricsRegistry& registry;
  Gauge& stream_clients;
  Counter& stream_overflows;
  Counter& stream_sent;
};

// The route label of a request path: its pattern, or "other".
std::string routeLabel(std::string_view path);

}  // namespace orion::api
