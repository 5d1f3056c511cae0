#!/usr/bin/env bash
# Installs the Debian packages Tend builds and tests with. Idempotent: installs only what is
# missing. Runs apt-get as root, or through sudo on a user's own machine.
set -euo pipefail

build_pkgs=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsodium-dev libssl-dev libsqlite3-dev libpq-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(sqlite3 curl wrk python3 python3-aiosmtpd procps openssl clang-format postgresql-15
  postgresql-client-15 chromium tzdata)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

# Node.js builds the web app. Whatever apt offers as nodejs (Debian's, or NodeSource's, which
# carries npm itself); Debian's separate npm package only when npm is still missing.
if ! command -v node >/dev/null; then
  want+=(nodejs)
elif ! command -v npm >/dev/null; then
  want+=(npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if ! command -v npm >/dev/null; then  # Debian's nodejs comes without npm
  $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
