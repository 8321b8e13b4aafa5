import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { findShardDirs, mergeAllureResults, mergeShardedPhases, mergeShards, packShard, shardDir, shardOf, shardResourcePrefix, shardRunId, type ShardGate, unpackShards } from '../reports/merge-shards.js';
import { judgePhase, type GateFailure, type PhaseFacts } from '../reports/verdict.js';

// Hand-made shard outputs: the merge must judge the union as one run would, and fail on a shard
// with a failure, a missing shard, a duplicate, shards that disagree on n, and verdicts without facts.

type Facts = Omit<PhaseFacts, 'allowNotRun'>;
const facts = (over: Partial<Facts> = {}): Facts => ({
  status: 'passed', selectedProjects: ['conformance'], projects: [{ project: 'conformance', ran: 2, skipped: 0 }], failures: [], skipped: [], globalErrors: [], ...over,
});
const shard = (current: number, total: number, f: Facts = facts(), extra: Partial<ShardGate> = {}): { dir: string; gate: ShardGate } => ({
  dir: `reports/shards/shard-${current}-of-${total}`,
  gate: {
    verdict: judgePhase({ ...f, allowNotRun: [] }).verdict, status: f.status, durationSeconds: 10, shard: { current, total }, runId: `r${current}`,
    counts: { passed: f.projects.reduce((n, p) => n + p.ran, 0) - f.failures.length, failed: f.failures.length, skipped: f.skipped.length }, facts: f, ...extra,
  },
});
const failure: GateFailure = { category: 'contract', test: 'projects › create', project: 'conformance', file: 'suites/conformance/projects.spec.ts', message: 'expected 201, got 500' };

test('--shard=i/n is read from the command line, both spellings, and nonsense is refused', () => {
  expect(shardOf(['x', 'test', '--shard=2/3'])).toEqual({ current: 2, total: 3 });
  expect(shardOf(['test', '--shard', '1/2'])).toEqual({ current: 1, total: 2 });
  expect(shardOf(['test', '--project=conformance'])).toBeUndefined();
  for (const bad of ['0/2', '3/2', 'a/b', '2']) expect(() => shardOf([`--shard=${bad}`])).toThrow(/expected i\/n/);
});

test('each shard gets its own resource prefix, run id and folder; unsharded runs keep theirs', () => {
  const [a, b] = [{ current: 1, total: 2 }, { current: 2, total: 2 }];
  expect(shardResourcePrefix('kscr', a)).toBe('kscr-s1of2');
  expect(shardResourcePrefix('kscr', b)).toBe('kscr-s2of2');
  // The leak check matches names by prefix: no shard's prefix may be a prefix of another's (s1 / s10).
  const twelve = Array.from({ length: 12 }, (_, k) => shardResourcePrefix('kscr', { current: k + 1, total: 12 }));
  for (const p of twelve) for (const q of twelve) if (p !== q) expect(`${q}-project-abc`.startsWith(p), `${p} vs ${q}`).toBe(false);
  expect(shardResourcePrefix('kscr', undefined)).toBe('kscr');
  expect(shardRunId('abcd1234', a)).not.toBe(shardRunId('abcd1234', b));
  expect(shardRunId('abcd1234', undefined)).toBe('abcd1234');
  expect(shardDir(b, '')).toBe(join('reports', 'shards', 'shard-2-of-2'));
  expect(shardDir(b, 'retry')).toBe(join('reports', 'shards', 'retry', 'shard-2-of-2'));
});

test('two passing shards merge into a pass with summed counts, judged like the unsharded run', () => {
  const m = mergeShards([shard(1, 2), shard(2, 2, facts({ projects: [{ project: 'conformance', ran: 3, skipped: 1 }], skipped: [{ test: 't', project: 'conformance', file: 'f', reason: 'TOTP is not enabled' }] }))], []);
  expect(m.verdict).toBe('pass');
  expect(m.counts).toEqual({ passed: 5, failed: 0, skipped: 1 });
  expect(m.globalErrors).toEqual([]);
  const unsharded = judgePhase({ ...facts({ projects: [{ project: 'conformance', ran: 5, skipped: 1 }], skipped: m.skipped }), allowNotRun: [] });
  expect(m.verdict).toBe(unsharded.verdict);
});

test('a shard that drew no test does not make the merge "not run" when the other ran', () => {
  const empty = facts({ projects: [] });
  expect(judgePhase({ ...empty, allowNotRun: [] }).verdict).not.toBe('pass'); // alone, it is no pass
  expect(mergeShards([shard(1, 2), shard(2, 2, empty)], []).verdict).toBe('pass');
});

test('a shard with a failure fails the merge and its failure is listed', () => {
  const m = mergeShards([shard(1, 2), shard(2, 2, facts({ status: 'failed', failures: [failure] }))], []);
  expect(m.verdict).toBe('fail');
  expect(m.failures).toEqual([failure]);
  expect(m.failuresByCategory).toEqual({ contract: 1 });
});

test('a missing shard fails the merge, named; so do a duplicate, disagreeing totals and verdicts without facts', () => {
  const missing = mergeShards([shard(1, 2)], []);
  expect(missing.verdict).toBe('fail');
  expect(missing.globalErrors.join('\n')).toMatch(/shard 2\/2 is missing/);
  // A shard folder without gate.json (the shard died) is missing too.
  expect(mergeShards([shard(1, 2), { dir: 'reports/shards/shard-2-of-2', gate: undefined }], []).globalErrors.join('\n')).toMatch(/no gate\.json[\s\S]*shard 2\/2 is missing/);
  // --shards=3 says how many there must be, even when all present agree on 2.
  expect(mergeShards([shard(1, 2), shard(2, 2)], [], 3).globalErrors.join('\n')).toMatch(/disagree[\s\S]*shard 3\/3 is missing/);
  expect(mergeShards([shard(1, 2), shard(1, 2), shard(2, 2)], []).globalErrors.join('\n')).toMatch(/shard 1\/2 appears 2 times/);
  expect(mergeShards([shard(1, 2), shard(2, 3)], []).verdict).toBe('fail');
  const noFacts = shard(2, 2); delete noFacts.gate.facts;
  expect(mergeShards([shard(1, 2), noFacts], []).globalErrors.join('\n')).toMatch(/without facts/);
  expect(mergeShards([], []).verdict).toBe('fail');
});

test('shards where every test skipped merge into "not run", accepted only when allowed', () => {
  const skipped = facts({ selectedProjects: ['chaos'], projects: [{ project: 'chaos', ran: 0, skipped: 2 }], skipped: [{ test: 't', project: 'chaos', file: 'f', reason: 'CockroachDB not run: KS_COCKROACH_IMAGE is not set' }] });
  const m = mergeShards([shard(1, 2, skipped), shard(2, 2, skipped)], []);
  expect(m).toMatchObject({ verdict: 'not run', accepted: false });
  expect(m.globalErrors.join('\n')).toMatch(/KS_COCKROACH_IMAGE/);
  expect(mergeShards([shard(1, 2, skipped), shard(2, 2, skipped)], ['chaos'])).toMatchObject({ verdict: 'not run', accepted: true });
});

test('raw rows of every shard land in one run folder without overwriting; shards\' own Allure run entries are dropped', () => {
  const root = mkdtempSync(join(tmpdir(), 'ks-merge-'));
  try {
    const dirs = [1, 2].map((i) => {
      // What a shard's run left in reports/out, packed as the gate reporter does.
      const run = join(root, `run${i}`);
      mkdirSync(join(run, 'reports/out/requests'), { recursive: true });
      writeFileSync(join(run, 'reports/out/requests/worker-0.jsonl'), `{"method":"GET","path":"/v3/projects","shard":${i}}\n`);
      const dir = join(root, 'shards', `shard-${i}-of-2`);
      packShard(dir, run);
      mkdirSync(join(dir, 'allure-results'), { recursive: true });
      writeFileSync(join(dir, 'allure-results', `t${i}-result.json`), JSON.stringify({ historyId: `test-${i}`, name: 't' }));
      writeFileSync(join(dir, 'allure-results', `e${i}-result.json`), JSON.stringify({ historyId: 'gate-run-entry-api coverage', name: 'api coverage' }));
      return dir;
    });
    expect(unpackShards(dirs, join(root, 'merged'))).toBe(2);
    const files = readdirSync(join(root, 'merged/reports/out/requests')).sort();
    expect(files).toEqual(['shards_shard-1-of-2-worker-0.jsonl', 'shards_shard-2-of-2-worker-0.jsonl']);
    expect(files.map((f) => readFileSync(join(root, 'merged/reports/out/requests', f), 'utf8')).join('')).toMatch(/"shard":1[\s\S]*"shard":2/);
    expect(mergeAllureResults(dirs, join(root, 'allure'))).toBe(2);
    expect(readdirSync(join(root, 'allure')).sort()).toEqual(['t1-result.json', 't2-result.json']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('npm run merge exits 1 on a missing shard and writes the failing verdict', () => {
  const root = mkdtempSync(join(tmpdir(), 'ks-merge-cli-'));
  try {
    const s = shard(1, 2);
    mkdirSync(join(root, s.dir), { recursive: true });
    writeFileSync(join(root, s.dir, 'gate.json'), JSON.stringify(s.gate));
    const r = spawnSync(resolve('node_modules/.bin/tsx'), [resolve('scripts/merge-shards.ts'), '--shards=2'], {
      cwd: root, encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, ALLURE_RESULTS_DIR: join(root, 'allure-results'), KS_GATE_FILE: join(root, 'reports/gate.json'), PW_JUNIT: join(root, 'junit.xml'), KS_GATE_PHASES: '' },
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/merged gate verdict: FAIL/);
    const gate = JSON.parse(readFileSync(join(root, 'reports/gate.json'), 'utf8')) as { verdict: string; globalErrors: string[] };
    expect(gate.verdict).toBe('fail');
    expect(gate.globalErrors.join('\n')).toMatch(/shard 2\/2 is missing/);
    expect(existsSync(join(root, 'allure-results'))).toBe(true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('shards of several gate phases: merged per phase, then as the gate merges phases', () => {
  const phase = (p: string, project: string, current: number, total: number, f: Facts = facts({ selectedProjects: [project], projects: [{ project, ran: 2, skipped: 0 }] })) => {
    const x = shard(current, total, f, { phase: p, configuredProjects: ['selftest', 'conformance', 'concurrency'] });
    return { ...x, dir: `reports/shards/shard-${p}-${current}/shard-${current}-of-${total}` };
  };
  const all = [phase('conformance', 'conformance', 1, 2), phase('conformance', 'conformance', 2, 2), phase('retry', 'conformance', 1, 2), phase('retry', 'conformance', 2, 2), phase('concurrency', 'concurrency', 1, 2), phase('concurrency', 'concurrency', 2, 2)];
  const ok = mergeShardedPhases(all, [], { subset: false });
  expect(ok.verdict).toBe('pass');
  expect(ok.phases.map((p) => `${p.phase} ${p.verdict}`)).toEqual(['conformance pass', 'retry pass', 'concurrency pass']);
  expect(ok.counts.passed).toBe(12);
  // One phase misses a shard: that phase fails, so the gate does.
  const missing = mergeShardedPhases(all.filter((x) => !(x.gate.phase === 'retry' && x.gate.shard?.current === 2)), [], { subset: false });
  expect(missing.verdict).toBe('fail');
  expect(missing.phases.find((p) => p.phase === 'retry')?.verdict).toBe('fail');
  expect(missing.globalErrors.join('\n')).toMatch(/shard 2\/2 is missing/);
  // A full gate whose phases never ran a configured project fails, naming it; a chosen subset does not.
  const noConcurrency = all.filter((x) => x.gate.phase !== 'concurrency');
  expect(mergeShardedPhases(noConcurrency, [], { subset: false }).globalErrors.join('\n')).toMatch(/project "concurrency" is configured .* no gate phase runs it/);
  expect(mergeShardedPhases(noConcurrency, [], { subset: true }).verdict).toBe('pass');
  expect(mergeShardedPhases([], [], { subset: true }).verdict).toBe('fail');
});

test('shard folders are found at any depth (CI downloads each artifact into its own folder)', () => {
  const root = mkdtempSync(join(tmpdir(), 'ks-find-'));
  try {
    for (const d of ['shard-1-of-2', 'shard-conformance-2/shard-2-of-2', 'other/deeper/shard-3-of-3']) mkdirSync(join(root, d), { recursive: true });
    mkdirSync(join(root, 'not-a-shard'));
    expect(findShardDirs(root).map((d) => d.slice(root.length + 1))).toEqual(['other/deeper/shard-3-of-3', 'shard-1-of-2', 'shard-conformance-2/shard-2-of-2']);
    expect(findShardDirs(join(root, 'absent'))).toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
