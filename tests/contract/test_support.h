// Shared by the contract tests: the embedded registry, loaded once, and failure helpers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "contracts/registry.h"

namespace orion::contracts::testing {

// The registry of the embedded schemas (loading failures fail the test that asks).
std::shared_ptr<const ContractRegistry> embeddedRegistry();

bool hasFailureAt(const std::vector<ValidationFailure>& failures, const std::string& pointer);

// "\n  <pointer>: <message>" per failure, for assertion messages.
std::string describe(const std::vector<ValidationFailure>& failures);

}  // namespace orion::contracts::testing
