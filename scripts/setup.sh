#!/usr/bin/env bash
# Everything the gate needs, idempotent and fast when there is nothing to do:
# npm dependencies, a container engine, the base image, Java for Allure, and the cluster images.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
log() { printf '[setup] %s\n' "$*" >&2; }
export TESTCONTAINERS_RYUK_DISABLED=true

# npm dependencies: reinstall only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json .cache/installed-lock.json; then
  log "installing npm dependencies (npm ci --engine-strict)"
  npm ci --engine-strict --no-audit --no-fund >/dev/null
  mkdir -p .cache && cp package-lock.json .cache/installed-lock.json
fi

bash scripts/setup-engine.sh
bash scripts/setup-base-image.sh

# Allure's report generator runs on Java (allure-commandline bundles Allure, not a JRE).
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    log "installing a headless JRE for the Allure report"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
  else
    log "java not found: the Allure dashboard needs it. Run: sudo apt-get install -y default-jre-headless"
  fi
fi

npx tsx scripts/build-images.ts
log "setup done in $(( $(date +%s) - t0 )) s"
