#include "daemon/supervisor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <mutex>

#include "testing/temp_dir.h"

namespace orion::daemon {
namespace {

using namespace std::chrono_literals;

// What the fake modules saw, shared by all of them.
struct Journal {
  std::mutex mutex;
  std::vector<std::string> events;  // "start memory", "stop watcher", ...
  std::vector<MonoTime> deadlines;  // of each stop, in stop order
  void add(std::string line) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(line));
  }
};

struct FakeBehaviour {
  Status start_result;
  Duration stop_takes{0};  // advances the simulated clock by this much in stop()
};

class FakeModule final : public Service {
 public:
  FakeModule(std::string name, Journal& journal, SimulatedClock& clock, FakeBehaviour behaviour)
      : name_(std::move(name)), journal_(journal), clock_(clock), behaviour_(behaviour) {}
  std::string_view name() const override { return name_; }
  Status start() override {
    journal_.add("start " + name_);
    return behaviour_.start_result;
  }
  void stop(MonoTime deadline) override {
    journal_.add("stop " + name_);
    {
      std::lock_guard lock(journal_.mutex);
      journal_.deadlines.push_back(deadline);
    }
    clock_.advance(behaviour_.stop_takes);
  }

 private:
  std::string name_;
  Journal& journal_;
  SimulatedClock& clock_;
  FakeBehaviour behaviour_;
};

class SupervisorTest : public ::testing::Test {
 protected:
  SupervisorTest() { config_.state_dir = (dir_.path() / "state").string(); }

  // Fakes for every module name; `behaviour` overrides some of them.
  ModuleFactories fakes(std::map<std::string, FakeBehaviour> behaviour = {}) {
    ModuleFactories factories;
    for (auto name : moduleNames()) {
      std::string n(name);
      FakeBehaviour b = behaviour.count(n) ? behaviour[n] : FakeBehaviour{};
      factories[n] = [this, n, b](const config::Config&, ModuleContext) {
        return std::make_unique<FakeModule>(n, journal_, clock_, b);
      };
    }
    return factories;
  }

  std::unique_ptr<Supervisor> make(RunOptions options = {},
                                   std::map<std::string, FakeBehaviour> behaviour = {}) {
    return std::make_unique<Supervisor>(config_, options, clock_, fakes(std::move(behaviour)));
  }

  testing::TempDir dir_;
  config::Config config_;
  SimulatedClock clock_;
  Journal journal_;
};

TEST_F(SupervisorTest, StartsFromMemoryToWatcherAndStopsInPipelineOrder) {
  auto supervisor = make();
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_TRUE(supervisor->start().isOk());
  EXPECT_EQ(supervisor->running(), (std::vector<std::string>{"memory", "commander", "approval",
                                                             "brain", "guardian", "watcher"}));
  ASSERT_TRUE(supervisor->stop().isOk());
  EXPECT_EQ(journal_.events, (std::vector<std::string>{
                                 "start memory", "start commander", "start approval", "start brain",
                                 "start guardian", "start watcher", "stop watcher", "stop guardian",
                                 "stop brain", "stop approval", "stop commander", "stop memory"}));
  EXPECT_TRUE(supervisor->running().empty());
  EXPECT_TRUE(supervisor->stop().isOk());  // idempotent
  EXPECT_EQ(journal_.events.size(), 12u);
}

TEST_F(SupervisorTest, ApiStartsLastAndStopsFirstOnlyWhenEnabled) {
  config_.api.enabled = true;
  auto supervisor = make();
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_TRUE(supervisor->start().isOk());
  EXPECT_EQ(supervisor->running().back(), "api");
  ASSERT_TRUE(supervisor->stop().isOk());
  EXPECT_EQ(journal_.events[6], "start api");
  EXPECT_EQ(journal_.events[7], "stop api");
  EXPECT_EQ(journal_.events[8], "stop watcher");
}

TEST_F(SupervisorTest, ObserversStartFirstAndStopLast) {
  auto supervisor = make({.modules = {"memory", "guardian"}});
  ASSERT_TRUE(supervisor->build().isOk());
  supervisor->addObserver(
      std::make_unique<FakeModule>("console", journal_, clock_, FakeBehaviour{}));
  ASSERT_TRUE(supervisor->start().isOk());
  ASSERT_TRUE(supervisor->stop().isOk());
  EXPECT_EQ(journal_.events,
            (std::vector<std::string>{"start console", "start memory", "start guardian",
                                      "stop guardian", "stop memory", "stop console"}));
}

TEST_F(SupervisorTest, ModulesOptionSelectsASubsetInStartOrder) {
  auto supervisor = make({.modules = {"watcher", "memory", "guardian"}});
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_TRUE(supervisor->start().isOk());
  EXPECT_EQ(supervisor->running(), (std::vector<std::string>{"memory", "guardian", "watcher"}));
}

TEST_F(SupervisorTest, ApiInModulesStillNeedsApiEnabled) {
  auto supervisor = make({.modules = {"memory", "api"}});
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_TRUE(supervisor->start().isOk());
  EXPECT_EQ(supervisor->running(), (std::vector<std::string>{"memory"}));
}

TEST_F(SupervisorTest, UnknownModuleIsRefusedNamingTheValidOnes) {
  auto supervisor = make({.modules = {"memory", "gardian"}});
  Status built = supervisor->build();
  ASSERT_EQ(built.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(built.message().find("gardian"), std::string::npos);
  EXPECT_NE(built.message().find("guardian"), std::string::npos);
  EXPECT_NE(built.message().find("watcher"), std::string::npos);
  EXPECT_TRUE(checkModuleNames({"memory", "api", "watcher"}).isOk());
}

TEST_F(SupervisorTest, TlsRedisUrlIsRefusedBeforeAnythingIsCreated) {
  config_.bus.url = "rediss://localhost:6379";
  auto supervisor = make();
  Status built = supervisor->build();
  ASSERT_EQ(built.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(built.message().find("bus.url"), std::string::npos) << built.message();
  EXPECT_NE(built.message().find("TLS"), std::string::npos) << built.message();
  EXPECT_FALSE(std::filesystem::exists(config_.state_dir));
  EXPECT_EQ(supervisor->bus(), nullptr);
}

TEST_F(SupervisorTest, AnUnreachableRedisStartsTheBusDegraded) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  config_.bus.url = "redis://127.0.0.1:1";
  auto supervisor = make();
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_NE(supervisor->bus(), nullptr);
  EXPECT_EQ(supervisor->bus()->kind(), "redis");
  EXPECT_FALSE(supervisor->bus()->healthy());
}

TEST_F(SupervisorTest, OtherBusUrlSchemesAreRefused) {
  config_.bus.url = "nats://localhost:4222";
  auto supervisor = make();
  EXPECT_EQ(supervisor->build().code(), StatusCode::kInvalidArgument);
}

TEST_F(SupervisorTest, CreatesTheStateDirOwnerOnlyAndTheEmbeddedBus) {
  config_.state_dir = (dir_.path() / "a" / "b").string();
  auto supervisor = make();
  ASSERT_TRUE(supervisor->build().isOk());
  struct stat info {};
  ASSERT_EQ(stat(config_.state_dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_NE(supervisor->bus(), nullptr);
  EXPECT_EQ(supervisor->bus()->kind(), "embedded");
}

TEST_F(SupervisorTest, StateDirThatIsAFileIsAnError) {
  config_.state_dir = dir_.write("not-a-dir", "x").string();
  auto supervisor = make();
  Status built = supervisor->build();
  EXPECT_FALSE(built.isOk());
  EXPECT_NE(built.message().find("not a directory"), std::string::npos);
}

TEST_F(SupervisorTest, StartFailureStopsWhatStartedInReverseAndNamesTheModule) {
  auto supervisor = make({}, {{"brain", FakeBehaviour{unavailable("no policies"), 0ns}}});
  ASSERT_TRUE(supervisor->build().isOk());
  Status started = supervisor->start();
  ASSERT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_NE(started.message().find("starting brain"), std::string::npos);
  EXPECT_NE(started.message().find("no policies"), std::string::npos);
  EXPECT_EQ(journal_.events, (std::vector<std::string>{
                                 "start memory", "start commander", "start approval", "start brain",
                                 "stop approval", "stop commander", "stop memory"}));
  EXPECT_TRUE(supervisor->running().empty());
}

TEST_F(SupervisorTest, EachStopGetsAShareOfWhatIsLeftOfTheBudget) {
  RunOptions options;
  options.modules = {"memory", "guardian", "watcher"};
  options.shutdown_budget = 3000ms;
  auto supervisor = make(options, {{"watcher", FakeBehaviour{Status::ok(), 0ns}},
                                   {"guardian", FakeBehaviour{Status::ok(), 400ms}}});
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_TRUE(supervisor->start().isOk());
  MonoTime begin = clock_.monotonic();
  ASSERT_TRUE(supervisor->stop().isOk());
  ASSERT_EQ(journal_.deadlines.size(), 3u);
  // watcher: a third of 3 s; guardian: half of the 3 s the watcher left; memory: all that is
  // left after the guardian used 400 ms.
  EXPECT_EQ(journal_.deadlines[0], begin + 1000ms);
  EXPECT_EQ(journal_.deadlines[1], begin + 1500ms);
  EXPECT_EQ(journal_.deadlines[2], begin + 3000ms);
}

TEST_F(SupervisorTest, OverrunningTheBudgetIsReportedNamingTheSlowestModule) {
  RunOptions options;
  options.shutdown_budget = 4500ms;
  auto supervisor = make(options, {{"memory", FakeBehaviour{Status::ok(), 5s}}});
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_TRUE(supervisor->start().isOk());
  Status stopped = supervisor->stop();
  ASSERT_EQ(stopped.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(stopped.message().find("memory"), std::string::npos);
  EXPECT_NE(stopped.message().find("4500 ms"), std::string::npos);
}

TEST_F(SupervisorTest, UsingTheWholeBudgetIsNotAnOverrun) {
  RunOptions options;
  options.modules = {"memory"};
  options.shutdown_budget = 4500ms;
  auto supervisor = make(options, {{"memory", FakeBehaviour{Status::ok(), 4500ms}}});
  ASSERT_TRUE(supervisor->build().isOk());
  ASSERT_TRUE(supervisor->start().isOk());
  EXPECT_TRUE(supervisor->stop().isOk());
}

TEST_F(SupervisorTest, DestructionStopsWhatIsStillRunning) {
  {
    auto supervisor = make({.modules = {"memory", "brain"}});
    ASSERT_TRUE(supervisor->build().isOk());
    ASSERT_TRUE(supervisor->start().isOk());
  }
  EXPECT_EQ(journal_.events,
            (std::vector<std::string>{"start memory", "start brain", "stop brain", "stop memory"}));
}

TEST_F(SupervisorTest, ModulesReceiveTheNodeNameAndTheSharedRegistry) {
  config_.node.name = "node-a";
  std::string seen_node;
  MetricsRegistry* seen_metrics = nullptr;
  ModuleFactories factories;
  factories["memory"] = [&](const config::Config&, ModuleContext context) {
    seen_node = context.node;
    seen_metrics = &context.metrics;
    return std::make_unique<FakeModule>("memory", journal_, clock_, FakeBehaviour{});
  };
  Supervisor supervisor(config_, {}, clock_, factories);
  ASSERT_TRUE(supervisor.build().isOk());
  EXPECT_EQ(seen_node, "node-a");
  EXPECT_EQ(seen_metrics, &supervisor.metrics());
}

TEST_F(SupervisorTest, EmptyNodeNameFallsBackToTheHostName) {
  Supervisor supervisor(config_, {}, clock_, fakes());
  EXPECT_FALSE(supervisor.config().node.name.empty());
}

}  // namespace
}  // namespace orion::daemon
