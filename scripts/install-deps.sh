#!/usr/bin/env bash
# Installs whatever ORION needs to build, run and test that is missing on a Debian 12 machine.
# Idempotent: does nothing (and touches no package list) when everything is already there.
# Used by scripts/run.sh, scripts/test.sh and so by .ci/run.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config clang-format
  # a fast linker (CMakeLists.txt ORION_MOLD): the test executables link in a fifth of the time
  mold
  # libraries (all from Debian; nothing is downloaded at build time)
  nlohmann-json3-dev libvalijson-dev libyaml-cpp-dev libhiredis-dev libcpp-httplib-dev
  libsqlite3-dev zlib1g-dev libssl-dev libcli11-dev libspdlog-dev libfmt-dev libmosquitto-dev
  # the allocator of the orion binary (CMakeLists.txt ORION_JEMALLOC)
  libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # real components the watcher's integration tests start (tests/testing/podman_service.h):
  # podman's Docker-compatible API service with runc (conmon comes with podman), Debian's
  # static busybox for the locally built test image, and Prometheus for the prometheus source
  podman runc busybox-static prometheus
  # Redis bus (issue 7): the integration tests and the bench start a real redis-server on
  # loopback; redis-tools gives redis-cli (a foreign client in tests) and redis-benchmark
  redis-server redis-tools
  # the dashboard's browser tests drive headless Chromium over the DevTools protocol
  chromium
  # the shipped diagnostics (policies/diagnostics.yaml) run ps, and the e2e tests run them
  procps
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: missing packages (${missing[*]}) and not root; install sudo or run as root" >&2
    exit 1
  fi
  sudo="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
