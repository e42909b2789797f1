#include "watcher/sources/prometheus/prometheus_source.h"

#include <cstdlib>

#include "watcher/http_fetch.h"

namespace orion::watcher::prometheus {
namespace {

Result<double> sampleValue(const Json& pair) {
  // [ <unix time>, "<value>" ]; the value may be "NaN", "+Inf", "-Inf".
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) {
    return invalidArgument("expected [time, \"value\"]");
  }
  std::string text = pair[1].get<std::string>();
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0')
    return invalidArgument("value '" + text + "' is no number");
  return value;
}

}  // namespace

Result<std::vector<Series>> parseQueryResponse(const Json& answer) {
  if (!answer.is_object()) return invalidArgument("expected a JSON object");
  if (stringOr(answer, "status") != "success") {
    return invalidArgument("query failed: " + stringOr(answer, "errorType", "error") + ": " +
                           stringOr(answer, "error", "(no message)"));
  }
  auto data = answer.find("data");
  if (data == answer.end() || !data->is_object()) return invalidArgument("no data in the answer");
  std::string type = stringOr(*data, "resultType");
  auto found = data->find("result");
  if (found == data->end()) return invalidArgument("no result in the answer's data");
  const Json& result = *found;
  std::vector<Series> series;
  if (type == "scalar") {
    Result<double> value = sampleValue(result);
    if (!value) return value.status();
    series.push_back({{}, *value});
    return series;
  }
  if (type != "vector" || !result.is_array()) {
    return invalidArgument("expected an instant vector or scalar, got resultType '" + type + "'");
  }
  for (const Json& item : result) {
    Series one;
    if (!item.is_object()) return invalidArgument("expected each result to be an object");
    if (auto metric = item.find("metric"); metric != item.end() && metric->is_object()) {
      for (const auto& [name, value] : metric->items()) {
        if (value.is_string()) one.labels[name] = value.get<std::string>();
      }
    }
    auto sample = item.find("value");
    Result<double> value = sampleValue(sample != item.end() ? *sample : Json());
    if (!value) return value.status();
    one.value = *value;
    series.push_back(std::move(one));
  }
  return series;
}

PrometheusSource::PrometheusSource(config::PrometheusSourceConfig config, SourceContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      query_url_(config_.url + (config_.url.back() == '/' ? "" : "/") +
                 "api/v1/query?query=" + urlEncoded(config_.query)),
      api_(std::string(kEventSource), context_, "prometheus:" + context_.instance,
           config_.fire_after, config_.clear_after),
      tracker_(config_.fire_after, config_.clear_after),
      series_(context_.metrics.gauge("orion_watcher_prometheus_series",
                                     "Series in the last query answer",
                                     {{"source", context_.instance}})) {
  api_.useApiEventTypes();
}

std::string PrometheusSource::resourceOf(const Series& series) const {
  auto it = series.labels.find(config_.resource_label);
  if (it != series.labels.end()) return it->second;
  std::string all;
  for (const auto& [name, value] : series.labels) {
    all += (all.empty() ? "" : ",") + name + "=\"" + value + "\"";
  }
  return "{" + all + "}";
}

void PrometheusSource::observeThreshold(const Series& series, WallTime now) {
  Reading reading{"prometheus", resourceOf(series), config_.metric, config_.unit, series.value};
  std::optional<Transition> transition =
      tracker_.observe(reading, config_.threshold, config_.below);
  if (!transition) return;
  contracts::Event event =
      makeThresholdEvent(kEventSource, context_.node, reading, *transition, now);
  event.data["query"] = config_.query;
  if (context_.publisher.publish(event).isOk()) tracker_.announce(reading, transition->to);
}

void PrometheusSource::observeService(const Series& series, WallTime now) {
  std::string resource = resourceOf(series);
  auto& reporter = services_[resource];
  if (!reporter) {
    reporter = std::make_unique<ProbeReporter>(std::string(kEventSource), context_, resource,
                                               config_.fire_after, config_.clear_after);
  }
  Json details{{"probe", "prometheus"},
               {"query", config_.query},
               {"value", series.value},
               {"labels", series.labels}};
  bool up = series.value >= 1;
  if (!up) details["error"] = config_.query + " is " + std::to_string(series.value);
  (void)reporter->report(up, std::move(details), now);  // a failed publish is retried
}

Status PrometheusSource::sample(WallTime now) {
  Result<HttpFetched> fetched =
      fetchHttp(HttpFetch{query_url_, "GET", config_.timeout, true}, context_.clock);
  Status problem;
  Result<std::vector<Series>> series = invalidArgument("unreachable");
  if (!fetched) {
    problem = fetched.status();
  } else {
    Result<Json> answer = parseJson(fetched->body);
    series = answer ? parseQueryResponse(*answer) : Result<std::vector<Series>>(answer.status());
    if (!series) {
      problem = Status(StatusCode::kUnavailable, "HTTP " + std::to_string(fetched->status) + ": " +
                                                     series.status().message());
    }
  }
  Json details{{"api", "prometheus"}, {"target", config_.url}, {"query", config_.query}};
  if (!problem.isOk()) details["error"] = problem.message();
  (void)api_.report(problem.isOk(), std::move(details), now);
  if (!problem.isOk()) return problem.withContext("querying " + config_.url);
  series_.set(static_cast<double>(series->size()));
  for (const Series& one : *series) {
    if (config_.mode == "service") {
      observeService(one, now);
    } else {
      observeThreshold(one, now);
    }
  }
  return Status::ok();
}

}  // namespace orion::watcher::prometheus
