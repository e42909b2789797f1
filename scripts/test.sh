#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test: the release build and the
# ASan+UBSan build, each running the whole ctest suite (labels unit, integration, contract,
# policy, e2e, slow), and checks formatting. Exit code 0 only if all of it passed.
# TEST_PRESETS="release" limits the presets (default: "release asan"). (Not ORION_*: that
# namespace is configuration, and an unknown ORION_ variable is a configuration error.)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/check-format.sh

jobs=$(nproc)
for preset in ${TEST_PRESETS:-release asan}; do
  echo "==> ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "==> ${preset}: test"
  ctest --preset "$preset" -j "$jobs" --timeout 300
done
