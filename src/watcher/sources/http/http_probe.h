// `type: http`: requests a URL every interval and checks the status (codes or classes such as
// 2xx), optionally a body substring and a latency bound. N consecutive failures publish
// `service_down` from "orion-watcher-http", M successes after that `service_up` (ProbeReporter),
// with what failed: {probe: "http", target, method, status, error, latency_ms}.
// Gauges: orion_watcher_probe_up{source}, orion_watcher_probe_latency_seconds{source}.
// Runs on its own sampling thread; one sample blocks for at most the configured timeout.
#pragma once

#include <memory>

#include "config/config.h"
#include "watcher/service_events.h"
#include "watcher/source.h"

namespace orion::watcher::http {

inline constexpr std::string_view kEventSource = "orion-watcher-http";

class HttpProbe final : public Source {
 public:
  HttpProbe(config::HttpProbeConfig config, SourceContext context);

  std::string_view type() const override { return "http"; }
  Duration interval() const override { return config_.interval; }
  Status sample(WallTime now) override;

 private:
  bool statusExpected(int status) const;

  config::HttpProbeConfig config_;
  SourceContext context_;
  ProbeReporter reporter_;
};

}  // namespace orion::watcher::http
