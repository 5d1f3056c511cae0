#!/usr/bin/env bash
# bench/load.sh on PostgreSQL: starts a throwaway PostgreSQL 15 cluster of its own (durable
# settings: fsync and synchronous_commit on), runs the same load against it, and removes it.
#
#   bench/pg.sh [path/to/tend] [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$(mktemp -d /tmp/tend-bench-pg-XXXXXX)"
trap 'bash scripts/pg-cluster.sh stop "$dir"' EXIT
url="$(bash scripts/pg-cluster.sh start "$dir")"
TEND_BENCH_DB="$url" bash bench/load.sh "$@"
