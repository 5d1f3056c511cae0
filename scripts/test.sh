#!/usr/bin/env bash
# Runs every test: installs what is missing (Debian packages), builds with warnings as errors,
# starts a throwaway PostgreSQL cluster, and runs the whole suite (unit, service, API on
# loopback, CLI and crash tests; service and API tests on SQLite and on PostgreSQL) with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
bash scripts/check-format.sh
bash scripts/build-web.sh

preset="${TEND_TEST_PRESET:-ci}"
jobs="$(nproc)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"

# PostgreSQL of our own, on a loopback port, removed at the end whatever happens.
pg_dir="$(mktemp -d /tmp/tend-test-pg-XXXXXX)"
trap 'bash scripts/pg-cluster.sh stop "$pg_dir"' EXIT
TEND_TEST_PG_URL="$(bash scripts/pg-cluster.sh start "$pg_dir" --fast)"
export TEND_TEST_PG_URL

export TEND_LOG_LEVEL=error
ctest --test-dir "build/$preset" --output-on-failure -j "$jobs" --timeout 900 "$@"
