// Issue #4 benchmark: for each conflict-storm scenario (bench/conflict-storm.ts), how many
// database conflicts it provokes per 1,000 requests, how soon after its start the first leak
// shows (target: ≤ 10 s on stock Keystone), and what the driver itself spends in CPU per request.
// Figures, not a pass/fail test.
//
//   npm run bench:conflicts                                              # stock Keystone, embedded cluster
//   npm run bench:conflicts -- --patch=patches/keystone-retry.diff       # stock + a patch
//   npm run bench:conflicts -- --n=20 --json=reports/out/conflicts-bench.json
// Options as bench/conflict-storm.ts (--target=embedded|dev, --n, --timeout-ms, --json). The
// default --n=30 finishes in 2-5 min on a 2-core machine (load 4-8). --target=dev counts every
// conflict on the shared dev database, other helpers' included.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { formatTable, parseStormArgs, runStorm, withStormTarget, type OperationResult } from './conflict-storm.js';
import { readSettings } from '../lib/config/settings.js';

/** The first leak should show within this many seconds of a scenario's start on stock Keystone. */
const FIRST_LEAK_TARGET_S = 10;
/** Issue #11: a storm must provoke at least this many database conflicts per run to judge retries. */
const PROVOCATION_TARGET = 5;
// KS_INJECT_CONFLICTS=on (the gate's concurrency phase) adds injected conflicts to what the storms provoke.
const injection = readSettings().injectConflicts;

const { target, patch, json, options } = parseStormArgs(process.argv.slice(2), { n: 30 });
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const perThousand = (count: number, requests: number) => (requests ? (1000 * count) / requests : 0);
const cpuMsPerRequest = (r: OperationResult) => r.driverCpuMicros / 1000 / r.requests;

function firstLeakCell(r: OperationResult): string {
  if (r.firstLeakSeconds === null) return 'none';
  return `${r.firstLeakSeconds.toFixed(1)}${r.firstLeakSeconds <= FIRST_LEAK_TARGET_S ? '' : ` (> ${FIRST_LEAK_TARGET_S})`}`;
}

const loadBefore = load();
const { variant, results } = await withStormTarget(target, patch, async (t) => ({ variant: t.variant, results: await runStorm(t, options) }));
const loadAfter = load();

const rows = results.map((r) => [
  r.operation, String(r.requests),
  r.databaseConflicts === null ? '?' : String(r.databaseConflicts),
  r.databaseConflicts === null ? '?' : perThousand(r.databaseConflicts, r.requests).toFixed(0),
  String(r.leaks), firstLeakCell(r), cpuMsPerRequest(r).toFixed(2), r.wallSeconds.toFixed(1),
]);
const sum = (f: (r: OperationResult) => number) => results.reduce((s, r) => s + f(r), 0);
const requests = sum((r) => r.requests);
const known = results.every((r) => r.databaseConflicts !== null);
const conflicts = sum((r) => r.databaseConflicts ?? 0);
const leaking = results.filter((r) => r.firstLeakSeconds !== null);
const firstLeaks = leaking.map((r) => r.firstLeakSeconds!);
rows.push([
  'all scenarios', String(requests), known ? String(conflicts) : '?', known ? perThousand(conflicts, requests).toFixed(0) : '?',
  String(sum((r) => r.leaks)), firstLeaks.length ? `${Math.min(...firstLeaks).toFixed(1)} (earliest)` : 'none',
  (sum((r) => r.driverCpuMicros) / 1000 / requests).toFixed(2), sum((r) => r.wallSeconds).toFixed(1),
]);

console.log(`\nConflict benchmark: Keystone ${variant}, ${options.n} concurrent requests per scenario, client timeout ${options.timeoutMs / 1000} s, ${options.latencyMs} ms one-way latency on the Keystone->database link during storms`);
console.log(`load average (1/5/15 min): ${loadBefore} before, ${loadAfter} after`);
console.log(`conflict injection in the database: ${injection ? `${injection.mode === 'every' ? `one write transaction in ${injection.every}` : 'first attempt of every write'} (${injection.point}; KS_INJECT_CONFLICTS), counted with the storms' own conflicts` : 'off (storms alone; KS_INJECT_CONFLICTS=on is the gate\'s concurrency phase)'}`);
console.log(formatTable(['scenario', 'requests', 'db conflicts', 'per 1k req', 'leaks', 'first leak s', 'driver CPU ms/req', 'wall s'], rows));
console.log('db conflicts: PostgreSQL log lines with SQLSTATE 40001 ("could not serialize access") or 40P01 in the scenario\'s window.');
console.log(`first leak: from the scenario's start to the first 5xx, dropped or timed-out request; target ≤ ${FIRST_LEAK_TARGET_S} s on stock Keystone.`);
console.log(leaking.length
  ? `first-leak target met in ${firstLeaks.filter((s) => s <= FIRST_LEAK_TARGET_S).length} of ${leaking.length} leaking scenarios; ${results.length - leaking.length} of ${results.length} scenarios leaked nothing.`
  : `no scenario leaked (${results.length} scenarios).`);
if (known) {
  const met = results.filter((r) => (r.databaseConflicts ?? 0) >= PROVOCATION_TARGET);
  console.log(`provocation target (≥ ${PROVOCATION_TARGET} database conflicts per scenario): met by ${met.length} of ${results.length}${met.length < results.length ? `; not by ${results.filter((r) => !met.includes(r)).map((r) => `${r.operation} (${r.databaseConflicts})`).join(', ')}` : ''}`);
}
if (json) writeFileSync(json, JSON.stringify({ variant, injection: injection ?? null, n: options.n, timeoutMs: options.timeoutMs, latencyMs: options.latencyMs, loadBefore, loadAfter, results }, null, 2));
