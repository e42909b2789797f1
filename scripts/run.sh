#!/usr/bin/env bash
# Quick start: installs what is missing, builds ORION (release) and runs `orion run` on the
# embedded default: autonomy N0 (observe only), embedded bus, observing this host, with a live
# summary on the terminal. Extra arguments go to `orion run` (e.g. --config orion.yaml).
# Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target orion
exec build/release/src/orion run "$@"
