// What the typed-view tests share: the embedded contracts, compiled once per test binary, and a
// time from RFC 3339 text.
#pragma once

#include "common/time.h"
#include "contracts/registry.h"

namespace orion::contracts::fixtures {

inline const ContractRegistry& registry() {
  static const auto kRegistry = *ContractRegistry::loadEmbedded();
  return *kRegistry;
}

inline WallTime at(const char* text) { return *parseRfc3339(text); }

}  // namespace orion::contracts::fixtures
