import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { fullProjectRun } from '../lib/config/cli-projects.js';
import {
  allureCategories, environmentEntries, executorInfo, GATE_CATEGORIES, gateSummaryHtml, mergeEnvironments, prefixOf, prepareAllureResults,
  propertiesText, reportName, resultKey, stampResult, stampResults, type DashboardCategory,
} from '../reports/allure-dashboard.js';
import { judgeCoverage } from '../reports/coverage-verdict.js';

const CATEGORIES = Object.keys(GATE_CATEGORIES) as DashboardCategory[];

/** Allure 2 matches messageRegex with java.util.regex DOTALL against the whole message. */
function javaMatches(regex: string, message: string): boolean {
  return new RegExp(`^(?:${regex})$`, 's').test(message);
}

/** A result as allure-playwright writes it, for the test with this Playwright title path. */
function result(titlePath: string[], status: string, message?: string, start = 1_000) {
  return {
    uuid: titlePath.join('-').replace(/[^A-Za-z0-9_-]/g, '_'), name: titlePath.at(-1)!, status, start, stop: start + 1,
    labels: [{ name: 'titlePath', value: ` > ${titlePath.slice(0, -1).join(' > ')}` }, { name: 'parentSuite', value: titlePath[0]! }],
    ...(message !== undefined ? { statusDetails: { message } } : {}),
  };
}

test.describe('Allure categories follow the gate categories (reports/allure-dashboard.ts)', () => {
  test('each category\'s regex matches its own stamped message and no other category\'s', () => {
    const cats = allureCategories();
    expect(cats.map((c) => c.name)).toEqual(CATEGORIES.map((c) => GATE_CATEGORIES[c].title));
    for (const c of CATEGORIES) {
      const message = `${prefixOf(c)}PATCH /v3/projects/{id}: 14 conflicts provoked\nsecond line [contract] in the text`;
      const matching = cats.filter((x) => javaMatches(x.messageRegex, message)).map((x) => x.name);
      expect(matching, c).toEqual([GATE_CATEGORIES[c].title]);
    }
    // Not stamped, or a look-alike prefix: no gate category.
    for (const m of ['Error: expect(received).toBe(expected)', 'contract: no brackets', '[contractual] near miss', ' [contract] leading space']) {
      expect(cats.filter((x) => javaMatches(x.messageRegex, m)), m).toEqual([]);
    }
  });

  test('stamping: category prefix and severity on a failure, known defect on a passed test, nothing else, once', () => {
    const leaked = result(['concurrency', 'suites/concurrency/projects.spec.ts', 'storm'], 'failed', 'Error: 5 leaked');
    expect(stampResult(leaked, { category: 'leaked-conflict' })).toBe(true);
    expect(leaked.statusDetails!.message).toBe('[leaked-conflict] Error: 5 leaked');
    expect(leaked.labels).toContainEqual({ name: 'severity', value: 'critical' });
    expect(leaked.labels).toContainEqual({ name: 'tag', value: 'gate:leaked-conflict' });
    expect(stampResult(leaked, { category: 'contract' })).toBe(false); // idempotent: first stamp stays
    expect(leaked.statusDetails!.message).toBe('[leaked-conflict] Error: 5 leaked');

    const contract = result(['conformance', 'f.spec.ts', 't'], 'broken', 'TypeError: x');
    stampResult(contract, { category: 'contract' });
    expect(contract.labels).toContainEqual({ name: 'severity', value: 'normal' });

    const passed = result(['conformance', 'f.spec.ts', 'ok'], 'passed');
    expect(stampResult(passed, { category: 'contract' })).toBe(false);
    expect(passed.statusDetails).toBeUndefined();

    const known = result(['conformance', 'f.spec.ts', 'listed'], 'passed');
    expect(stampResult(known, { knownDefects: ['lone surrogate: no response; keystone bug'] })).toBe(true);
    expect(known.statusDetails).toEqual({ message: '[known-defect] lone surrogate: no response; keystone bug', known: true });

    const notRun = result(['chaos', 'c.spec.ts', 'crash'], 'skipped');
    expect(stampResult(notRun, { category: 'not-run' })).toBe(true);
    expect(notRun.statusDetails!.message).toBe('[not-run] skipped');
    const skippedWithReason = result(['chaos', 'c.spec.ts', 'crash2'], 'skipped');
    expect(stampResult(skippedWithReason, { category: 'contract' })).toBe(false);
  });

  test('stampResults touches only this run\'s results with a stamp, keyed by Playwright\'s title path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kscv-allure-'));
    try {
      const path = ['', 'conformance', 'suites/conformance/projects.spec.ts', 'projects @projects', 'create'];
      const mine = result(path.slice(1), 'failed', 'Error: 500', 5_000);
      mine.labels[0]!.value = ` > ${path.slice(1, -1).join(' > ')}`;
      const earlier = { ...result(path.slice(1), 'failed', 'Error: old run', 1_000), uuid: 'earlier' };
      const other = result(['conformance', 'x.spec.ts', 'other'], 'failed', 'Error: other', 5_000);
      for (const r of [mine, earlier, other]) writeFileSync(join(dir, `${r.uuid}-result.json`), JSON.stringify(r));
      expect(resultKey(mine)).toBe(path.join(' > '));
      const n = stampResults(dir, new Map([[path.join(' > '), { category: 'bad-input-5xx' as const }]]), 4_000);
      expect(n).toBe(1);
      const read = (u: string) => JSON.parse(readFileSync(join(dir, `${u}-result.json`), 'utf8')).statusDetails.message;
      expect(read(mine.uuid)).toBe('[bad-input-5xx] Error: 500');
      expect(read('earlier')).toBe('Error: old run');
      expect(read(other.uuid)).toBe('Error: other');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('allure generate groups hand-made failures by gate category in the Categories tab', () => {
    test.setTimeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'kscv-allure-gen-'));
    try {
      const results = join(dir, 'results');
      mkdirSync(results);
      writeFileSync(join(results, 'categories.json'), JSON.stringify(allureCategories()));
      const expected: Record<string, string[]> = {};
      for (const c of CATEGORIES) {
        const r = result(['p', 'f.spec.ts', `t-${c}`], c === 'known-defect' ? 'passed' : 'failed', c === 'known-defect' ? undefined : 'Error: boom');
        stampResult(r, c === 'known-defect' ? { knownDefects: ['listed'] } : { category: c });
        writeFileSync(join(results, `${r.uuid}-result.json`), JSON.stringify(r));
        expected[GATE_CATEGORIES[c].title] = [`t-${c}`];
      }
      const plain = result(['p', 'f.spec.ts', 'unstamped'], 'failed', 'Error: boom');
      writeFileSync(join(results, `${plain.uuid}-result.json`), JSON.stringify(plain));
      expected['Product defects'] = ['unstamped'];
      execFileSync('npx', ['allure', 'generate', results, '--clean', '-o', join(dir, 'report')], { env: { ...process.env, ALLURE_NO_ANALYTICS: '1' }, stdio: 'pipe' });
      const tree = JSON.parse(readFileSync(join(dir, 'report', 'data', 'categories.json'), 'utf8')) as { children: { name: string; children: { children: { name: string }[] }[] }[] };
      const got = Object.fromEntries(tree.children.map((c) => [c.name, c.children.flatMap((m) => m.children.map((t) => t.name)).sort()]));
      expect(got).toEqual(expected);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

test.describe('what was gated, who ran it, the summary', () => {
  test('environment entries, merged across phases, as java properties', () => {
    const pg = environmentEntries({ target: 'embedded', backend: 'postgres', keystoneVariant: 'patched', databaseIsolation: 'serializable', regions: 1, keystone: { packageVersion: '22.0.2', apiVersion: 'v3.14' }, enforceScope: false, knownDefects: 'expectations/keystone-zed.yaml' });
    expect(pg).toMatchObject({ 'keystone.version': 'keystone 22.0.2', 'keystone.api': 'v3.14', 'backend': 'postgres', 'topology': '1 region (postgres)', 'policy.enforce_scope': 'false', 'conflict.injection': 'off' });
    const galera = environmentEntries({ target: 'embedded', backend: 'galera', keystoneVariant: 'patched', regions: 3, keystone: { packageVersion: '22.0.2' }, conflictInjection: { mode: 'first-attempt', point: 'statement' } });
    const merged = mergeEnvironments([{ run: 'conformance', entries: pg }, { run: 'chaos', entries: galera }, { run: 'load', entries: pg }]);
    expect(merged['keystone.version']).toBe('keystone 22.0.2');
    expect(merged['backend']).toBe('postgres (conformance, load); galera (chaos)');
    expect(merged['conflict.injection']).toBe('off (conformance, load); first-attempt, statement (chaos)');
    expect(propertiesText({ 'a key': 'x=y\nz' })).toBe('a\\ key=x=y\\nz\n');
  });

  test('executor.json names the CI and the build URL, or says local', () => {
    expect(executorInfo({ GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42', GITHUB_RUN_NUMBER: '7', GITHUB_WORKFLOW: 'gate' }, 'n'))
      .toMatchObject({ name: 'GitHub Actions', buildUrl: 'https://github.com/o/r/actions/runs/42', buildName: 'gate #7', buildOrder: 7, reportName: 'n' });
    expect(executorInfo({ GITLAB_CI: 'true', CI_JOB_URL: 'https://gitlab.example/o/r/-/jobs/9', CI_JOB_NAME: 'gate', CI_PIPELINE_IID: '3' }, 'n'))
      .toMatchObject({ name: 'GitLab CI', buildUrl: 'https://gitlab.example/o/r/-/jobs/9', buildOrder: 3 });
    expect(executorInfo({ BUILD_URL: 'https://ci.example/job/gate/5/', BUILD_NUMBER: '5', JOB_NAME: 'gate', JENKINS_URL: 'https://ci.example/' }, 'n'))
      .toMatchObject({ name: 'Jenkins', buildUrl: 'https://ci.example/job/gate/5/' });
    expect(executorInfo({ GITHUB_ACTIONS: 'true' }, 'n')).toEqual({ name: 'local', type: 'local', reportName: 'n' });
  });

  test('api coverage: a slice is informational (never red), a full conformance run judges it', () => {
    const slice = judgeCoverage({ total: 233, covered: 148, justified: 0, uncovered: 85 }, false);
    expect(slice).toMatchObject({ judged: false, status: 'skipped' });
    expect(slice.failure).toBeUndefined();
    const full = judgeCoverage({ total: 233, covered: 220, justified: 10, uncovered: 3 }, true);
    expect(full).toMatchObject({ judged: true, status: 'failed' });
    expect(full.failure).toContain('3 of 233');
    expect(judgeCoverage({ total: 233, covered: 223, justified: 10, uncovered: 0 }, true)).toMatchObject({ judged: true, status: 'passed' });
    // What is a full run of a project, from Playwright's command line.
    const cli = (...a: string[]) => ['node', 'playwright', 'test', ...a];
    expect(fullProjectRun(cli('--project=conformance'), 'conformance')).toBe(true);
    expect(fullProjectRun(cli(), 'conformance')).toBe(true);
    expect(fullProjectRun(cli('--project', 'conformance', '--workers', '2', '--reporter', 'list'), 'conformance')).toBe(true);
    expect(fullProjectRun(cli('--project=conformance', '--grep', '@slice'), 'conformance')).toBe(false);
    expect(fullProjectRun(cli('--project=conformance', '-g=@slice'), 'conformance')).toBe(false);
    expect(fullProjectRun(cli('--project=conformance', 'suites/conformance/projects.spec.ts'), 'conformance')).toBe(false);
    expect(fullProjectRun(cli('--project=conformance', '--shard=1/2'), 'conformance')).toBe(false);
    // A shard of the whole project counts as whole for npm run merge, which also requires every sibling shard.
    expect(fullProjectRun(cli('--project=conformance', '--shard=1/2'), 'conformance', { shardsMakeWhole: true })).toBe(true);
    expect(fullProjectRun(cli('--project=conformance', '--shard', '2/2'), 'conformance', { shardsMakeWhole: true })).toBe(true);
    expect(fullProjectRun(cli('--project=conformance', '--shard=1/2', '--grep', '@slice'), 'conformance', { shardsMakeWhole: true })).toBe(false);
    expect(fullProjectRun(cli('--project=load'), 'conformance')).toBe(false);
  });

  test('the gate summary entry, categories, environment and executor land in allure-results', () => {
    const root = mkdtempSync(join(tmpdir(), 'kscv-allure-prep-'));
    try {
      mkdirSync(join(root, 'reports', 'out', 'gate-phases'), { recursive: true });
      const gate = {
        verdict: 'fail', counts: { passed: 230, failed: 1, skipped: 1 }, failuresByCategory: { 'leaked-conflict': 1 },
        phases: [{ phase: 'conformance', verdict: 'pass', durationSeconds: 1700, counts: { passed: 165, failed: 0, skipped: 1 } }, { phase: 'concurrency', verdict: 'fail', durationSeconds: 800, counts: { passed: 36, failed: 1, skipped: 0 } }],
        leakedOperations: [{ operation: 'PATCH /v3/projects/{project_id}', conflictsProvoked: 14, retriedToSuccess: 9, leaked: 5, driverFunctions: ['update_project'] }],
        coverage: { total: 233, covered: 223, justified: 10, uncovered: 0, judged: false },
        failures: [{ category: 'leaked-conflict', test: 'concurrency › storm', message: 'PATCH: 5 leaked' }],
      };
      writeFileSync(join(root, 'reports', 'gate.json'), JSON.stringify(gate));
      writeFileSync(join(root, 'reports', 'out', 'gate-phases', 'conformance.gate.json'), JSON.stringify({ coverage: { ...gate.coverage, judged: true } }));
      writeFileSync(join(root, 'reports', 'load.json'), JSON.stringify({ meta: { label: 'postgres · 0 ms' }, scenarios: [{ scenario: 'KeystoneBasic.create_user', passed: true, iterations: 8, failures: 0, iterationsPerSecond: 0.5, total: { median: 1.2, p95: 2.5 } }] }));
      const dir = join(root, 'allure-results');
      mkdirSync(dir);
      writeFileSync(join(dir, 'ks-environment-conformance.json'), JSON.stringify({ run: 'conformance', entries: { backend: 'postgres' } }));
      const name = prepareAllureResults(dir, root, { GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '1' });
      expect(name).toBe('Keystone release gate: FAIL (230 passed, 1 failed, 1 skipped)');
      expect(name).toBe(reportName(gate));
      expect(JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8'))).toEqual(allureCategories());
      expect(readFileSync(join(dir, 'environment.properties'), 'utf8')).toContain('backend=postgres');
      expect(JSON.parse(readFileSync(join(dir, 'executor.json'), 'utf8'))).toMatchObject({ buildUrl: 'https://github.com/o/r/actions/runs/1', reportName: name });
      const entry = readdirSync(dir).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))[0];
      expect(entry).toMatchObject({ name: 'gate summary', status: 'failed', statusDetails: { message: '[verdict] FAIL: leaked-conflict 1' } });
      for (const text of ['Verdict: FAIL', 'concurrency', 'PATCH /v3/projects/{project_id}', 'update_project', 'KeystoneBasic.create_user', 'API coverage']) expect(entry.descriptionHtml).toContain(text);
      // Preparing twice (npm run report run again) leaves one summary entry, not two.
      prepareAllureResults(dir, root, {});
      expect(readdirSync(dir).filter((f) => f.endsWith('-result.json'))).toHaveLength(1);
      expect(readdirSync(dir).filter((f) => f.includes('-attachment.'))).toHaveLength(2);
      // The conformance phase judged coverage: the merged summary does not call it informational.
      expect(entry.descriptionHtml).not.toContain('informational');
      expect(gateSummaryHtml({ ...gate, phases: undefined })).toContain('informational');
    } finally { rmSync(root, { recursive: true, force: true }); }
  });
});

test('no stale allure-results are read by the preparation: an empty results dir still gets categories', () => {
  const root = mkdtempSync(join(tmpdir(), 'kscv-allure-empty-'));
  try {
    const name = prepareAllureResults(join(root, 'r'), root, {});
    expect(name).toBe('Keystone release gate');
    expect(existsSync(join(root, 'r', 'categories.json'))).toBe(true);
    expect(readdirSync(join(root, 'r')).filter((f) => f.endsWith('-result.json'))).toEqual([]);
  } finally { rmSync(root, { recursive: true, force: true }); }
});
