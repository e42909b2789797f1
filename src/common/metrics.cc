#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace orion {

void Gauge::add(double by) {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::observe(double value) {
  size_t index = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                     bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double current = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
  }
}

uint64_t Histogram::cumulativeCount(size_t index) const {
  uint64_t total = 0;
  for (size_t i = 0; i <= index && i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
  }
  return total;
}

std::vector<double> defaultLatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

MetricsRegistry::Series& MetricsRegistry::series(std::string_view name, std::string_view help,
                                                 Kind kind, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), {}}).first;
  } else if (it->second.kind != kind) {
    // Registering one name as two kinds is a programming error caught by the first test run.
    throw std::logic_error("metric " + std::string(name) + " registered with two kinds");
  }
  for (auto& existing : it->second.series) {
    if (existing->labels == labels) return *existing;
  }
  auto created = std::make_unique<Series>();
  created->labels = labels;
  it->second.series.push_back(std::move(created));
  return *it->second.series.back();
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
  Series& s = series(name, help, Kind::kCounter, labels);
  std::lock_guard lock(mutex_);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  Series& s = series(name, help, Kind::kGauge, labels);
  std::lock_guard lock(mutex_);
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const Labels& labels, std::vector<double> bounds) {
  Series& s = series(name, help, Kind::kHistogram, labels);
  std::lock_guard lock(mutex_);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *s.histogram;
}

double MetricsRegistry::read(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return -1;
  for (const auto& s : it->second.series) {
    if (s->labels != labels) continue;
    if (s->counter) return static_cast<double>(s->counter->value());
    if (s->gauge) return s->gauge->value();
    if (s->histogram) return static_cast<double>(s->histogram->count());
  }
  return -1;
}

double MetricsRegistry::sum(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  double total = 0;
  for (const auto& s : it->second.series) {
    if (s->counter) total += static_cast<double>(s->counter->value());
    if (s->gauge) total += s->gauge->value();
  }
  return total;
}

namespace {

std::string escapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string renderLabels(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ",";
    first = false;
    out += key + "=\"" + escapeLabelValue(value) + "\"";
  }
  if (!extra.empty()) {
    if (!first) out += ",";
    out += extra;
  }
  out += "}";
  return out;
}

std::string formatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace

uint64_t MetricsRegistry::addCollector(std::function<void()> refresh) {
  std::lock_guard lock(collectors_mutex_);
  uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(refresh));
  return id;
}

void MetricsRegistry::removeCollector(uint64_t id) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.erase(id);
}

void MetricsRegistry::collect() const {
  std::lock_guard lock(collectors_mutex_);
  for (const auto& [id, refresh] : collectors_) refresh();
}

std::string MetricsRegistry::renderPrometheus() const {
  collect();
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter ? "counter"
                       : family.kind == Kind::kGauge ? "gauge"
                                                     : "histogram";
    out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    for (const auto& s : family.series) {
      if (s->counter) {
        out += name + renderLabels(s->labels) + " " + std::to_string(s->counter->value()) + "\n";
      } else if (s->gauge) {
        out += name + renderLabels(s->labels) + " " + formatNumber(s->gauge->value()) + "\n";
      } else if (s->histogram) {
        const Histogram& h = *s->histogram;
        for (size_t i = 0; i <= h.bounds().size(); ++i) {
          std::string le = i < h.bounds().size() ? formatNumber(h.bounds()[i]) : "+Inf";
          out += name + "_bucket" + renderLabels(s->labels, "le=\"" + le + "\"") + " " +
                 std::to_string(h.cumulativeCount(i)) + "\n";
        }
        out += name + "_sum" + renderLabels(s->labels) + " " + formatNumber(h.sum()) + "\n";
        out += name + "_count" + renderLabels(s->labels) + " " + std::to_string(h.count()) + "\n";
      }
    }
  }
  return out;
}

}  // namespace orion
