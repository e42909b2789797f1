#include "common/status.h"

#include <gtest/gtest.h>

namespace orion {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.isOk());
  EXPECT_EQ(status.toString(), "OK");
}

TEST(StatusTest, ContextIsPrependedToErrors) {
  Status status = invalidArgument("line 12: unknown key 'acton_type'")
                      .withContext("loading policies/actions_safe.yaml");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "loading policies/actions_safe.yaml: line 12: unknown key 'acton_type'");
  EXPECT_EQ(
      status.toString(),
      "INVALID_ARGUMENT: loading policies/actions_safe.yaml: line 12: unknown key 'acton_type'");
}

TEST(StatusTest, ContextLeavesOkUnchanged) {
  EXPECT_TRUE(Status::ok().withContext("anything").isOk());
  EXPECT_EQ(Status::ok().withContext("anything").message(), "");
}

Status failIfNegative(int value) {
  if (value < 0) return invalidArgument("negative");
  return Status::ok();
}

Status chain(int value) {
  ORION_RETURN_IF_ERROR(failIfNegative(value));
  return notFound("reached the end");
}

TEST(StatusTest, ReturnIfErrorStopsAtTheFirstError) {
  EXPECT_EQ(chain(-1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(chain(1).code(), StatusCode::kNotFound);
}

TEST(ResultTest, HoldsAValueOrAnError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.isOk());
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(good.status().isOk());

  Result<int> bad = unavailable("redis is down");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(bad.valueOr(7), 7);
}

TEST(ResultTest, MovesOutItsValue) {
  Result<std::string> result = std::string("payload");
  std::string taken = std::move(result).value();
  EXPECT_EQ(taken, "payload");
}

}  // namespace
}  // namespace orion
