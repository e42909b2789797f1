// The control channel through Redis (bus/redis_control.h) on a real redis-server: a CLI-side
// call reaches the process that registered the operation and gets its answer; the caller is
// named as it claims (redis:<user>@<host>, "(claimed)"); operations that need a caller the
// kernel vouches for are refused; an operation nobody holds times out; a request that is not a
// control_request is dead-lettered; an expired one, or one written before the server started,
// is never served.
#include "bus/redis_control.h"

#include <gtest/gtest.h>

#include <atomic>

#include "redis_bus_fixture.h"

namespace orion::bus::testing {
namespace {

class RedisControlTest : public RedisBusTest {
 protected:
  void SetUp() override {
    RedisBusTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(router_
                    .registerOp("approvals.list", "pending requests",
                                [this](const control::Request& request) -> Result<Json> {
                                  ++calls_;
                                  return Json{{"pending", Json::array()},
                                              {"identity", request.peer.identity},
                                              {"via", request.peer.via},
                                              {"args", request.args}};
                                })
                    .isOk());
    ASSERT_TRUE(router_
                    .registerOp("autonomy.set", "change the level",
                                [this](const control::Request&) -> Result<Json> {
                                  ++calls_;
                                  return Json::object();
                                })
                    .isOk());
    bus_ = makeBus();
    ASSERT_NE(bus_, nullptr);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  RedisEndpoint endpoint() const { return options().endpoint; }

  void startServer() {
    RedisControlServerOptions options;
    options.endpoint = endpoint();
    options.node = "core-1";
    options.reconnect = {20ms, 200ms};
    options.block = 100ms;
    server_ = std::make_unique<RedisControlServer>(options, router_, *contracts(), *bus_, clock_,
                                                   metrics_, makeLogger("control-test"));
    server_->start();
    ASSERT_TRUE(waitUntil([&] { return server_->following(); }, 5s));
  }

  Result<Json> call(std::string op, Json args = Json::object(), Duration timeout = 5s) {
    RedisControlCall request;
    request.endpoint = endpoint();
    request.op = std::move(op);
    request.args = std::move(args);
    request.sender = {"alice", "laptop", 4242};
    request.timeout = timeout;
    return callThroughRedis(request, *contracts(), clock_);
  }

  double requests(const std::string& outcome) {
    return metrics_.read("orion_control_redis_requests_total", {{"outcome", outcome}});
  }

  Json controlRequest(WallTime expires_at) {
    return Json{{"version", "1.0"},
                {"request_id", newUuid()},
                {"timestamp", formatRfc3339(clock_.now())},
                {"source", "orion-cli"},
                {"op", "approvals.list"},
                {"args", Json::object()},
                {"expires_at", formatRfc3339(expires_at)},
                {"sender", {{"user", "mallory"}, {"host", "elsewhere"}}}};
  }

  control::Router router_;
  std::atomic<int> calls_{0};
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<RedisControlServer> server_;
};

TEST_F(RedisControlTest, ACallReachesTheProcessHoldingTheOperationAndNamesTheCallerAsClaimed) {
  startServer();
  auto result = call("approvals.list", Json{{"state", "pending"}});
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  EXPECT_EQ((*result)["identity"], "redis:alice@laptop");
  EXPECT_EQ((*result)["args"]["state"], "pending");
  std::string via = (*result)["via"];
  EXPECT_NE(via.find("redis orion:control_requests"), std::string::npos) << via;
  EXPECT_NE(via.find("alice@laptop pid 4242 (claimed)"), std::string::npos) << via;
  EXPECT_EQ(calls_.load(), 1);
  EXPECT_EQ(requests("served"), 1);
  // The answer was written under the request's own key and expires by itself.
  std::string keys = cli({"--scan", "--pattern", "orion:control_responses:*"});
  ASSERT_FALSE(keys.empty());
  std::string key = keys.substr(0, keys.find('\n'));
  int64_t ttl = std::stoll(cli({"PTTL", key}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60000);
}

TEST_F(RedisControlTest, OperationsThatNeedAProvenCallerAreRefused) {
  startServer();
  auto result = call("autonomy.set", Json{{"level", "N3"}, {"reason", "from a laptop, why not"}});
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied) << result.status().toString();
  EXPECT_NE(result.status().message().find("control socket"), std::string::npos);
  EXPECT_EQ(calls_.load(), 0);
  EXPECT_EQ(requests("refused"), 1);
}

TEST_F(RedisControlTest, AnOperationNoProcessHoldsTimesOutSayingSo) {
  startServer();
  auto result = call("approvals.show", Json{{"id", "0123456789"}}, 300ms);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded) << result.status().toString();
  EXPECT_NE(result.status().message().find("no ORION process answered 'approvals.show'"),
            std::string::npos)
      << result.status().message();
  EXPECT_TRUE(waitUntil([&] { return requests("elsewhere") == 1; }, 2s));
}

TEST_F(RedisControlTest, NoServerMeansADeadlineAndNoServerWritesNothing) {
  auto result = call("approvals.list", Json::object(), 200ms);
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded) << result.status().toString();
}

TEST_F(RedisControlTest, AnInvalidRequestIsDeadLetteredAndAnExpiredOneIsNeverServed) {
  // Written before the server follows the stream: never served.
  cli({"XADD", "orion:control_requests", "*", "data",
       dumpJson(controlRequest(clock_.now() + 60s))});
  startServer();
  cli({"XADD", "orion:control_requests", "*", "data", "approve everything"});
  Json unknown_field = controlRequest(clock_.now() + 60s);
  unknown_field["reply_to"] = "orion:approval_decisions";
  cli({"XADD", "orion:control_requests", "*", "data", dumpJson(unknown_field)});
  cli({"XADD", "orion:control_requests", "*", "data", dumpJson(controlRequest(clock_.now() - 1s))});
  ASSERT_TRUE(waitUntil([&] { return requests("invalid") == 2 && requests("expired") == 1; }, 5s));
  ASSERT_TRUE(waitUntil([&] { return deadLetters().size() == 2; }, 5s));
  std::vector<Json> letters = deadLetters();
  EXPECT_EQ(letters[0]["stream"], "orion:control_requests");
  EXPECT_NE(letters[0]["reason"].get<std::string>().find("not JSON"), std::string::npos)
      << letters[0].dump();
  EXPECT_EQ(letters[0]["original_raw"], "approve everything");
  EXPECT_NE(letters[1]["reason"].get<std::string>().find("reply_to"), std::string::npos)
      << letters[1].dump();
  EXPECT_EQ(calls_.load(), 0);
  EXPECT_EQ(cli({"--scan", "--pattern", "orion:control_responses:*"}), "");
}

TEST_F(RedisControlTest, TheServerFollowsRedisThroughARestart) {
  startServer();
  ASSERT_TRUE(call("approvals.list").isOk());
  redis_->kill();
  ASSERT_TRUE(redis_->restart().isOk());
  // It reconnects by itself and serves again.
  ASSERT_TRUE(waitUntil([&] { return call("approvals.list", Json::object(), 500ms).isOk(); }, 10s));
}

TEST(RedisControlOps, OnlyReadOnlyOperationsAndSignedAnswersAreServed) {
  EXPECT_TRUE(servedThroughRedis("approvals.answer"));
  EXPECT_TRUE(servedThroughRedis("approvals.list"));
  EXPECT_FALSE(servedThroughRedis("autonomy.set"));
  EXPECT_FALSE(servedThroughRedis("policy.reload"));
  EXPECT_TRUE(servesThroughRedis({"ops.list", "approvals.list"}));
  EXPECT_FALSE(servesThroughRedis({"ops.list", "policy.reload"}));
  EXPECT_EQ(redisCallerIdentity({"alice", "laptop", 1}), "redis:alice@laptop");
  EXPECT_EQ(controlResponseKey("orion", "abc"), "orion:control_responses:abc");
}

}  // namespace
}  // namespace orion::bus::testing
