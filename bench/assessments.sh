#!/usr/bin/env bash
# Load benchmark of assessment submissions with wrk against a real `tend serve` on loopback.
#
#   bench/assessments.sh [path/to/tend] [seconds per run]
#   TEND_BENCH_CLIENTS=1000 bench/assessments.sh …   spread the submissions over 1000 clients
#   TEND_BENCH_CONNECTIONS=64 (the default)          wrk connections
#   TEND_BENCH_LATENCY_RATE=1500 bench/assessments.sh …   the latency run at 1500/s, not half
#   TEND_BENCH_PERF=/tmp/tend.perf bench/assessments.sh …   also record the server with perf
#                                   during the full-rate run (the figures then include perf's cost)
#
# Each request is a durable POST /api/v1/clients/{id}/assessments of a PHQ-9 with random
# answers (bench/post_assessment.lua, no Idempotency-Key): validated, scored, stored, audited
# and published, SQLite synchronous=FULL. Measures, in one server session: /healthz (the ceiling
# of the same binary) and durable POST /api/v1/clients (bench/post_client.lua, the reference
# write of bench/load.sh), submissions at full rate (throughput), then submissions at half that
# rate (latency; TEND_BENCH_LATENCY_RATE sets another rate). wrk has no rate limit (and Debian has no wrk2), so the half-rate run paces
# each connection with a random think time before every request (the Lua delay hook,
# exponential, so the 64 connections together send roughly a Poisson stream), its mean
# calibrated by a short first run. Every response must be 201; afterwards GET
# /api/v1/clients/{id}/assessments?instrument=phq-9 must list what the database holds.
# Prints a Markdown table for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-build/release/tend}"
SECS="${2:-15}"
CONNS="${TEND_BENCH_CONNECTIONS:-64}"
NCLIENTS="${TEND_BENCH_CLIENTS:-1}"
THREADS=2
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is needed: apt-get install jq" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed: apt-get install sqlite3" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }

DIR="$(mktemp -d /tmp/tend-bench-XXXXXX)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
PORT=$(( 20000 + RANDOM % 20000 ))
BASE="http://127.0.0.1:$PORT"
printf 'bench-password-123\n' | "$BIN" user add --username bench --role clinician \
  --password-file - --data-dir "$DIR" --log-level error >/dev/null
export TEND_BENCH_TOKEN="$("$BIN" token create --username bench --data-dir "$DIR" --log-level error)"

"$BIN" serve --data-dir "$DIR" --listen "127.0.0.1:$PORT" --log-level warn 2>>"$DIR/server.log" &
PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$BASE/healthz" >/dev/null || { echo "server did not start" >&2; cat "$DIR/server.log" >&2; exit 1; }

# Clients are created 16 at a time, so that their creates share commits.
mkdir "$DIR/clients"
seq 1 "$NCLIENTS" | xargs -P 16 -I{} curl -sf -o "$DIR/clients/{}.json" \
  -H "Authorization: Bearer $TEND_BENCH_TOKEN" -H 'Content-Type: application/json' \
  -d '{"given_name":"Bench{}","family_name":"Measured","date_of_birth":"1980-01-01"}' \
  "$BASE/api/v1/clients"
mapfile -t CLIENTS < <(cat "$DIR"/clients/*.json | jq -r '.id')
[ "${#CLIENTS[@]}" = "$NCLIENTS" ] || { echo "created ${#CLIENTS[@]} of $NCLIENTS clients" >&2; exit 1; }
export TEND_BENCH_CLIENTS="${CLIENTS[*]}"

# wrk prints "Requests/sec: N" and, with --latency, the 50% and 99% lines; the script prints
# "responses N not201 M"; wrk's "Socket errors" line counts connect/read/write errors and
# time-outs.
run() {  # name, duration, then wrk arguments
  local name="$1" secs="$2"; shift 2
  local out; out="$(wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --latency "$@")"
  local rps p50 p99 responses bad sockerr
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  responses="$(awk '$1=="responses" {print $2}' <<<"$out")"
  bad="$(awk '$1=="responses" {print $4}' <<<"$out")"
  [ -n "$bad" ] || bad="$(awk '/Non-2xx/ {print $5}' <<<"$out")"  # runs without the Lua count
  sockerr="$(awk '/Socket errors/ { gsub(/[^0-9]+/, " "); for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }' <<<"$out")"
  echo "$name $rps $p50 $p99 ${responses:-0} ${bad:-0} ${sockerr:-0}"
}
field() { cut -d' ' -f"$1" <<<"$2"; }

HEALTH="$(run healthz "$SECS" "$BASE/healthz")"
CREATE="$(run create "$SECS" -s bench/post_client.lua "$BASE")"
metric() { curl -sf "$BASE/metrics" | awk -v m="$1" '$1==m {print $2}'; }
C0="$(metric tend_db_commits_total)"; T0="$(metric tend_db_committed_transactions_total)"
PERF_PID=""
if [ -n "${TEND_BENCH_PERF:-}" ]; then
  perf record --call-graph dwarf,32768 -F 499 -p "$PID" -o "$TEND_BENCH_PERF" -- sleep "$SECS" \
    2>"$DIR/perf.log" &
  PERF_PID=$!
fi
# Per-thread scheduler statistics (ns on a CPU, ns waiting for one) around the full-rate run.
schedstat() { for t in /proc/"$PID"/task/*; do echo "${t##*/} $(cat "$t/schedstat" 2>/dev/null)"; done; }
S0="$(schedstat)"; W0="$(date +%s%N)"
FULL="$(run full "$SECS" -s bench/post_assessment.lua "$BASE")"
S1="$(schedstat)"; W1="$(date +%s%N)"
[ -n "$PERF_PID" ] && { wait "$PERF_PID" || true; }
C1="$(metric tend_db_commits_total)"; T1="$(metric tend_db_committed_transactions_total)"
FULL_RPS="$(field 2 "$FULL")"

# Half rate: each connection sends, waits for the answer, then waits DELAY ms on average. A
# short run with the delay that ignores the service time measures that time; the real run
# subtracts it.
HALF_TARGET="${TEND_BENCH_LATENCY_RATE:-$(awk -v r="$FULL_RPS" 'BEGIN { printf "%.0f", r / 2 }')}"
D0="$(awk -v c="$CONNS" -v r="$HALF_TARGET" 'BEGIN { printf "%.0f", 1000 * c / r }')"
CAL="$(TEND_BENCH_DELAY_MS="$D0" run calibrate 5 -s bench/post_assessment.lua "$BASE")"
DELAY="$(awk -v c="$CONNS" -v r="$(field 2 "$CAL")" -v d="$D0" -v t="$HALF_TARGET" \
  'BEGIN { s = 1000 * c / r - d; x = 1000 * c / t - s; printf "%.0f", x < 1 ? 1 : x }')"
HALF="$(TEND_BENCH_DELAY_MS="$DELAY" run half "$SECS" -s bench/post_assessment.lua "$BASE")"

# Sanity: every 201 is stored (plus those still in flight when wrk stopped), and the API lists
# what the database holds for a client (at most 1000, the largest page).
SUBMITTED=0
for row in "$FULL" "$CAL" "$HALF"; do SUBMITTED=$(( SUBMITTED + $(field 5 "$row") - $(field 6 "$row") )); done
sleep 1
STORED="$(sqlite3 "$DIR/tend.db" "SELECT COUNT(*) FROM assessments WHERE instrument_id = 'phq-9'")"
FIRST="${CLIENTS[0]}"
FIRST_STORED="$(sqlite3 "$DIR/tend.db" "SELECT COUNT(*) FROM assessments WHERE client_id = '$FIRST' AND instrument_id = 'phq-9'")"
LISTED="$(curl -sf -H "Authorization: Bearer $TEND_BENCH_TOKEN" \
  "$BASE/api/v1/clients/$FIRST/assessments?instrument=phq-9&limit=1000" | jq '.items | length')"
EXPECT_LISTED=$(( FIRST_STORED < 1000 ? FIRST_STORED : 1000 ))
IN_FLIGHT=$(( 3 * CONNS ))
kill -TERM "$PID"; wait "$PID" || true; PID=""

health_rps="$(field 2 "$HEALTH")"
ratio() { awk -v a="$1" -v b="$health_rps" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
echo
echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average before the runs $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$THREADS -c$CONNS -d${SECS}s on loopback, same machine; SQLite synchronous=FULL; $NCLIENTS client(s)"
echo
echo "| run | requests/s | p50 | p99 | responses | not 201 (non-2xx) | socket errors | vs /healthz |"
echo "|---|---|---|---|---|---|---|---|"
for row in "$HEALTH" "$CREATE" "$FULL" "$HALF"; do
  read -r name rps p50 p99 responses bad sockerr <<<"$row"
  case "$name" in
    healthz) label='`GET /healthz`'; responses='–' ;;
    create) label='`POST /api/v1/clients` (durable, audited; for comparison)'; responses='–' ;;
    full) label='PHQ-9 `POST …/assessments`, full rate' ;;
    half) label="PHQ-9 \`POST …/assessments\`, paced to $HALF_TARGET/s (${DELAY} ms mean think time per connection)" ;;
  esac
  echo "| $label | $rps | $p50 | $p99 | $responses | $bad | $sockerr | $(ratio "$rps") |"
done
echo
awk -v c="$((C1 - C0))" -v t="$((T1 - T0))" 'BEGIN { printf "Group commit during the full-rate run: %d transactions in %d commits (%.1f per commit)\n", t, c, t / c }'
# The busiest thread is the writer (one transaction per batch of queued writes).
awk -v wall="$((W1 - W0))" 'NR == FNR { run[$1] = $2; wait[$1] = $3; next }
  { d = $2 - run[$1]; total += d; if (d > best) { best = d; bw = $3 - wait[$1] } }
  END { printf "During the full-rate run the server used %.2f CPUs; its busiest thread (the writer) was on a CPU %.0f %% of the time, waiting for a CPU %.0f %%, blocked (fsync, waiting for work) %.0f %%\n",
        total / wall, 100 * best / wall, 100 * bw / wall, 100 - 100 * (best + bw) / wall }' \
  <(echo "$S0") <(echo "$S1")
echo "Latency run target $HALF_TARGET/s; calibration run: $(field 2 "$CAL") requests/s with $D0 ms mean think time"
echo "Stored PHQ-9 results: $STORED (201 responses counted by wrk: $SUBMITTED); GET ?instrument=phq-9 for $FIRST listed $LISTED of its $FIRST_STORED (expected $EXPECT_LISTED)"

status=0
for row in "$FULL" "$CAL" "$HALF"; do
  if [ "$(field 6 "$row")" != 0 ] || [ "$(field 7 "$row")" != 0 ]; then
    echo "FAIL: $(field 1 "$row") run had $(field 6 "$row") responses other than 201 and $(field 7 "$row") socket errors" >&2
    status=1
  fi
done
if [ "$STORED" -lt "$SUBMITTED" ] || [ "$STORED" -gt $(( SUBMITTED + IN_FLIGHT )) ]; then
  echo "FAIL: $STORED results stored for $SUBMITTED 201 responses (at most $IN_FLIGHT in flight)" >&2
  status=1
fi
if [ "$LISTED" != "$EXPECT_LISTED" ]; then
  echo "FAIL: the API listed $LISTED results, the database holds $FIRST_STORED" >&2
  status=1
fi
exit "$status"
