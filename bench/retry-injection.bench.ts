// Retry coverage under deterministic conflict injection: runs the conformance project (or a
// --grep of it) with KS_INJECT_CONFLICTS=on, once per Keystone variant and --runs times each, on
// a fresh embedded cluster every time, and prints per variant: conflicts injected, api-ref write
// operations that met one, operations that leaked, the retry phase's wall time. Figures, not a test.
//
//   npm run bench:retry                                  # stock and the reference patch, 1 run each, @slice
//   npm run bench:retry -- --grep=. --runs=3             # the whole conformance project, 3 runs each
//   npm run bench:retry -- --variants=patched --json=reports/out/retry-bench.json
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    grep: { type: 'string', default: '@slice' },
    runs: { type: 'string', default: '1' },
    variants: { type: 'string', default: 'stock,patched' },
    workers: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const PATCHES: Record<string, string> = { stock: 'none', patched: 'patches/keystone-retry.diff' };
const variants = args.variants!.split(',').map((v) => v.trim()).filter(Boolean);
for (const v of variants) if (!(v in PATCHES)) throw new Error(`--variants: ${v} is not one of ${Object.keys(PATCHES).join(', ')}`);
const runs = Number(args.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error('--runs must be an integer in [1, 20]');

interface RunFigures {
  variant: string; run: number; wallSeconds: number; exitCode: number | null; tests: { passed: number; failed: number; skipped: number };
  injections: number; attributed: number; ambiguous: number; writesInjected: number; writesTotal: number;
  leakingOperations: string[]; retries: number;
}

function once(variant: string, run: number): RunFigures {
  const out = mkdtempSync(join(tmpdir(), 'ks-retry-bench-'));
  const started = Date.now();
  const r = spawnSync('npx', ['playwright', 'test', '--project=conformance', '--grep', args.grep!], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env, KS_TARGET: 'embedded', KS_INJECT_CONFLICTS: 'on', KS_KEYSTONE_PATCH: PATCHES[variant], KS_CONFORMANCE_WORKERS: args.workers,
      PW_JSON: join(out, 'results.json'), PW_JUNIT: join(out, 'junit.xml'), ALLURE_RESULTS_DIR: join(out, 'allure'), KS_GATE_FILE: join(out, 'gate.json'),
    },
  });
  const wallSeconds = (Date.now() - started) / 1000;
  const matrix = existsSync('reports/retry-injection.json') ? JSON.parse(readFileSync('reports/retry-injection.json', 'utf8')) : undefined;
  const gate = existsSync(join(out, 'gate.json')) ? JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) : undefined;
  const rows = (matrix?.rows ?? []) as { operation: string; leaks: number; leaksAs4xx: number; retries: number }[];
  return {
    variant, run, wallSeconds, exitCode: r.status, tests: gate?.counts ?? { passed: 0, failed: 0, skipped: 0 },
    injections: matrix?.injections ?? 0, attributed: matrix?.attributed ?? 0, ambiguous: matrix?.ambiguous ?? 0,
    writesInjected: matrix?.writes?.injected ?? 0, writesTotal: matrix?.writes?.total ?? 0,
    leakingOperations: rows.filter((x) => x.leaks + x.leaksAs4xx > 0).map((x) => x.operation), retries: rows.reduce((s, x) => s + x.retries, 0),
  };
}

const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
const results: RunFigures[] = [];
for (const v of variants) for (let i = 1; i <= runs; i++) results.push(once(v, i));
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`\nRetry coverage under injected conflicts: conformance --grep '${args.grep}', ${args.workers} workers, ${runs} run(s) per variant; load ${loadBefore} before`);
console.log([pad('variant', 8), pad('run', 4), pad('tests p/f/s', 12), pad('injected', 9), pad('tied', 6), pad('writes injected', 16), pad('retries', 8), pad('leaking ops', 12), 'wall s'].join(' '));
for (const r of results) {
  console.log([pad(r.variant, 8), pad(String(r.run), 4), pad(`${r.tests.passed}/${r.tests.failed}/${r.tests.skipped}`, 12), pad(String(r.injections), 9), pad(String(r.attributed), 6),
    pad(`${r.writesInjected} of ${r.writesTotal}`, 16), pad(String(r.retries), 8), pad(String(r.leakingOperations.length), 12), r.wallSeconds.toFixed(0)].join(' '));
}
for (const v of variants) {
  const rs = results.filter((r) => r.variant === v);
  const leaking = [...new Set(rs.flatMap((r) => r.leakingOperations))];
  console.log(`${v}: ${rs.filter((r) => r.leakingOperations.length === 0 && r.injections > 0).length}/${rs.length} runs with 0 leaks; operations that leaked: ${leaking.join(', ') || 'none'}`);
}
if (args.json) writeFileSync(args.json, JSON.stringify({ grep: args.grep, workers: args.workers, loadBefore, results }, null, 2));
