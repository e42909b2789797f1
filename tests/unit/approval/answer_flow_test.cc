// The coordinator with its control operations, admin key and state directory: the admin's answers
// arrive through approvals.answer, are verified, published once, and everything survives a
// restart. Time is a SimulatedClock; waits have deadlines.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "approval/coordinator.h"
#include "control/control.h"
#include "signing/approval_signature.h"
#include "test_requests.h"
#include "testing/fake_bus.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::approval {
namespace {

using contracts::ApprovalVerdict;
using std::chrono::minutes;
using testing::answerTo;
using testing::approvalRequest;
using testing::FakeBus;
using testing::testKey;
using testing::waitUntil;

constexpr const char* kKeyBytes = "0123456789abcdef-admin";

class AnswerFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = dir_.write("admin.key", kKeyBytes);
    std::filesystem::permissions(key, std::filesystem::perms::owner_read);
    startCoordinator();
  }
  void TearDown() override { stopCoordinator(); }

  void startCoordinator() {
    CoordinatorOptions options;
    options.max_sweep_wait = std::chrono::milliseconds(2);
    options.admin_key_file = "admin.key";  // relative: under state_dir
    coordinator_ = makeCoordinator(
        options, ModuleContext{bus_, clock_, metrics_, "n", dir_.path().string(), &router_});
    ASSERT_TRUE(coordinator_->start().isOk());
  }
  void stopCoordinator() {
    if (coordinator_) coordinator_->stop(clock_.monotonic());
    coordinator_.reset();
  }

  Result<Json> call(std::string op, Json args, std::string user = "tester") {
    control::Request request{std::move(op), std::move(args),
                             control::Peer{1000, 1000, 42, user, "", ""}};
    return router_.dispatch(request);
  }

  Result<Json> send(const contracts::ApprovalDecision& answer, std::string user = "tester") {
    return call("approvals.answer", Json{{"answer", answer.toJson()}}, std::move(user));
  }

  contracts::ApprovalDecision signedAnswer(const Json& request, ApprovalVerdict verdict,
                                           std::string reason) {
    return signing::makeSignedAnswer(answerTo(request, verdict, std::move(reason)), key_,
                                     clock_.now());
  }

  Json deliverRequest(Duration expires_in = minutes(10)) {
    Json request = approvalRequest(clock_.now(), clock_.now() + expires_in);
    EXPECT_TRUE(bus_.deliver("approval_request", request).isOk());
    return request;
  }

  testing::TempDir dir_;
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  FakeBus bus_;
  control::Router router_;
  signing::AdminKey key_ = testKey(kKeyBytes);
  std::unique_ptr<Service> coordinator_;
};

TEST_F(AnswerFlowTest, ListShowsThePendingRequestWithItsActionAndHash) {
  Json request = deliverRequest();
  auto listed = call("approvals.list", Json::object());
  ASSERT_TRUE(listed.isOk()) << listed.status().toString();
  ASSERT_EQ((*listed)["pending"].size(), 1u);
  const Json& shown = (*listed)["pending"][0];
  EXPECT_EQ(shown["approval_request_id"], request["approval_request_id"]);
  EXPECT_EQ(shown["parameters"]["service_name"], "nginx");
  EXPECT_EQ(shown["action_hash"],
            signing::actionHash("restart_service", Json{{"service_name", "nginx"}}));
  EXPECT_EQ(shown["seconds_left"], 600);

  std::string prefix = request["approval_request_id"].get<std::string>().substr(0, 8);
  auto one = call("approvals.show", Json{{"id", prefix}});
  ASSERT_TRUE(one.isOk()) << one.status().toString();
  EXPECT_EQ((*one)["approval_request_id"], request["approval_request_id"]);
  EXPECT_EQ(call("approvals.show", Json{{"id", "abc"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AnswerFlowTest, ApprovalIsPublishedOnceAndCannotBeReused) {
  Json request = deliverRequest();
  auto approval = signedAnswer(request, ApprovalVerdict::kApprove, "nginx may restart");
  auto sent = send(approval);
  ASSERT_TRUE(sent.isOk()) << sent.status().toString();
  EXPECT_TRUE((*sent)["published"].get<bool>());
  ASSERT_EQ(bus_.published("approval_decision").size(), 1u);
  EXPECT_EQ(bus_.published("approval_decision")[0]["approval_id"], approval.approval_id);
  EXPECT_EQ(metrics_.read("orion_approval_pending"), 0);

  auto again = send(approval);
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
  EXPECT_NE(again.status().message().find("single-use"), std::string::npos);
  // A redelivered request that was answered does not come back.
  ASSERT_TRUE(bus_.deliver("approval_request", request, 2).isOk());
  EXPECT_EQ(metrics_.read("orion_approval_pending"), 0);
  EXPECT_EQ(bus_.published("approval_decision").size(), 1u);
}

TEST_F(AnswerFlowTest, WrongKeyAndImpersonationAreRefusedAndTheRequestStaysPending) {
  Json request = deliverRequest();
  auto forged = signing::makeSignedAnswer(answerTo(request, ApprovalVerdict::kApprove, "forged"),
                                          testKey("not-the-admin-key!"), clock_.now());
  EXPECT_EQ(send(forged).status().code(), StatusCode::kPermissionDenied);
  auto approval = signedAnswer(request, ApprovalVerdict::kApprove, "fine");
  EXPECT_EQ(send(approval, "mallory").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(metrics_.read("orion_approval_answers_refused_total"), 2);
  EXPECT_EQ(metrics_.read("orion_approval_pending"), 1);
  EXPECT_TRUE(bus_.published("approval_decision").empty());
}

TEST_F(AnswerFlowTest, AnswerAfterExpiryIsRefusedAndTheRequestEndsExpired) {
  Json request = deliverRequest(minutes(5));
  // The answer is signed before the deadline but arrives after it.
  auto late = signedAnswer(request, ApprovalVerdict::kDeny, "no");
  clock_.setWall(clock_.now() + minutes(5));
  // Either the answer finds the request expired, or the expiry sweep (its own thread, woken by
  // the clock) ended it first and the answer finds nothing pending: refused both ways, and the
  // request ends with exactly one expiry record.
  Status status = send(late).status();
  EXPECT_TRUE(status.code() == StatusCode::kFailedPrecondition ||
              status.code() == StatusCode::kNotFound)
      << status.toString();
  ASSERT_TRUE(waitUntil([&] { return bus_.published("approval_decision").size() == 1; }));
  EXPECT_EQ(bus_.published("approval_decision")[0]["tags"]["expired"], "true");
  stopCoordinator();  // the sweep has stopped: nothing more can be published
  EXPECT_EQ(bus_.published("approval_decision").size(), 1u);
}

TEST_F(AnswerFlowTest, PendingRequestsAndAnswersSurviveARestart) {
  Json waiting = deliverRequest(minutes(10));
  Json answered = deliverRequest(minutes(10));
  ASSERT_TRUE(send(signedAnswer(answered, ApprovalVerdict::kDeny, "not now")).isOk());
  stopCoordinator();

  startCoordinator();
  EXPECT_EQ(metrics_.read("orion_approval_pending"), 1);
  auto listed = call("approvals.list", Json::object());
  ASSERT_TRUE(listed.isOk());
  ASSERT_EQ((*listed)["pending"].size(), 1u);
  EXPECT_EQ((*listed)["pending"][0]["approval_request_id"], waiting["approval_request_id"]);
  // The answered one stays answered, even when the bus delivers its request again.
  ASSERT_TRUE(bus_.deliver("approval_request", answered, 2).isOk());
  EXPECT_EQ(metrics_.read("orion_approval_pending"), 1);
  // The waiting one can still be approved after the restart, and expires if it is not.
  clock_.advance(minutes(10));
  ASSERT_TRUE(waitUntil([&] { return bus_.published("approval_decision").size() == 2; }));
}

TEST_F(AnswerFlowTest, AnswerThatTheBusRefusesIsKeptAndPublishedLater) {
  Json request = deliverRequest();
  bus_.failPublishes(1);
  auto sent = send(signedAnswer(request, ApprovalVerdict::kApprove, "go ahead"));
  ASSERT_TRUE(sent.isOk()) << sent.status().toString();
  EXPECT_FALSE((*sent)["published"].get<bool>());
  ASSERT_TRUE(waitUntil([&] { return bus_.published("approval_decision").size() == 1; }));
}

TEST(CoordinatorKeyTest, AKeyFileOpenToOthersStopsTheStart) {
  testing::TempDir dir;
  auto key = dir.write("admin.key", kKeyBytes);
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  SimulatedClock clock;
  MetricsRegistry metrics;
  FakeBus bus;
  CoordinatorOptions options;
  options.admin_key_file = key.string();
  auto coordinator = makeCoordinator(options, ModuleContext{bus, clock, metrics, "n"});
  Status status = coordinator->start();
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(status.message().find("approval.admin_key_file"), std::string::npos);
}

}  // namespace
}  // namespace orion::approval
