#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages), builds with warnings as errors,
# and runs the whole suite (unit, service, API on loopback, CLI and crash tests) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
bash scripts/check-format.sh

preset="${TEND_TEST_PRESET:-ci}"
jobs="$(nproc)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"

export TEND_LOG_LEVEL=error
ctest --test-dir "build/$preset" --output-on-failure -j "$jobs" --timeout 900 "$@"
