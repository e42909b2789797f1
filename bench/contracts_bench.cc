// Contract validation cost: what every publish and every consume pays. Target: a typical event
// validates at >= 200k/s on one core (issue 2, item 10).
//
//   cmake -S . -B build/rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DORION_BUILD_BENCH=ON
//   ninja -C build/rel contracts_bench && build/rel/bench/contracts_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "contracts/registry.h"

namespace orion::contracts {
namespace {

const ContractRegistry& registry() {
  static const std::shared_ptr<const ContractRegistry> kRegistry = [] {
    auto loaded = ContractRegistry::loadEmbedded();
    if (!loaded.isOk()) {
      std::cerr << loaded.status().toString() << "\n";
      std::abort();
    }
    return *loaded;
  }();
  return *kRegistry;
}

// What the host watcher publishes: a threshold event with a data object and tags.
Json typicalEvent() {
  return Json{{"version", "1.0"},
              {"event_id", "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b"},
              {"timestamp", "2026-01-14T12:00:00.123456Z"},
              {"source", "orion-watcher-host"},
              {"event_type", "metric_threshold_exceeded"},
              {"severity", "warning"},
              {"data",
               {{"metric", "disk_percent"},
                {"value", 91.5},
                {"threshold", 90.0},
                {"mount", "/"},
                {"host", "core-1"}}},
              {"tags", {{"host", "core-1"}, {"module", "watcher"}}}};
}

Json typicalIncident() {
  return Json{{"version", "1.0"},
              {"incident_id", "5d41402a-bc4b-4a76-b971-9d911017c592"},
              {"timestamp", "2026-01-14T12:00:01.000000Z"},
              {"source", "orion-guardian"},
              {"incident_type", "metric_anomaly"},
              {"severity", "medium"},
              {"event_ids", {"0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b"}},
              {"correlation_window",
               {{"start", "2026-01-14T12:00:00.000000Z"}, {"end", "2026-01-14T12:01:00.000000Z"}}},
              {"state", "open"},
              {"description", "disk / above 90%"}};
}

Json typicalDecision() {
  return Json{{"version", "1.0"},
              {"decision_id", "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
              {"timestamp", "2026-01-14T12:00:02.000000Z"},
              {"source", "orion-brain"},
              {"incident_id", "5d41402a-bc4b-4a76-b971-9d911017c592"},
              {"decision_type", "NO_ACTION"},
              {"safety_classification", "SAFE"},
              {"requires_approval", false},
              {"reasoning", "Autonomy level N0: observe only, no action taken"},
              {"autonomy_level", "N0"}};
}

void validateLoop(benchmark::State& state, std::string_view type, const Json& doc,
                  bool expect_valid) {
  const ContractRegistry& contracts = registry();
  if (contracts.validate(type, doc).isOk() != expect_valid) {
    state.SkipWithError("fixture has the wrong validity");
    return;
  }
  for (auto _ : state) {
    Status status = contracts.validate(type, doc);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ValidateEvent(benchmark::State& state) {
  validateLoop(state, type::kEvent, typicalEvent(), true);
}
BENCHMARK(BM_ValidateEvent);

// An invalid event pays for the second pass that collects every failure with its pointer.
void BM_ValidateInvalidEvent(benchmark::State& state) {
  Json doc = typicalEvent();
  doc["severity"] = "fatal";
  doc["timestamp"] = "2026-01-14T12:00:00";
  validateLoop(state, type::kEvent, doc, false);
}
BENCHMARK(BM_ValidateInvalidEvent);

void BM_ValidateIncident(benchmark::State& state) {
  validateLoop(state, type::kIncident, typicalIncident(), true);
}
BENCHMARK(BM_ValidateIncident);

void BM_ValidateDecision(benchmark::State& state) {
  validateLoop(state, type::kDecision, typicalDecision(), true);
}
BENCHMARK(BM_ValidateDecision);

// For scale: parsing the same event from its wire text, which a consumer also pays.
void BM_ParseEventText(benchmark::State& state) {
  const std::string text = dumpJson(typicalEvent());
  for (auto _ : state) {
    auto doc = parseJson(text);
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseEventText);

}  // namespace
}  // namespace orion::contracts
