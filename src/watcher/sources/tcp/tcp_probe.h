// `type: tcp`: connects to host:port every interval (a connect, nothing sent). N consecutive
// failures publish `service_down` from "orion-watcher-tcp", M successes after that `service_up`,
// with {probe: "tcp", target: "host:port", error, latency_ms}. Gauges as for http.
// Runs on its own sampling thread; one sample blocks for at most the timeout (plus name lookup).
#pragma once

#include "config/config.h"
#include "watcher/service_events.h"
#include "watcher/source.h"

namespace orion::watcher::tcp {

inline constexpr std::string_view kEventSource = "orion-watcher-tcp";

// Connects to `host`:`port` (each address getaddrinfo gives, in turn) within `timeout`. OK on
// the first connection; otherwise the last error (kDeadlineExceeded, kUnavailable).
Status connectOnce(const std::string& host, int port, Duration timeout, const Clock& clock);

class TcpProbe final : public Source {
 public:
  TcpProbe(config::TcpProbeConfig config, SourceContext context);

  std::string_view type() const override { return "tcp"; }
  Duration interval() const override { return config_.interval; }
  Status sample(WallTime now) override;

 private:
  config::TcpProbeConfig config_;
  SourceContext context_;
  ProbeReporter reporter_;
};

}  // namespace orion::watcher::tcp
