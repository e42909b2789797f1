// A Prometheus-style metrics registry: counters, gauges and histograms with labels.
//
// Each module declares its metrics in one place (a struct built from the registry at start) and
// keeps references; updating a metric is a lock-free atomic operation safe from any thread.
// Registration takes a lock and returns the same object for the same name and labels, so two
// instances asking for `orion_bus_published_total{type="event"}` share one counter.
// Names follow `orion_<module>_<what>_<unit>`; the API issue exposes renderPrometheus() on
// /metrics.
//
// The registry owns every metric; references stay valid for the registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace orion {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  void inc(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets with upper bounds `bounds` (ascending) plus +Inf, a sum and a count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Count of observations <= bounds()[i]; index bounds().size() is +Inf (the total count).
  uint64_t cumulativeCount(size_t index) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, not cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Default latency buckets in seconds: 50 µs … 10 s.
std::vector<double> defaultLatencyBuckets();

class MetricsRegistry {
 public:
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels = {},
                       std::vector<double> bounds = defaultLatencyBuckets());

  // The value of a counter or gauge (histograms: the count), or -1 if it was never registered.
  // Meant for tests and the terminal summary.
  double read(std::string_view name, const Labels& labels = {}) const;

  // Sum over every label set of a counter or gauge family (0 if absent).
  double sum(std::string_view name) const;

  // The Prometheus text exposition format (version 0.0.4), families sorted by name. Runs the
  // collectors first.
  std::string renderPrometheus() const;

  // A collector refreshes gauges that are cheaper to compute when asked than to keep up to date
  // (the process's memory, the brain's open breakers). collect() runs every collector, on the
  // caller's thread, one collection at a time; renderPrometheus() calls it. A collector may
  // register and set metrics; it must not add or remove collectors.
  uint64_t addCollector(std::function<void()> refresh);
  // Removes a collector; returns once it no longer runs. Must not be called while holding a lock
  // the collector takes.
  void removeCollector(uint64_t id);
  void collect() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::vector<std::unique_ptr<Series>> series;
  };

  Series& series(std::string_view name, std::string_view help, Kind kind, const Labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
  mutable std::mutex collectors_mutex_;  // held while collectors run
  std::map<uint64_t, std::function<void()>> collectors_;
  uint64_t next_collector_ = 1;
};

}  // namespace orion
