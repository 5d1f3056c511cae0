#!/usr/bin/env bash
# Builds the web app (web/ → web/dist), which the server compiles in. Installs the npm packages
# first when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.tend-package-lock.json
if [[ ! -f "$stamp" ]] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run --silent build
