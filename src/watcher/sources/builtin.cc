// The source types ORION ships with, registered explicitly (no static initialisers). A new type:
// a directory sources/<type>/, its settings struct in config.h and key table in
// config/fields/watcher.cc, and one add() here.
#include <variant>

#include "config/config.h"
#include "watcher/source_registry.h"
#include "watcher/sources/containers/containers_source.h"
#include "watcher/sources/http/http_probe.h"
#include "watcher/sources/process/process_check.h"
#include "watcher/sources/prometheus/prometheus_source.h"
#include "watcher/sources/tcp/tcp_probe.h"

namespace orion::watcher {
namespace {

// A factory for a Source class S built from settings struct T.
template <typename S, typename T>
auto factory() {
  return [](const config::SourceInstanceConfig& instance,
            SourceContext context) -> Result<std::unique_ptr<Source>> {
    const T* settings = std::get_if<T>(&instance.settings);
    if (settings == nullptr) return internalError("settings of another type");
    return std::unique_ptr<Source>(std::make_unique<S>(*settings, std::move(context)));
  };
}

void must(Status status) {
  // Only a programming error (a name registered twice) can fail here.
  if (!status) makeLogger("watcher")->critical("{}", status.toString());
}

}  // namespace

void registerBuiltinSources(SourceRegistry& registry) {
  must(registry.add(
      {{"containers",
        "containers of a Docker/podman engine: event stream + periodic resync",
        {"service_down", "service_up", "external_api_failure", "external_api_success"}},
       [](const config::SourceInstanceConfig& instance,
          SourceContext context) -> Result<std::unique_ptr<Source>> {
         const auto* settings = std::get_if<config::ContainersSourceConfig>(&instance.settings);
         if (settings == nullptr) return internalError("settings of another type");
         return std::unique_ptr<Source>(std::make_unique<containers::ContainersSource>(
             *settings, std::move(context), config::processEnvironment()));
       }}));
  must(registry.add(
      {{"http", "HTTP(S) request: status, body substring, latency", {"service_down", "service_up"}},
       factory<http::HttpProbe, config::HttpProbeConfig>()}));
  must(registry.add({{"tcp", "TCP connect to host:port", {"service_down", "service_up"}},
                     factory<tcp::TcpProbe, config::TcpProbeConfig>()}));
  must(registry.add({{"process", "a process by name or pidfile", {"service_down", "service_up"}},
                     factory<process::ProcessCheck, config::ProcessCheckConfig>()}));
  must(registry.add({{"prometheus",
                      "an instant PromQL query with threshold or up/down rules",
                      {"metric_threshold_exceeded", "service_down", "service_up",
                       "external_api_failure", "external_api_success"}},
                     factory<prometheus::PrometheusSource, config::PrometheusSourceConfig>()}));
}

}  // namespace orion::watcher
