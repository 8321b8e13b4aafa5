# Sourced by scripts/gate.sh and scripts/gate-shard.sh: how each gate phase is run, in one place.

# The Keystone under test: the embedded gate runs the reference patched Keystone
# (patches/keystone-retry.diff), which is what passing looks like. KS_KEYSTONE_PATCH=none gates
# stock Keystone, KS_KEYSTONE_PATCH=<diff> or KS_KEYSTONE_IMAGE=<image> your own.
select_keystone() {
  if [ "${KS_KEYSTONE_PATCH:-}" = none ]; then
    unset KS_KEYSTONE_PATCH
  elif [ -z "${KS_KEYSTONE_PATCH:-}" ] && [ -z "${KS_KEYSTONE_IMAGE:-}" ] && [ "${KS_TARGET:-embedded}" = embedded ]; then
    export KS_KEYSTONE_PATCH=patches/keystone-retry.diff
  fi
}

# phase_env <phase> appends the phase's settings to the caller's `envs` array and sets its
# `projects` array (the Playwright projects the phase runs).
phase_env() {
  local phase=$1
  projects=(--project="$phase")
  case $phase in
    # conformance judges contracts, not conflicts (the concurrency and retry phases do, under
    # SERIALIZABLE): at read committed stock Keystone's conflicts cannot leak into contract
    # checks at random, so the phase uses both workers. gate.json names each phase's isolation.
    # KS_CONFORMANCE_ISOLATION=serializable keeps the old single-worker SERIALIZABLE phase.
    conformance)
      local iso=${KS_CONFORMANCE_ISOLATION:-read committed}
      envs+=(KS_PG_ISOLATION="$iso")
      if [ "$iso" = serializable ]; then envs+=(KS_CONFORMANCE_WORKERS="${KS_CONFORMANCE_WORKERS:-1}"); else envs+=(KS_CONFORMANCE_WORKERS="${KS_CONFORMANCE_WORKERS:-2}"); fi ;;
    # The persona x operation table on a cluster with both oslo_policy flags on (the secure set);
    # KS_RBAC_POLICY=legacy judges the legacy set on a default cluster instead. Policy is judged at
    # read committed, as contracts are: under SERIALIZABLE stock Keystone's conflicts leaked into
    # the cells' world builds at random (a harness error, not a policy verdict); the concurrency
    # and retry phases judge conflicts. KS_RBAC_ISOLATION=serializable keeps the old shape.
    rbac)
      envs+=(KS_PG_ISOLATION="${KS_RBAC_ISOLATION:-read committed}")
      [ "${KS_RBAC_POLICY:-secure}" = secure ] && envs+=(KS_ENFORCE_SCOPE=true KS_RBAC_POLICY=secure) ;;
    # Faults go to the multi-region Galera topology (a region per node).
    chaos) [ "${KS_TARGET:-embedded}" = embedded ] && envs+=(KS_BACKEND="${KS_CHAOS_BACKEND:-galera}") ;;
    # Conflict storms under SERIALIZABLE, with the database also injecting a serialization failure
    # into the first attempt of every write transaction, as the retry phase does (its retry passes;
    # KS_CONCURRENCY_INJECT=off leaves provocation to the storms alone). Measured here, storms alone
    # provoked 0-7 conflicts per 40 writes and stock Keystone's failure depended on luck. Not
    # every-N: a retried unit of several transactions (a domain's cascade delete) met an injection
    # on every retry, 30 s on end, and timed out (2026-12-03). Leaks are still judged per request
    # from Keystone's own log (the storm's correlator); the retry phase's matrix names other leaked writes.
    concurrency) [ "${KS_TARGET:-embedded}" = embedded ] && [ "${KS_CONCURRENCY_INJECT:-on}" != off ] && envs+=(KS_INJECT_CONFLICTS="${KS_CONCURRENCY_INJECT:-on}") ;;
    # The conformance project again, with the database injecting a serialization failure into the
    # first attempt of every write transaction. Two workers: the matrix ties overlapping requests
    # to injections by Keystone's own retry log.
    retry) projects=(--project=conformance); envs+=(KS_INJECT_CONFLICTS="${KS_INJECT_CONFLICTS:-on}" KS_CONFORMANCE_WORKERS="${KS_RETRY_WORKERS:-2}") ;;
  esac
  return 0
}
