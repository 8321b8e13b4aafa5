import * as allure from 'allure-js-commons';
import { test, expect } from '../../fixtures/rbac.js';
import { cells, describeMismatch, isRow, type MatrixRow } from '../../lib/rbac/expectations.js';
import { rbacPolicySet } from '../../lib/rbac/policy-set.js';
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

for (const cell of cells(MATRIX, POLICY)) {
  const row = ROWS.get(cell.op)!;
  const title = `${cell.op} › ${cell.persona.id} › ${cell.scope}${cell.slice ? ' @slice' : ''}`;
  test(title, {
    annotation: [
      { type: 'gate-category', description: 'rbac' },
      { type: 'rbac-cell', description: JSON.stringify({ id: cell.id, op: cell.op, persona: cell.persona.id, scope: cell.scope, rule: cell.rule, expected: cell.status, allowed: cell.allowed, policy: POLICY }) },
    ],
  }, async ({ rbacWorld, systemAdmin: admin, rbacFactory: factory }, testInfo) => {
    await allure.feature(cell.op.split('.')[0]!);
    await allure.story(cell.op);
    await allure.parameter('persona', cell.persona.id);
    const persona = personaOf(rbacWorld, cell.persona.id);
    const prepared = await DRIVERS[cell.op]!({ w: rbacWorld, admin, f: factory, cell, persona });
    const res = await admin.http.request(prepared.method, prepared.path, { token: await persona.session.getToken(), body: prepared.body, headers: prepared.headers });
    // The actual status, for reports/rbac-reporter.ts (a mismatch names it).
    testInfo.annotations.push({ type: 'rbac-actual', description: String(res.status) });
    expect(res.status, describeMismatch(cell, res.status)).toBe(cell.status);
    try {
      if (cell.allowed) {
        await prepared.effect?.(res);
        return;
      }
      if (prepared.method !== 'HEAD') {
        expect(res.body?.error?.code, 'Keystone error body: error.code').toBe(cell.status);
        if (cell.status === 403 && (row.deniedBy ?? 'policy') === 'policy') {
          expect(res.body?.error?.message, 'ForbiddenAction names the rule').toContain(cell.rule);
        }
      }
      await prepared.unchanged?.();
    } catch (e) {
      // The status matched but the judgement did not (no effect, a change, a wrong error body): still a mismatch of this cell.
      throw new Error(`${describeMismatch(cell, `${res.status} but ${cell.allowed ? 'no effect' : 'not a clean refusal'}`)}: ${(e as Error).message}`);
    }
  });
}
