#!/usr/bin/env bash
# Fails when a source under src/ reaches another module through a relative path ("../x/y.h"),
# which would bypass the per-module include roots.
set -euo pipefail
if grep -rnE '#include\s+"\.\./' "$1"; then
  echo "relative includes that escape a module (use \"module/header.h\")" >&2
  exit 1
fi
echo "no relative includes"
