/**
 * The chaos attachment: a timeline (ops/s and errors/s, per region served/s, fault windows
 * shaded) and the tables behind the verdict (availability per region, invariants, outcomes per
 * operation), as one self-contained HTML page for Allure.
 */
import type { IterationRecord } from '../lib/load/atomic.js';
import { timeline } from '../lib/load/timeline.js';
import { isServed, type FaultAvailability } from '../lib/workload/availability.js';
import type { CheckResult } from '../lib/workload/checkers/common.js';
import type { History } from '../lib/workload/history.js';
import { htmlPage, lineChart, type LineSeries, type Table } from './charts/index.js';

export interface ChaosReportInput {
  title: string;
  history: History;
  /** performance.now() at which the workload started: x = 0 on the chart. */
  origin: number;
  /** When observation ended (unhealed windows are drawn up to it). */
  end: number;
  regions: readonly string[];
  /** Regions whose own node the fault hit. */
  faulted: readonly string[];
  availability: readonly FaultAvailability[];
  checks: readonly CheckResult[];
  notes?: readonly string[];
}

const seconds = (ms: number | null | undefined, digits = 1): string => (ms === null || ms === undefined ? '' : (ms / 1000).toFixed(digits));
const percent = (x: number | null): string => (x === null ? 'no ops' : `${(x * 100).toFixed(0)}%`);

/** One record per completed operation, in the load timeline's shape; region-less ones (final reads) are left out. */
export function timelineRecords(history: History, origin: number, region?: string): IterationRecord[] {
  const records: IterationRecord[] = [];
  for (const p of history.pairs()) {
    const r = (p.invoke.value as { region?: unknown } | undefined)?.region;
    if (typeof r !== 'string' || (region !== undefined && r !== region) || !p.completion) continue;
    const status = p.completion.status;
    records.push({
      iteration: records.length,
      start: p.start - origin,
      durationMs: p.completion.time - p.start,
      atomics: [],
      ...(isServed(p) ? {} : { error: { kind: status === undefined ? 'no answer' : `http-${status}`, message: p.completion.error ?? '' } }),
    });
  }
  return records;
}

export function chaosTimelineSvg(input: Pick<ChaosReportInput, 'title' | 'history' | 'origin' | 'end' | 'regions'>): string {
  const wallMs = Math.max(0, input.end - input.origin);
  const all = timeline(timelineRecords(input.history, input.origin), { bucketMs: 1000, wallMs });
  const series: LineSeries[] = [
    { name: 'ops/s (all regions)', points: all.map((b) => ({ x: b.t, y: b.okPerSec + b.errorsPerSec })), color: '#1f77b4' },
    { name: 'errors/s (all regions)', points: all.map((b) => ({ x: b.t, y: b.errorsPerSec })), color: '#d62728' },
    ...input.regions.map((region, i): LineSeries => ({
      name: `${region} served/s`,
      dashed: true,
      color: ['#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'][i % 6],
      points: timeline(timelineRecords(input.history, input.origin, region), { bucketMs: 1000, wallMs }).map((b) => ({ x: b.t, y: b.okPerSec })),
    })),
  ];
  const tenths = (ms: number) => Math.round(ms / 100) / 10;
  const faults = input.history.faults().map((w) => ({
    start: tenths(w.start - input.origin),
    end: tenths((w.end ?? input.end) - input.origin),
    label: w.name,
  }));
  return lineChart({ title: input.title, series, faults, xLabel: 'time since the workload started (s)', yLabel: 'operations per second', width: 900 });
}

export function availabilityTable(availability: readonly FaultAvailability[], faulted: readonly string[]): Table {
  return {
    caption: 'Availability per region (served = an HTTP answer below 500)',
    columns: ['fault', 'region', 'hit', 'before: served', 'during: ops', 'during: served', 'during: success', 'worst latency (s)', 'worst served latency (s)', 'recovered', 'time to recover (s)', 'failures after heal'],
    rows: availability.flatMap((f) => f.regions.map((r) => [
      f.fault, r.region, faulted.includes(r.region) ? 'yes' : '', percent(r.before.successRate), r.during.ops, r.during.served, percent(r.during.successRate),
      seconds(r.during.worstLatencyMs), seconds(r.during.worstServedLatencyMs), r.recovery.recovered ? 'yes' : 'NO', seconds(r.recovery.timeToRecoverMs), `${r.recovery.failuresAfter}/${r.recovery.opsAfter}`,
    ])),
    status: availability.flatMap((f) => f.regions.map((r) => (r.recovery.recovered ? undefined : 'fail' as const))),
  };
}

export function checksTable(checks: readonly CheckResult[]): Table {
  return {
    caption: 'Invariants',
    columns: ['invariant', 'verdict', 'counts', 'first violations'],
    rows: checks.map((c) => [c.invariant, c.valid ? 'holds' : 'VIOLATED', JSON.stringify(c.counts ?? {}), c.details.slice(0, 5).join(' | ')]),
    status: checks.map((c) => (c.valid ? 'pass' : 'fail')),
  };
}

export function outcomesTable(history: History): Table {
  const counts = history.counts();
  return {
    caption: 'Outcomes per operation (info = unknown: 5xx, timeout, no answer)',
    columns: ['operation', 'invoked', 'ok', 'fail', 'info'],
    rows: Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([op, c]) => [op, c.invoke, c.ok, c.fail, c.info]),
  };
}

export function renderChaosReport(input: ChaosReportInput): string {
  return htmlPage(input.title, [
    { title: 'Timeline', note: input.notes?.join('\n'), svgs: [chaosTimelineSvg(input)] },
    { title: 'Availability', tables: [availabilityTable(input.availability, input.faulted)] },
    { title: 'Invariants after healing', tables: [checksTable(input.checks)] },
    { title: 'Workload', tables: [outcomesTable(input.history)] },
  ]);
}
