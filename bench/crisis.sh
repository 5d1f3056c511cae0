#!/usr/bin/env bash
# Crisis benchmark against a real `tend serve` on loopback (SQLite, synchronous=FULL):
#
#   bench/crisis.sh [path/to/tend] [seconds of load]
#   TEND_BENCH_RATE=1000     the background submissions per second (paced wrk, as bench/assessments.sh)
#   TEND_BENCH_PROBES=150    how many risk answers are timed
#   TEND_BENCH_INTERVAL=0.25 the mean gap between probes, in seconds (exponential)
#
# 1. Alert latency: while wrk submits PHQ-9s (item 9 at 0, so they raise nothing) to 1,000
#    clients at the paced rate, bench/crisis_probe.py holds a clinician's event stream open and
#    submits PHQ-9s with item 9 above 0 for that clinician's own clients, one at a time, timing
#    each from the request to the `crisis.alert` event on the stream.
# 2. Escalation: the rules are the built-in ones with a 1-minute deadline for `high` (the
#    shortest the rules allow; 15 minutes as shipped), so every probe alert, left unanswered,
#    escalates to the on-call clinician while the load still runs. Afterwards each alert's
#    timeline gives when it escalated against the deadline it recorded.
# Prints a Markdown table for docs/BENCHMARKS.md; fails if an alert or an escalation is missing
# or a background submission was not stored.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-build/release/tend}"
SECS="${2:-120}"
RATE="${TEND_BENCH_RATE:-1000}"
PROBES="${TEND_BENCH_PROBES:-150}"
INTERVAL="${TEND_BENCH_INTERVAL:-0.25}"
CONNS=64
THREADS=2
NCLIENTS=1000
for tool in wrk jq sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }

DIR="$(mktemp -d /tmp/tend-bench-crisis-XXXXXX)"
PID=""
WRK_PID=""
cleanup() {
  [ -n "$WRK_PID" ] && kill "$WRK_PID" 2>/dev/null
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
PORT=$(( 20000 + RANDOM % 20000 ))
BASE="http://127.0.0.1:$PORT"
tend() { "$BIN" "$@" --data-dir "$DIR" --log-level error; }
for u in bench:clinician probe:clinician oncall:clinician boss:admin; do
  printf 'bench-password-123\n' | tend user add --username "${u%%:*}" --role "${u##*:}" \
    --password-file - >/dev/null
done
LOAD_TOKEN="$(tend token create --username bench)"
PROBE_TOKEN="$(tend token create --username probe)"
ADMIN_TOKEN="$(tend token create --username boss)"
jq '.deadlines.high = "1m"' content/crisis/risk.json >"$DIR/risk.json"

"$BIN" serve --data-dir "$DIR" --listen "127.0.0.1:$PORT" --log-level warn \
  --crisis-rules "$DIR/risk.json" 2>>"$DIR/server.log" &
PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$BASE/healthz" >/dev/null || { echo "server did not start" >&2; cat "$DIR/server.log" >&2; exit 1; }

api() {  # token method path [body]
  curl -sf -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} "$BASE$3"
}
ONCALL_ID="$(sqlite3 "$DIR/tend.db" "SELECT id FROM users WHERE username = 'oncall'")"
api "$ADMIN_TOKEN" POST /api/v1/on-call "{\"kind\":\"on_call\",\"user_id\":\"$ONCALL_ID\",\"time_zone\":\"UTC\",\"weekly\":{\"days\":[\"sun\",\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\"],\"start\":\"00:00\",\"end\":\"00:00\"}}" >/dev/null

make_clients() {  # token count dir
  mkdir -p "$3"
  seq 1 "$2" | xargs -P 16 -I{} curl -sf -o "$3/{}.json" \
    -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    -d '{"given_name":"Bench{}","family_name":"Crisis","date_of_birth":"1985-05-05"}' \
    "$BASE/api/v1/clients"
  cat "$3"/*.json | jq -r '.id'
}
mapfile -t LOAD_CLIENTS < <(make_clients "$LOAD_TOKEN" "$NCLIENTS" "$DIR/load")
make_clients "$PROBE_TOKEN" "$PROBES" "$DIR/probe" >"$DIR/probe_clients.txt"
[ "${#LOAD_CLIENTS[@]}" = "$NCLIENTS" ] || { echo "created ${#LOAD_CLIENTS[@]} load clients" >&2; exit 1; }
[ "$(wc -l <"$DIR/probe_clients.txt")" = "$PROBES" ] || { echo "probe clients missing" >&2; exit 1; }

export TEND_BENCH_TOKEN="$LOAD_TOKEN" TEND_BENCH_CLIENTS="${LOAD_CLIENTS[*]}" TEND_BENCH_Q9_MAX=0
wrk_run() {  # seconds, delay ms → "rps responses not201 sockerr"
  local out
  out="$(TEND_BENCH_DELAY_MS="$2" wrk -t"$THREADS" -c"$CONNS" -d"$1s" --latency \
    -s bench/post_assessment.lua "$BASE")"
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") \
$(awk '$1=="responses" {print $2, $4}' <<<"$out") \
$(awk '/Socket errors/ { gsub(/[^0-9]+/, " "); for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }' <<<"$out") \
$(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out")"
}
# Pacing: a short run measures the service time at a first think time; the real one subtracts it.
D0="$(awk -v c="$CONNS" -v r="$RATE" 'BEGIN { printf "%.0f", 1000 * c / r }')"
CAL="$(wrk_run 5 "$D0")"
DELAY="$(awk -v c="$CONNS" -v r="${CAL%% *}" -v d="$D0" -v t="$RATE" \
  'BEGIN { s = 1000 * c / r - d; x = 1000 * c / t - s; printf "%.0f", x < 1 ? 1 : x }')"

STORED0="$(sqlite3 "$DIR/tend.db" "SELECT COUNT(*) FROM assessments")"
wrk_run "$SECS" "$DELAY" >"$DIR/load.txt" &
WRK_PID=$!
sleep 3
python3 bench/crisis_probe.py "$BASE" "$PROBE_TOKEN" "$DIR/probe_clients.txt" "$INTERVAL" \
  "$DIR/probe.json"
wait "$WRK_PID"
WRK_PID=""
LOAD="$(cat "$DIR/load.txt")"
read -r LOAD_RPS LOAD_RESP LOAD_BAD LOAD_SOCK LOAD_P50 LOAD_P99 <<<"$LOAD"
sleep 1
STORED1="$(sqlite3 "$DIR/tend.db" "SELECT COUNT(*) FROM assessments")"

# Escalations, from each alert's own timeline: when it escalated, against its recorded deadline.
jq -r '.alerts | to_entries[] | .value' "$DIR/probe.json" >"$DIR/alerts.txt"
: >"$DIR/escalations.txt"
while read -r alert; do
  api "$PROBE_TOKEN" GET "/api/v1/alerts/$alert" | jq -r '
    [.timeline[] | select(.kind == "escalated" or .kind == "renotified")][0]
    | if . == null then "none" else "\(.at) \(.detail | capture("deadline (?<d>\\S+)").d)" end'
done <"$DIR/alerts.txt" >>"$DIR/escalations.txt"
ESCALATED_TO_ONCALL="$(sqlite3 "$DIR/tend.db" "SELECT COUNT(DISTINCT alert_id) FROM crisis_recipients WHERE user_id = '$ONCALL_ID'" 2>/dev/null || echo '?')"
kill -TERM "$PID"; wait "$PID" || true; PID=""

python3 - "$DIR/probe.json" "$DIR/escalations.txt" <<'EOF' >"$DIR/stats.txt"
import json, sys
from datetime import datetime
def pct(xs, p):
    xs = sorted(xs)
    if not xs: return float("nan")
    k = (len(xs) - 1) * p / 100
    f = int(k); c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)
probe = json.load(open(sys.argv[1]))
lat, post = probe["latencies_ms"], probe["post_ms"]
def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
late, none = [], 0
for line in open(sys.argv[2]):
    line = line.strip()
    if line == "none": none += 1; continue
    at, deadline = line.split()
    late.append((ts(at) - ts(deadline)) * 1000)
print(len(lat), len(probe["missed"]), "%.1f %.1f %.1f" % (pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan")),
      "%.1f %.1f" % (pct(post, 50), pct(post, 99)),
      len(late), none, "%.0f %.0f %.0f %.0f" % (pct(late, 50), pct(late, 99), max(late) if late else float("nan"), min(late) if late else float("nan")))
EOF
read -r N MISSED L50 L99 LMAX P50 P99 NESC NONE E50 E99 EMAX EMIN <"$DIR/stats.txt"

echo
echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Background: wrk -t$THREADS -c$CONNS, ${SECS}s, PHQ-9 submissions with item 9 at 0 to $NCLIENTS clients, paced for $RATE/s (${DELAY} ms mean think time)"
echo
echo "| measure | p50 | p99 | max | count |"
echo "|---|---|---|---|---|"
echo "| risk answer submitted → \`crisis.alert\` on the clinician's open event stream | $L50 ms | $L99 ms | $LMAX ms | $N alerts, $MISSED missed |"
echo "| risk answer submitted → 201 response | $P50 ms | $P99 ms | | $N |"
echo "| escalation after its deadline (server timeline) | $E50 ms | $E99 ms | $EMAX ms | $NESC escalated, $NONE not; earliest $EMIN ms |"
echo "| background submissions | $LOAD_P50 | $LOAD_P99 | | $LOAD_RPS/s achieved, $LOAD_RESP responses, $LOAD_BAD not 201, $LOAD_SOCK socket errors |"
echo
echo "Alerts escalated to the on-call clinician: $ESCALATED_TO_ONCALL of $N; results stored during the load run: $((STORED1 - STORED0)) (wrk counted $LOAD_RESP responses, $N probes)"

status=0
[ "$MISSED" = 0 ] || { echo "FAIL: $MISSED alerts never reached the event stream" >&2; status=1; }
[ "$NONE" = 0 ] || { echo "FAIL: $NONE alerts did not escalate" >&2; status=1; }
awk -v e="$EMIN" 'BEGIN { exit !(e < 0) }' && { echo "FAIL: an escalation ran before its deadline" >&2; status=1; }
[ "$LOAD_BAD" = 0 ] && [ "$LOAD_SOCK" = 0 ] || { echo "FAIL: background load had errors" >&2; status=1; }
exit "$status"
