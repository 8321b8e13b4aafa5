import type { Cell } from './expectations.js';

/**
 * Declared one-rule policy overrides for the KS_POLICY_FILE slot's own test: the rule, the check
 * string the override file sets, and who passes it afterwards (written by hand from the check
 * string, like the table). With KS_RBAC_OVERRIDE=<name> and KS_POLICY_FILE=<its file>, the
 * matrix expects exactly the cells `flippedCells` computes from the table to flip (test.fail()),
 * and every other cell to keep its outcome.
 */
export interface PolicyOverride {
  name: string;
  rule: string;
  check: string;
  /** The override file (checked in), whose only rule must be `rule: check`. */
  file: string;
  allowedAfter: (c: Cell) => boolean;
}

export const POLICY_OVERRIDES: readonly PolicyOverride[] = [
  {
    // identity:list_regions is '' (anyone) by default; "role:admin" keeps the rule's scope_types
    // [system, domain, project], so every admin passes and everyone else gets 403.
    name: 'list-regions-admin-only',
    rule: 'identity:list_regions',
    check: 'role:admin',
    file: 'selftest/data/rbac-override-list-regions.yaml',
    allowedAfter: (c) => c.persona.role === 'admin',
  },
];

export function overrideNamed(name: string | undefined): PolicyOverride | undefined {
  if (!name?.trim()) return undefined;
  const o = POLICY_OVERRIDES.find((x) => x.name === name.trim());
  if (!o) throw new Error(`KS_RBAC_OVERRIDE=${name}: no such declared override (${POLICY_OVERRIDES.map((x) => x.name).join(', ')})`);
  return o;
}

/** The rules an oslo.policy YAML file sets (`"rule": "check"` lines; comments and blanks ignored). */
export function parsePolicyYaml(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const m = /^"([^"]+)"\s*:\s*"([^"]*)"$/.exec(t) ?? /^'([^']+)'\s*:\s*'([^']*)'$/.exec(t);
    if (!m) throw new Error(`policy file line not understood: ${t}`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
