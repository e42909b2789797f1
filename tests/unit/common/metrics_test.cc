#include "common/metrics.h"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "common/process_metrics.h"

namespace orion {
namespace {

TEST(MetricsTest, SameNameAndLabelsShareOneSeries) {
  MetricsRegistry registry;
  Counter& a = registry.counter("orion_bus_published_total", "Published", {{"type", "event"}});
  Counter& b = registry.counter("orion_bus_published_total", "Published", {{"type", "event"}});
  Counter& c = registry.counter("orion_bus_published_total", "Published", {{"type", "incident"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  a.inc();
  b.inc(2);
  c.inc();
  EXPECT_EQ(registry.read("orion_bus_published_total", {{"type", "event"}}), 3);
  EXPECT_EQ(registry.sum("orion_bus_published_total"), 4);
  EXPECT_EQ(registry.read("orion_missing_total"), -1);
}

TEST(MetricsTest, CountersAreSafeAcrossThreads) {
  MetricsRegistry registry;
  Counter& counter = registry.counter("orion_test_total", "Test");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) counter.inc();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40000u);
}

TEST(MetricsTest, RendersPrometheusTextFormat) {
  MetricsRegistry registry;
  registry.counter("orion_a_total", "A counter", {{"type", "ev\"ent"}}).inc(5);
  registry.gauge("orion_b_ratio", "A gauge").set(0.5);
  Histogram& h = registry.histogram("orion_c_seconds", "A histogram", {}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  std::string text = registry.renderPrometheus();
  EXPECT_NE(text.find("# TYPE orion_a_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("orion_a_total{type=\"ev\\\"ent\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("orion_b_ratio 0.5\n"), std::string::npos);
  EXPECT_NE(text.find("orion_c_seconds_bucket{le=\"0.10000000000000001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("orion_c_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("orion_c_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("orion_c_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsTest, GaugeAddsAndSets) {
  MetricsRegistry registry;
  Gauge& gauge = registry.gauge("orion_g", "G");
  gauge.add(2.5);
  gauge.add(-1);
  EXPECT_DOUBLE_EQ(gauge.value(), 1.5);
  gauge.set(7);
  EXPECT_DOUBLE_EQ(registry.read("orion_g"), 7);
}

}  // namespace
}  // namespace orion

namespace orion {
namespace {

TEST(MetricsCollectorTest, CollectorsRefreshGaugesWhenRenderedAndStopWhenRemoved) {
  MetricsRegistry registry;
  Gauge& gauge = registry.gauge("orion_test_refreshed", "Test");
  int runs = 0;
  uint64_t id = registry.addCollector([&] { gauge.set(++runs); });
  EXPECT_NE(registry.renderPrometheus().find("orion_test_refreshed 1\n"), std::string::npos);
  EXPECT_NE(registry.renderPrometheus().find("orion_test_refreshed 2\n"), std::string::npos);
  registry.removeCollector(id);
  registry.renderPrometheus();
  EXPECT_EQ(runs, 2);
}

TEST(ProcessMetricsTest, ReadsThisProcessFromProc) {
  ProcessSample sample = sampleProcess();
  EXPECT_GT(sample.resident_bytes, 1024 * 1024);
  EXPECT_GE(sample.virtual_bytes, sample.resident_bytes);
  EXPECT_GE(sample.threads, 1);
  EXPECT_GE(sample.open_fds, 3);  // stdin, stdout, stderr
  double now = static_cast<double>(std::time(nullptr));
  EXPECT_GT(sample.start_time_seconds, now - 3600);
  EXPECT_LE(sample.start_time_seconds, now + 1);

  MetricsRegistry registry;
  addProcessMetrics(registry);
  std::string text = registry.renderPrometheus();
  EXPECT_NE(text.find("# TYPE orion_process_resident_memory_bytes gauge"), std::string::npos);
  EXPECT_GT(registry.read("orion_process_resident_memory_bytes"), 1024 * 1024);
  EXPECT_NE(text.find("orion_build_info{build_type=\""), std::string::npos) << text;
}

}  // namespace
}  // namespace orion
