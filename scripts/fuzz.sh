#!/usr/bin/env bash
# Long, coverage-guided fuzzing with clang's libFuzzer (ASan+UBSan) of every target in tests/fuzz.
# The normal build already runs each target as a ctest (seeds plus fixed mutations, GCC); this is
# for hunting. Findings land in build/fuzz/findings/<target>/ (replay one with
# `build/fuzz/tests/fuzz/<target> FILE`); the corpus grows in build/fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: clang++ is needed (apt-get install clang)" >&2
  exit 1
fi
seconds=${1:-60}
shift || true

cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORION_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^orion_fuzz_target(NAME \([a-z_]*\).*/\1/p' tests/fuzz/CMakeLists.txt)
fi
cmake --build build/fuzz -j "$(nproc)" --target "${targets[@]}"

status=0
for target in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$target findings=build/fuzz/findings/$target
  mkdir -p "$corpus" "$findings"
  read -r -a seeds <<<"$(tr ';' ' ' <"build/fuzz/tests/fuzz/$target.seeds")"
  echo "==> $target: ${seconds}s"
  if ! "build/fuzz/tests/fuzz/$target" -max_total_time="$seconds" -artifact_prefix="$findings/" \
      -print_final_stats=1 "$corpus" "${seeds[@]}"; then
    echo "fuzz: $target found something: see $findings/" >&2
    status=1
  fi
done
exit $status
