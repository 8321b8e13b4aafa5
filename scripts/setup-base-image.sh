#!/usr/bin/env bash
# Makes sure the base image the Dockerfiles name (debian:bookworm) exists. Pulls it; when no
# registry answers, builds it with debootstrap from the machine's own apt mirror and imports it
# under the same name, so the Dockerfiles are identical in both worlds.
set -euo pipefail
BASE_IMAGE="${KS_BASE_IMAGE:-debian:bookworm}"
log() { printf '[setup] %s\n' "$*" >&2; }
SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo -n"

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then exit 0; fi

log "base image $BASE_IMAGE missing: trying docker pull (20 s limit)"
if timeout 20 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then exit 0; fi

# The configured Debian mirror: first deb822 'URIs:' or one-line 'deb' entry that serves bookworm.
mirror="$(grep -rhoE '^(URIs:|deb)\s+\S+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
  | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)"
mirror="${KS_DEBIAN_MIRROR:-$mirror}"
# No host is written in here: the machine's apt sources name the mirror, or the operator does.
if [ -z "$mirror" ]; then
  log "no Debian mirror in /etc/apt/sources.list(.d) and KS_DEBIAN_MIRROR unset: set KS_DEBIAN_MIRROR=<http(s) URL of a bookworm mirror>"
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
rootfs="$(mktemp -d /var/tmp/ks-rootfs.XXXXXX)"
trap '$SUDO rm -rf "$rootfs"' EXIT
log "no registry: debootstrap --variant=minbase bookworm from $mirror (about 70 s)"
$SUDO debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/var/tmp/ks-debootstrap.log 2>&1 \
  || { tail -20 /var/tmp/ks-debootstrap.log >&2; log "debootstrap failed"; exit 1; }
$SUDO rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
$SUDO tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
log "imported $BASE_IMAGE"
