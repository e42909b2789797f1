// `type: prometheus`: one instant PromQL query (GET <url>/api/v1/query) every interval — the
// original ORION's planned poller. Each series of the result is a resource, named by its
// `resource_label` (default "instance"; the whole label set when it lacks one):
//   mode threshold: the value against threshold.warning/critical (`below: true` for "low is
//     bad"), with hysteresis → `metric_threshold_exceeded` (resource_type "prometheus", plus
//     data.query), exactly like the host source's events;
//   mode service: a value below 1 (`up == 0`) is down → `service_down` / `service_up` with
//     service_name = the resource, after fire_after / clear_after samples.
// When Prometheus itself cannot be queried (down, bad query, not JSON) for fire_after samples, it
// publishes `external_api_failure` (service_name "prometheus:<instance>"), then
// `external_api_success` once it answers again; a sample error is returned each time.
// Gauge: orion_watcher_prometheus_series{source} (series in the last answer).
// Runs on its own sampling thread; a sample blocks for at most the timeout.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "config/config.h"
#include "watcher/service_events.h"
#include "watcher/source.h"
#include "watcher/threshold.h"

namespace orion::watcher::prometheus {

inline constexpr std::string_view kEventSource = "orion-watcher-prometheus";

struct Series {
  std::map<std::string, std::string> labels;
  double value = 0;
};

// The series of an instant-query answer ({"status":"success","data":{"resultType":"vector"|
// "scalar",...}}). Errors carry Prometheus's own error text.
Result<std::vector<Series>> parseQueryResponse(const Json& answer);

class PrometheusSource final : public Source {
 public:
  PrometheusSource(config::PrometheusSourceConfig config, SourceContext context);

  std::string_view type() const override { return "prometheus"; }
  Duration interval() const override { return config_.interval; }
  Status sample(WallTime now) override;

 private:
  std::string resourceOf(const Series& series) const;
  void observeThreshold(const Series& series, WallTime now);
  void observeService(const Series& series, WallTime now);

  config::PrometheusSourceConfig config_;
  SourceContext context_;
  std::string query_url_;
  ProbeReporter api_;
  ThresholdTracker tracker_;
  std::map<std::string, std::unique_ptr<ProbeReporter>> services_;
  Gauge& series_;
};

}  // namespace orion::watcher::prometheus
