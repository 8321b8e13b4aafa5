/**
 * Rally task results out: the load run as Rally's task-results JSON (the `rally task report
 * --json` format, format_version 1.2), which Rally itself reads back: `rally task report --uuid
 * reports/rally-task.json --out report.html`, `rally task trends --tasks a.json b.json`,
 * `rally task import --file`. Written from the per-workload summaries the load spec keeps in its
 * run directory (reports/load-report.ts), so it is rebuilt whole after every workload.
 *
 * Shapes follow rally/plugins/task/exporters/json_exporter.py and, for `statistics.durations`,
 * rally/task/processing/charts.py MainStatsTable (which `rally task trends` reads). The harness
 * records each atomic action's duration, not its start: atomic actions are laid out back to back
 * from the iteration's start, which is what they are in every KeystoneBasic scenario.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IterationRecord } from '../lib/load/atomic.js';
import { rallyPercentile } from '../lib/load/stats.js';
import type { ScenarioRunSummary } from './load-report.js';

/** The Rally workload a summary was run from (lib/load/rally-task.ts LoadWorkload, as Rally spells it). */
export interface RallySpelling {
  position: number;
  subtask: string;
  description: string;
  args: Record<string, unknown>;
  runnerType: string;
  runner: Record<string, unknown>;
  contexts: Record<string, unknown>;
  sla: Record<string, unknown>;
}

type StoredSummary = ScenarioRunSummary & { iterationRecords: IterationRecord[]; rally?: RallySpelling };

export interface RallyIteration {
  timestamp: number; duration: number; idle_duration: number;
  error: string[];
  output: { additive: unknown[]; complete: unknown[] };
  atomic_actions: { name: string; started_at: number; finished_at: number; children: unknown[]; failed?: true }[];
}

const TIME = (ms: number): string => new Date(ms).toISOString().slice(0, 19);
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Rally's percentile: one implementation, in lib/load (pure, selftested there and here). */
export { rallyPercentile };

/** One iteration in Rally's result format; epoch seconds from the run's wall-clock start. */
export function rallyIteration(r: IterationRecord, runStartMs: number): RallyIteration {
  let at = (runStartMs + r.start) / 1000;
  const atomic_actions = r.atomics.map((a) => {
    const started_at = at;
    at += a.durationMs / 1000;
    return { name: a.name, started_at, finished_at: at, children: [], ...(a.failed ? { failed: true as const } : {}) };
  });
  return {
    timestamp: (runStartMs + r.start) / 1000, duration: r.durationMs / 1000, idle_duration: 0,
    error: r.error ? [r.error.kind, r.error.message, ''] : [],
    output: { additive: [], complete: [] }, atomic_actions,
  };
}

interface Row { name: string; count: number; samples: number[]; failed: number; children: Map<string, Row> }

/** `statistics.durations` as Rally's MainStatsTable.to_dict(): per atomic action (and `total`), over every iteration. */
export function rallyDurations(iterations: readonly RallyIteration[]): { atomics: unknown[]; total: unknown } {
  const rows = new Map<string, Row>();
  const totals = new Map<string, Row>();
  const add = (into: Map<string, Row>, name: string, count: number, duration: number, failed: boolean): Row => {
    const display = count > 1 ? `${name} (x${count})` : name;
    const row: Row = into.get(display) ?? { name, count, samples: [], failed: 0, children: new Map() };
    into.set(display, row);
    row.samples.push(duration);
    if (failed) row.failed++;
    return row;
  };
  for (const it of iterations) {
    // Rally's merge_atomic_actions: one row per name, durations summed, failed if any was.
    const merged = new Map<string, { count: number; duration: number; failed: boolean }>();
    for (const a of it.atomic_actions) {
      const m = merged.get(a.name) ?? { count: 0, duration: 0, failed: false };
      m.count++; m.duration += a.finished_at - a.started_at; m.failed ||= !!a.failed;
      merged.set(a.name, m);
    }
    const last = [...merged.values()].at(-1);
    if (it.error.length && !last?.failed) merged.set('<no-name-action>', { count: 1, duration: 0, failed: true });
    for (const [name, m] of merged) add(rows, name, m.count, m.duration, m.failed);
    const failed = it.error.length > 0;
    const total = add(totals, 'total', 1, it.duration + it.idle_duration, failed);
    add(total.children, 'duration', 1, it.duration, failed);
    add(total.children, 'idle_duration', 1, it.idle_duration, failed);
  }
  const toDict = (display: string, row: Row): unknown => {
    const sorted = [...row.samples].sort((a, b) => a - b);
    const n = sorted.length;
    const v = (x: number | null) => (n && x !== null ? r3(x) : 'n/a');
    return {
      data: {
        iteration_count: n, min: v(sorted[0] ?? null), median: v(rallyPercentile(sorted, 0.5)), '90%ile': v(rallyPercentile(sorted, 0.9)),
        '95%ile': v(rallyPercentile(sorted, 0.95)), max: v(sorted.at(-1) ?? null), avg: v(n ? sorted.reduce((s, x) => s + x, 0) / n : null),
        success: n ? `${(((n - row.failed) / n) * 100).toFixed(1)}%` : 'n/a',
      },
      count_per_iteration: row.count, name: row.name, display_name: display,
      children: [...row.children].map(([d, c]) => toDict(d, c)),
    };
  };
  const total: Row = totals.get('total') ?? { name: 'total', count: 1, samples: [], failed: 0, children: new Map() };
  return { atomics: [...rows].map(([d, r]) => toDict(d, r)), total: toDict('total', total) };
}

/** A deterministic UUID-shaped id, so re-exports of one run keep their ids. */
function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** One workload in Rally's results format, from a stored summary. */
export function rallyWorkload(s: StoredSummary, runId: string, fallbackPosition: number): Record<string, unknown> {
  const startMs = Date.parse(s.startedAt);
  const data = [...s.iterationRecords].sort((a, b) => a.start - b.start).map((r) => rallyIteration(r, startMs));
  const durations = data.map((d) => d.duration);
  const rally = s.rally ?? defaultSpelling(s, fallbackPosition);
  const ends = startMs + s.wallMs;
  return {
    uuid: stableUuid(`${runId}/${rally.position}/${s.scenario}`),
    description: rally.description,
    runner: { [rally.runnerType]: rally.runner },
    hooks: [],
    scenario: { [s.scenario]: rally.args },
    min_duration: durations.length ? Math.min(...durations) : null,
    max_duration: durations.length ? Math.max(...durations) : null,
    start_time: data.length ? data[0]!.timestamp : null,
    load_duration: s.wallMs / 1000,
    full_duration: s.wallMs / 1000,
    statistics: { durations: rallyDurations(data) },
    data,
    failed_iteration_count: s.failures,
    total_iteration_count: s.iterations,
    created_at: TIME(startMs),
    updated_at: TIME(ends),
    contexts: rally.contexts,
    contexts_results: [],
    position: rally.position,
    pass_sla: s.passed,
    sla_results: { sla: s.slas.map((x) => ({ criterion: x.name, success: x.success, detail: x.detail })) },
    sla: rallySlaConfig(rally.sla),
  };
}

/** Rally's own SLA plugins; the gate's extra criteria (max_atomic_ratio) stay in sla_results only, so Rally never meets a config it has no plugin for. */
const RALLY_SLAS = new Set(['failure_rate', 'max_seconds_per_iteration', 'max_avg_duration', 'max_avg_duration_per_atomic', 'outliers', 'performance_degradation']);
const rallySlaConfig = (sla: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(sla).filter(([k]) => RALLY_SLAS.has(k)));

function defaultSpelling(s: ScenarioRunSummary, position: number): RallySpelling {
  const { type, durationMs, ...rest } = s.runner;
  return {
    position, subtask: s.scenario, description: '', args: {}, runnerType: type,
    runner: { ...rest, ...(durationMs !== undefined ? { duration: durationMs / 1000 } : {}) },
    contexts: s.context.tenants ? { users: { tenants: s.context.tenants, users_per_tenant: s.context.usersPerTenant } } : {},
    sla: Object.fromEntries(s.slas.filter((x) => x.name !== 'run_completed').map((x) => [x.name, x.criterion])),
  };
}

/** The whole run as Rally's task-results document: one task, a subtask per Rally subtask (v1: per scenario). */
export function rallyTaskResults(summaries: readonly StoredSummary[], meta: { runId: string; title: string; description: string; tags?: string[] }): Record<string, unknown> {
  const workloads = summaries.map((s, i) => ({ s, w: rallyWorkload(s, meta.runId, i), subtask: s.rally?.subtask ?? s.scenario }))
    .sort((a, b) => (a.w.position as number) - (b.w.position as number));
  const subtasks = new Map<string, typeof workloads>();
  for (const x of workloads) subtasks.set(x.subtask, [...(subtasks.get(x.subtask) ?? []), x]);
  const starts = summaries.map((s) => Date.parse(s.startedAt));
  const ends = summaries.map((s) => Date.parse(s.startedAt) + s.wallMs);
  const first = starts.length ? Math.min(...starts) : Date.now();
  const last = ends.length ? Math.max(...ends) : first;
  return {
    info: { rally_version: 'keystone-release-gate export', generated_at: TIME(Date.now()), format_version: '1.2' },
    tasks: [{
      uuid: stableUuid(meta.runId), title: meta.title, description: meta.description, status: 'finished', tags: meta.tags ?? [],
      env_uuid: stableUuid(`${meta.runId}/env`), env_name: meta.runId,
      created_at: TIME(first), updated_at: TIME(last), pass_sla: summaries.every((s) => s.passed),
      subtasks: [...subtasks].map(([title, ws]) => ({
        uuid: stableUuid(`${meta.runId}/subtask/${title}`), title, description: ws[0]!.s.rally?.description ?? '', status: 'finished',
        created_at: ws[0]!.w.created_at, updated_at: ws.at(-1)!.w.updated_at, sla: {},
        workloads: ws.map((x) => x.w),
      })),
    }],
  };
}

/** Fields `rally task import` checks to be Python floats (rally/common/objects/task.py result_has_valid_schema). */
const FLOAT_FIELDS = new Set(['timestamp', 'duration', 'idle_duration', 'started_at', 'finished_at']);
const FLOAT_MARK = '@@rally-float:';

/**
 * JSON as Rally reads it: JavaScript writes 2.0 as `2`, which Python loads as an int and
 * `rally task import` then refuses; those fields are written with a decimal point.
 */
export function rallyJson(doc: unknown): string {
  const text = JSON.stringify(doc, (key, value) => (FLOAT_FIELDS.has(key) && typeof value === 'number' ? `${FLOAT_MARK}${value}` : value), 2);
  return text.replace(new RegExp(`"${FLOAT_MARK}([^"]+)"`, 'g'), (_m, n: string) => (/[.eE]/.test(n) ? n : `${n}.0`));
}

/** Rebuilds `outFile` (reports/rally-task.json) from every workload summary of the run directory. */
export function writeRallyResults(runDir: string, outFile: string, meta: Parameters<typeof rallyTaskResults>[1]): Record<string, unknown> {
  const summaries = existsSync(runDir)
    ? readdirSync(runDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(runDir, f), 'utf8')) as StoredSummary)
    : [];
  summaries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const doc = rallyTaskResults(summaries, meta);
  mkdirSync(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  writeFileSync(tmp, rallyJson(doc));
  renameSync(tmp, outFile);
  return doc;
}
