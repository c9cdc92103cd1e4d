#!/usr/bin/env bash
# Builds everything and runs every test suite (unit, integration, end-to-end).
# The last line printed is the test runner's summary.
set -uo pipefail
cd "$(dirname "$0")"
tools/install-deps --test || exit 1
tools/test-services start || exit 1
trap 'tools/test-services stop' EXIT
# shellcheck source=/dev/null
source build/test-services/env

build_dir=${BUILD_DIR:-build}
jobs=$(nproc)
# npm first: the build copies the browser client and bundles yjs from web/ and tests/e2e.
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) || exit 1
npm ci --prefix web --no-audit --no-fund --loglevel=error || exit 1
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_TESTS=ON >/dev/null || exit 1
cmake --build "$build_dir" -j"$jobs" || exit 1

log=$(mktemp)
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# ctest ends with its timing line; repeat its verdict as the plain summary CI reads.
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
rm -f "$log"
if [[ $summary =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
  failed=${BASH_REMATCH[1]}
  total=${BASH_REMATCH[2]}
  echo "ctest: $((total - failed)) passed, $failed failed"
else
  echo "ctest: 0 passed, 1 failed"
  status=1
fi
exit "$status"
