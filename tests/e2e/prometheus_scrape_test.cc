// deploy/prometheus/prometheus.yml against the real thing: the `orion` binary serving /metrics
// and a real `prometheus` (Debian package) started with the deploy config, its ORION target
// rewritten to the test's port and its scrape interval shortened. The orion_ series the Grafana
// dashboard (deploy/grafana/orion-dashboard.json) plots must arrive in Prometheus.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <regex>
#include <set>

#include "child_process.h"
#include "common/json.h"
#include "testing/host_tools.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;

// Every metric name the Grafana dashboard's queries use.
std::set<std::string> dashboardMetrics() {
  Json dashboard = Json::parse(
      readFile(std::filesystem::path(ORION_SOURCE_DIR) / "deploy/grafana/orion-dashboard.json"));
  std::set<std::string> names;
  std::regex metric("orion_[a-z_]+");
  for (const Json& panel : dashboard["panels"]) {
    for (const Json& target : panel["targets"]) {
      std::string expr = target.value("expr", "");
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
        names.insert(it->str());
      }
    }
  }
  return names;
}

void stopProcess(ChildProcess& process) {
  if (!process.running()) return;
  process.signal(SIGTERM);
  if (!process.waitExit(10s)) process.signal(SIGKILL);
  (void)process.waitExit(5s);
}

class PrometheusScrapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prometheus_ = findExecutable("prometheus");
    ORION_REQUIRE_COMPONENT(
        prometheus_.empty() ? "prometheus is not installed (scripts/install-deps.sh)" : "");
    orion_port_ = freeLoopbackPort();
    prometheus_port_ = freeLoopbackPort();
    ASSERT_GT(orion_port_, 0);
    ASSERT_GT(prometheus_port_, 0);
  }

  TempDir dir_;
  std::string prometheus_;
  int orion_port_ = 0;
  int prometheus_port_ = 0;
};

TEST_F(PrometheusScrapeTest, TheDeployConfigScrapesEveryMetricTheDashboardPlots) {
  auto config = dir_.write("orion.yaml", "state_dir: " + (dir_.path() / "state").string() +
                                             "\napi:\n  enabled: true\n  listen: 127.0.0.1:" +
                                             std::to_string(orion_port_) +
                                             "\nwatcher:\n  host:\n    interval: 200ms\n"
                                             // every filesystem crosses these: events at once
                                             "    disk_percent: {warning: 1, critical: 2}\n");
  ChildProcess orion(ORION_BINARY, {"run", "--config", config.string()},
                     {dir_.path(), std::nullopt, {}});
  ASSERT_TRUE(orion.started()) << orion.error();

  std::string deploy =
      readFile(std::filesystem::path(ORION_SOURCE_DIR) / "deploy/prometheus/prometheus.yml");
  ASSERT_NE(deploy.find("127.0.0.1:9750"), std::string::npos) << "the deploy config's target moved";
  deploy = std::regex_replace(deploy, std::regex("127\\.0\\.0\\.1:9750"),
                              "127.0.0.1:" + std::to_string(orion_port_));
  deploy = std::regex_replace(deploy, std::regex("scrape_interval: 15s"), "scrape_interval: 1s");
  auto prometheus_config = dir_.write("prometheus.yml", deploy);
  std::filesystem::create_directories(dir_.path() / "prometheus");
  ChildProcess prometheus(prometheus_,
                          {"--config.file=" + prometheus_config.string(),
                           "--storage.tsdb.path=" + (dir_.path() / "prometheus" / "data").string(),
                           "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_)},
                          {dir_.path() / "prometheus", std::nullopt, {}});
  ASSERT_TRUE(prometheus.started()) << prometheus.error();

  // Scraped: `up` of job orion is 1, and the dashboard's series exist.
  httplib::Client client("127.0.0.1", prometheus_port_);
  std::set<std::string> wanted = dashboardMetrics();
  ASSERT_GE(wanted.size(), 10u);
  std::set<std::string> missing = wanted;
  bool up = false;
  bool scraped = waitUntil(
      [&] {
        auto answer = client.Get("/api/v1/query?query=up%7Bjob%3D%22orion%22%7D");
        if (!answer || answer->status != 200) return false;
        Json result = Json::parse(answer->body, nullptr, false);
        if (result.is_discarded() || result["data"]["result"].empty()) return false;
        up = result["data"]["result"][0]["value"][1] == "1";
        auto names = client.Get("/api/v1/label/__name__/values");
        if (!names || names->status != 200) return false;
        Json values = Json::parse(names->body, nullptr, false);
        if (values.is_discarded()) return false;
        for (const Json& name : values["data"]) missing.erase(name.get<std::string>());
        return up && missing.empty();
      },
      40s);
  std::string still_missing;
  for (const std::string& name : missing) still_missing += " " + name;
  EXPECT_TRUE(scraped) << "up=" << up << ", not scraped:" << still_missing << "\norion stderr:\n"
                       << orion.err() << "\nprometheus stderr:\n"
                       << prometheus.err();

  // Prometheus's own linter finds nothing to say about the exposition (names, units, suffixes,
  // help texts).
  httplib::Client orion_client("127.0.0.1", orion_port_);
  auto metrics = orion_client.Get("/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  std::string promtool = findExecutable("promtool");
  ASSERT_FALSE(promtool.empty()) << "promtool comes with the prometheus package";
  auto exposition = dir_.write("metrics.txt", metrics->body);
  RunResult lint =
      runToCompletion(promtool, {"check", "metrics"}, {dir_.path(), exposition, {}}, 30s);
  EXPECT_EQ(lint.code, 0) << "promtool check metrics:\n" << lint.out << lint.err;

  // docs/metrics.md lists every family served.
  std::string doc = readFile(std::filesystem::path(ORION_SOURCE_DIR) / "docs/metrics.md");
  std::regex family("# TYPE (orion_[a-z_]+) ");
  std::string undocumented;
  for (std::sregex_iterator it(metrics->body.begin(), metrics->body.end(), family), end; it != end;
       ++it) {
    if (doc.find("`" + (*it)[1].str() + "`") == std::string::npos) {
      undocumented += " " + (*it)[1].str();
    }
  }
  EXPECT_EQ(undocumented, "") << "families missing from docs/metrics.md";

  // The build info carries the job's labels and the version.
  auto info = client.Get("/api/v1/query?query=orion_build_info");
  ASSERT_TRUE(info);
  EXPECT_NE(info->body.find("\"job\":\"orion\""), std::string::npos) << info->body;
  EXPECT_NE(info->body.find("\"version\""), std::string::npos) << info->body;
  stopProcess(prometheus);
  stopProcess(orion);
}

}  // namespace
}  // namespace orion::testing
