// `npm run merge [-- --shards=N] [folder...]`: one verdict, one coverage report, one retry
// coverage table, one Allure results folder and one JUnit file from the shards of a run
// (`npx playwright test --shard=i/n` on each machine wrote reports/shards/shard-i-of-n/; CI
// downloads them into reports/shards/<artifact>/). Every shard-i-of-n folder under the folders
// named (default reports/shards) is merged; shards of several phases (KS_GATE_PHASE) are merged
// per phase, then as `npm run gate` merges phases (KS_GATE_PHASES: some phases only).
// Exit status is the merged verdict.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findShardDirs, mergeAllureResults, mergeShardedPhases, SHARD_RAW_DIRS, SHARDS_DIR, type ShardGate, unpackShards } from '../reports/merge-shards.js';
import { writeRunReports } from '../reports/run-reports.js';
import { ALLOW_NOT_RUN_ENV, allowedNotRun } from '../reports/verdict.js';

const args = process.argv.slice(2);
const expected = args.find((a) => a.startsWith('--shards='));
const expectedTotal = expected ? Number(expected.slice('--shards='.length)) : undefined;
if (expectedTotal !== undefined && !(Number.isInteger(expectedTotal) && expectedTotal >= 1)) throw new Error(`${expected}: expected a positive integer`);
const named = args.filter((a) => !a.startsWith('--'));
const dirs = (named.length ? named : [SHARDS_DIR]).flatMap(findShardDirs);
const out = process.env.KS_GATE_FILE ?? 'reports/gate.json';
const allureDir = process.env.ALLURE_RESULTS_DIR ?? 'allure-results';

const inputs = dirs.map((dir) => ({ dir, gate: existsSync(join(dir, 'gate.json')) ? JSON.parse(readFileSync(join(dir, 'gate.json'), 'utf8')) as ShardGate : undefined }));
const merged = mergeShardedPhases(inputs, allowedNotRun(process.env[ALLOW_NOT_RUN_ENV]), {
  expectedTotal,
  // Shards of gate phases (KS_GATE_PHASE, as the CI templates run them) are a full gate unless
  // KS_GATE_PHASES picks some: every configured project must then be run by a phase. Shards of a
  // plain `npx playwright test --shard` are judged as that one run would be.
  subset: !!process.env.KS_GATE_PHASES?.trim() || inputs.every((x) => !x.gate?.phase),
});

// Coverage and retry coverage from every shard's raw rows, by the same writers as one run.
for (const d of [...SHARD_RAW_DIRS, 'reports/coverage.json', 'reports/retry-coverage.json', 'reports/retry-coverage.html', 'reports/retry-injection.json', 'reports/retry-injection.html']) rmSync(d, { recursive: true, force: true });
rmSync(allureDir, { recursive: true, force: true });
const rawFiles = unpackShards(dirs);
const allureResults = mergeAllureResults(dirs, allureDir);
const first = inputs.find((x) => x.gate)?.gate as (ShardGate & { cluster?: { backend?: string; keystoneVariant?: string; databaseIsolation?: string } }) | undefined;
const summary = JSON.parse(process.env.KS_CLUSTER_SUMMARY ?? '{}') as { backend?: string; keystoneVariant?: string; databaseIsolation?: string };
// Coverage is judged only when every shard ran the whole conformance project but for --shard (the merge refused missing shards above).
const fullConformanceRun = inputs.length > 0 && inputs.every((x) => x.gate?.wholeConformanceShard === true);
await writeRunReports({ backend: summary.backend ?? first?.cluster?.backend ?? 'unknown', keystoneVariant: summary.keystoneVariant ?? first?.cluster?.keystoneVariant ?? 'unknown', databaseIsolation: summary.databaseIsolation ?? first?.cluster?.databaseIsolation, fullConformanceRun })
  .catch((e) => merged.globalErrors.push(`run reports: ${(e as Error).message}`));
const coverage = existsSync('reports/coverage.json') ? JSON.parse(readFileSync('reports/coverage.json', 'utf8')) as { total: number; covered: number; justified: number; uncovered: number } : undefined;
const retry = existsSync('reports/retry-coverage.json') ? JSON.parse(readFileSync('reports/retry-coverage.json', 'utf8')) as { operations?: { op: string; leaks: number; conflictsProvoked: number; retriedThenOk: number; leakingFunctions: string[] }[] } : undefined;
// Concurrency leaks come from the merged table (a shard only saw its own storms' rows).
const leakedOperations = [
  ...(retry?.operations ?? []).filter((o) => o.leaks > 0).map((o) => ({ operation: o.op, conflictsProvoked: o.conflictsProvoked, retriedToSuccess: o.retriedThenOk, leaked: o.leaks, driverFunctions: o.leakingFunctions })),
  ...merged.leakedOperations.filter((l) => typeof l === 'object' && l !== null && 'conflictsInjected' in l),
];

// JUnit (and Playwright's HTML report) from the blob reports: Playwright's own merge.
const blobs = join('reports', 'out', 'merged-blobs');
rmSync(blobs, { recursive: true, force: true });
mkdirSync(blobs, { recursive: true });
for (const dir of dirs) if (existsSync(join(dir, 'blob'))) for (const f of readdirSync(join(dir, 'blob')).filter((x) => x.endsWith('.zip'))) cpSync(join(dir, 'blob', f), join(blobs, f));
const junit = process.env.PW_JUNIT ?? 'reports/out/junit.xml';
if (readdirSync(blobs).length) {
  mkdirSync('reports/out', { recursive: true });
  const r = spawnSync('npx', ['playwright', 'merge-reports', '--reporter=junit', blobs], { encoding: 'utf8', env: { ...process.env, PLAYWRIGHT_JUNIT_OUTPUT_NAME: junit } });
  if (r.status !== 0) merged.globalErrors.push(`playwright merge-reports failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
} else merged.globalErrors.push('no blob report in any shard: JUnit could not be merged');

const gate = {
  ...merged, leakedOperations,
  coverage: coverage ? { total: coverage.total, covered: coverage.covered, justified: coverage.justified, uncovered: coverage.uncovered } : undefined,
  merged: { shards: dirs.length, rawFiles, allureResults, junit },
};
// Anything that went wrong while merging (reports, JUnit) makes the merge fail too.
if (gate.globalErrors.length && gate.verdict === 'pass') gate.verdict = 'fail';
mkdirSync('reports', { recursive: true });
writeFileSync(out, JSON.stringify(gate, null, 2));
const c = gate.counts;
const lines = [`merged gate verdict: ${gate.verdict.toUpperCase()} (${c.passed ?? 0} passed, ${c.failed ?? 0} failed, ${c.skipped ?? 0} skipped; ${dirs.length} shard folder(s)) -> ${out}`];
for (const p of gate.phases) lines.push(`  phase ${p.phase}: ${p.verdict} (${gate.shards.filter((x) => x.phase === p.phase).length} shard(s))`);
if (coverage) lines.push(`  coverage: ${coverage.covered} covered, ${coverage.justified} justified, ${coverage.uncovered} uncovered of ${coverage.total}`);
for (const [cat, n] of Object.entries(gate.failuresByCategory)) lines.push(`  ${cat}: ${n}`);
for (const e of gate.globalErrors) lines.push(`  global error: ${e.split('\n')[0]}`);
process.stdout.write(lines.join('\n') + '\n');
process.exitCode = gate.verdict === 'pass' ? 0 : 1;
