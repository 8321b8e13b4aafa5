#!/usr/bin/env bash
# Generates the Allure dashboard from allure-results/: the gate's categories, environment, executor
# and summary entry first (reports/allure-dashboard.ts), the history of the previous report carried
# forward (allure-report/history: keep that directory between CI runs for the trend widgets), and
# the verdict as the report's name.
set -euo pipefail
cd "$(dirname "$0")/.."
export ALLURE_NO_ANALYTICS=1
RESULTS=${ALLURE_RESULTS_DIR:-allure-results}
REPORT=${ALLURE_REPORT_DIR:-allure-report}
if [ ! -d "$RESULTS" ]; then echo "[report] no $RESULTS/: run the gate first" >&2; exit 1; fi
if [ -d "$REPORT/history" ]; then rm -rf "$RESULTS/history"; cp -r "$REPORT/history" "$RESULTS/"; fi
name=$(npx tsx reports/allure-dashboard.ts "$RESULTS")
npx allure generate "$RESULTS" --clean --report-name "$name" -o "$REPORT" >/dev/null
echo "[report] $name"
echo "[report] Allure dashboard: $(pwd)/$REPORT/index.html (serve with: npx allure open $REPORT)"
