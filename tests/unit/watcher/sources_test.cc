// Pure parts of the service sources: hysteresis, container selection, the Prometheus answer
// parser, the source registry and how configured instances become specs.
#include <gtest/gtest.h>

#include "common/json.h"
#include "watcher/debounce.h"
#include "watcher/source_registry.h"
#include "watcher/sources/containers/selector.h"
#include "watcher/sources/prometheus/prometheus_source.h"

namespace orion::watcher {
namespace {

TEST(DebouncerTest, NToFireMToClearAndNoStormWhenHovering) {
  Debouncer debouncer(3, 2);
  for (int state : {1, 1, 0, 1, 1, 0, 1}) EXPECT_FALSE(debouncer.observe(state).has_value());
  EXPECT_FALSE(debouncer.observe(1).has_value());
  EXPECT_EQ(debouncer.observe(1), 1) << "third in a row";
  debouncer.announce(1);
  EXPECT_FALSE(debouncer.observe(0).has_value());
  EXPECT_FALSE(debouncer.observe(1).has_value()) << "the down streak restarts";
  EXPECT_FALSE(debouncer.observe(0).has_value());
  EXPECT_EQ(debouncer.observe(0), 0);
}

TEST(DebouncerTest, AnnouncesOnlyTheLevelThatHeldForTheWholeStreak) {
  Debouncer levels(2, 2);
  EXPECT_FALSE(levels.observe(2).has_value());
  EXPECT_EQ(levels.observe(1), 1) << "critical then warning: warning held for both";
  levels.announce(1);
  EXPECT_FALSE(levels.observe(2).has_value());
  EXPECT_EQ(levels.observe(2), 2);
  levels.announce(2);
  EXPECT_FALSE(levels.observe(1).has_value());
  EXPECT_EQ(levels.observe(0), 1) << "falling through warning to ok: announce warning";
}

TEST(DebouncerTest, UnannouncedChangeStaysDue) {
  Debouncer debouncer(1, 1);
  EXPECT_EQ(debouncer.observe(1), 1);
  EXPECT_EQ(debouncer.observe(1), 1) << "a failed publish is retried";
}

TEST(SelectorTest, GlobsAndLabels) {
  using containers::globMatch;
  EXPECT_TRUE(globMatch("jelly*", "jellyfin"));
  EXPECT_TRUE(globMatch("*fin", "jellyfin"));
  EXPECT_TRUE(globMatch("j?lly*n", "jellyfin"));
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_FALSE(globMatch("jelly", "jellyfin"));
  EXPECT_FALSE(globMatch("*x*", "jellyfin"));

  containers::Selector all({}, {});
  EXPECT_TRUE(all.matches("anything", {}));
  containers::Selector some({"orion.watch=true", "critical"}, {"db-*"});
  EXPECT_TRUE(some.matches("web", {{"orion.watch", "true"}}));
  EXPECT_FALSE(some.matches("web", {{"orion.watch", "false"}}));
  EXPECT_TRUE(some.matches("web", {{"critical", ""}}));
  EXPECT_TRUE(some.matches("db-main", {}));
  EXPECT_FALSE(some.matches("cache", {}));
}

TEST(PrometheusAnswerTest, VectorScalarAndErrors) {
  auto vector = prometheus::parseQueryResponse(parseJson(R"({"status":"success","data":{
    "resultType":"vector","result":[
      {"metric":{"__name__":"up","job":"node","instance":"a:9100"},"value":[1700000000.1,"1"]},
      {"metric":{"job":"cadvisor"},"value":[1700000000.1,"NaN"]}]}})")
                                                   .value());
  ASSERT_TRUE(vector) << vector.status().toString();
  ASSERT_EQ(vector->size(), 2u);
  EXPECT_EQ((*vector)[0].labels.at("instance"), "a:9100");
  EXPECT_EQ((*vector)[0].value, 1.0);
  EXPECT_TRUE(std::isnan((*vector)[1].value));

  auto scalar = prometheus::parseQueryResponse(
      parseJson(R"({"status":"success","data":{"resultType":"scalar","result":[1,"3.5"]}})")
          .value());
  ASSERT_TRUE(scalar);
  EXPECT_EQ((*scalar)[0].value, 3.5);

  auto error = prometheus::parseQueryResponse(
      parseJson(R"({"status":"error","errorType":"bad_data","error":"1:5: parse error"})").value());
  EXPECT_EQ(error.status().message(), "query failed: bad_data: 1:5: parse error");
  EXPECT_FALSE(prometheus::parseQueryResponse(
      parseJson(R"({"status":"success","data":{"resultType":"matrix","result":[]}})").value()));
}

TEST(PrometheusAnswerTest, FieldsOfTheWrongTypeAreAnErrorNotAnException) {
  // Found by tests/fuzz/engine_fuzz.cc: Json::value() throws when a field has another type.
  for (const char* text : {R"({"status":5})", R"({"status":"error","errorType":[],"error":{}})",
                           R"({"status":"success","data":{"resultType":7,"result":[]}})"}) {
    auto answer = prometheus::parseQueryResponse(parseJson(text).value());
    EXPECT_FALSE(answer.isOk()) << text;
  }
  auto error = prometheus::parseQueryResponse(
      parseJson(R"({"status":"error","errorType":1,"error":null})").value());
  EXPECT_EQ(error.status().message(), "query failed: error: (no message)");
}

TEST(PrometheusAnswerTest, MissingPartsAreAnErrorNotAnAssertion) {
  // Found by tests/fuzz/engine_fuzz.cc under ASan: a missing "result" was read with the const
  // operator[], which is undefined behaviour (an assertion in a debug build).
  for (const char* text :
       {R"({"status":"success","data":{"resultType":"vector"}})",
        R"({"status":"success","data":{"resultType":"scalar"}})",
        R"({"status":"success","data":{"resultType":"vector","result":[1]}})",
        R"({"status":"success","data":{"resultType":"vector","result":[{}]}})"}) {
    auto answer = prometheus::parseQueryResponse(parseJson(text).value());
    EXPECT_FALSE(answer.isOk()) << text;
    EXPECT_FALSE(answer.status().message().empty()) << text;
  }
}

TEST(SourceRegistryTest, BuiltinsAndInstancesBecomeSpecs) {
  SourceRegistry registry;
  registerBuiltinSources(registry);
  std::vector<std::string> names;
  for (const auto& info : registry.types()) names.push_back(info.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"containers", "http", "process", "prometheus", "tcp"}));
  EXPECT_EQ(registry.add({{"http", "again", {}}, {}}).code(), StatusCode::kAlreadyExists);

  config::WatcherConfig config;
  config::HttpProbeConfig http;
  http.url = "http://127.0.0.1/";
  http.labels = {{"env", "lab"}};
  config.sources.push_back({"http", "web", "orion.yaml:3", http});
  config.sources.push_back({"gopher", "old", "orion.yaml:9", config::TcpProbeConfig{}});
  std::vector<SourceSpec> specs = configuredSources(config, registry);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].instance, "host");
  EXPECT_EQ(specs[1].instance, "web");
  EXPECT_EQ(specs[1].labels.at("env"), "lab");
  SimulatedClock clock;
  MetricsRegistry metrics;
  class NullPublisher final : public EventPublisher {
    Status publish(const contracts::Event&) override { return Status::ok(); }
  } publisher;
  auto unknown =
      specs[2].make(SourceContext{clock, metrics, makeLogger("t"), "n", publisher, "old"});
  EXPECT_EQ(unknown.status().message(), "orion.yaml:9: no source type 'gopher' in this build");
}

}  // namespace
}  // namespace orion::watcher
