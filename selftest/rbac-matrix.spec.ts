import { expect, test } from '@playwright/test';
import { API_REF_OPERATIONS } from '../lib/coverage/operations.js';
import { allow, cellId, sliceProblems, cells, describeMismatch, flippedCells, isRow, policyPasses, refuse, tableProblems, type TableEntry } from '../lib/rbac/expectations.js';
import { managerPersonasSkipReason, MATRIX_PERSONAS } from '../lib/rbac/personas.js';
import { rbacPolicySet } from '../lib/rbac/policy-set.js';
import { tally } from '../lib/rbac/tally.js';
import { judgeCellRule, judgeCellStatus } from '../lib/rbac/cell-status.js';
import { parseKnownDefects } from '../lib/conformance/known-defects.js';
import { rbacRunEntry } from '../reports/rbac-reporter.js';
import { DRIVERS } from '../suites/rbac/drivers.js';
import { MATRIX } from '../suites/rbac/matrix.js';

const ROW = { op: 'projects.update', rule: 'identity:update_project', check: 'x', ok: 200, secure: allow('SA DA PA', 'DA PA'), legacy: allow('SA DA PA') };

test('the RBAC table has one entry per api-ref operation, and every tabled row a driver', () => {
  expect(tableProblems(MATRIX, API_REF_OPERATIONS.map((o) => o.id))).toEqual([]);
  expect(MATRIX.filter(isRow).filter((r) => !DRIVERS[r.op]).map((r) => r.op)).toEqual([]);
  // The CI slice (@slice) is exactly one row per concern (the operation id's first part), so every
  // concern's driver and policy rules meet a cluster on every CI run.
  expect(sliceProblems(MATRIX)).toEqual([]);
});

test('the slice check rejects a concern without a slice row and one with two', () => {
  const rows: TableEntry[] = [ROW, { ...ROW, op: 'projects.get', slice: true }, { ...ROW, op: 'users.get', slice: true }, { ...ROW, op: 'users.list', slice: true }, { op: 'auth.tokens.issue', notApplicable: 'unauthenticated' }];
  expect(sliceProblems(rows).sort()).toEqual(['users: 2 slice rows (users.get, users.list)']);
  expect(sliceProblems([ROW])).toEqual(['projects: no slice row']);
});

test('table completeness rejects a missing operation, a duplicate, an unknown one and a reasonless n/a', () => {
  const entries: TableEntry[] = [ROW, ROW, { op: 'nope.op', notApplicable: ' ' }];
  expect(tableProblems(entries, ['projects.update', 'projects.get']).sort()).toEqual([
    'no row for projects.get', 'row for unknown operation nope.op', '2 rows for projects.update', 'nope.op: not applicable without a reason',
  ].sort());
});

test('allow() refuses an unknown persona code', () => {
  expect(() => allow('SA XX')).toThrow(/unknown persona code 'XX'/);
});

test('cells: out-of-scope cells only for domain and project personas, stable ids, legacy only where tabled', () => {
  const c = cells([ROW], 'secure');
  expect(c).toHaveLength(MATRIX_PERSONAS.length + 6);
  const byId = new Map(c.map((x) => [x.id, x]));
  expect(byId.get(cellId('projects.update', 'domain-admin', 'out'))).toMatchObject({ allowed: true, status: 200 });
  expect(byId.get(cellId('projects.update', 'project-member', 'in'))).toMatchObject({ allowed: false, status: 403 });
  expect(byId.has(cellId('projects.update', 'system-admin', 'out'))).toBe(false);
  expect(cells([ROW], 'legacy')).toHaveLength(MATRIX_PERSONAS.length);
  expect(cells([{ ...ROW, legacy: undefined }], 'legacy')).toHaveLength(0);
  expect(cells([ROW], 'secure').map((x) => x.id)).toEqual(c.map((x) => x.id));
});

test('flippedCells: a one-rule override flips exactly the cells of that rule whose outcome changes', () => {
  const all = cells([ROW, { ...ROW, op: 'projects.delete', rule: 'identity:delete_project', ok: 204 }], 'secure');
  // identity:update_project: "role:member" -> every admin and member passes (implied roles), readers and no-role do not.
  const flips = flippedCells(all, 'identity:update_project', (c) => ['admin', 'member'].includes(c.persona.role ?? ''));
  expect(flips.map((c) => c.id).sort()).toEqual([
    'projects.update domain-member in', 'projects.update domain-member out', 'projects.update project-member in', 'projects.update project-member out',
    'projects.update system-member in',
  ]);
  expect(flippedCells(all, 'identity:update_project', (c) => c.allowed)).toEqual([]);
});

test('tally counts allowed/denied/mismatched and a mismatch names operation, persona, expected, actual and rule', () => {
  const base = { id: 'x', op: 'projects.create', persona: 'project-member', scope: 'in' as const, rule: 'identity:create_project', expected: 403, allowed: false };
  const m = 'Error: RBAC mismatch: projects.create as project-member (in scope): expected 403, got 201 [policy identity:create_project]';
  const t = tally([{ ...base, passed: true }, { ...base, passed: false, actual: 201, message: m }, { ...base, passed: false, message: 'rbac world cleanup failed' }, { ...base, allowed: true, expected: 201, passed: true, persona: 'system-admin' }]);
  expect(t.perPersona['project-member']).toEqual({ allowed: 0, denied: 1, mismatched: 1, errored: 1 });
  expect(t.table['system-admin']!.projects).toEqual({ allowed: 1, denied: 0, mismatched: 0, errored: 0 });
  expect(t.mismatches).toEqual([{ operation: 'projects.create', persona: 'project-member', scope: 'in', expected: 403, actual: 201, rule: 'identity:create_project', message: m }]);
  expect(describeMismatch({ op: 'projects.create', persona: MATRIX_PERSONAS[7]!, scope: 'in', rule: 'identity:create_project', status: 403 }, 201))
    .toBe('RBAC mismatch: projects.create as project-member (in scope): expected 403, got 201 [policy identity:create_project]');
});

test('policy set: KS_RBAC_POLICY wins, else the enforcement flag decides; a typo is refused', () => {
  expect(rbacPolicySet({ KS_RBAC_POLICY: 'legacy', KS_ENFORCE_SCOPE: 'true' })).toBe('legacy');
  expect(rbacPolicySet({ KS_ENFORCE_SCOPE: 'true' })).toBe('secure');
  expect(rbacPolicySet({})).toBe('legacy');
  expect(() => rbacPolicySet({ KS_RBAC_POLICY: 'strict' })).toThrow(/secure or legacy/);
});

test('manager personas: skipped with a reason on Zed, run where the role exists', () => {
  expect(managerPersonasSkipReason(22, false)).toMatch(/Keystone 22 \(Zed\) has no 'manager' role/);
  expect(managerPersonasSkipReason(24, true)).toBeUndefined();
});

test('the declared override file sets exactly its one rule, and flips exactly the non-admin cells of identity:list_regions', async () => {
  const { POLICY_OVERRIDES, parsePolicyYaml } = await import('../lib/rbac/overrides.js');
  const { readFileSync } = await import('node:fs');
  const o = POLICY_OVERRIDES[0]!;
  expect(parsePolicyYaml(readFileSync(o.file, 'utf8'))).toEqual({ [o.rule]: o.check });
  const flips = flippedCells(cells(MATRIX, 'secure'), o.rule, o.allowedAfter).map((c) => c.id).sort();
  expect(flips).toEqual(['regions.list domain-member in', 'regions.list domain-reader in', 'regions.list no-role in', 'regions.list project-member in', 'regions.list project-reader in', 'regions.list system-member in', 'regions.list system-reader in']);
  expect(() => parsePolicyYaml('identity:x: role:admin')).toThrow(/not understood/);
});

test('every rule the table names is one of Keystone Zed\'s policy defaults (a misspelt rule would never match a 403 body)', async () => {
  const { readFileSync } = await import('node:fs');
  const zed = JSON.parse(readFileSync('selftest/data/keystone-zed-policy-rules.json', 'utf8')) as { rules: Record<string, unknown> };
  const named = MATRIX.flatMap((e) => ('rule' in e && e.rule ? [e.rule] : []));
  expect(named.filter((r) => !(r in zed.rules))).toEqual([]);
  expect('identity:list_policys' in zed.rules).toBe(false);
});

test('the "rbac matrix" Allure entry is red on any failed cell, under RBAC for a mismatch and harness for an error, never uncategorised', () => {
  expect(rbacRunEntry({ failed: 0, mismatches: [], errored: [] })).toEqual({ status: 'passed' });
  const mismatch = rbacRunEntry({ failed: 1, mismatches: [{ operation: 'projects.create', persona: 'project-member', scope: 'in', expected: 403, actual: 201, rule: 'identity:create_project' }], errored: [] });
  expect(mismatch).toMatchObject({ status: 'failed', severity: 'critical' });
  expect(mismatch.message).toBe('[rbac] 1 cell(s) mismatched, first: projects.create as project-member (in): expected 403, got 201 [identity:create_project]');
  // Used to pass: CI of 2c4542f, every cell errored at the world's read-back and the entry was green.
  const errored = rbacRunEntry({ failed: 20, mismatches: [], errored: [{ cell: 'regions.list/system-admin/in', message: 'ReadBackError: GET answered 403' }] });
  expect(errored).toMatchObject({ status: 'failed', severity: 'trivial' });
  expect(errored.message).toMatch(/^\[harness\] 20 cell\(s\) failed before their policy was judged, first: regions\.list/);
});

test('a cell deviation passes only as a known defect listed exactly (cell id, check "status", outcome); anything else is a mismatch, a fixed one a stale entry', () => {
  const ID = '0b3f1c1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f';
  const cell = { op: 'projects.create', persona: MATRIX_PERSONAS[7]!, scope: 'in' as const, rule: 'identity:create_project', status: 403 };
  const defects = parseKnownDefects(`defects:\n  - tests: [${ID}]\n    cases: [status]\n    outcome: 2xx\n    defect: a project member may create projects\n`, 'x.yaml');
  // Unlisted: a deviation is a mismatch, named as the tally counts it.
  expect(judgeCellStatus(cell, 201, [], ID)).toEqual({ kind: 'mismatch', message: describeMismatch(cell, 201) });
  expect(judgeCellStatus(cell, 201, defects, 'another-test')).toMatchObject({ kind: 'mismatch' });
  // Listed, reproduced as listed: a known defect, annotated with the deviation and the entry.
  const known = judgeCellStatus(cell, 201, defects, ID);
  expect(known).toMatchObject({ kind: 'known' });
  expect((known as { annotation: string }).annotation).toContain('expected 403, got 201');
  // Listed, but failing another way (a 404 is not the listed 2xx): a different defect, a mismatch.
  const other = judgeCellStatus(cell, 404, defects, ID);
  expect(other).toMatchObject({ kind: 'mismatch' });
  expect((other as { message: string }).message).toMatch(/^RBAC mismatch: .*listed as a known defect with outcome 2xx, but this is 4xx-wrong-status/);
  // Listed, and Keystone now answers as the table says: the entry is stale and the cell fails.
  expect(judgeCellStatus(cell, 403, defects, ID)).toMatchObject({ kind: 'stale', message: expect.stringContaining('remove the entry') });
  expect(judgeCellStatus(cell, 403, [], ID)).toEqual({ kind: 'as-table' });
});

test('refuse(): a persona the policy passes and the API code refuses is a denied cell with the code\'s status; an override flips it only by denying it', () => {
  // os-oauth1.authorize, legacy: admins pass admin_required; those without a role on the request token's project get 401.
  const row = { op: 'os-oauth1.authorize', rule: 'identity:authorize_request_token', check: 'x', ok: 200, secure: refuse(allow('PA', ''), 'SA:401 DA:401', 'DA:401 PA:401') };
  const byId = new Map(cells([row], 'secure').map((c) => [c.id, c]));
  expect(byId.get(cellId(row.op, 'project-admin', 'in'))).toMatchObject({ allowed: true, status: 200 });
  expect(byId.get(cellId(row.op, 'project-admin', 'out'))).toMatchObject({ allowed: false, refused: true, status: 401 });
  expect(byId.get(cellId(row.op, 'system-admin', 'in'))).toMatchObject({ allowed: false, refused: true, status: 401 });
  expect(byId.get(cellId(row.op, 'domain-admin', 'out'))).toMatchObject({ allowed: false, refused: true, status: 401 });
  const plain = byId.get(cellId(row.op, 'project-member', 'in'))!;
  expect(plain).toMatchObject({ allowed: false, status: 403 });
  expect(plain.refused).toBeUndefined();
  expect([...byId.values()].filter(policyPasses).map((c) => c.id).sort()).toEqual(
    ['domain-admin in', 'domain-admin out', 'project-admin in', 'project-admin out', 'system-admin in'].map((x) => `os-oauth1.authorize ${x}`).sort());
  // An override letting every admin pass flips nothing of theirs (the 401s stay 401s); one denying them all flips the refused cells too (401 -> 403).
  const all = [...byId.values()];
  expect(flippedCells(all, row.rule, (c) => c.persona.role === 'admin').map((c) => c.id)).toEqual([]);
  expect(flippedCells(all, row.rule, () => false).map((c) => c.id).sort()).toEqual(
    ['domain-admin in', 'domain-admin out', 'project-admin in', 'project-admin out', 'system-admin in'].map((x) => `os-oauth1.authorize ${x}`).sort());
  expect(() => refuse(allow('PA'), 'PA:401')).toThrow(/both allowed and refused in scope/);
  expect(() => refuse(allow('PA'), 'SA:201')).toThrow(/a refusal is a 4xx/);
  expect(() => refuse(allow('PA'), 'XX:400')).toThrow(/unknown persona code 'XX'/);
  expect(() => refuse(allow('PA'), 'SA=400')).toThrow(/not CODE:STATUS/);
  expect(() => refuse(allow('PA'), '', 'PA:401')).toThrow(/without out-of-scope cells/);
});

test('a policy 403 must name the row\'s rule; another rule passes only as a known defect listed with check "rule" (per policy set where given)', () => {
  const ID = '0b3f1c1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f';
  const cell = { op: 'os-oauth1.access-tokens.revoke', persona: MATRIX_PERSONAS[7]!, scope: 'in' as const, rule: 'identity:delete_access_token', status: 403 };
  const wrong = 'You are not authorized to perform the requested action: identity:ec2_delete_credential.';
  expect(judgeCellRule(cell, 'You are not authorized to perform the requested action: identity:delete_access_token.', [], ID, 'secure')).toEqual({ kind: 'as-table' });
  const unlisted = judgeCellRule(cell, wrong, [], ID, 'secure');
  expect(unlisted).toMatchObject({ kind: 'mismatch' });
  expect((unlisted as { message: string }).message).toMatch(/^RBAC mismatch: os-oauth1\.access-tokens\.revoke as project-member \(in scope\): expected 403, got 403 but the 403 names another rule than identity:delete_access_token: .*ec2_delete_credential/);
  expect(judgeCellRule(cell, undefined, [], ID)).toMatchObject({ kind: 'mismatch' });
  const both = parseKnownDefects(`defects:\n  - tests: [${ID}]\n    cases: [rule]\n    outcome: wrong-value\n    defect: enforces ec2_delete_credential\n`, 'x.yaml');
  expect(judgeCellRule(cell, wrong, both, ID, 'secure')).toMatchObject({ kind: 'known', annotation: expect.stringContaining('ec2_delete_credential') });
  expect(judgeCellRule(cell, wrong, both, ID, 'legacy')).toMatchObject({ kind: 'known' });
  expect(judgeCellRule(cell, 'identity:delete_access_token', both, ID, 'secure')).toMatchObject({ kind: 'stale', message: expect.stringContaining('remove the entry') });
  // Listed for the secure set only: under the legacy set the same cell is unlisted.
  const secureOnly = parseKnownDefects(`defects:\n  - tests: [${ID}]\n    cases: ["rule [secure]"]\n    outcome: wrong-value\n    defect: x\n`, 'x.yaml');
  expect(judgeCellRule(cell, wrong, secureOnly, ID, 'secure')).toMatchObject({ kind: 'known' });
  expect(judgeCellRule(cell, wrong, secureOnly, ID, 'legacy')).toMatchObject({ kind: 'mismatch' });
  // A rule entry never excuses a status, nor a status entry a rule.
  expect(judgeCellStatus(cell, 204, both, ID, 'secure')).toMatchObject({ kind: 'mismatch' });
  const status = parseKnownDefects(`defects:\n  - tests: [${ID}]\n    cases: ["status [secure]"]\n    outcome: 2xx\n    defect: x\n`, 'x.yaml');
  expect(judgeCellStatus(cell, 204, status, ID, 'secure')).toMatchObject({ kind: 'known' });
  expect(judgeCellStatus(cell, 204, status, ID, 'legacy')).toMatchObject({ kind: 'mismatch' });
  expect(judgeCellStatus(cell, 403, status, ID, 'legacy')).toEqual({ kind: 'as-table' });
  expect(judgeCellRule(cell, wrong, status, ID, 'secure')).toMatchObject({ kind: 'mismatch' });
});

test('the shipped known defects of RBAC cells name cells of the table that the table expects refused (status) or refused by policy (rule)', async () => {
  const { readFileSync } = await import('node:fs');
  const { cellTestId } = await import('../lib/rbac/expectations.js');
  const defects = parseKnownDefects(readFileSync('expectations/keystone-zed.yaml', 'utf8'), 'expectations/keystone-zed.yaml');
  const byTestId = new Map((['secure', 'legacy'] as const).flatMap((p) => cells(MATRIX, p).map((c) => [cellTestId(c.id), { ...c, policy: p }] as const)).map(([k, v]) => [`${k} ${v.policy}`, v]));
  for (const d of defects.filter((x) => x.cases.some((c) => /^(status|rule)( \[(secure|legacy)\])?$/.test(c)))) {
    for (const t of d.tests) {
      const sets = (['secure', 'legacy'] as const).filter((p) => d.cases.some((c) => c === 'status' || c === 'rule' || c.endsWith(`[${p}]`)));
      const judged = sets.map((p) => byTestId.get(`${t} ${p}`)).filter((c) => c !== undefined);
      expect(judged.length, `${t} is an RBAC cell`).toBeGreaterThan(0);
      // A rule entry is judged only where the cell is a policy 403 in at least one listed set.
      if (d.cases.some((c) => c.startsWith('rule'))) expect(judged.some((c) => !c.allowed && !c.refused && c.status === 403), `${t}: a policy refusal somewhere`).toBe(true);
    }
  }
});
