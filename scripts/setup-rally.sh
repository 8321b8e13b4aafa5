#!/usr/bin/env bash
# Rally 3.3 and rally-openstack from Debian (the peer bench:load measures against, in the same run).
# Idempotent: does nothing when both are installed.
set -euo pipefail
log() { printf '[setup-rally] %s\n' "$*" >&2; }

missing=()
command -v rally >/dev/null 2>&1 || missing+=(rally)
# The OpenStack plugin is a Python package only; check it through the interpreter rally runs on.
/usr/bin/python3 -c 'import rally_openstack' >/dev/null 2>&1 || missing+=(python3-rally-openstack)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  log "missing: ${missing[*]}. Run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
log "installing ${missing[*]} with apt (about 3 min)"
export DEBIAN_FRONTEND=noninteractive
# A stale package list makes apt ask for versions the mirror no longer has: refresh once, then retry.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    log "cannot install ${missing[*]} with apt (no mirror reachable?); install them by hand and rerun"
    exit 1
  fi
fi
command -v rally >/dev/null 2>&1 || { log "rally still not on PATH after install"; exit 1; }
/usr/bin/python3 -c 'import rally_openstack' >/dev/null 2>&1 || { log "rally_openstack still not importable after install"; exit 1; }
log "installed: $(dpkg-query -W -f='${Package} ${Version}  ' rally python3-rally-openstack)"
