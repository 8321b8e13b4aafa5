#!/usr/bin/env bash
# Generates the Allure dashboard (with history from the previous report) from allure-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
export ALLURE_NO_ANALYTICS=1
if [ ! -d allure-results ]; then echo "[report] no allure-results/: run the gate first" >&2; exit 1; fi
if [ -d allure-report/history ]; then cp -r allure-report/history allure-results/; fi
npx allure generate allure-results --clean -o allure-report >/dev/null
echo "[report] Allure dashboard: $(pwd)/allure-report/index.html (serve with: npx allure open allure-report)"
