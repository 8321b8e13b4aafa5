/**
 * Load reports: per scenario, Rally's page (statistics per atomic action, SLA table, duration
 * chart, histogram) as one HTML attachment and a JSON summary; per run, reports/load.json over
 * every scenario run; across runs, a backend x latency comparison of the same scenarios.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IterationRecord } from '../lib/load/atomic.js';
import type { RunResult, RunnerName, StopReason } from '../lib/load/runners.js';
import type { SlaResult } from '../lib/load/sla.js';
import type { RallySpelling } from './rally-export.js';
import { summarize, type DurationStats, type LoadStats } from '../lib/load/stats.js';
import { comparisonTable, durationChart, histogram, htmlPage, slaTable, statsTable, type ComparisonMatrix, type Table } from './charts/index.js';

export interface ScenarioRunSummary {
  /** Rally's name, e.g. KeystoneBasic.create_user. */
  scenario: string;
  /** The workload's key when a task runs one scenario more than once (`KeystoneBasic.create_user #2`). */
  workload?: string;
  /** The workload as the Rally task spelled it, for the Rally results export (reports/rally-export.ts). */
  rally?: RallySpelling;
  runner: { type: RunnerName; times?: number; concurrency?: number; rps?: number; durationMs?: number };
  context: { tenants: number; usersPerTenant: number };
  args: Record<string, unknown>;
  startedAt: string;
  wallMs: number;
  stopReason: StopReason;
  abandoned: number;
  iterations: number;
  failures: number;
  /** Completed iterations per second of wall time. */
  iterationsPerSecond: number;
  stats: LoadStats;
  slas: SlaResult[];
  passed: boolean;
  /** Failed iterations grouped by error kind, with the first message of each. */
  errors: { kind: string; count: number; example: string }[];
}

export function summarizeScenarioRun(input: {
  scenario: string;
  workload?: string;
  rally?: RallySpelling;
  runner: ScenarioRunSummary['runner'];
  context: ScenarioRunSummary['context'];
  args?: Record<string, unknown>;
  startedAt: Date;
  result: RunResult;
  slas: SlaResult[];
}): ScenarioRunSummary {
  const { result } = input;
  const errors = new Map<string, { kind: string; count: number; example: string }>();
  for (const r of result.iterations) {
    if (!r.error) continue;
    const e = errors.get(r.error.kind) ?? { kind: r.error.kind, count: 0, example: r.error.message };
    e.count++;
    errors.set(r.error.kind, e);
  }
  const failures = result.iterations.filter((r) => r.error).length;
  return {
    scenario: input.scenario,
    ...(input.workload && input.workload !== input.scenario ? { workload: input.workload } : {}),
    ...(input.rally ? { rally: input.rally } : {}),
    runner: input.runner,
    context: input.context,
    args: input.args ?? {},
    startedAt: input.startedAt.toISOString(),
    wallMs: result.wallMs,
    stopReason: result.stopReason,
    abandoned: result.abandoned,
    iterations: result.iterations.length,
    failures,
    iterationsPerSecond: result.wallMs > 0 ? (result.iterations.length - failures) / (result.wallMs / 1000) : 0,
    stats: summarize(result),
    slas: input.slas,
    passed: input.slas.every((s) => s.success),
    errors: [...errors.values()].sort((a, b) => b.count - a.count),
  };
}

/** Rally's per-workload page: overview, statistics, SLA, charts, errors. */
export function scenarioReportHtml(summary: ScenarioRunSummary, iterations: readonly IterationRecord[]): string {
  const total = summary.stats.total;
  const okDurations = iterations.filter((r) => !r.error).map((r) => r.durationMs);
  const markers: { label: string; valueMs: number }[] = [];
  for (const [label, valueMs] of [['p50', total.median], ['p95', total.p95], ['p99', total.p99]] as const) if (valueMs !== null) markers.push({ label, valueMs });
  const r = summary.runner;
  const runnerText = [r.type, r.times !== undefined ? `times ${r.times}` : '', r.concurrency !== undefined ? `concurrency ${r.concurrency}` : '', r.rps !== undefined ? `rps ${r.rps}` : '', r.durationMs !== undefined ? `duration ${r.durationMs / 1000} s` : '']
    .filter(Boolean).join(', ');
  const overview: Table = {
    caption: 'Overview',
    columns: ['Runner', 'Context', 'Arguments', 'Started', 'Wall', 'Iterations', 'Failures', 'Iterations/s', 'Stop'],
    rows: [[runnerText, `users: ${summary.context.tenants} tenant(s) x ${summary.context.usersPerTenant} user(s)`, JSON.stringify(summary.args), summary.startedAt,
      `${(summary.wallMs / 1000).toFixed(1)} s`, summary.iterations, summary.failures, summary.iterationsPerSecond.toFixed(3), summary.stopReason + (summary.abandoned ? `, ${summary.abandoned} abandoned` : '')]],
  };
  const errorTable: Table = {
    caption: 'Failed iterations by kind',
    columns: ['Kind', 'Count', 'First message'],
    rows: summary.errors.map((e) => [e.kind, e.count, e.example]),
  };
  return htmlPage(`${summary.scenario}: ${summary.passed ? 'SLA passed' : 'SLA FAILED'}`, [
    { title: 'Overview', tables: [overview] },
    { title: 'Response times per atomic action', tables: [statsTable(summary.stats)] },
    { title: 'Service-level agreement', tables: [slaTable(summary.slas)] },
    { title: 'Atomic action durations per iteration', svgs: [durationChart({ title: `${summary.scenario}: durations per iteration`, iterations })] },
    { title: 'Distribution of iteration durations (successful iterations)', svgs: [histogram({ title: `${summary.scenario}: iteration duration`, valuesMs: okDurations, bins: 20, markers })] },
    ...(summary.errors.length ? [{ title: 'Errors', tables: [errorTable] }] : []),
  ]);
}

/** The run a load.json describes, as the comparison labels its column. */
export interface LoadRunMeta {
  runId: string;
  target: string;
  backend: string;
  isolation: string | null;
  keystone: string;
  /** WAN latency the run was under, one way (0 = none). */
  latencyMs: number;
}

export interface LoadJson {
  meta: LoadRunMeta & { label: string; generatedAt: string };
  scenarios: Array<{
    scenario: string;
    passed: boolean;
    runner: ScenarioRunSummary['runner'];
    iterations: number;
    failures: number;
    wallSeconds: number;
    iterationsPerSecond: number;
    /** Seconds; null where no iteration succeeded. */
    total: Pick<DurationStats, 'median' | 'p90' | 'p95' | 'p99' | 'max' | 'mean'>;
    atomics: Array<{ name: string; count: number; failures: number; median: number | null; p95: number | null; max: number | null }>;
    slas: Array<{ name: string; success: boolean; detail: string }>;
    errors: ScenarioRunSummary['errors'];
  }>;
  /** Across the runs archived next to load.json, when there are at least two labels. */
  comparison?: { metric: string; columns: string[]; rows: string[]; median: (number | null)[][]; p95: (number | null)[][] };
}

export function runLabel(m: LoadRunMeta): string {
  return [m.backend, m.isolation, m.keystone, `${m.latencyMs} ms`].filter(Boolean).join(' · ');
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms) / 1000);

/** Writes one scenario's summary (with its raw iterations, for re-rendering) into the run's directory. */
export function writeScenarioSummary(runDir: string, summary: ScenarioRunSummary, iterations: readonly IterationRecord[]): string {
  const file = join(runDir, `${(summary.workload ?? summary.scenario).replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  writeAtomic(file, JSON.stringify({ ...summary, iterationRecords: iterations }, null, 2));
  return file;
}

/**
 * Rebuilds `outFile` (reports/load.json) from every scenario summary of this run, archives it as
 * reports/load.<label>.json (the latest run per backend x latency label), and, when two or more
 * labels are archived, adds the comparison and writes `comparisonHtml`.
 */
export function writeLoadJson(runDir: string, outFile: string, meta: LoadRunMeta, comparisonHtml = join(dirname(outFile), 'load-comparison.html')): LoadJson {
  const summaries = existsSync(runDir)
    ? readdirSync(runDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(runDir, f), 'utf8')) as ScenarioRunSummary)
    : [];
  summaries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const label = runLabel(meta);
  const load: LoadJson = {
    meta: { ...meta, label, generatedAt: new Date().toISOString() },
    scenarios: summaries.map((s) => ({
      scenario: s.workload ?? s.scenario,
      passed: s.passed,
      runner: s.runner,
      iterations: s.iterations,
      failures: s.failures,
      wallSeconds: Math.round(s.wallMs) / 1000,
      iterationsPerSecond: Number(s.iterationsPerSecond.toFixed(4)),
      total: { median: seconds(s.stats.total.median), p90: seconds(s.stats.total.p90), p95: seconds(s.stats.total.p95), p99: seconds(s.stats.total.p99), max: seconds(s.stats.total.max), mean: seconds(s.stats.total.mean) },
      atomics: s.stats.atomics.map((a) => ({ name: a.name, count: a.count, failures: a.failures, median: seconds(a.median), p95: seconds(a.p95), max: seconds(a.max) })),
      slas: s.slas.map((x) => ({ name: x.name, success: x.success, detail: x.detail })),
      errors: s.errors,
    })),
  };
  const dir = dirname(outFile);
  writeAtomic(join(dir, `load.${label.replace(/[^A-Za-z0-9_.-]+/g, '_')}.json`), JSON.stringify(load, null, 2));
  const archived = readdirSync(dir).filter((f) => /^load\..+\.json$/.test(f)).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as LoadJson);
  const comparison = compareLoadRuns(archived);
  if (comparison) {
    load.comparison = comparison;
    const matrix = (metric: string, values: (number | null)[][]): ComparisonMatrix => ({ title: 'KeystoneBasic', metric, rows: comparison.rows, columns: comparison.columns, values });
    writeAtomic(comparisonHtml, htmlPage('KeystoneBasic: backend x latency', [{
      title: 'Iteration duration per scenario and run',
      note: 'Each column is the latest run archived under that label (reports/load.<label>.json). Ratios are to the best run in the row.',
      tables: [comparisonTable(matrix('median iteration (s)', comparison.median)), comparisonTable(matrix('p95 iteration (s)', comparison.p95))],
    }]));
  }
  writeAtomic(outFile, JSON.stringify(load, null, 2));
  return load;
}

/** Scenario x run-label matrices of median and p95 iteration seconds; undefined with fewer than two labels. */
export function compareLoadRuns(runs: readonly LoadJson[]): LoadJson['comparison'] {
  const byLabel = new Map<string, LoadJson>();
  for (const r of runs) {
    const prev = byLabel.get(r.meta.label);
    if (!prev || prev.meta.generatedAt < r.meta.generatedAt) byLabel.set(r.meta.label, r);
  }
  if (byLabel.size < 2) return undefined;
  const columns = [...byLabel.keys()].sort();
  const rows = [...new Set(columns.flatMap((c) => byLabel.get(c)!.scenarios.map((s) => s.scenario)))].sort();
  const cell = (row: string, col: string, metric: 'median' | 'p95'): number | null =>
    byLabel.get(col)!.scenarios.find((s) => s.scenario === row)?.total[metric] ?? null;
  return {
    metric: 'iteration duration, seconds',
    columns,
    rows,
    median: rows.map((r) => columns.map((c) => cell(r, c, 'median'))),
    p95: rows.map((r) => columns.map((c) => cell(r, c, 'p95'))),
  };
}

/** Written whole or not at all: a reader never sees half a file. */
function writeAtomic(file: string, body: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, file);
}
