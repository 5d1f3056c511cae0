#!/usr/bin/env bash
# Builds the fuzz targets and runs each, one after the other, for N seconds (default 60).
#
#   fuzz/run.sh                 every target, 60 s each
#   fuzz/run.sh 300             every target, 5 minutes each
#   fuzz/run.sh 600 response    one target
#
# Each run starts from the committed seeds (fuzz/corpus/<target>/), seeds made from the
# shipped content and the FHIR fixtures, and what earlier runs found (fuzz/work/<target>/
# corpus, kept between runs, not committed). Crashes, hangs and leaks are written to
# fuzz/work/<target>/artifacts/; the log of the last run is fuzz/work/<target>/log.txt.
# Exits non-zero when a target found something.
#
# Environment: TEND_FUZZ_OUT (binaries, default build/fuzz), TEND_FIXTURES (default
# ../shared/fixtures/fhir beside the repository), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${TEND_FUZZ_OUT:-$root/build/fuzz}
work=$root/fuzz/work
fixtures=${TEND_FIXTURES:-$root/../shared/fixtures/fhir}
seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(instrument questionnaire response answers codes)

"$root/fuzz/build.sh" "${targets[@]}"

# Seeds derived from files kept elsewhere, copied (never edited in place) on every run so that
# they follow the content.
make_seeds() {
  local t=$1 dir=$work/$1/seeds f name
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$t" in
    instrument)
      # parse_instrument is called with instruments/fuzz.json, whose id must be "fuzz".
      for f in "$root"/content/instruments/*.json; do
        name=$(basename "$f" .json)
        jq -c '.id = "fuzz" | .questionnaire.id = "fuzz"
               | .questionnaire.url = "urn:tend:questionnaire:fuzz"' "$f" >"$dir/content-$name.json"
      done
      ;;
    questionnaire)
      for f in "$root"/content/instruments/*.json; do
        jq -c '.questionnaire' "$f" >"$dir/content-$(basename "$f")"
      done
      if compgen -G "$fixtures/*.json" >/dev/null; then
        for f in "$fixtures"/*.json; do cp "$f" "$dir/fixture-$(basename "$f")"; done
      else
        echo "run.sh: no FHIR fixtures in $fixtures (TEND_FIXTURES); fuzzing without them" >&2
      fi
      ;;
  esac
}

# Inputs as large as the largest seed (PCL-5 is 30 kB as one line), not larger.
max_len_of() {
  case "$1" in
    instrument | questionnaire) echo 65536 ;;
    *) echo 16384 ;;
  esac
}

# A sanitizer report names the whole stack and stops the run (libFuzzer keeps the input).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  make_seeds "$t"
  echo "== $t: ${seconds}s"
  status=0
  # shellcheck disable=SC2086
  "$out/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len_of "$t")" -dict="$root/fuzz/tend.dict" -print_final_stats=1 \
    -artifact_prefix="$work/$t/artifacts/" ${FUZZ_ARGS:-} \
    "$work/$t/corpus" "$root/fuzz/corpus/$t" "$work/$t/seeds" >"$work/$t/log.txt" 2>&1 ||
    status=$?
  # libFuzzer's last status line: "#<runs> DONE cov: … ft: …", or the last before a crash.
  done_line=$(grep -E '^#[0-9]+[[:space:]]' "$work/$t/log.txt" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log.txt")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t/log.txt")
  summary+=("$t: ${execs:-?} runs, ${rate:-?}/s; ${done_line:-no status line, see fuzz/work/$t/log.txt}")
  if ((status != 0)); then
    failed+=("$t")
    grep -E 'ERROR: |runtime error|==ERROR|Test unit written' "$work/$t/log.txt" | head -5 || true
  fi
done

printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "found something: ${failed[*]} (fuzz/work/<target>/artifacts, log.txt)" >&2
  exit 1
fi
