import { testId } from '../../lib/coverage/test-ids.js';
import * as allure from 'allure-js-commons';
import { test, expect } from '../../fixtures/rbac.js';
import { readFileSync } from 'node:fs';
import { cells, cellTestId, describeMismatch, flippedCells, isRow, type MatrixRow } from '../../lib/rbac/expectations.js';
import { overrideNamed, parsePolicyYaml } from '../../lib/rbac/overrides.js';
import { rbacPolicySet } from '../../lib/rbac/policy-set.js';
import { managerPersonasSkipReason } from '../../lib/rbac/personas.js';
import { judgeCellRule, judgeCellStatus } from '../../lib/rbac/cell-status.js';
import { activeKnownDefects, KNOWN_DEFECT_ANNOTATION, testIdOf } from '../../lib/conformance/known-defects.js';
import { personaOf } from '../../lib/rbac/world.js';
import { DRIVERS } from './drivers.js';
import { MATRIX } from './matrix.js';

/**
 * One test per cell of suites/rbac/matrix.ts, titled `<operation> › <persona> › <in|out>` (stable:
 * the cell id). A cell runs the operation with the persona's token on its target and judges:
 * the status the table expects; if allowed, that the operation took effect; if denied, Keystone's
 * error body (naming the policy rule) and that nothing changed, both read back as admin.
 */
const POLICY = rbacPolicySet();
const ROWS = new Map(MATRIX.filter(isRow).map((r) => [r.op, r] as [string, MatrixRow]));

test.describe.configure({ mode: 'parallel' });

const ALL = cells(MATRIX, POLICY);
/**
 * KS_RBAC_OVERRIDE names a declared one-rule override (lib/rbac/overrides.ts) that the cluster runs
 * with (KS_POLICY_FILE): the cells it must flip, computed from the table, are expected to fail.
 */
const OVERRIDE = overrideNamed(process.env.KS_RBAC_OVERRIDE);
if (OVERRIDE) {
  const rules = parsePolicyYaml(readFileSync(process.env.KS_POLICY_FILE ?? '', 'utf8'));
  if (JSON.stringify(rules) !== JSON.stringify({ [OVERRIDE.rule]: OVERRIDE.check })) throw new Error(`KS_POLICY_FILE must set exactly ${OVERRIDE.rule}: ${OVERRIDE.check} for KS_RBAC_OVERRIDE=${OVERRIDE.name}`);
}
const FLIPPED = new Set(OVERRIDE ? flippedCells(ALL, OVERRIDE.rule, OVERRIDE.allowedAfter).map((c) => c.id) : []);

for (const cell of ALL) {
  const row = ROWS.get(cell.op)!;
  const title = `${cell.op} › ${cell.persona.id} › ${cell.scope}`;
  const { tag, annotation: id } = testId(cellTestId(cell.id), ...(cell.slice ? ['@slice' as const] : []));
  test(title, {
    tag,
    annotation: [
      id,
      { type: 'gate-category', description: 'rbac' },
      { type: 'rbac-cell', description: JSON.stringify({ id: cell.id, op: cell.op, persona: cell.persona.id, scope: cell.scope, rule: cell.rule, expected: cell.status, allowed: cell.allowed, policy: POLICY }) },
    ],
  }, async ({ rbacWorld, systemAdmin: admin, rbacFactory: factory, regions }, testInfo) => {
    if (FLIPPED.has(cell.id)) test.fail(true, `policy override ${OVERRIDE!.name} (${OVERRIDE!.rule}: ${OVERRIDE!.check}) flips this cell`);
    await allure.feature(cell.op.split('.')[0]!);
    await allure.story(cell.op);
    await allure.parameter('persona', cell.persona.id);
    const persona = personaOf(rbacWorld, cell.persona.id);
    // regions[0]: the bootstrap admin on its project-scoped token (OS-OAUTH1 access tokens are readable with scope_types [project] only).
    const prepared = await DRIVERS[cell.op]!({ w: rbacWorld, admin, projectAdmin: regions[0]!, f: factory, cell, persona });
    const res = await admin.http.request(prepared.method, prepared.path, { token: await persona.session.getToken(), body: prepared.body, headers: prepared.headers, subject: true });
    // The actual status, for reports/rbac-reporter.ts (a mismatch names it).
    testInfo.annotations.push({ type: 'rbac-actual', description: String(res.status) });
    // A deviation from the table fails the cell, unless the known-defects list names exactly this cell, check and outcome.
    const defects = activeKnownDefects().defects;
    const judged = judgeCellStatus(cell, res.status, defects, testIdOf(testInfo), POLICY);
    if (judged.kind === 'known') {
      testInfo.annotations.push({ type: KNOWN_DEFECT_ANNOTATION, description: judged.annotation });
      return;
    }
    if (judged.kind !== 'as-table') throw new Error(judged.message);
    // A policy refusal names the rule Keystone enforced: the row's, unless the known-defects list names this cell (check `rule`).
    if (!cell.allowed && !cell.refused && prepared.method !== 'HEAD' && cell.status === 403 && (row.deniedBy ?? 'policy') === 'policy') {
      const named = judgeCellRule(cell, res.body?.error?.message, defects, testIdOf(testInfo), POLICY);
      if (named.kind === 'known') testInfo.annotations.push({ type: KNOWN_DEFECT_ANNOTATION, description: named.annotation });
      else if (named.kind !== 'as-table') throw new Error(named.message);
    }
    try {
      if (cell.allowed) {
        await prepared.effect?.(res);
        return;
      }
      if (prepared.method !== 'HEAD') {
        expect(res.body?.error?.code, 'Keystone error body: error.code').toBe(cell.status);
      }
      await prepared.unchanged?.();
    } catch (e) {
      // The status matched but the judgement did not (no effect, a change, a wrong error body): still a mismatch of this cell.
      throw new Error(`${describeMismatch(cell, `${res.status} but ${cell.allowed ? 'no effect' : 'not a clean refusal'}`)}: ${(e as Error).message}`);
    }
  });
}

/**
 * Domain/project manager personas exist from 2023.2 (Keystone 24) on: detected from the release
 * (package version read in the container) and the role list; skipped, with the reason, where absent.
 */
test('manager personas (domain and project manager)', testId('14ee1aaf-5612-418c-b42c-672cdc3d29c5'), async ({ systemAdmin, cluster }) => {
  const major = Number(cluster.keystone?.packageVersion?.split('.')[0]) || undefined;
  const roles = await systemAdmin.http.request('GET', '/v3/roles', { token: await systemAdmin.tokenSource(), query: { name: 'manager' } });
  expect(roles.status).toBe(200);
  const reason = managerPersonasSkipReason(major, (roles.body.roles as { domain_id?: string | null }[]).some((r) => !r.domain_id));
  test.skip(!!reason, reason);
  throw new Error('this Keystone has a manager role, but the table has no manager personas yet: add their columns (2023.2+ policies)');
});
