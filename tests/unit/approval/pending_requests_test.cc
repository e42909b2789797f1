#include "approval/pending_requests.h"

#include <gtest/gtest.h>

#include "test_requests.h"

namespace orion::approval {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::approvalRequest;

PendingRequest parsed(const Json& document) {
  auto request = parseApprovalRequest(document);
  EXPECT_TRUE(request.isOk()) << request.status().toString();
  return request.isOk() ? *request : PendingRequest{};
}

TEST(ParseApprovalRequestTest, ReadsTheFieldsTheCoordinatorNeeds) {
  SimulatedClock clock;
  Json document = approvalRequest(clock.now(), clock.now() + minutes(5));
  PendingRequest request = parsed(document);
  EXPECT_EQ(request.approval_request_id, document["approval_request_id"]);
  EXPECT_EQ(request.decision_id, document["decision_id"]);
  EXPECT_EQ(request.action_type, "restart_service");
  EXPECT_EQ(request.risk_level, "RISKY");
  EXPECT_EQ(request.incident_id, document["incident_id"].get<std::string>());
  EXPECT_EQ(request.expires_at, clock.now() + minutes(5));
}

TEST(ParseApprovalRequestTest, BadInputIsAnErrorNamingTheField) {
  SimulatedClock clock;
  Json valid = approvalRequest(clock.now(), clock.now() + minutes(5));

  Json missing = valid;
  missing.erase("decision_id");
  auto result = parseApprovalRequest(missing);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("decision_id"), std::string::npos);

  Json wrong_type = valid;
  wrong_type["action_type"] = 7;
  result = parseApprovalRequest(wrong_type);
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("action_type': expected a string"), std::string::npos);

  Json naive = valid;
  naive["expires_at"] = "2026-01-01T00:05:00";  // no offset: never guessed
  result = parseApprovalRequest(naive);
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("expires_at"), std::string::npos);

  EXPECT_FALSE(parseApprovalRequest(Json::array()).isOk());
}

class PendingRequestsTest : public ::testing::Test {
 protected:
  PendingRequest request(Duration expires_in) {
    return parsed(approvalRequest(clock_.now(), clock_.now() + expires_in));
  }

  SimulatedClock clock_;
  PendingRequests pending_{PendingOptions{}};
};

TEST_F(PendingRequestsTest, ExpireRemovesExactlyTheRequestsPastTheirDeadline) {
  PendingRequest soon = request(minutes(5));
  PendingRequest later = request(minutes(10));
  ASSERT_EQ(pending_.add(later, clock_.now()).result, AddResult::kAdded);
  ASSERT_EQ(pending_.add(soon, clock_.now()).result, AddResult::kAdded);
  EXPECT_EQ(pending_.nextExpiry(), soon.expires_at);

  clock_.advance(minutes(5) - seconds(1));
  EXPECT_TRUE(pending_.expire(clock_.now()).empty());
  EXPECT_EQ(pending_.size(), 2u);

  clock_.advance(seconds(1));  // exactly at expires_at: expired (silence is never permission)
  auto expired = pending_.expire(clock_.now());
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].approval_request_id, soon.approval_request_id);
  EXPECT_EQ(pending_.find(soon.approval_request_id), nullptr);
  EXPECT_NE(pending_.find(later.approval_request_id), nullptr);

  clock_.advance(hours(1));
  expired = pending_.expire(clock_.now());
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].approval_request_id, later.approval_request_id);
  EXPECT_EQ(pending_.size(), 0u);
  EXPECT_FALSE(pending_.nextExpiry().has_value());
}

TEST_F(PendingRequestsTest, AlreadyExpiredRequestIsNeverStored) {
  PendingRequest stale = request(-seconds(1));
  EXPECT_EQ(pending_.add(stale, clock_.now()).result, AddResult::kAlreadyExpired);
  PendingRequest due_now = request(Duration::zero());
  EXPECT_EQ(pending_.add(due_now, clock_.now()).result, AddResult::kAlreadyExpired);
  EXPECT_EQ(pending_.size(), 0u);
}

TEST_F(PendingRequestsTest, RedeliveredRequestIsADuplicate) {
  PendingRequest r = request(minutes(5));
  ASSERT_EQ(pending_.add(r, clock_.now()).result, AddResult::kAdded);
  r.expires_at += hours(1);  // a forged longer expiry on the same id changes nothing
  EXPECT_EQ(pending_.add(r, clock_.now()).result, AddResult::kDuplicate);
  EXPECT_EQ(pending_.find(r.approval_request_id)->expires_at, clock_.now() + minutes(5));
}

TEST_F(PendingRequestsTest, ExpiryIsCappedAtTheMaximumTimeout) {
  PendingRequests capped(PendingOptions{.max_timeout = hours(1)});
  PendingRequest r = request(hours(5));
  ASSERT_EQ(capped.add(r, clock_.now()).result, AddResult::kAdded);
  const PendingRequest* stored = capped.find(r.approval_request_id);
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->expires_at, clock_.now() + hours(1));
  EXPECT_TRUE(stored->timeout_capped);
  EXPECT_EQ(stored->received_at, clock_.now());

  clock_.advance(hours(1));
  EXPECT_EQ(capped.expire(clock_.now()).size(), 1u);
}

TEST_F(PendingRequestsTest, AtCapacityTheSoonestToExpireIsDropped) {
  PendingRequests small(PendingOptions{.capacity = 2});
  PendingRequest a = request(minutes(10));
  PendingRequest b = request(minutes(2));
  PendingRequest c = request(minutes(5));
  ASSERT_FALSE(small.add(a, clock_.now()).evicted.has_value());
  ASSERT_FALSE(small.add(b, clock_.now()).evicted.has_value());
  AddOutcome outcome = small.add(c, clock_.now());
  EXPECT_EQ(outcome.result, AddResult::kAdded);
  ASSERT_TRUE(outcome.evicted.has_value());
  EXPECT_EQ(outcome.evicted->approval_request_id, b.approval_request_id);
  EXPECT_EQ(small.size(), 2u);
  EXPECT_EQ(small.nextExpiry(), c.expires_at);
}

}  // namespace
}  // namespace orion::approval
