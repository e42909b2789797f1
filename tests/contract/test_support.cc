#include "test_support.h"

#include <gtest/gtest.h>

namespace orion::contracts::testing {

std::shared_ptr<const ContractRegistry> embeddedRegistry() {
  static const std::shared_ptr<const ContractRegistry> kRegistry = [] {
    auto loaded = ContractRegistry::loadEmbedded();
    return loaded.isOk() ? *loaded : nullptr;
  }();
  if (kRegistry == nullptr) ADD_FAILURE() << "the embedded schemas do not load";
  return kRegistry;
}

bool hasFailureAt(const std::vector<ValidationFailure>& failures, const std::string& pointer) {
  for (const auto& failure : failures) {
    if (failure.pointer == pointer) return true;
  }
  return false;
}

std::string describe(const std::vector<ValidationFailure>& failures) {
  std::string out;
  for (const auto& failure : failures) out += "\n  " + failure.pointer + ": " + failure.message;
  return out.empty() ? " (no failures)" : out;
}

}  // namespace orion::contracts::testing
