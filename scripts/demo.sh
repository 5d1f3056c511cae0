#!/usr/bin/env bash
# Starts a demo clinic: installs what is missing, builds Tend, creates a synthetic clinic in
# ./tend-demo (once) and serves it on http://127.0.0.1:8080. Extra arguments go to `tend demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build-web.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target tend
exec build/release/tend demo --data-dir ./tend-demo "$@"
