// A GoogleTest fixture whose suite shares one private podman API service (podman_service.h)
// with the test image built. Each test starts with the service running (started again if a test
// stopped it) and ends with every container removed. Without podman a test is skipped, or
// failed under CI=true (ORION_REQUIRE_COMPONENT).
//
// A derived fixture that overrides SetUp() or TearDown() calls these first and returns when
// the base skipped or failed: `PodmanSuite::SetUp(); if (IsSkipped() || HasFatalFailure())
// return;`.
#pragma once

#include <gtest/gtest.h>

#include "testing/podman_service.h"

namespace orion::testing {

class PodmanSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!PodmanService::available()) return;
    podman_ = new PodmanService();
    start_status_ = podman_->start();
    if (start_status_.isOk()) start_status_ = podman_->buildTestImage();
  }
  static void TearDownTestSuite() {
    delete podman_;
    podman_ = nullptr;
  }

  void SetUp() override {
    ORION_REQUIRE_COMPONENT(PodmanService::missingReason());
    ASSERT_TRUE(start_status_.isOk()) << start_status_.toString();
    if (!podman_->serviceRunning()) {
      Status restarted = podman_->start();
      ASSERT_TRUE(restarted.isOk()) << restarted.toString();
    }
  }
  void TearDown() override {
    if (podman_ != nullptr) (void)podman_->podman({"rm", "--force", "--all", "--time", "0"});
  }

  static inline PodmanService* podman_ = nullptr;
  static inline Status start_status_;
};

}  // namespace orion::testing
