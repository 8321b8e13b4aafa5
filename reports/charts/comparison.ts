/**
 * Backend x latency comparison: one metric (say p95 ms) for each row (scenario or atomic action)
 * and column (backend), as grouped horizontal bars, plus the same matrix as a table.
 */
import { color, esc, extent, fmt, legend, linear, niceDomain, niceTicks, px, svgDoc, type Box } from './svg.js';
import type { Table } from './html.js';

export interface ComparisonMatrix {
  title: string;
  /** What the numbers are, with unit, e.g. "p95 latency (ms)". */
  metric: string;
  rows: readonly string[];
  columns: readonly string[];
  /** values[row][column]; null where a backend has no data for that row. */
  values: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Which direction is better, for the table's relative column; default lower (latency). */
  better?: 'lower' | 'higher';
}

export interface ComparisonChartOptions extends ComparisonMatrix {
  /**
   * `row` (default) scales each row to its own largest value, so a 50 ms action stays readable
   * next to an 8 s one; bars then compare backends within a row and carry their absolute value.
   * `shared` puts every bar on one axis.
   */
  scale?: 'row' | 'shared';
  width?: number;
}

export function comparisonChart(m: ComparisonChartOptions): string {
  checkShape(m);
  const perRow = (m.scale ?? 'row') === 'row';
  const barH = 14;
  const groupGap = 12;
  const labelW = Math.min(260, 20 + Math.max(0, ...m.rows.map((r) => r.length)) * 6.2);
  const maxLabelChars = Math.floor((labelW - 20) / 6.2);
  const groupH = m.columns.length * barH + groupGap;
  const box: Box = { width: m.width ?? 800, height: 0, top: 52, right: 70, bottom: 40, left: labelW };
  box.height = box.top + Math.max(1, m.rows.length) * groupH + box.bottom;
  const x0 = box.left;
  const x1 = box.width - box.right;
  const shared = niceDomain(0, extent(m.values.flat().map((v) => v ?? Number.NaN))[1]);
  const plotBottom = box.height - box.bottom;
  const body: string[] = [];
  if (perRow) {
    body.push(`<text class="x-label" x="${px((x0 + x1) / 2)}" y="${px(box.height - 6)}" text-anchor="middle">${esc(`${m.metric}; bars scaled per row`)}</text>`);
  } else {
    const x = linear(shared, [x0, x1]);
    const ticks = niceTicks(shared[0], shared[1], 6);
    body.push('<g class="grid" stroke="#eeeeee">');
    for (const t of ticks) body.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${box.top}" y2="${px(plotBottom)}"/>`);
    body.push('</g>', '<g class="tick-labels" fill="#333333">');
    for (const t of ticks) body.push(`<text x="${px(x(t))}" y="${px(plotBottom + 15)}" text-anchor="middle">${esc(fmt(t))}</text>`);
    body.push('</g>');
    body.push(`<text class="x-label" x="${px((x0 + x1) / 2)}" y="${px(box.height - 6)}" text-anchor="middle">${esc(m.metric)}</text>`);
  }

  body.push('<g class="groups">');
  m.rows.forEach((row, r) => {
    const gy = box.top + r * groupH;
    // No axis in row mode, so no need for round numbers: the row's slowest bar spans the width.
    const x = linear(perRow ? [0, extent(m.values[r]!.map((v) => v ?? Number.NaN))[1] || 1] : shared, [x0, x1]);
    if (perRow && r > 0) body.push(`<line class="row-separator" x1="${px(x0)}" x2="${px(x1)}" y1="${px(gy - groupGap / 2)}" y2="${px(gy - groupGap / 2)}" stroke="#eeeeee"/>`);
    const label = row.length > maxLabelChars ? `${row.slice(0, maxLabelChars - 1)}…` : row;
    body.push(`<text class="row-label" x="${px(x0 - 8)}" y="${px(gy + (m.columns.length * barH) / 2 + 4)}" text-anchor="end"><title>${esc(row)}</title>${esc(label)}</text>`);
    m.columns.forEach((col, c) => {
      const v = m.values[r]![c];
      const by = gy + c * barH;
      if (v === null || v === undefined || !Number.isFinite(v)) {
        body.push(`<text class="missing" x="${px(x0 + 4)}" y="${px(by + barH - 3)}" fill="#888888">n/a (${esc(col)})</text>`);
        return;
      }
      body.push(
        `<rect class="bar" x="${px(x0)}" y="${px(by + 1)}" width="${px(Math.max(1, x(v) - x0))}" height="${barH - 2}" fill="${color(c)}"><title>${esc(`${row} / ${col}: ${v} ${m.metric}`)}</title></rect>`,
        `<text class="value" x="${px(x(v) + 4)}" y="${px(by + barH - 3)}">${esc(fmt(v))}</text>`,
      );
    });
  });
  body.push('</g>');
  body.push(`<line x1="${px(x0)}" x2="${px(x0)}" y1="${box.top}" y2="${px(plotBottom)}" stroke="#444444"/>`);
  body.push(legend(m.columns.map((c, i) => ({ name: c, color: color(i) })), x0, 34, x1 - x0));
  return svgDoc(box, m.title, body.join('\n'));
}

/** The matrix as a table; each cell also shows its ratio to the row's best backend. */
export function comparisonTable(m: ComparisonMatrix): Table {
  checkShape(m);
  const better = m.better ?? 'lower';
  return {
    caption: `${m.title}: ${m.metric} (ratio to the best backend in the row)`,
    columns: ['', ...m.columns],
    rows: m.rows.map((row, r) => {
      const vals = m.values[r]!.map((v) => (v !== null && Number.isFinite(v) ? v : null));
      const present = vals.filter((v): v is number => v !== null);
      const best = present.length ? (better === 'lower' ? Math.min(...present) : Math.max(...present)) : null;
      return [row, ...vals.map((v) => {
        if (v === null) return 'n/a';
        if (best === null || best === 0 || present.length < 2) return fmt(v);
        const ratio = better === 'lower' ? v / best : best / v;
        return `${fmt(v)} (${ratio.toFixed(2)}×)`;
      })];
    }),
  };
}

function checkShape(m: ComparisonMatrix): void {
  if (m.values.length !== m.rows.length || m.values.some((row) => row.length !== m.columns.length)) {
    throw new RangeError(`comparison "${m.title}": values must be ${m.rows.length} rows x ${m.columns.length} columns`);
  }
}
