#!/usr/bin/env bash
# One shard of one gate phase, run the way scripts/gate.sh runs that phase (CI: a matrix of
# phase x shard, then `npm run merge`):
#   bash scripts/gate-shard.sh <phase> <i>/<n> [more playwright arguments]
# The shard writes reports/shards/<phase>/shard-i-of-n/ (its verdict and the facts it was judged
# on, raw request/retry rows, Allure results, a blob report), with its own resource prefix and
# run id. Exit status is the shard's own verdict; the gate's is the merge's.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/phase-env.sh
usage='usage: bash scripts/gate-shard.sh <conformance|concurrency|retry|chaos|load|...> <i>/<n> [playwright args]'
phase=${1:?$usage}; shard=${2:?$usage}; shift 2
[[ $shard =~ ^[0-9]+/[0-9]+$ ]] || { echo "$usage" >&2; exit 2; }
export TESTCONTAINERS_RYUK_DISABLED=true KS_GATE_PHASE=$phase
# The Keystone under test, as in npm run gate: the reference patch unless told otherwise.
select_keystone
envs=(KS_GATE_PHASE="$phase")
phase_env "$phase"
exec env "${envs[@]}" npx playwright test "${projects[@]}" --shard="$shard" "$@"
