#!/bin/bash
# One Galera node, configured from the environment:
#   GALERA_NODE_NAME        wsrep_node_name
#   GALERA_CLUSTER_ADDRESS  gcomm://... peers to join (the bootstrap node ignores it on first start)
#   GALERA_BOOTSTRAP=1      first start forms a new cluster (--wsrep-new-cluster) and creates the
#                           Keystone database and user (GALERA_DB_NAME/USER/PASSWORD)
#   GALERA_GCOMM_PORT       replication listen port (gmcast.listen_addr, base_port)
#   GALERA_IST_ADDRESS / GALERA_IST_BIND        ist.recv_addr (advertised) / ist.recv_bind
#   GALERA_SST_ADDRESS      wsrep_sst_receive_address (advertised; rsync listens on all interfaces)
#   GALERA_INCOMING_ADDRESS wsrep_node_incoming_address (what clients use, for the status only)
# The advertised addresses may differ from the bind ones because peers reach this node through
# a TCP fault proxy.
# Every later start of the same container (after kill -9 or a stop) is a recovery: the last
# committed position is read with --wsrep-recover and the node rejoins with
# --wsrep-start-position, so it catches up by IST instead of a full SST. A file
# /var/lib/ks-gate/bootstrap (put there by the harness while the container is stopped)
# makes that restart form a new cluster instead, for when no Primary component is left.
set -euo pipefail
: "${GALERA_NODE_NAME:?GALERA_NODE_NAME is required}"
: "${GALERA_CLUSTER_ADDRESS:?GALERA_CLUSTER_ADDRESS (gcomm://...) is required}"
GALERA_GCOMM_PORT="${GALERA_GCOMM_PORT:-4567}"
GALERA_IST_ADDRESS="${GALERA_IST_ADDRESS:-}"
GALERA_IST_BIND="${GALERA_IST_BIND:-}"
GALERA_SST_ADDRESS="${GALERA_SST_ADDRESS:-}"
GALERA_INCOMING_ADDRESS="${GALERA_INCOMING_ADDRESS:-AUTO}"
DATADIR=/var/lib/mysql
CONF=/etc/mysql/ks-galera.cnf
# Outside the datadir, which an rsync SST overwrites.
MARKER=/var/lib/ks-gate/initialised
FORCE_BOOTSTRAP=/var/lib/ks-gate/bootstrap
log() { echo "galera-entrypoint: $*" >&2; }

provider_options="gmcast.listen_addr=tcp://0.0.0.0:${GALERA_GCOMM_PORT};base_port=${GALERA_GCOMM_PORT}"
[ -n "$GALERA_IST_ADDRESS" ] && provider_options+=";ist.recv_addr=${GALERA_IST_ADDRESS}"
[ -n "$GALERA_IST_BIND" ] && provider_options+=";ist.recv_bind=${GALERA_IST_BIND}"

# Debian's own my.cnf is bypassed (--defaults-file): it binds 127.0.0.1 and logs to files.
# EVS timeouts stay at their defaults: shortened ones made a 2-core machine flap for minutes.
cat >"$CONF" <<CONF
[mysqld]
user = mysql
datadir = ${DATADIR}
socket = /run/mysqld/mysqld.sock
pid-file = /run/mysqld/mysqld.pid
bind-address = 0.0.0.0
port = 3306
skip-name-resolve
# No log_error: errors go to stderr, so docker logs has them.
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
default-storage-engine = InnoDB
binlog_format = ROW
innodb_autoinc_lock_mode = 2
# Durability comes from replication here; fsync per commit only costs the shared 2 cores.
innodb_flush_log_at_trx_commit = 2
max_connections = 500
wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = ks-gate
wsrep_node_name = ${GALERA_NODE_NAME}
wsrep_cluster_address = ${GALERA_CLUSTER_ADDRESS}
wsrep_node_incoming_address = ${GALERA_INCOMING_ADDRESS}
wsrep_provider_options = "${provider_options}"
wsrep_sst_method = rsync
# Causal reads: a read waits until the node has applied everything the cluster committed before
# it. Without it a node thawed after a freeze answers from its stale state until it notices it
# was evicted, and a token revoked meanwhile in another region still validates there.
wsrep_sync_wait = 1
CONF
[ -n "$GALERA_SST_ADDRESS" ] && echo "wsrep_sst_receive_address = ${GALERA_SST_ADDRESS}" >>"$CONF"

mkdir -p /run/mysqld /var/lib/ks-gate && chown mysql:mysql /run/mysqld
chown -R mysql:mysql "$DATADIR"

args=(--defaults-file="$CONF")
create_keystone_db=0
if [ ! -e "$MARKER" ]; then
  if [ "${GALERA_BOOTSTRAP:-0}" = 1 ]; then
    log "first start of ${GALERA_NODE_NAME}: bootstrapping a new cluster"
    args+=(--wsrep-new-cluster)
    create_keystone_db=1
  else
    log "first start of ${GALERA_NODE_NAME}: joining ${GALERA_CLUSTER_ADDRESS} (state transfer by rsync SST)"
  fi
  touch "$MARKER"
else
  # A restart: recover the last committed position so the node asks for IST, not SST.
  recover_log="$(mktemp)"
  chown mysql "$recover_log"
  mariadbd --defaults-file="$CONF" --wsrep-recover --log-error="$recover_log" >/dev/null 2>&1 || true
  position="$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$recover_log" | tail -n 1)"
  rm -f "$recover_log"
  if [ -n "$position" ] && [ "${position#*:}" != "-1" ]; then
    log "restart of ${GALERA_NODE_NAME}: recovered position ${position}"
    args+=(--wsrep-start-position="$position")
  else
    log "restart of ${GALERA_NODE_NAME}: no position recovered (${position:-none}); a full SST will follow"
  fi
  if [ -e "$FORCE_BOOTSTRAP" ]; then
    log "restart of ${GALERA_NODE_NAME}: forming a new cluster as asked (${FORCE_BOOTSTRAP})"
    rm -f "$FORCE_BOOTSTRAP"
    sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$DATADIR/grastate.dat" 2>/dev/null || true
    args+=(--wsrep-new-cluster)
  fi
fi

if [ "$create_keystone_db" = 0 ]; then
  exec mariadbd "${args[@]}"
fi

# Bootstrap node: start, create the Keystone database and user once it serves, then stay in
# the foreground as mariadbd's parent, passing on SIGTERM/SIGINT.
: "${GALERA_DB_PASSWORD:?GALERA_DB_PASSWORD is required on the bootstrap node}"
GALERA_DB_NAME="${GALERA_DB_NAME:-keystone}"
GALERA_DB_USER="${GALERA_DB_USER:-keystone}"
mariadbd "${args[@]}" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
for _ in $(seq 1 600); do
  mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { wait "$pid"; exit $?; }
  sleep 0.1
done
# The password never reaches stdout or the process list (stdin, not -e).
mariadb -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`${GALERA_DB_NAME}\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '${GALERA_DB_USER}'@'%' IDENTIFIED BY '${GALERA_DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`${GALERA_DB_NAME}\`.* TO '${GALERA_DB_USER}'@'%';
SQL
log "database ${GALERA_DB_NAME} and user ${GALERA_DB_USER} ready"
status=0
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" || status=$?
done
exit "$status"
