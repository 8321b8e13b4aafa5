import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { checkTestIds, listedTests, stableUuid, testId } from '../lib/coverage/test-ids.js';

const A = '6f1c9c1e-3f7b-4a59-9d1e-0c2f5b7a9e11';
const B = '0b6f2c55-8d0e-4c1a-b5f3-7e9a1d2c4b66';

test('the id check rejects a missing, doubled, malformed or shared id, and accepts one each', () => {
  expect(checkTestIds([{ where: 'a', ids: [A] }, { where: 'b', ids: [B] }])).toEqual([]);
  expect(checkTestIds([{ where: 'a', ids: [] }])).toEqual(['a: no id annotation']);
  expect(checkTestIds([{ where: 'a', ids: [A, B] }])[0]).toMatch(/2 id annotations/);
  expect(checkTestIds([{ where: 'a', ids: [A.toUpperCase()] }])[0]).toMatch(/not a lower-case UUID/);
  expect(checkTestIds([{ where: 'a', ids: ['123'] }])[0]).toMatch(/not a lower-case UUID/);
  expect(checkTestIds([{ where: 'a', ids: [A] }, { where: 'b', ids: [A] }])).toEqual([`id ${A} is used by 2 tests: a; b`]);
});

test('a test is selectable by its id: the id check rejects a test without its @id: tag, testId() gives both', () => {
  expect(testId(A)).toEqual({ tag: [`@id:${A}`], annotation: { type: 'id', description: A } });
  expect(testId(A, '@slice').tag).toEqual([`@id:${A}`, '@slice']);
  expect(checkTestIds([{ where: 'a', ids: [A], tags: ['@slice', `@id:${A}`] }])).toEqual([]);
  expect(checkTestIds([{ where: 'a', ids: [A], tags: ['@slice'] }])).toEqual([`a: no @id:${A} tag, so --grep ${A} does not select it (give the test its details with testId())`]);
  expect(checkTestIds([{ where: 'a', ids: [A], tags: [`@id:${B}`] }])).toHaveLength(1);
});

test('a derived id is a well-formed UUID, the same for the same name, different for another', () => {
  const a = stableUuid('rbac cell projects.create › project-member › in');
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(stableUuid('rbac cell projects.create › project-member › in')).toBe(a);
  expect(stableUuid('rbac cell projects.create › project-member › out')).not.toBe(a);
  expect(checkTestIds([{ where: 'x', ids: [a] }])).toEqual([]);
});

// Every test of every suite project, as Playwright itself lists them (generated tests included).
test('every test under suites/ has exactly one UUID id, used by no other test', () => {
  test.setTimeout(120_000);
  const scratch = mkdtempSync(join(tmpdir(), 'ks-ids-'));
  const out = execFileSync('npx', ['playwright', 'test', '--list', '--reporter=json', '--project=conformance', '--project=rbac', '--project=concurrency', '--project=chaos', '--project=load'], {
    // The listing must not write the run's reports: its own gate file and Allure folder, thrown away.
    env: { ...process.env, KS_TARGET: 'none', PW_JSON: join(scratch, 'results.json'), PW_JUNIT: join(scratch, 'junit.xml'), KS_GATE_FILE: join(scratch, 'gate.json'), ALLURE_RESULTS_DIR: join(scratch, 'allure'), CI: '' },
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const tests = listedTests(JSON.parse(out));
  expect(tests.length, 'tests listed').toBeGreaterThan(200);
  expect(checkTestIds(tests)).toEqual([]);
});
