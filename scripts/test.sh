#!/usr/bin/env bash
# The project's own tests, sized for CI on 2 cores: typecheck, the harness's self-tests, and a
# representative slice of every suite against the real embedded cluster, including the
# expected-outcome runs (stock Keystone must fail the concurrency gate, the patched one pass).
# The full gate is `npm run gate`.
# Prints how long each part took and ends with the summed "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
export TESTCONTAINERS_RYUK_DISABLED=true
OUT=reports/out/test-runs
rm -rf "$OUT" allure-results reports/out/requests; mkdir -p "$OUT"
declare -a timings results
rc=0
stage() { # name, command...
  local name=$1; shift
  local s; s=$(date +%s)
  echo "=== $name"
  "$@" || rc=1
  timings+=("$name $(( $(date +%s) - s )) s")
}
# One Playwright run; its JSON stats feed the final line.
pw() { # name, env assignments..., -- playwright args...
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  local code=0
  env "${envs[@]}" PW_JSON="$OUT/$name.json" npx playwright test "$@" || code=$?
  results+=("$OUT/$name.json")
  # The stage fails with Playwright: without this the function returned the array assignment's 0.
  return $code
}

stage setup bash scripts/setup.sh
stage typecheck npx tsc --noEmit -p .
# The Galera topology self-test is covered by the chaos slice, which brings the same topology up.
stage selftest pw selftest KS_TARGET=none -- --project=selftest --grep-invert '@outcome|@galera-topology'
# A slice of the conformance suite on one stock cluster, shaped as the gate's conformance phase:
# read committed, two workers (conflicts are judged by the outcome runs below, under SERIALIZABLE).
stage conformance-slice pw conformance-slice 'KS_PG_ISOLATION=read committed' KS_CONFORMANCE_WORKERS=2 -- --project=conformance --grep @slice
# RBAC slice: one row per concern of the persona x operation table, on a cluster with both
# oslo_policy enforcement flags on (the secure expectation set), with the Keystone the gate runs
# by default (the reference patch), at read committed as the gate's rbac phase: stock's leaked
# conflicts are the concurrency gate's finding, not an RBAC one.
stage rbac-slice pw rbac-slice KS_KEYSTONE_PATCH=patches/keystone-retry.diff 'KS_PG_ISOLATION=read committed' KS_ENFORCE_SCOPE=true KS_RBAC_POLICY=secure -- --project=rbac --grep @slice
# The KS_POLICY_FILE slot: a one-rule override (identity:list_regions -> role:admin) must flip
# exactly the cells the table says (expected to fail), and leave identity:get_region's alone.
stage rbac-policy-override pw rbac-policy-override KS_KEYSTONE_PATCH=patches/keystone-retry.diff 'KS_PG_ISOLATION=read committed' KS_ENFORCE_SCOPE=true KS_RBAC_POLICY=secure KS_POLICY_FILE=selftest/data/rbac-override-list-regions.yaml KS_RBAC_OVERRIDE=list-regions-admin-only -- --project=rbac --grep 'regions\.(list|get) ›'
# Expected outcome: stock Keystone must fail the concurrency gate and name the leaks.
stage outcome-stock-fails pw outcome-stock KS_TARGET=none -- --project=selftest --grep @outcome selftest/outcomes/stock-fails.spec.ts
# Expected outcome: the reference patch passes it, 0 leaks, three runs in a row.
stage outcome-patched-passes pw outcome-patched KS_TARGET=none -- --project=selftest --grep @outcome selftest/outcomes/patched-passes.spec.ts
# Expected outcomes of the retry phase (the database injects a serialization failure into the first
# attempt of every write transaction): stock Keystone fails naming its leaks, the reference patch
# retries every one of them on the @slice test of every conformance file.
stage outcome-retry-stock-fails pw outcome-retry-stock KS_TARGET=none -- --project=selftest --grep @outcome selftest/outcomes/retry-stock-fails.spec.ts
stage outcome-retry-patched-passes pw outcome-retry-patched KS_TARGET=none -- --project=selftest --grep @outcome selftest/outcomes/retry-patched-passes.spec.ts
# Chaos slice: crash, partition and cross-region checks on the 3-region Galera topology, with the
# Keystone the gate runs by default (the reference patch).
stage chaos-slice pw chaos-slice KS_BACKEND=galera KS_KEYSTONE_PATCH=patches/keystone-retry.diff -- --project=chaos --grep @slice
# Load slice: Rally KeystoneBasic scenarios with their SLAs, same Keystone.
stage load-slice pw load-slice KS_KEYSTONE_PATCH=patches/keystone-retry.diff -- --project=load --grep @slice
# Mutation testing, cheap subset: seeded Keystone defects the gate must kill for the right reason
# (mutants/mutants.yaml, "ci: true"); prints killed/total.
stage mutants-ci npm run mutants -- --ci
echo "=== timings"; printf '  %s\n' "${timings[@]}"
npx tsx scripts/summary-line.ts "${results[@]}"
exit $rc
