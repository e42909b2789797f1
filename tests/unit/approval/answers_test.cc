// The checks an admin's answer must pass (answers.h) and the signatures behind them
// (signing/approval_signature.h).
#include "approval/answers.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "signing/approval_signature.h"
#include "test_requests.h"
#include "testing/temp_dir.h"

namespace orion::approval {
namespace {

using contracts::ApprovalVerdict;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::answerTo;
using testing::approvalRequest;
using testing::testKey;

class AnswersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    document_ = approvalRequest(clock_.now(), clock_.now() + minutes(5));
    auto parsed = parseApprovalRequest(document_);
    ASSERT_TRUE(parsed.isOk());
    request_ = *parsed;
    request_.received_at = clock_.now();
  }

  contracts::ApprovalDecision answer(ApprovalVerdict verdict, std::string reason) {
    return signing::makeSignedAnswer(answerTo(document_, verdict, std::move(reason)), key_,
                                     clock_.now());
  }

  Status check(const contracts::ApprovalDecision& a, std::string identity = "cli:tester") {
    return checkAnswer(request_, a, identity, rules_, clock_.now());
  }

  SimulatedClock clock_;
  signing::AdminKey key_ = testKey();
  AnswerRules rules_{&key_, minutes(5)};
  Json document_;
  PendingRequest request_;
};

TEST_F(AnswersTest, ASignedApproveDenyOrForceForThisRequestIsAccepted) {
  EXPECT_TRUE(check(answer(ApprovalVerdict::kApprove, "looks fine")).isOk());
  EXPECT_TRUE(check(answer(ApprovalVerdict::kDeny, "no")).isOk());
  EXPECT_TRUE(check(answer(ApprovalVerdict::kForce, "the breaker is wrong here")).isOk());
}

TEST_F(AnswersTest, TheSignatureSurvivesTheTripThroughJson) {
  auto a = answer(ApprovalVerdict::kApprove, "looks fine");
  auto back = contracts::ApprovalDecision::fromJson(a.toJson());
  ASSERT_TRUE(back.isOk());
  EXPECT_TRUE(signing::verifyApproval(*back, key_).isOk());
  EXPECT_TRUE(check(*back).isOk());
}

TEST_F(AnswersTest, WrongKeyOrAlteredAnswerIsRefused) {
  auto forged = signing::makeSignedAnswer(answerTo(document_, ApprovalVerdict::kApprove, "forged"),
                                          testKey("another-key-16-bytes"), clock_.now());
  EXPECT_EQ(check(forged).code(), StatusCode::kPermissionDenied);

  auto altered = answer(ApprovalVerdict::kDeny, "no");
  altered.decision = ApprovalVerdict::kApprove;
  altered.action_id = newUuid();
  altered.expires_at = clock_.now() + minutes(1);
  EXPECT_EQ(check(altered).code(), StatusCode::kPermissionDenied);

  auto unsigned_answer = answer(ApprovalVerdict::kApprove, "fine");
  unsigned_answer.tags.erase("signature");
  EXPECT_EQ(check(unsigned_answer).code(), StatusCode::kPermissionDenied);

  AnswerRules no_key{nullptr, minutes(5)};
  EXPECT_EQ(checkAnswer(request_, answer(ApprovalVerdict::kApprove, "fine"), "cli:tester", no_key,
                        clock_.now())
                .code(),
            StatusCode::kPermissionDenied);
}

TEST_F(AnswersTest, AnAnswerBoundToAnotherActionOrDecisionIsRefused) {
  signing::AnswerSpec spec = answerTo(document_, ApprovalVerdict::kApprove, "fine");
  spec.action_hash = signing::actionHash("restart_service", Json{{"service_name", "sshd"}});
  Status status = check(signing::makeSignedAnswer(spec, key_, clock_.now()));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("action hash"), std::string::npos);

  spec = answerTo(document_, ApprovalVerdict::kApprove, "fine");
  spec.decision_id = newUuid();
  EXPECT_EQ(check(signing::makeSignedAnswer(spec, key_, clock_.now())).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AnswersTest, ApproveDenyAndForceAllCheckExpiry) {
  for (ApprovalVerdict verdict :
       {ApprovalVerdict::kApprove, ApprovalVerdict::kDeny, ApprovalVerdict::kForce}) {
    SimulatedClock late;
    late.setWall(clock_.now() + minutes(5));
    auto a = signing::makeSignedAnswer(answerTo(document_, verdict, "a long enough reason"), key_,
                                       late.now());
    EXPECT_EQ(checkAnswer(request_, a, "cli:tester", rules_, late.now()).code(),
              StatusCode::kFailedPrecondition)
        << contracts::toString(verdict);
  }
}

TEST_F(AnswersTest, ReasonsAndOverridesAreChecked) {
  EXPECT_EQ(check(answer(ApprovalVerdict::kApprove, "   ")).code(), StatusCode::kInvalidArgument);
  Status short_force = check(answer(ApprovalVerdict::kForce, " too short "));
  EXPECT_EQ(short_force.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_force.message().find("at least 10"), std::string::npos);

  signing::AnswerSpec spec = answerTo(document_, ApprovalVerdict::kApprove, "fine");
  spec.override_cooldown = true;
  EXPECT_EQ(check(signing::makeSignedAnswer(spec, key_, clock_.now())).code(),
            StatusCode::kInvalidArgument);
  spec.verdict = ApprovalVerdict::kForce;
  spec.reason = "the cooldown is wrong for this one";
  EXPECT_TRUE(check(signing::makeSignedAnswer(spec, key_, clock_.now())).isOk());
}

TEST_F(AnswersTest, ARequestHeldBackByAnOpenBreakerRunsOnlyOnAForceThatOverridesIt) {
  document_["tags"]["requires_override"] = "circuit_breaker";
  auto parsed = parseApprovalRequest(document_);
  ASSERT_TRUE(parsed.isOk());
  request_ = *parsed;
  EXPECT_EQ(request_.requires_override, "circuit_breaker");
  auto stored = PendingRequest::fromStored(request_.toJson());
  ASSERT_TRUE(stored.isOk());
  EXPECT_EQ(stored->requires_override, "circuit_breaker") << "kept across a restart";

  Status approve = check(answer(ApprovalVerdict::kApprove, "looks fine"));
  EXPECT_EQ(approve.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(approve.message().find("--override-breaker"), std::string::npos) << approve.message();
  EXPECT_EQ(check(answer(ApprovalVerdict::kForce, "the breaker is wrong here")).code(),
            StatusCode::kInvalidArgument)
      << "a force without the flag";
  signing::AnswerSpec spec = answerTo(document_, ApprovalVerdict::kForce, "the breaker is wrong");
  spec.override_circuit_breaker = true;
  EXPECT_TRUE(check(signing::makeSignedAnswer(spec, key_, clock_.now())).isOk());
  EXPECT_TRUE(check(answer(ApprovalVerdict::kDeny, "leave it")).isOk()) << "deny is always fine";
}

TEST_F(AnswersTest, ARequestHeldBackByItsCooldownNeedsAForceUntilTheCooldownEnds) {
  document_["tags"]["requires_override"] = "cooldown";
  document_["tags"]["cooldown_until"] = formatRfc3339(clock_.now() + minutes(3));
  auto parsed = parseApprovalRequest(document_);
  ASSERT_TRUE(parsed.isOk());
  request_ = *parsed;
  auto stored = PendingRequest::fromStored(request_.toJson());
  ASSERT_TRUE(stored.isOk());
  EXPECT_EQ(stored->cooldown_until, request_.cooldown_until) << "kept across a restart";

  Status approve = check(answer(ApprovalVerdict::kApprove, "looks fine"));
  EXPECT_EQ(approve.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(approve.message().find("--override-cooldown"), std::string::npos) << approve.message();
  EXPECT_NE(approve.message().find("cooldown has not passed"), std::string::npos);
  signing::AnswerSpec spec = answerTo(document_, ApprovalVerdict::kForce, "it must run right now");
  spec.override_circuit_breaker = true;
  EXPECT_FALSE(check(signing::makeSignedAnswer(spec, key_, clock_.now())).isOk())
      << "the other flag does not lift a cooldown";
  spec.override_circuit_breaker = false;
  spec.override_cooldown = true;
  EXPECT_TRUE(check(signing::makeSignedAnswer(spec, key_, clock_.now())).isOk());

  // Once the cooldown has ended, a plain approve is enough.
  clock_.advance(minutes(3));
  EXPECT_TRUE(check(answer(ApprovalVerdict::kApprove, "looks fine")).isOk());
}

TEST_F(AnswersTest, ValidityClockSkewAndIdentityAreChecked) {
  signing::AnswerSpec spec = answerTo(document_, ApprovalVerdict::kApprove, "fine");
  spec.validity = minutes(30);
  EXPECT_EQ(check(signing::makeSignedAnswer(spec, key_, clock_.now())).code(),
            StatusCode::kInvalidArgument);

  spec.validity = minutes(5);
  auto stale = signing::makeSignedAnswer(spec, key_, clock_.now() - minutes(3));
  EXPECT_EQ(check(stale).code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(check(answer(ApprovalVerdict::kApprove, "fine"), "cli:mallory").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(cliIdentity(1000, "alice"), "cli:alice");
  EXPECT_EQ(cliIdentity(1000, ""), "cli:uid-1000");
}

TEST_F(AnswersTest, ExpiryRecordIsASignedDenyThatNeverExecutes) {
  auto record = expiryRecord(request_, "it expired", newUuid(), &key_, clock_.now());
  EXPECT_EQ(record.decision, ApprovalVerdict::kDeny);
  EXPECT_EQ(record.source, "orion-approval-coordinator");
  EXPECT_FALSE(record.action_id.has_value());
  EXPECT_EQ(record.tags.at("expired"), "true");
  EXPECT_EQ(record.tags.at("action_hash"), request_.action_hash);
  EXPECT_TRUE(signing::verifyApproval(record, key_).isOk());
}

TEST(AdminKeyTest, KeyFilesOpenToGroupOrOthersAreRefused) {
  testing::TempDir dir;
  auto file = dir.write("admin.key", "0123456789abcdef0123\n");
  std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write |
                                         std::filesystem::perms::group_read);
  auto key = signing::AdminKey::load(file);
  ASSERT_FALSE(key.isOk());
  EXPECT_EQ(key.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(key.status().message().find("chmod 600"), std::string::npos);

  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  key = signing::AdminKey::load(file);
  ASSERT_TRUE(key.isOk()) << key.status().toString();
  // The trailing newline is not part of the key.
  EXPECT_EQ(key->sign("x"), testKey("0123456789abcdef0123").sign("x"));

  auto short_file = dir.write("short.key", "tiny");
  std::filesystem::permissions(short_file, std::filesystem::perms::owner_read);
  EXPECT_EQ(signing::AdminKey::load(short_file).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(signing::AdminKey::load(dir.path() / "absent").status().code(), StatusCode::kNotFound);
}

TEST(ActionHashTest, SameActionSameHashAnyChangeAnother) {
  Json a = {{"service_name", "nginx"}, {"node", "nas"}};
  Json b = {{"node", "nas"}, {"service_name", "nginx"}};
  EXPECT_EQ(signing::actionHash("restart_service", a), signing::actionHash("restart_service", b));
  EXPECT_NE(signing::actionHash("restart_service", a), signing::actionHash("restart_container", a));
  b["node"] = "pi";
  EXPECT_NE(signing::actionHash("restart_service", a), signing::actionHash("restart_service", b));
}

}  // namespace
}  // namespace orion::approval
