#!/usr/bin/env bash
# Makes a container engine answer: installs Debian's docker.io if missing and starts dockerd
# in the background when no systemd runs it. Idempotent; fast when there is nothing to do.
set -euo pipefail
log() { printf '[setup] %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi

engine_answers() { timeout 5 docker info >/dev/null 2>&1; }

if engine_answers; then exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; then
    log "no container engine and not root. Run: sudo apt-get install -y docker.io debootstrap && sudo dockerd >/var/log/dockerd.log 2>&1 &"
    exit 1
  fi
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null || log "apt-get update reported errors (continuing with the cached lists)"
  $SUDO apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
fi

if [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; then
  log "dockerd is not running and this user cannot start it. Run: sudo dockerd >/var/log/dockerd.log 2>&1 &"
  exit 1
fi
log "starting dockerd in the background (log: /var/log/ks-dockerd.log)"
$SUDO sh -c 'nohup dockerd >/var/log/ks-dockerd.log 2>&1 &'
for _ in $(seq 1 60); do
  if engine_answers; then log "dockerd is ready"; exit 0; fi
  sleep 0.5
done
log "dockerd did not answer within 30 s; see /var/log/ks-dockerd.log"
tail -20 /var/log/ks-dockerd.log >&2 || true
exit 1
