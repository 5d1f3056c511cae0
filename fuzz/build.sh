#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/README.md) with clang++ straight from the sources they
# need, apart from the CMake build (which CI builds with GCC). Objects are rebuilt only when
# their source or a header under src/ or fuzz/ changed.
#
#   fuzz/build.sh            all targets into build/fuzz/
#   fuzz/build.sh response   one target
#
# Environment: CXX (default clang++-14, else clang++), TEND_FUZZ_OUT (default build/fuzz),
# JOBS (parallel compiles, default 2).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${TEND_FUZZ_OUT:-$root/build/fuzz}
jobs=${JOBS:-2}
if [[ -z "${CXX:-}" ]]; then
  CXX=$(command -v clang++-14 || command -v clang++ || true)
fi
[[ -n "$CXX" ]] || { echo "fuzz/build.sh: clang++ with libFuzzer is needed" >&2; exit 1; }

all_targets=(instrument questionnaire response answers codes)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

# Sources of each target besides fuzz/<target>_fuzz.cpp. The instrument library needs the
# content built into the binary (content/**, as CMake embeds it) and the JSON renderings.
common=(src/assessment/library.cpp src/assessment/questionnaire.cpp src/assessment/rules.cpp
        src/assessment/render.cpp src/platform/clock.cpp generated/content_embedded.cpp)
sources_of() {
  case "$1" in
    instrument | questionnaire) echo "${common[*]}" ;;
    response) echo "${common[*]} src/fhir/assessment.cpp" ;;
    # routes.cpp also registers every route; those functions (and the services, router and
    # HTTP types they call) are dropped by --gc-sections, only read_answers stays.
    answers) echo "${common[*]} src/platform/json.cpp src/assessment/routes.cpp" ;;
    codes) echo "src/care/diagnosis_rules.cpp src/platform/clock.cpp generated/content_embedded.cpp" ;;
    *) echo "fuzz/build.sh: unknown target $1 (${all_targets[*]})" >&2; return 1 ;;
  esac
}

# -fno-sanitize-recover: a UBSan report stops the run, so libFuzzer keeps it as a crash.
# _GLIBCXX_ASSERTIONS: bounds checks in std::vector, std::string, optional … abort too.
cxxflags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
          -fno-sanitize-recover=all -D_GLIBCXX_ASSERTIONS -ffunction-sections -fdata-sections
          -I"$root/src" -I"$root/fuzz")
ldflags=(-fsanitize=fuzzer,address,undefined -fuse-ld=lld -Wl,--gc-sections)
libs=(-lboost_json)

mkdir -p "$out/obj" "$out/generated"

# The embedded content, exactly as CMake generates it (only rewritten when it changed).
cmake -DOUT="$out/generated/content_embedded.cpp" -DDIR="$root/content" \
  -P "$root/cmake/embed_content.cmake"

newest_header=$(find "$root/src" "$root/fuzz" -name '*.h' -printf '%T@\n' | sort -n | tail -1)

# Path of a source as given to sources_of → the file to compile.
resolve() {
  case "$1" in
    generated/*) echo "$out/$1" ;;
    *) echo "$root/$1" ;;
  esac
}

object_of() { echo "$out/obj/$(echo "$1" | tr '/' '_' | sed 's/\.cpp$/.o/')"; }

stale() {
  local src=$1 obj=$2
  [[ ! -f "$obj" || "$src" -nt "$obj" ]] && return 0
  local t
  t=$(stat -c %Y "$obj")
  [[ "${newest_header%.*}" -ge "$t" ]]
}

compile() {
  local src=$1 obj=$2
  echo "  CXX $(realpath --relative-to="$root" "$src")"
  "$CXX" "${cxxflags[@]}" -c "$src" -o "$obj.tmp" && mv "$obj.tmp" "$obj"
}

# Every source once, at most $jobs at a time.
declare -A wanted=()
for t in "${targets[@]}"; do
  for s in $(sources_of "$t") "fuzz/${t}_fuzz.cpp"; do wanted[$s]=1; done
done
pids=()
for s in "${!wanted[@]}"; do
  src=$(resolve "$s")
  obj=$(object_of "$s")
  if stale "$src" "$obj"; then
    compile "$src" "$obj" &
    pids+=($!)
    if ((${#pids[@]} >= jobs)); then
      wait "${pids[0]}"
      pids=("${pids[@]:1}")
    fi
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

for t in "${targets[@]}"; do
  objs=()
  for s in $(sources_of "$t") "fuzz/${t}_fuzz.cpp"; do objs+=("$(object_of "$s")"); done
  bin=$out/${t}_fuzz
  relink=0
  [[ -f "$bin" ]] || relink=1
  for o in "${objs[@]}"; do [[ "$o" -nt "$bin" ]] && relink=1; done
  ((relink)) || continue
  echo "  LD  $(realpath --relative-to="$root" "$bin")"
  "$CXX" "${ldflags[@]}" "${objs[@]}" "${libs[@]}" -o "$bin"
done
