// One bounded HTTP(S) request, for the http probe and the prometheus source: cpp-httplib behind
// a small function, so the (large) library header is compiled in one file only.
//
// Blocks the calling sampling thread for at most about `timeout` (connect, write and read each
// bounded by it). Never throws.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace orion::watcher {

struct HttpFetch {
  std::string url;  // http://host[:port][/path?query] or https://…
  std::string method = "GET";
  Duration timeout = std::chrono::seconds(5);
  bool verify_tls = true;
  size_t max_body = 4 * 1024 * 1024;  // larger bodies are cut (and flagged)
};

struct HttpFetched {
  int status = 0;
  std::string body;
  bool truncated = false;
  Duration latency{};  // from sending to the whole answer, on the injected clock
};

// kInvalidArgument for a URL that cannot be split; kUnavailable (connection refused, reset, DNS)
// or kDeadlineExceeded (timeout) with the library's reason when no answer came.
Result<HttpFetched> fetchHttp(const HttpFetch& request, const Clock& clock);

// Percent-encodes a query parameter value (a PromQL query in a URL), as cpp-httplib does.
std::string urlEncoded(std::string_view text);

}  // namespace orion::watcher
