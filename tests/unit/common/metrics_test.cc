#include "common/metrics.h"

#include <gtest/gtest.h>

#include <thread>

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
