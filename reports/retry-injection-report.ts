import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJsonlDir } from './jsonl-dir.js';
import type { ClusterInfo } from '../lib/cluster/cluster-info.js';
import { injectorsFor } from '../lib/cluster/conflict-injection/conflict-injector.js';
import type { InjectedConflict, InjectionSettings } from '../lib/cluster/conflict-injection/injection-settings.js';
import { OPERATIONS } from '../lib/coverage/operations.js';
import { buildInjectionMatrix, type InjectionMatrix, type InjectionMatrixRow, type TimedRequest } from '../lib/workload/injected-retry-matrix.js';
import { parseKeystoneLog } from '../lib/workload/keystone-log.js';

/** What the cluster teardown saves of an injecting run, before the cluster goes. */
interface SavedInjectionLog {
  runId: string;
  settings: InjectionSettings & { tables: number };
  /** Galera: node -> the base URL of the Keystone that uses it. */
  baseUrlOfNode: Record<string, string>;
  injections: InjectedConflict[];
}

const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Global teardown: reads every node's injection log while the cluster still runs. */
export async function saveInjectionLog(info: ClusterInfo, dir: string): Promise<number> {
  if (!info.conflictInjection) return 0;
  const injections = (await Promise.all(injectorsFor(info, info.conflictInjection).map((i) => i.injections()))).flat();
  const baseUrlOfNode: Record<string, string> = {};
  for (const r of info.regions) if (r.databaseNode) baseUrlOfNode[r.databaseNode] = r.baseUrl;
  mkdirSync(dir, { recursive: true });
  const saved: SavedInjectionLog = { runId: info.runId, settings: info.conflictInjection, baseUrlOfNode, injections };
  writeFileSync(join(dir, `${info.runId}.json`), JSON.stringify(saved));
  return injections.length;
}

/**
 * reports/retry-injection.json (+ .html): the operation x (conflicts injected, retried, leaked,
 * driver function) matrix of every injecting run of this output folder. Returns the matrix (or
 * undefined when no run injected).
 */
export function writeRetryInjection(outDir: string, file = 'reports/retry-injection.json'): InjectionMatrix & { runs: string[]; settings?: InjectionSettings; verdict: { pass: boolean; reasons: string[] } } | undefined {
  const injDir = join(outDir, 'injections');
  if (!existsSync(injDir)) return undefined;
  const saved = readdirSync(injDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(injDir, f), 'utf8')) as SavedInjectionLog);
  if (!saved.length) return undefined;
  const runs = new Set(saved.map((s) => s.runId));
  const requests = readJsonlDir<TimedRequest & { runId?: string }>(join(outDir, 'requests')).filter((r) => r.runId && runs.has(r.runId) && typeof r.startedAt === 'number');
  const logsDir = join(outDir, 'logs');
  const keystoneLog = existsSync(logsDir)
    ? readdirSync(logsDir).filter((f) => /-keystone-\d+\.log$/.test(f) && [...runs].some((id) => f.includes(id))).map((f) => readFileSync(join(logsDir, f), 'utf8')).join('\n')
    : '';
  const matrix = buildInjectionMatrix(requests, parseKeystoneLog(keystoneLog), saved.flatMap((s) => s.injections), OPERATIONS,
    { baseUrlOfNode: Object.assign({}, ...saved.map((s) => s.baseUrlOfNode)) });
  const out = { runs: [...runs], settings: saved[0]!.settings, generatedAt: new Date().toISOString(), verdict: verdictOf(matrix), ...matrix };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2));
  writeFileSync(file.replace(/\.json$/, '.html'), renderInjectionTable(matrix));
  return out;
}

/** Fails on any leak, and when nothing was injected (the phase proved nothing). */
export function verdictOf(m: InjectionMatrix): { pass: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (m.injections === 0) reasons.push('no conflict was injected: the retry phase judged nothing');
  for (const r of m.rows) if (r.leaks || r.leaksAs4xx) reasons.push(`leak: ${r.operation}`);
  return { pass: reasons.length === 0, reasons };
}

export function renderInjectionTable(m: InjectionMatrix): string {
  const head = ['operation', 'requests', 'conflicts injected', 'requests injected', 'retries', 'retried → ok', 'leaked (5xx / none)', 'leaked as 4xx', 'failed after retry (own reason)', 'provoked (not injected)', 'retried functions', 'leaking functions'];
  const row = (r: InjectionMatrixRow) => `<tr${r.leaks || r.leaksAs4xx ? ' style="background:#fdd"' : r.write && !r.conflictsInjected ? ' style="color:#888"' : ''}>${[r.operation, r.requests, r.conflictsInjected, r.requestsInjected, r.retries, r.retriedThenOk, r.leaks, r.leaksAs4xx, r.failedAfterRetry, r.conflictsProvoked, r.retriedFunctions.join(', '), r.leakingFunctions.join(', ')].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  return `<!doctype html><meta charset="utf-8"><title>Retry coverage under injected conflicts</title><style>td,th{border:1px solid #ccc;padding:3px 6px;font:13px sans-serif}table{border-collapse:collapse}</style>
<h3>Retry coverage under injected conflicts</h3>
<p>${m.injections} conflicts injected by the database, ${m.attributed} tied to a request, ${m.ambiguous} ambiguous, ${m.outsideRequests} outside any recorded request.
api-ref write operations that met an injected conflict: ${m.writes.injected} of ${m.writes.total}.</p>
<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${m.rows.map(row).join('\n')}</table>
<p>Writes reached but never injected (no database write seen in their transactions): ${esc(m.writes.reachedNotInjected.join(', ') || 'none')}</p>
<p>Writes not reached by this run: ${esc(m.writes.notReached.join(', ') || 'none')}</p>`;
}
