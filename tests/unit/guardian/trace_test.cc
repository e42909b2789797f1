// The correlator's behaviour byte for byte: long deterministic runs (correlator_trace.h) must
// produce exactly the lines of the golden traces in golden/, which were recorded from the
// correlator before its tables were rebuilt for speed (2026-12-05), and a correlator must load
// the state that version wrote and carry on exactly as it did.
//
// After an intended change of behaviour, ORION_REGENERATE_GOLDEN=1 rewrites the traces from the
// current code (review the difference); the state written before the rebuild stays as it is.
// Regenerated at stop 21, when a node's recent opens stopped keeping event ids: only the lines'
// snapshot and restart digests (the state) changed, no published document.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "correlator_trace.h"
#include "guardian/correlator.h"
#include "guardian/correlator_store.h"
#include "guardian/fingerprint.h"
#include "state/state_store.h"
#include "testing/temp_dir.h"

namespace orion::guardian {
namespace {

const std::string kGoldenDir = ORION_SOURCE_DIR "/tests/unit/guardian/golden/";

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

bool regenerating() { return std::getenv("ORION_REGENERATE_GOLDEN") != nullptr; }

// A correlator with its state store, restartable the way the guardian restarts.
class TracedCorrelator {
 public:
  TracedCorrelator(const CorrelatorOptions& options, SimulatedClock& clock)
      : options_(options), clock_(clock) {
    auto store = state::StateStore::open(dir_.path() / "guardian" / "state.log");
    EXPECT_TRUE(store.isOk()) << store.status().message();
    store_ = std::move(store).value();
    correlator_ = std::make_unique<Correlator>(options_, clock_);
  }

  Correlator& correlator() { return *correlator_; }
  state::StateStore& store() { return *store_; }

  testing::TraceHooks hooks() {
    return {
        .digest = [](const std::string& text) { return sha256Hex(text).substr(0, 12); },
        .flush =
            [this] {
              state::Batch batch;
              addChanges(*correlator_, batch);
              ASSERT_TRUE(store_->apply(batch).isOk());
              correlator_->clearDirty();
            },
        .restart = [this] { return restart(); },
    };
  }

  bool restart() {
    correlator_ = std::make_unique<Correlator>(options_, clock_);
    return loadCorrelator(*store_, *correlator_).isOk();
  }

  std::vector<std::string> run(const testing::TraceOptions& trace) {
    return testing::runTrace<Correlator>(
        trace, clock_, [this]() -> Correlator& { return *correlator_; }, hooks());
  }

 private:
  CorrelatorOptions options_;
  SimulatedClock& clock_;
  testing::TempDir dir_;
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<Correlator> correlator_;
};

void expectGolden(const std::vector<std::string>& lines, const std::string& name) {
  const std::string path = kGoldenDir + name;
  if (regenerating()) {
    std::ofstream file(path);
    for (const std::string& line : lines) file << line << "\n";
    GTEST_SKIP() << "rewrote " << path;
  }
  std::vector<std::string> golden = readLines(path);
  ASSERT_FALSE(golden.empty()) << path;
  ASSERT_EQ(lines.size(), golden.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(lines[i], golden[i]) << name << " line " << i + 1 << " is the first that differs";
  }
}

TEST(CorrelatorTrace, TightBoundsMatchTheGoldenTrace) {
  testing::TraceOptions trace{.tight = true, .seed = 7, .steps = 1000};
  SimulatedClock clock;
  TracedCorrelator traced(testing::traceCorrelatorOptions<CorrelatorOptions>(trace), clock);
  expectGolden(traced.run(trace), "trace_tight.txt");
}

TEST(CorrelatorTrace, DefaultBoundsMatchTheGoldenTrace) {
  testing::TraceOptions trace{.tight = false, .seed = 11, .steps = 800};
  SimulatedClock clock;
  TracedCorrelator traced(testing::traceCorrelatorOptions<CorrelatorOptions>(trace), clock);
  expectGolden(traced.run(trace), "trace_default.txt");
}

// golden/state_before_rebuild.json: every row of the state store after the tight trace above, as
// the correlator before the rebuild wrote it, with its snapshot() then, the clock's reading, and
// what that correlator did with the rows loaded (a trace with seed 13, in trace_continued.txt).
TEST(CorrelatorTrace, LoadsTheStateWrittenBeforeTheRebuildAndCarriesOnTheSame) {
  std::ifstream file(kGoldenDir + "state_before_rebuild.json");
  std::stringstream text;
  text << file.rdbuf();
  auto fixture = parseJson(text.str());
  ASSERT_TRUE(fixture.isOk()) << fixture.status().message();

  testing::TraceOptions trace{.tight = true, .seed = 13, .steps = 300};
  SimulatedClock clock;
  clock.advance(std::chrono::nanoseconds(fixture->at("clock_ns").get<int64_t>()));
  TracedCorrelator traced(testing::traceCorrelatorOptions<CorrelatorOptions>(trace), clock);
  state::Batch rows;
  for (const auto& [table, keys] : fixture->at("tables").items()) {
    for (const auto& [key, value] : keys.items()) rows.put(table, key, value);
  }
  ASSERT_TRUE(traced.store().apply(rows).isOk());
  ASSERT_TRUE(traced.restart());
  // Since stop 21 a node's recent opens no longer keep the opening event id (the third element
  // of each, which that version wrote): everything else must be as it was.
  Json expected = fixture->at("snapshot");
  for (auto& [name, node] : expected.at("nodes").items()) {
    for (Json& open : node.at("recent")) open.erase(2);
  }
  EXPECT_EQ(traced.correlator().snapshot(), expected);

  expectGolden(traced.run(trace), "trace_continued.txt");
}

}  // namespace
}  // namespace orion::guardian
