#include "watcher/sources/http/http_probe.h"

#include <fmt/format.h>

#include "watcher/http_fetch.h"

namespace orion::watcher::http {

HttpProbe::HttpProbe(config::HttpProbeConfig config, SourceContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      reporter_(std::string(kEventSource), context_, serviceNameOf(config_, context_),
                config_.fire_after, config_.clear_after) {}

bool HttpProbe::statusExpected(int status) const {
  std::string code = std::to_string(status);
  for (const std::string& pattern : config_.expect_status) {
    if (pattern == code) return true;
    if (pattern.size() == 3 && pattern.substr(1) == "xx" && pattern[0] == code[0]) return true;
  }
  return false;
}

Status HttpProbe::sample(WallTime now) {
  HttpFetch request{config_.url, config_.method, config_.timeout, config_.verify_tls};
  Result<HttpFetched> fetched = fetchHttp(request, context_.clock);
  Json details{{"probe", "http"}, {"target", config_.url}, {"method", config_.method}};
  std::string error;
  if (!fetched) {
    error = fetched.status().message();
  } else {
    double latency = std::chrono::duration<double>(fetched->latency).count();
    reporter_.setLatency(fetched->latency);
    details["status"] = fetched->status;
    details["latency_ms"] = std::round(latency * 10000.0) / 10.0;
    if (!statusExpected(fetched->status)) {
      error = fmt::format("status {} is not one of {}", fetched->status,
                          fmt::join(config_.expect_status, ", "));
    } else if (!config_.body_contains.empty() &&
               fetched->body.find(config_.body_contains) == std::string::npos) {
      error = "the body does not contain '" + config_.body_contains + "'" +
              (fetched->truncated ? " (in its first 4 MiB)" : "");
    } else if (config_.max_latency > Duration::zero() && fetched->latency > config_.max_latency) {
      error = fmt::format(
          "answered in {:.1f} ms, over the {} ms bound", latency * 1000.0,
          std::chrono::duration_cast<std::chrono::milliseconds>(config_.max_latency).count());
    }
  }
  if (!error.empty()) details["error"] = error;
  // A failing probe is the probe's finding, not a sampling error: the sample itself worked.
  return reporter_.report(error.empty(), std::move(details), now);
}

}  // namespace orion::watcher::http
