import type { PolicySet } from './expectations.js';

/**
 * Which expectation set applies: KS_RBAC_POLICY=secure|legacy, else what the embedded cluster was
 * started with (KS_ENFORCE_SCOPE sets both oslo_policy flags, lib/cluster/keystone-node.ts).
 */
export function rbacPolicySet(env: NodeJS.ProcessEnv = process.env): PolicySet {
  const v = env.KS_RBAC_POLICY?.trim();
  if (v === 'secure' || v === 'legacy') return v;
  if (v) throw new Error(`KS_RBAC_POLICY must be secure or legacy, got '${v}'`);
  return /^(1|true|yes|on)$/i.test(env.KS_ENFORCE_SCOPE ?? '') ? 'secure' : 'legacy';
}
