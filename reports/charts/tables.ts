/**
 * Rally's report tables from lib/load results: the main statistics table and the SLA table.
 */
import type { DurationStats, LoadStats } from '../../lib/load/stats.js';
import type { SlaResult } from '../../lib/load/sla.js';
import type { Table } from './html.js';

const ms = (v: number | null): string => (v === null ? 'n/a' : v >= 1000 ? `${(v / 1000).toFixed(3)} s` : `${v.toFixed(1)} ms`);

/** Rally's columns: Action, Min, Median, 90%ile, 95%ile, 99%ile, Max, Avg, Success, Count, plus throughput. */
export function statsTable(stats: LoadStats, caption = 'Response times'): Table {
  const row = (s: DurationStats): string[] => [
    s.name,
    ms(s.min), ms(s.median), ms(s.p90), ms(s.p95), ms(s.p99), ms(s.max), ms(s.mean),
    s.count ? `${(((s.count - s.failures) * 100) / s.count).toFixed(1)}%` : 'n/a',
    String(s.count),
    `${s.throughput.toFixed(2)}/s`,
  ];
  return {
    caption: `${caption} (wall ${(stats.wallMs / 1000).toFixed(1)} s)`,
    columns: ['Action', 'Min', 'Median', '90%ile', '95%ile', '99%ile', 'Max', 'Avg', 'Success', 'Count', 'Throughput'],
    rows: [...stats.atomics.map(row), row(stats.total)],
  };
}

export function slaTable(results: readonly SlaResult[], caption = 'SLA'): Table {
  return {
    caption,
    columns: ['Criterion', 'Configured', 'Result', 'Detail'],
    rows: results.map((r) => [r.name, JSON.stringify(r.criterion), r.success ? 'PASS' : 'FAIL', r.detail]),
    status: results.map((r) => (r.success ? 'pass' : 'fail')),
  };
}
