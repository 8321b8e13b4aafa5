import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ConfigError } from '../lib/config/settings.js';
import { judgeMutantRun, type GateFileOfRun } from '../lib/mutants/judgement.js';
import { parseMutantManifest, phaseEnvironment, selectMutants, validateMutantDiff } from '../lib/mutants/manifest.js';

// The pure parts of `npm run mutants`: the manifest, the diffs, and the kill judgement.

const HERE = (p: string) => p === 'suites/conformance/tokens.spec.ts' || p.startsWith('mutants/');
const ENTRY = 'mutants:\n  - id: tokens-x\n    breaks: revocations are lost\n    concern: tokens\n    projects: [conformance]\n    specs: [suites/conformance/tokens.spec.ts]\n    mustFailAs: contract\n';
const withLine = (key: string, line: string) => ENTRY.split('\n').map((l) => (l.trim().startsWith(`${key}:`) ? line : l)).join('\n');

test('a manifest entry parses with its defaults: not in the CI subset, diff named after the id', () => {
  const [m] = parseMutantManifest(ENTRY, 'm.yaml', HERE);
  expect(m).toEqual({ id: 'tokens-x', breaks: 'revocations are lost', concern: 'tokens', projects: ['conformance'], specs: ['suites/conformance/tokens.spec.ts'], mustFailAs: 'contract', ci: false, phase: 'default', diff: 'mutants/tokens-x.diff' });
});

test('malformed manifests are refused, naming the entry and the field', () => {
  const bad = (text: string, why: RegExp) => expect(() => parseMutantManifest(text, 'm.yaml', HERE)).toThrow(why);
  bad('- a\n', /non-empty top-level "mutants:"/);
  bad('mutants: []\n', /non-empty top-level "mutants:"/);
  bad(withLine('mustFailAs', '    mustFailAs: broken'), /mutant tokens-x: "mustFailAs" must be one of contract, bad-input-5xx/);
  bad(withLine('projects', '    projects: [conformance, smoke]'), /unknown project smoke/);
  bad(withLine('specs', '    specs: [suites/concurrency/tokens.spec.ts]'), /is in none of the folders of conformance/);
  bad(withLine('specs', '    specs: [suites/conformance/nope.spec.ts]'), /nope.spec.ts does not exist/);
  bad(withLine('breaks', '    breaks: ""'), /"breaks" must be a non-empty string/);
  bad(`${ENTRY}    grep: "(unclosed"\n`, /"grep" is not a regular expression/);
  bad(`${ENTRY}    ci: yes please\n`, /"ci" must be true or false/);
  bad(`${ENTRY}    kills: everything\n`, /unknown keys kills/);
  bad(`${ENTRY}    phase: chaos\n`, /"phase" must be one of default, retry/);
  bad(ENTRY.replace('- id: tokens-x', '- id: Tokens_X'), /"id" must be lower-case words/);
  bad(`${ENTRY}${ENTRY.replace('mutants:\n', '')}`, /mutant tokens-x: duplicate id/);
  expect(() => parseMutantManifest(ENTRY, 'm.yaml', (p) => !p.startsWith('mutants/'))).toThrow(/mutants\/tokens-x.diff does not exist/);
  expect(() => parseMutantManifest('mutants: [1]\n', 'm.yaml', HERE)).toThrow(ConfigError);
});

test('a retry-phase mutant runs with conflict injection on; the default phase adds nothing', () => {
  const [m] = parseMutantManifest(`${ENTRY}    phase: retry\n`, 'm.yaml', HERE);
  expect(m!.phase).toBe('retry');
  expect(phaseEnvironment(m!.phase)).toEqual({ KS_INJECT_CONFLICTS: 'on' });
  expect(phaseEnvironment('default')).toEqual({});
});

test('selection: --only must name known mutants, --ci takes the marked ones, else all', () => {
  const all = parseMutantManifest(`${ENTRY}  - id: cheap\n    breaks: b\n    concern: c\n    projects: [conformance]\n    specs: [suites/conformance/tokens.spec.ts]\n    mustFailAs: contract\n    ci: true\n`, 'm.yaml', HERE);
  expect(selectMutants(all, {}).map((m) => m.id)).toEqual(['tokens-x', 'cheap']);
  expect(selectMutants(all, { ci: true }).map((m) => m.id)).toEqual(['cheap']);
  expect(selectMutants(all, { only: ['tokens-x'] }).map((m) => m.id)).toEqual(['tokens-x']);
  expect(() => selectMutants(all, { only: ['tokens-x', 'ghost'] })).toThrow(/no mutant ghost/);
  expect(() => selectMutants(all.slice(0, 1), { ci: true })).toThrow(/no mutant is marked/);
});

test('a mutant diff must change keystone files, a/ -> b/, with a hunk', () => {
  const diff = (from: string, to: string) => `header text\n\ndiff -u ${from} ${to}\n--- ${from}\n+++ ${to}\n@@ -1 +1 @@\n-x\n+y\n`;
  expect(validateMutantDiff(diff('a/keystone/revoke/backends/sql.py', 'b/keystone/revoke/backends/sql.py'), 'm')).toEqual(['keystone/revoke/backends/sql.py']);
  expect(() => validateMutantDiff(diff('a/oslo_db/api.py', 'b/oslo_db/api.py'), 'm')).toThrow(/a\/keystone\/... into b\/keystone/);
  expect(() => validateMutantDiff(diff('keystone/x.py', 'keystone/x.py'), 'm')).toThrow(/a\/keystone/);
  expect(() => validateMutantDiff(diff('a/keystone/x.py', 'b/keystone/y.py'), 'm')).toThrow(/the same file/);
  expect(() => validateMutantDiff('just words\n', 'm')).toThrow(/changes no file/);
});

const failure = (category: string, test = `a test failing as ${category}`) => ({ category, test, project: 'conformance', file: 'f.spec.ts', message: 'boom\nmore' });
const ran = (n: number, failed = 0) => ({ stats: { expected: n - failed, unexpected: failed, flaky: 0, skipped: 0 } });

test('kill judgement: killed only by a failure of the required category', () => {
  const gate: GateFileOfRun = { failures: [failure('harness'), failure('contract', 'show after update')] };
  const j = judgeMutantRun('contract', gate, ran(3, 2));
  expect(j.verdict).toBe('killed');
  // Not the first failure: the one with the right category.
  expect(j.failure).toMatchObject({ test: 'show after update', category: 'contract' });
});

test('kill judgement: a run that failed with another category is "survived (wrong reason)"', () => {
  const j = judgeMutantRun('leaked-conflict', { failures: [failure('invariant', 'storm'), failure('contract')] }, ran(2, 2));
  expect(j.verdict).toBe('survived (wrong reason)');
  expect(j.failure).toMatchObject({ test: 'storm', category: 'invariant' });
  expect(j.reason).toContain('none as leaked-conflict');
});

test('kill judgement: all tests passed is "survived"; no test run or no gate file is "not run"', () => {
  expect(judgeMutantRun('sla', { failures: [] }, ran(1)).verdict).toBe('survived');
  expect(judgeMutantRun('sla', { failures: [], globalErrors: ['leftover ksmu-user-1'] }, ran(1)).reason).toContain('leftover ksmu-user-1');
  // The image did not build: global setup failed, nothing ran. Says nothing about the gate.
  const broken = judgeMutantRun('contract', { failures: [], globalErrors: ['KS_KEYSTONE_PATCH=x does not apply'] }, { stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 }, errors: [{ message: 'Error: KS_KEYSTONE_PATCH=x does not apply\n  at ...' }] });
  expect(broken).toEqual({ verdict: 'not run', reason: 'KS_KEYSTONE_PATCH=x does not apply' });
  // The same, now that the cluster setup project builds it: Playwright's stats count its failed test,
  // the gate's counts (gate tests only) count none, and its failure is the gate's global error.
  const setupFailed = judgeMutantRun('contract', { counts: { passed: 0, failed: 0, skipped: 0 }, failures: [], globalErrors: ['cluster: Error: KS_KEYSTONE_PATCH=x does not apply'] }, { stats: { expected: 0, unexpected: 1, flaky: 0, skipped: 12 }, errors: [] });
  expect(setupFailed).toEqual({ verdict: 'not run', reason: 'cluster: Error: KS_KEYSTONE_PATCH=x does not apply' });
  expect(judgeMutantRun('contract', undefined, undefined)).toEqual({ verdict: 'not run', reason: 'the run wrote no gate file' });
  expect(judgeMutantRun('contract', { failures: [] }, ran(0)).verdict).toBe('not run');
});

test('the shipped manifest is valid and every mutant diff in mutants/ is listed in it', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const mutants = parseMutantManifest(readFileSync(join(root, 'mutants/mutants.yaml'), 'utf8'), 'mutants/mutants.yaml', (p) => existsSync(join(root, p)));
  for (const m of mutants) validateMutantDiff(readFileSync(join(root, m.diff), 'utf8'), m.id);
  const diffs = readdirSync(join(root, 'mutants')).filter((f) => f.endsWith('.diff')).map((f) => f.replace(/\.diff$/, ''));
  expect(diffs.sort()).toEqual(mutants.map((m) => m.id).sort());
  expect(mutants.length).toBeGreaterThanOrEqual(12);
  const ci = mutants.filter((m) => m.ci);
  expect(ci.length).toBeGreaterThanOrEqual(2);
  expect(ci.length).toBeLessThanOrEqual(3);
});
