#!/usr/bin/env bash
# The main job: set up, bring up the embedded cluster, run every gate project, write the Allure
# dashboard and reports/gate.json, tear everything down. Exit status is the gate verdict.
set -uo pipefail
cd "$(dirname "$0")/.."
export TESTCONTAINERS_RYUK_DISABLED=true
t0=$(date +%s)
bash scripts/setup.sh || exit 1
t1=$(date +%s)
rm -rf allure-results reports/out
npx playwright test --project=conformance --project=rbac --project=concurrency --project=chaos --project=load "$@"
rc=$?
t2=$(date +%s)
bash scripts/report.sh || rc=1
t3=$(date +%s)
echo "[gate] timings: setup $((t1 - t0)) s, suite $((t2 - t1)) s, report $((t3 - t2)) s"
npx tsx scripts/summary-line.ts reports/out/results.json
exit $rc
