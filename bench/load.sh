#!/usr/bin/env bash
# Load benchmark of the HTTP API with wrk against a real `tend serve` on loopback.
#
#   bench/load.sh [path/to/tend] [seconds per run]
#   TEND_BENCH_DB=postgresql://… bench/load.sh …   the same on PostgreSQL (an empty database)
#   bench/pg.sh [path/to/tend] [seconds]            starts a PostgreSQL of its own and does that
#
# Measures, in one run on this machine: /healthz (the ceiling of the same binary), an
# authenticated and audited GET /api/v1/clients/{id}, and a durable POST /api/v1/clients with
# SQLite synchronous=FULL; then fills the database to 100,000 clients, restarts the server and
# reports its idle resident memory. Prints a Markdown table for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-build/release/tend}"
SECS="${2:-15}"
CONNS="${TEND_BENCH_CONNECTIONS:-64}"
THREADS=2
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }

DIR="$(mktemp -d /tmp/tend-bench-XXXXXX)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

DB_ARGS=()
DB_LABEL="SQLite synchronous=FULL"
if [ -n "${TEND_BENCH_DB:-}" ]; then
  DB_ARGS=(--db "$TEND_BENCH_DB")
  DB_LABEL="PostgreSQL 15 (fsync on, synchronous_commit on)"
fi

PORT=$(( 20000 + RANDOM % 20000 ))
BASE="http://127.0.0.1:$PORT"
printf 'bench-password-123\n' | "$BIN" user add --username bench --role clinician \
  --password-file - --data-dir "$DIR" "${DB_ARGS[@]}" --log-level error >/dev/null
export TEND_BENCH_TOKEN="$("$BIN" token create --username bench --data-dir "$DIR" "${DB_ARGS[@]}" --log-level error)"

start_server() {
  "$BIN" serve --data-dir "$DIR" "${DB_ARGS[@]}" --listen "127.0.0.1:$PORT" --log-level warn 2>>"$DIR/server.log" &
  PID=$!
  for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start" >&2; cat "$DIR/server.log" >&2; exit 1
}
stop_server() { kill -TERM "$PID"; wait "$PID" || true; PID=""; }

start_server
export TEND_BENCH_CLIENT="$(curl -sf -H "Authorization: Bearer $TEND_BENCH_TOKEN" \
  -H 'Content-Type: application/json' \
  -d '{"given_name":"Bench","family_name":"Reader","date_of_birth":"1980-01-01"}' \
  "$BASE/api/v1/clients" | sed -E 's/.*"id":"([^"]+)".*/\1/')"

# wrk prints "Requests/sec: N" and, with --latency, the 50% and 99% lines.
run() {  # name, then wrk arguments
  local name="$1"; shift
  local out; out="$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "$@")"
  local rps p50 p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  echo "$name $rps $p50 $p99 ${errors:-0}"
}

HEALTH="$(run healthz "$BASE/healthz")"
READ="$(run read -s bench/get_client.lua "$BASE")"
metric() { curl -sf "$BASE/metrics" | awk -v m="$1" '$1==m {print $2}'; }
C0="$(metric tend_db_commits_total)"; T0="$(metric tend_db_committed_transactions_total)"
CREATE="$(run create -s bench/post_client.lua "$BASE")"
C1="$(metric tend_db_commits_total)"; T1="$(metric tend_db_committed_transactions_total)"

# Fill to 100,000 clients for the memory figure.
count() {
  if [ -n "${TEND_BENCH_DB:-}" ]; then
    psql "$TEND_BENCH_DB" -tAc 'SELECT COUNT(*) FROM clients'
  else
    sqlite3 "$DIR/tend.db" 'SELECT COUNT(*) FROM clients'
  fi
}
while [ "$(count)" -lt 100000 ]; do
  wrk -t"$THREADS" -c"$CONNS" -d10s -s bench/post_client.lua "$BASE" >/dev/null
done
CLIENTS="$(count)"
stop_server
start_server
for _ in $(seq 1 50); do curl -sf -H "Authorization: Bearer $TEND_BENCH_TOKEN" "$BASE/api/v1/clients/$TEND_BENCH_CLIENT" >/dev/null; done
curl -sf -H "Authorization: Bearer $TEND_BENCH_TOKEN" "$BASE/api/v1/clients?q=bench&limit=100" >/dev/null
sleep 2
RSS_KB="$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")"
stop_server

health_rps="$(cut -d' ' -f2 <<<"$HEALTH")"
ratio() { awk -v a="$1" -v b="$health_rps" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t$THREADS -c$CONNS -d${SECS}s on loopback, same machine; $DB_LABEL"
echo
echo "| endpoint | requests/s | p50 | p99 | non-2xx | vs /healthz |"
echo "|---|---|---|---|---|---|"
for row in "$HEALTH" "$READ" "$CREATE"; do
  read -r name rps p50 p99 err <<<"$row"
  case "$name" in
    healthz) label='`GET /healthz`' ;;
    read) label='`GET /api/v1/clients/{id}` (bearer, audited)' ;;
    create) label='`POST /api/v1/clients` (durable, audited)' ;;
  esac
  echo "| $label | $rps | $p50 | $p99 | $err | $(ratio "$rps") |"
done
echo
awk -v c="$((C1 - C0))" -v t="$((T1 - T0))" 'BEGIN { printf "Group commit during the create run: %d transactions in %d commits (%.1f per commit)\n", t, c, t / c }'
echo "Idle resident memory with $CLIENTS clients in the database: $(( RSS_KB / 1024 )) MiB"
