#!/usr/bin/env bash
# One shard of one gate phase, run the way scripts/gate.sh runs that phase (CI: a matrix of
# phase x shard, then `npm run merge`):
#   bash scripts/gate-shard.sh <phase> <i>/<n> [more playwright arguments]
# The shard writes reports/shards/<phase>/shard-i-of-n/ (its verdict and the facts it was judged
# on, raw request/retry rows, Allure results, a blob report), with its own resource prefix and
# run id. Exit status is the shard's own verdict; the gate's is the merge's.
set -uo pipefail
cd "$(dirname "$0")/.."
usage='usage: bash scripts/gate-shard.sh <conformance|concurrency|retry|chaos|load|...> <i>/<n> [playwright args]'
phase=${1:?$usage}; shard=${2:?$usage}; shift 2
[[ $shard =~ ^[0-9]+/[0-9]+$ ]] || { echo "$usage" >&2; exit 2; }
export TESTCONTAINERS_RYUK_DISABLED=true KS_GATE_PHASE=$phase
# The Keystone under test, as in npm run gate: the reference patch unless told otherwise.
if [ "${KS_KEYSTONE_PATCH:-}" = none ]; then
  unset KS_KEYSTONE_PATCH
elif [ -z "${KS_KEYSTONE_PATCH:-}" ] && [ -z "${KS_KEYSTONE_IMAGE:-}" ] && [ "${KS_TARGET:-embedded}" = embedded ]; then
  export KS_KEYSTONE_PATCH=patches/keystone-retry.diff
fi
envs=(KS_GATE_PHASE="$phase")
projects=(--project="$phase")
case $phase in
  # Faults go to the multi-region Galera topology; retry is conformance under injected conflicts.
  chaos) [ "${KS_TARGET:-embedded}" = embedded ] && envs+=(KS_BACKEND="${KS_CHAOS_BACKEND:-galera}") ;;
  # rbac: the secure policy set needs both oslo_policy flags on, as gate.sh's rbac phase.
  rbac) [ "${KS_RBAC_POLICY:-secure}" = secure ] && envs+=(KS_ENFORCE_SCOPE=true KS_RBAC_POLICY=secure) ;;
  retry) projects=(--project=conformance); envs+=(KS_INJECT_CONFLICTS="${KS_INJECT_CONFLICTS:-on}" KS_CONFORMANCE_WORKERS="${KS_RETRY_WORKERS:-2}") ;;
esac
exec env "${envs[@]}" npx playwright test "${projects[@]}" --shard="$shard" "$@"
