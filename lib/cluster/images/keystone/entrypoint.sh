#!/bin/bash
# Writes keystone.conf from the environment, installs the shared key repositories, runs
# db_sync/bootstrap when asked, then execs uwsgi. Secrets never reach stdout.
set -euo pipefail
: "${KS_DB_URL:?KS_DB_URL (SQLAlchemy URL of the database) is required}"
: "${KS_FERNET_KEYS:?KS_FERNET_KEYS (comma-separated fernet keys shared by every node) is required}"
: "${KS_CREDENTIAL_KEYS:?KS_CREDENTIAL_KEYS (comma-separated credential keys) is required}"
KS_UWSGI_PROCESSES="${KS_UWSGI_PROCESSES:-4}"; export KS_UWSGI_PROCESSES
KS_PASSWORD_HASH_ROUNDS="${KS_PASSWORD_HASH_ROUNDS:-4}"
KS_ENFORCE_SCOPE="${KS_ENFORCE_SCOPE:-false}"
KS_ENFORCE_NEW_DEFAULTS="${KS_ENFORCE_NEW_DEFAULTS:-false}"
KS_DEBUG="${KS_DEBUG:-false}"

install_keys() { # $1 dir, $2 comma-separated keys
  rm -rf "$1"; mkdir -p "$1"; local i=0 k
  IFS=',' read -ra keys <<<"$2"
  for k in "${keys[@]}"; do printf '%s' "$k" >"$1/$i"; i=$((i + 1)); done
  chown -R keystone:keystone "$1"; chmod 0700 "$1"; chmod 0600 "$1"/*
}
install_keys /etc/keystone/fernet-keys "$KS_FERNET_KEYS"
install_keys /etc/keystone/credential-keys "$KS_CREDENTIAL_KEYS"

cat >/etc/keystone/keystone.conf <<CONF
[DEFAULT]
debug = ${KS_DEBUG}
use_stderr = true
# Debug only for what the retry correlator reads (oslo.db retries); full debug costs throughput.
default_log_levels = oslo_db=DEBUG,oslo_db.sqlalchemy.engines=INFO,keystone=INFO,sqlalchemy=WARN,amqp=WARN,amqplib=WARN,oslo_messaging=WARN,stevedore=WARN,urllib3=WARN,keystonemiddleware=WARN,routes=WARN,oslo_policy=WARN,passlib=WARN,dogpile=WARN,keystone.server.flask.request_processing.req_logging=INFO
logging_context_format_string = %(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [%(global_request_id)s %(request_id)s %(user_identity)s] %(message)s
logging_default_format_string = %(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(message)s
[database]
connection = ${KS_DB_URL}
max_retries = 60
retry_interval = 1
[identity]
# Lowered for test speed (bcrypt cost 2^4): hashing dominated auth time on 2 cores.
password_hash_rounds = ${KS_PASSWORD_HASH_ROUNDS}
# Domain configs (/v3/domains/{id}/config) are part of the API under test.
domain_specific_drivers_enabled = true
domain_configurations_from_database = true
[token]
provider = fernet
[fernet_tokens]
key_repository = /etc/keystone/fernet-keys/
max_active_keys = 10
[fernet_receipts]
key_repository = /etc/keystone/fernet-keys/
[credential]
key_repository = /etc/keystone/credential-keys/
[oslo_policy]
enforce_scope = ${KS_ENFORCE_SCOPE}
enforce_new_defaults = ${KS_ENFORCE_NEW_DEFAULTS}
[cache]
enabled = false
CONF
# KS_POLICY_YAML (from KS_POLICY_FILE): the operator's policy override, on top of the defaults.
if [ -n "${KS_POLICY_YAML:-}" ]; then
  printf '%s\n' "$KS_POLICY_YAML" >/etc/keystone/policy.yaml
  sed -i 's|^\[oslo_policy\]$|[oslo_policy]\npolicy_file = /etc/keystone/policy.yaml|' /etc/keystone/keystone.conf
  chown keystone:keystone /etc/keystone/policy.yaml; chmod 0640 /etc/keystone/policy.yaml
  echo "ks-entrypoint: policy override installed ($(grep -c '^[^#[:space:]]' /etc/keystone/policy.yaml) rule(s))"
fi
chown keystone:keystone /etc/keystone/keystone.conf; chmod 0640 /etc/keystone/keystone.conf

as_keystone() { runuser -u keystone -- "$@"; }
if [ "${KS_DB_SYNC:-1}" = 1 ]; then
  echo "ks-entrypoint: db_sync"; as_keystone keystone-manage db_sync
fi
if [ "${KS_BOOTSTRAP:-1}" = 1 ]; then
  : "${OS_BOOTSTRAP_PASSWORD:?OS_BOOTSTRAP_PASSWORD is required for bootstrap}"
  : "${OS_BOOTSTRAP_PUBLIC_URL:?OS_BOOTSTRAP_PUBLIC_URL (address clients reach) is required}"
  export OS_BOOTSTRAP_REGION_ID="${OS_BOOTSTRAP_REGION_ID:-RegionOne}"
  echo "ks-entrypoint: bootstrap region ${OS_BOOTSTRAP_REGION_ID} public ${OS_BOOTSTRAP_PUBLIC_URL}"
  as_keystone keystone-manage bootstrap
fi
echo "ks-entrypoint: starting uwsgi with ${KS_UWSGI_PROCESSES} processes"
exec runuser -u keystone -- uwsgi --ini /etc/keystone/uwsgi.ini
