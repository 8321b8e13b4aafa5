/**
 * Time-series line chart with shaded, labelled fault windows: the chaos timeline
 * (ops/s and errors/s over time, with when each fault was active).
 */
import { axes, color, esc, extent, legend, linear, niceDomain, niceTicks, pathThrough, plotArea, px, svgDoc, type Box } from './svg.js';

export interface LineSeries {
  name: string;
  points: ReadonlyArray<{ x: number; y: number }>;
  color?: string;
  dashed?: boolean;
}

export interface FaultWindow {
  /** Same unit as the x values. */
  start: number;
  end: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  series: readonly LineSeries[];
  faults?: readonly FaultWindow[];
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

export function lineChart(opts: LineChartOptions): string {
  const box: Box = { width: opts.width ?? 800, height: opts.height ?? 320, top: 52, right: 20, bottom: 40, left: 60 };
  const a = plotArea(box);
  const faults = opts.faults ?? [];
  const xs: number[] = [];
  const ys: number[] = [0];
  for (const s of opts.series) for (const p of s.points) {
    xs.push(p.x);
    ys.push(p.y);
  }
  // Fault windows widen the x domain so a fault after the last sample is still visible.
  for (const f of faults) xs.push(f.start, f.end);
  const [xMin, xMax] = extent(xs);
  const xDomain: [number, number] = xMin === xMax ? [xMin, xMin + 1] : [xMin, xMax];
  const yDomain = niceDomain(0, extent(ys)[1]);
  const x = linear(xDomain, [a.x0, a.x1]);
  const y = linear(yDomain, [a.y0, a.y1]);
  const body: string[] = [];

  body.push('<g class="fault-windows">');
  faults.forEach((f, i) => {
    if (!Number.isFinite(f.start) || !Number.isFinite(f.end)) return;
    const x0 = Math.max(a.x0, x(Math.min(f.start, f.end)));
    const x1 = Math.min(a.x1, x(Math.max(f.start, f.end)));
    // Stagger labels over three rows so adjacent windows stay readable.
    const ly = a.y1 + 11 + (i % 3) * 12;
    body.push(
      `<rect class="fault-window" x="${px(x0)}" y="${px(a.y1)}" width="${px(Math.max(1, x1 - x0))}" height="${px(a.y0 - a.y1)}" fill="#f4a6a6" fill-opacity="0.3" stroke="#d62728" stroke-opacity="0.5" stroke-dasharray="3,2"><title>${esc(`${f.label}: ${f.start} – ${f.end}`)}</title></rect>`,
      `<text class="fault-label" x="${px(x0 + 3)}" y="${px(ly)}" fill="#a01010">${esc(f.label)}</text>`,
    );
  });
  body.push('</g>');

  body.push(axes({ box, x, y, xTicks: niceTicks(xDomain[0], xDomain[1], 8), yTicks: niceTicks(yDomain[0], yDomain[1]), xLabel: opts.xLabel, yLabel: opts.yLabel }));

  body.push('<g class="series" fill="none" stroke-width="1.5">');
  opts.series.forEach((s, i) => {
    const c = s.color ?? color(i);
    const d = pathThrough(s.points.map((p) => [x(p.x), y(p.y)] as const));
    if (d) body.push(`<path class="line" d="${d}" stroke="${esc(c)}"${s.dashed ? ' stroke-dasharray="5,3"' : ''}><title>${esc(s.name)}</title></path>`);
  });
  body.push('</g>');
  body.push(legend(opts.series.map((s, i) => ({ name: s.name, color: s.color ?? color(i), dashed: s.dashed })), a.x0, 34, a.x1 - a.x0));
  return svgDoc(box, opts.title, body.join('\n'));
}
