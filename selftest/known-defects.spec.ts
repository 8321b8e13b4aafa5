import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ConfigError, DEFAULT_KNOWN_DEFECTS, readSettings } from '../lib/config/settings.js';
import { applicableDefects, DEFECT_OUTCOMES, decideDefectsList, judgeCheck, knownCaseDefect, knownDefectsDecision, parseDefectsRelease, parseKnownDefects } from '../lib/conformance/known-defects.js';
import { outcomeClass } from '../lib/conformance/server-error.js';
import { cells, cellTestId } from '../lib/rbac/expectations.js';
import { MATRIX } from '../suites/rbac/matrix.js';

const A = '1f7f20f4-c5d6-44a7-8978-966124b02765';
const B = '0b0e0f6e-5d2c-4b8e-9b1a-2f6f0c3d4e5a';

test('a case entry matches only its test and a check description containing the case', () => {
  const defects = parseKnownDefects(`defects:\n  - tests: [${A}]\n    cases: ["[null-body]", "null-body: PUT"]\n    outcome: no-response\n    defect: drops the connection\n  - tests: [${B}]\n    cases: ["secret [appended]"]\n    outcome: 2xx\n    defect: secret checked to 72 bytes only\n`, 'x.yaml');
  expect(knownCaseDefect(defects, A, 'POST /v3/credentials [null-body]')?.defect).toBe('drops the connection');
  expect(knownCaseDefect(defects, A, 'POST /v3/credentials [not-json]')).toBeUndefined();
  expect(knownCaseDefect(defects, A, 'null-body: PUT mappings/{id} null-body')?.defect).toBe('drops the connection');
  expect(knownCaseDefect(defects, B, 'POST /v3/credentials [null-body]')).toBeUndefined();
  expect(knownCaseDefect(defects, undefined, 'POST /v3/credentials [null-body]')).toBeUndefined();
  expect(() => parseKnownDefects(`defects:\n  - tests: [${A}]\n    cases: [c]\n    defect: x\n    backend: oracle\n`, 'f.yaml')).toThrow(/"backend"/);
  expect(knownCaseDefect(defects, B, 'POST /v3/auth/tokens secret [appended]')?.defect).toBe('secret checked to 72 bytes only');
});

test('malformed files are refused with the entry named', () => {
  expect(() => parseKnownDefects('- a\n', 'f.yaml')).toThrow(/top-level "defects:"/);
  expect(() => parseKnownDefects('defects:\n  - tests: [not-a-uuid]\n    defect: x\n', 'f.yaml')).toThrow(/defects\[0\]: "tests"/);
  expect(() => parseKnownDefects(`defects:\n  - tests: [${A}]\n    cases: [c]\n`, 'f.yaml')).toThrow(/"defect" must say/);
  expect(() => parseKnownDefects(`defects:\n  - tests: [${A}]\n    defect: x\n    bug: 1\n`, 'f.yaml')).toThrow(ConfigError);
  expect(parseKnownDefects('', 'empty.yaml')).toEqual([]);
});

test('an entry applies only to its backend and not to a Keystone built with a patch that fixes it', () => {
  const defects = parseKnownDefects([
    'defects:',
    `  - tests: [${A}]`, '    cases: [c]', '    outcome: 5xx', '    defect: everywhere',
    `  - tests: [${A}]`, '    cases: [c]', '    outcome: 5xx', '    defect: postgres only', '    backend: postgres',
    `  - tests: [${A}]`, '    cases: [c]', '    outcome: 5xx', '    defect: fixed by the retry patch', '    fixedBy: [keystone-retry.diff]',
  ].join('\n'), 'f.yaml');
  const names = (backend: 'postgres' | 'galera', patch?: string) => applicableDefects(defects, backend, patch).map((d) => d.defect);
  expect(names('postgres')).toEqual(['everywhere', 'postgres only', 'fixed by the retry patch']);
  expect(names('galera')).toEqual(['everywhere', 'fixed by the retry patch']);
  // KS_KEYSTONE_PATCH is a path; the entry names the file.
  expect(names('postgres', 'patches/keystone-retry.diff')).toEqual(['everywhere', 'postgres only']);
  expect(names('postgres', '/tmp/other.diff')).toEqual(['everywhere', 'postgres only', 'fixed by the retry patch']);
  expect(() => parseKnownDefects(`defects:\n  - tests: [${A}]\n    cases: [c]\n    outcome: 5xx\n    defect: x\n    fixedBy: [patches/keystone-retry.diff]\n`, 'f.yaml')).toThrow(/"fixedBy"/);
});

test('KS_KNOWN_DEFECTS: the shipped Zed list by default, none turns it off', () => {
  expect(readSettings({}).knownDefectsFile).toBe(DEFAULT_KNOWN_DEFECTS);
  expect(readSettings({ KS_KNOWN_DEFECTS: 'none' }).knownDefectsFile).toBeUndefined();
  expect(readSettings({ KS_KNOWN_DEFECTS: 'my.yaml' }).knownDefectsFile).toBe('my.yaml');
});

test('the shipped Zed list parses, names each test once per case, and every test id exists in a spec', () => {
  const defects = parseKnownDefects(readFileSync(DEFAULT_KNOWN_DEFECTS, 'utf8'), DEFAULT_KNOWN_DEFECTS);
  expect(defects.length).toBeGreaterThan(0);
  const keys = defects.flatMap((d) => d.tests.map((t) => `${t} ${(d.cases ?? []).join('|')} ${d.backend ?? ''}`));
  expect(new Set(keys).size, 'a test listed twice for one case').toBe(keys.length);
  const specs = readdirSync('suites', { recursive: true }).map(String).filter((f) => f.endsWith('.spec.ts')).map((f) => readFileSync(join('suites', f), 'utf8')).join('\n');
  // RBAC cells' ids are derived from the table (suites/rbac/matrix.spec.ts), not written in a spec.
  const rbacCells = new Set((['secure', 'legacy'] as const).flatMap((p) => cells(MATRIX, p)).map((c) => cellTestId(c.id)));
  for (const d of defects) for (const t of d.tests) expect(specs.includes(t) || rbacCells.has(t), `test id ${t} of "${d.defect}" is in a spec or an RBAC cell`).toBe(true);
});

const ZED = { name: 'zed', keystone: 22, api: 'v3.14' };
const FILE = 'expectations/keystone-zed.yaml';

test('the Zed list is loaded for a Keystone whose package is 22.x, and says why', () => {
  const d = decideDefectsList(FILE, ZED, { packageVersion: '22.0.2', apiVersion: 'v3.14' }, undefined);
  expect(d).toEqual({ file: FILE, load: true, reason: expect.stringMatching(/^known defects: loaded expectations\/keystone-zed.yaml \(zed.*keystone 22\.0\.2 \(read in its container\), \/v3 v3\.14$/) });
});

test('the Zed list is not loaded for another release, even one that reports the same /v3 version', () => {
  // Used to load for any Keystone: a user image of 2023.1 (keystone 23, /v3 v3.14) got Zed's excuses.
  const d = decideDefectsList(FILE, ZED, { packageVersion: '23.0.0', apiVersion: 'v3.14' }, undefined);
  expect(d.load).toBe(false);
  expect(d.reason).toMatch(/none loaded: .* keystone 23\.0\.0/);
  // The package decides: a declaration does not override it.
  expect(decideDefectsList(FILE, ZED, { packageVersion: '23.0.0', apiVersion: 'v3.14' }, 'zed').load).toBe(false);
});

test('an external Keystone gets the list only when declared Zed and /v3 agrees', () => {
  // Used to load silently on any external cloud.
  const unknown = decideDefectsList(FILE, ZED, { apiVersion: 'v3.14' }, undefined);
  expect(unknown.load).toBe(false);
  expect(unknown.reason).toMatch(/release of the Keystone under test is unknown.*KS_KEYSTONE_RELEASE=zed/);
  expect(decideDefectsList(FILE, ZED, { apiVersion: 'v3.14' }, 'zed')).toMatchObject({ load: true, reason: expect.stringMatching(/loaded .*KS_KEYSTONE_RELEASE=zed \(declared/) });
  expect(decideDefectsList(FILE, ZED, { apiVersion: 'v3.15' }, 'zed')).toMatchObject({ load: false, reason: expect.stringMatching(/\/v3 reports v3\.15, not v3\.14/) });
  expect(decideDefectsList(FILE, ZED, {}, 'zed').load).toBe(false);
  expect(decideDefectsList(FILE, ZED, { apiVersion: 'v3.14' }, 'yoga').load).toBe(false);
});

test('a list without a valid release header is refused', () => {
  const entries = `defects:\n  - tests: [${A}]\n    defect: x\n`;
  expect(() => parseDefectsRelease(entries, 'mine.yaml')).toThrow(/mine.yaml: no "release:" header/);
  expect(() => parseDefectsRelease(`release: { name: zed, keystone: 23, api: v3.14 }\n${entries}`, 'mine.yaml')).toThrow(/"release.keystone" must be 22/);
  expect(() => parseDefectsRelease(`release: { name: zedd, keystone: 22, api: v3.14 }\n${entries}`, 'mine.yaml')).toThrow(/"release.name"/);
  expect(() => parseDefectsRelease(`release: { name: zed, keystone: 22, api: "3.14" }\n${entries}`, 'mine.yaml')).toThrow(/"release.api"/);
  expect(parseDefectsRelease(readFileSync(DEFAULT_KNOWN_DEFECTS, 'utf8'), DEFAULT_KNOWN_DEFECTS)).toEqual(ZED);
});

test('KS_KNOWN_DEFECTS=none decides "none" without reading a file; KS_KEYSTONE_RELEASE is read lower-case', () => {
  expect(knownDefectsDecision({ knownDefectsFile: undefined, keystoneRelease: undefined }, { packageVersion: '22.0.2' })).toEqual({ load: false, reason: expect.stringMatching(/KS_KNOWN_DEFECTS=none/) });
  expect(readSettings({ KS_KEYSTONE_RELEASE: ' Zed ' }).keystoneRelease).toBe('zed');
  expect(knownDefectsDecision({ knownDefectsFile: DEFAULT_KNOWN_DEFECTS, keystoneRelease: undefined }, { packageVersion: '22.0.2', apiVersion: 'v3.14' }).load).toBe(true);
});

test('no entry covers a whole test: an entry without cases is refused', () => {
  // Used to mark the whole test as expected to fail: any other failing check of it (a setup step,
  // another assertion) was then excused too.
  expect(() => parseKnownDefects(`defects:\n  - tests: [${A}]\n    defect: secret checked to 72 bytes only\n`, 'f.yaml')).toThrow(/"cases" must be a list .*no entry covers a whole test/);
  const defects = parseKnownDefects(readFileSync(DEFAULT_KNOWN_DEFECTS, 'utf8'), DEFAULT_KNOWN_DEFECTS);
  expect(defects.every((d) => d.cases.length > 0)).toBe(true);
});

test('a listed check that fails another way than the entry\'s outcome is not excused', () => {
  const defects = parseKnownDefects(`defects:\n  - tests: [${A}]\n    cases: ["[null-body]"]\n    outcome: no-response\n    defect: drops the connection\n`, 'x.yaml');
  const what = 'POST /v3/credentials [null-body]';
  expect(judgeCheck(defects, A, what, false, 'no-response').kind).toBe('known');
  // Used to be excused whatever came back: a 500 (or an accepted 201) is another defect.
  expect(judgeCheck(defects, A, what, false, '5xx').kind).toBe('other-outcome');
  expect(judgeCheck(defects, A, what, false, '2xx').kind).toBe('other-outcome');
  expect(judgeCheck(defects, A, what, true, 'no-response').kind).toBe('stale');
  // Another check of the same test is not covered by the entry.
  expect(judgeCheck(defects, A, 'POST /v3/credentials [not-json]', false, '5xx').kind).toBe('unlisted');
  expect(judgeCheck(defects, B, what, false, 'no-response').kind).toBe('unlisted');
  // An entry without an outcome used to excuse any failure of its checks: it is refused now.
  expect(() => parseKnownDefects(`defects:\n  - tests: [${A}]\n    cases: ["[wrong-type]"]\n    defect: any failure\n`, 'f.yaml')).toThrow(/"outcome" must be one of/);
  expect(parseKnownDefects(readFileSync(DEFAULT_KNOWN_DEFECTS, 'utf8'), DEFAULT_KNOWN_DEFECTS).every((d) => DEFECT_OUTCOMES.includes(d.outcome))).toBe(true);
  expect(() => parseKnownDefects(`defects:\n  - tests: [${A}]\n    cases: [c]\n    outcome: 500\n    defect: x\n`, 'f.yaml')).toThrow(/"outcome" must be one of/);
});

test('the outcome class of what came back', () => {
  expect(outcomeClass('no-response')).toBe('no-response');
  expect(outcomeClass('connect')).toBe('no-response');
  expect(outcomeClass('timeout')).toBe('timeout');
  expect(outcomeClass(500)).toBe('5xx');
  expect(outcomeClass(201)).toBe('2xx');
  expect(outcomeClass(302)).toBe('3xx');
  expect(outcomeClass(404)).toBe('4xx-wrong-status');
  expect(outcomeClass(400, false)).toBe('4xx-without-error-body');
});
