// `service_down` / `service_up` events and the hysteresis every probe shares. Used by the
// containers source (no hysteresis: the engine's word is final), the http, tcp and process probes
// and the prometheus source in service mode.
//
// Event data: {node, service_name, state: "down"|"up", ...details}, where details say what
// failed (probe sources: probe, target, error, status, latency_ms, consecutive_failures;
// containers: container_id, image, exit_code, health, restart_count, reason). Tags: {node}.
// See docs/events.md.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "config/config.h"
#include "contracts/documents.h"
#include "watcher/debounce.h"
#include "watcher/source.h"

namespace orion::watcher {

// `down_type`/`up_type` default to service_down/service_up; a source reporting on an API it
// depends on (Prometheus) uses external_api_failure/external_api_success.
contracts::Event makeServiceEvent(std::string_view source, std::string_view node, bool down,
                                  std::string_view service_name, contracts::EventSeverity severity,
                                  const Json& details, WallTime now,
                                  std::string_view down_type = "service_down",
                                  std::string_view up_type = "service_up");

// One probe's up/down state: service_down (severity error) after `fire_after` consecutive
// failures, service_up after `clear_after` consecutive successes following a down. A probe
// that is up at start announces nothing. Keeps the gauge orion_watcher_probe_up{source} (1/0;
// -1 before the first result). Used on its source's sampling thread only.
class ProbeReporter {
 public:
  ProbeReporter(std::string event_source, SourceContext& context, std::string service_name,
                int64_t fire_after, int64_t clear_after);

  // Sets orion_watcher_probe_latency_seconds{source}, registered on first use.
  void setLatency(Duration latency);

  // Report with external_api_failure / external_api_success instead of service_down/up.
  void useApiEventTypes() {
    down_type_ = "external_api_failure";
    up_type_ = "external_api_success";
  }

  // Records one result. `details` (an object) goes into the event's data; the failure count is
  // added. Returns the publish error, if an event was due and could not be published (it is
  // retried on the next result).
  Status report(bool ok, Json details, WallTime now);

  bool down() const { return debouncer_.announced() == 1; }

 private:
  std::string event_source_;
  SourceContext& context_;
  std::string service_name_;
  std::string down_type_ = "service_down";
  std::string up_type_ = "service_up";
  Debouncer debouncer_;
  int64_t consecutive_failures_ = 0;
  Gauge& up_;
  Gauge* latency_ = nullptr;
};

// A probe's data.service_name: its configured `service_name`, else its instance name.
std::string serviceNameOf(const config::ProbeCommonConfig& config, const SourceContext& context);

}  // namespace orion::watcher
