#!/usr/bin/env bash
# Tempest 33 and keystone-tempest-plugin from Debian (the peers bench:conformance measures against).
# Idempotent: does nothing when both are installed.
set -euo pipefail
log() { printf '[setup-tempest] %s\n' "$*" >&2; }

missing=()
command -v tempest >/dev/null 2>&1 || missing+=(tempest)
# The plugin is a Python package only; check it through the interpreter tempest runs on.
/usr/bin/python3 -c 'import keystone_tempest_plugin' >/dev/null 2>&1 || missing+=(keystone-tempest-plugin)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  log "missing: ${missing[*]}. Run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
log "installing ${missing[*]} with apt"
export DEBIAN_FRONTEND=noninteractive
# A stale package list makes apt ask for versions the mirror no longer has: refresh once, then retry.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v tempest >/dev/null 2>&1 || { log "tempest still not on PATH after install"; exit 1; }
log "installed: $(dpkg-query -W -f='${Package} ${Version}  ' tempest keystone-tempest-plugin)"
