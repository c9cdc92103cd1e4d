#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and starts the server on the embedded
# default (SQLite, config/switchboard.yaml). Extra arguments go to `switchboard serve`.
set -euo pipefail
cd "$(dirname "$0")"
tools/install-deps
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_TESTS=OFF -DSWITCHBOARD_BENCH=OFF >/dev/null
cmake --build build --target switchboard -j"$(nproc)"
exec build/switchboard serve --config config/switchboard.yaml "$@"
