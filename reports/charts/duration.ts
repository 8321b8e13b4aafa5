/**
 * Per-iteration durations, like Rally's "Atomic Action Durations" chart: each atomic action as a
 * stacked area (or a line), the whole iteration as a line on top, failed iterations marked.
 */
import { atomicNames, atomicTotals, type IterationRecord } from '../../lib/load/atomic.js';
import { axes, color, ERROR_COLOR, esc, extent, legend, linear, niceDomain, niceTicks, pathThrough, plotArea, px, svgDoc, timeUnit, type Box } from './svg.js';

export interface DurationChartOptions {
  title: string;
  iterations: readonly IterationRecord[];
  /** `stacked` (default) shows how actions add up to the iteration; `lines` compares them. */
  mode?: 'stacked' | 'lines';
  width?: number;
  height?: number;
}

export function durationChart(opts: DurationChartOptions): string {
  const box: Box = { width: opts.width ?? 800, height: opts.height ?? 320, top: 52, right: 20, bottom: 40, left: 60 };
  const a = plotArea(box);
  const records = [...opts.iterations].sort((p, q) => p.iteration - q.iteration);
  const names = atomicNames(records);
  const mode = opts.mode ?? 'stacked';
  // Rally numbers iterations from 1 on this chart.
  const xsOf = records.map((r) => r.iteration + 1);
  const totals = records.map((r) => atomicTotals(r));
  const actionMs = (i: number, name: string): number => totals[i]!.get(name)?.durationMs ?? 0;
  const stackTop = records.map((_, i) => names.reduce((s, n) => s + actionMs(i, n), 0));
  const maxMs = Math.max(0, extent(records.map((r) => r.durationMs))[1], mode === 'stacked' ? extent(stackTop)[1] : 0);
  const { unit, factor } = timeUnit(maxMs);
  const [xMin, xMax] = records.length ? extent(xsOf) : [1, 1];
  const xDomain: [number, number] = xMin === xMax ? [xMin - 0.5, xMax + 0.5] : [xMin, xMax];
  const yDomain = niceDomain(0, maxMs * factor);
  const x = linear(xDomain, [a.x0, a.x1]);
  const y = linear(yDomain, [a.y0, a.y1]);
  const body: string[] = [axes({
    box, x, y,
    xTicks: niceTicks(xDomain[0], xDomain[1], 8).filter((t) => Number.isInteger(t)),
    yTicks: niceTicks(yDomain[0], yDomain[1]),
    xLabel: 'iteration',
    yLabel: `duration (${unit})`,
  })];

  body.push('<g class="atomics">');
  const base = records.map(() => 0);
  names.forEach((name, k) => {
    const c = color(k);
    const values = records.map((_, i) => actionMs(i, name) * factor);
    if (mode === 'stacked') {
      const lower = base.slice();
      const upper = values.map((v, i) => lower[i]! + v);
      values.forEach((_, i) => { base[i] = upper[i]!; });
      const top = pathThrough(upper.map((v, i) => [x(xsOf[i]!), y(v)] as const));
      const bottom = lower.map((v, i) => `L${px(x(xsOf[i]!))},${px(y(v))}`).reverse().join('');
      if (top) body.push(`<path class="atomic-area" d="${top}${bottom}Z" fill="${c}" fill-opacity="0.55" stroke="${c}" stroke-width="0.5"><title>${esc(name)}</title></path>`);
    } else {
      const d = pathThrough(values.map((v, i) => [x(xsOf[i]!), y(v)] as const));
      if (d) body.push(`<path class="atomic-line" d="${d}" fill="none" stroke="${c}" stroke-width="1.2"><title>${esc(name)}</title></path>`);
    }
  });
  body.push('</g>');

  const total = pathThrough(records.map((r, i) => [x(xsOf[i]!), y(r.durationMs * factor)] as const));
  if (total) body.push(`<path class="total-line" d="${total}" fill="none" stroke="#222222" stroke-width="1.5"><title>total duration</title></path>`);

  body.push('<g class="failures">');
  records.forEach((r, i) => {
    if (!r.error) return;
    body.push(`<circle class="failed-iteration" cx="${px(x(xsOf[i]!))}" cy="${px(y(r.durationMs * factor))}" r="3" fill="${ERROR_COLOR}"><title>${esc(`iteration ${r.iteration + 1}: ${r.error.kind}: ${r.error.message}`)}</title></circle>`);
  });
  body.push('</g>');

  const items = [...names.map((n, k) => ({ name: n, color: color(k) })), { name: 'total duration', color: '#222222' }];
  if (records.some((r) => r.error)) items.push({ name: 'failed iteration', color: ERROR_COLOR });
  body.push(legend(items, a.x0, 34, a.x1 - a.x0));
  if (records.length === 0) body.push(`<text x="${px((a.x0 + a.x1) / 2)}" y="${px((a.y0 + a.y1) / 2)}" text-anchor="middle" fill="#888888">no iterations</text>`);
  return svgDoc(box, opts.title, body.join('\n'));
}
