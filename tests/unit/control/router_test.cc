// The control router: registration rules, dispatch, errors and the wire form of responses.
#include <gtest/gtest.h>

#include <stdexcept>

#include "control/control.h"

namespace orion::control {
namespace {

Handler echo() {
  return [](const Request& request) -> Result<Json> {
    return Json{{"op", request.op}, {"args", request.args}, {"uid", request.peer.uid}};
  };
}

TEST(Router, RegistersAndDispatchesByName) {
  Router router;
  ASSERT_TRUE(router.registerOp("brain.echo", "echoes", echo()).isOk());
  Request request{"brain.echo", Json{{"x", 1}}, Peer{1000, 1000, 42, "alice", "", ""}};
  auto result = router.dispatch(request);
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_EQ((*result)["args"]["x"], 1);
  EXPECT_EQ((*result)["uid"], 1000);
  EXPECT_EQ(router.ops(), std::vector<std::string>{"brain.echo"});
}

TEST(Router, RefusesDuplicatesAndBadNames) {
  Router router;
  ASSERT_TRUE(router.registerOp("brain.echo", "", echo()).isOk());
  EXPECT_EQ(router.registerOp("brain.echo", "", echo()).code(), StatusCode::kAlreadyExists);
  for (const char* bad :
       {"echo", "Brain.echo", "brain.", ".echo", "brain.echo.x", "ops.list", "brain.ec ho"}) {
    EXPECT_EQ(router.registerOp(bad, "", echo()).code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Router, UnknownOpListsTheKnownOnes) {
  Router router;
  ASSERT_TRUE(router.registerOp("policy.reload", "", echo()).isOk());
  ASSERT_TRUE(router.registerOp("autonomy.show", "", echo()).isOk());
  auto result = router.dispatch(Request{"autonomy.sett", {}, {}});
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find("autonomy.show, policy.reload"), std::string::npos)
      << result.status().message();
}

TEST(Router, OpsListAndUnregister) {
  Router router;
  ASSERT_TRUE(router.registerOp("policy.reload", "reload the policy", echo()).isOk());
  auto list = router.dispatch(Request{"ops.list", {}, {}});
  ASSERT_TRUE(list.isOk());
  EXPECT_EQ((*list)["ops"][0]["op"], "policy.reload");
  EXPECT_EQ((*list)["ops"][0]["help"], "reload the policy");
  router.unregisterOp("policy.reload");
  router.unregisterOp("policy.reload");  // absent: nothing happens
  EXPECT_EQ(router.dispatch(Request{"policy.reload", {}, {}}).status().code(),
            StatusCode::kNotFound);
}

TEST(Router, AThrowingHandlerBecomesAnInternalError) {
  Router router;
  ASSERT_TRUE(
      router
          .registerOp("brain.boom", "",
                      [](const Request&) -> Result<Json> { throw std::runtime_error("kaboom"); })
          .isOk());
  auto result = router.dispatch(Request{"brain.boom", {}, {}});
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInternal);
  EXPECT_NE(result.status().message().find("kaboom"), std::string::npos);
}

TEST(Wire, ResponsesRoundTripWithTheirCode) {
  Json ok = responseFor(Result<Json>(Json{{"level", "N2"}}));
  EXPECT_EQ(ok["ok"], true);
  EXPECT_EQ((*resultOf(ok))["level"], "N2");
  for (StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kPermissionDenied,
                          StatusCode::kFailedPrecondition, StatusCode::kNotFound}) {
    Json error = responseFor(Result<Json>(Status(code, "why")));
    EXPECT_EQ(error["ok"], false);
    auto back = resultOf(error);
    ASSERT_FALSE(back.isOk());
    EXPECT_EQ(back.status().code(), code);
    EXPECT_EQ(back.status().message(), "why");
  }
  EXPECT_EQ(resultOf(Json{{"nonsense", 1}}).status().code(), StatusCode::kInternal);
}

TEST(Peer, DescribesUidUserAndPid) {
  EXPECT_EQ((Peer{1000, 1000, 4242, "alice", "", ""}.describe()), "uid 1000 (alice), pid 4242");
  EXPECT_EQ((Peer{0, 0, 0, "", "", ""}.describe()), "uid 0");
  Peer self = selfPeer();
  EXPECT_EQ(self.uid, geteuid());
  EXPECT_EQ(self.pid, getpid());
}

}  // namespace
}  // namespace orion::control
