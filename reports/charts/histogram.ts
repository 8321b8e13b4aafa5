/**
 * Latency distribution: equal-width bins over the observed range, with optional percentile
 * markers (p50, p95, p99...) drawn as labelled vertical lines.
 */
import { axes, ERROR_COLOR, esc, extent, linear, niceDomain, niceTicks, plotArea, px, svgDoc, timeUnit, type Box } from './svg.js';

export interface HistogramOptions {
  title: string;
  /** Latencies in milliseconds; non-finite values are ignored. */
  valuesMs: readonly number[];
  bins?: number;
  markers?: ReadonlyArray<{ label: string; valueMs: number }>;
  width?: number;
  height?: number;
}

export function histogram(opts: HistogramOptions): string {
  const box: Box = { width: opts.width ?? 800, height: opts.height ?? 300, top: 40, right: 20, bottom: 40, left: 60 };
  const a = plotArea(box);
  const values = opts.valuesMs.filter(Number.isFinite);
  const [lo, hi] = extent([...values, ...(opts.markers ?? []).map((m) => m.valueMs)]);
  const { unit, factor } = timeUnit(hi);
  const binCount = Math.max(1, Math.floor(opts.bins ?? 30));
  const width = (hi - lo) / binCount || 1;
  const counts = new Array<number>(binCount).fill(0);
  for (const v of values) counts[Math.min(binCount - 1, Math.floor((v - lo) / width))]!++;
  const xDomain: [number, number] = [lo * factor, (lo + width * binCount) * factor];
  const yDomain = niceDomain(0, extent(counts)[1]);
  const x = linear(xDomain, [a.x0, a.x1]);
  const y = linear(yDomain, [a.y0, a.y1]);
  const body: string[] = [axes({
    box, x, y,
    xTicks: niceTicks(xDomain[0], xDomain[1], 8),
    yTicks: niceTicks(yDomain[0], yDomain[1]).filter((t) => Number.isInteger(t)),
    xLabel: `latency (${unit})`,
    yLabel: 'count',
  })];
  body.push('<g class="bars" fill="#1f77b4">');
  counts.forEach((c, i) => {
    if (c === 0) return;
    const from = (lo + i * width) * factor;
    const to = (lo + (i + 1) * width) * factor;
    const bx = x(from);
    const bw = Math.max(1, x(to) - bx - 1);
    body.push(`<rect class="bar" x="${px(bx)}" y="${px(y(c))}" width="${px(bw)}" height="${px(a.y0 - y(c))}"><title>${esc(`${from.toPrecision(4)}–${to.toPrecision(4)} ${unit}: ${c}`)}</title></rect>`);
  });
  body.push('</g>');
  body.push('<g class="markers">');
  (opts.markers ?? []).forEach((m, i) => {
    if (!Number.isFinite(m.valueMs)) return;
    const mx = x(m.valueMs * factor);
    body.push(
      `<line class="marker" x1="${px(mx)}" x2="${px(mx)}" y1="${px(a.y0)}" y2="${px(a.y1)}" stroke="${ERROR_COLOR}" stroke-dasharray="4,3"/>`,
      `<text class="marker-label" x="${px(mx + 3)}" y="${px(a.y1 + 10 + (i % 3) * 12)}" fill="${ERROR_COLOR}">${esc(`${m.label} ${Number((m.valueMs * factor).toPrecision(4))} ${unit}`)}</text>`,
    );
  });
  body.push('</g>');
  if (values.length === 0) body.push(`<text x="${px((a.x0 + a.x1) / 2)}" y="${px((a.y0 + a.y1) / 2)}" text-anchor="middle" fill="#888888">no samples</text>`);
  return svgDoc(box, opts.title, body.join('\n'));
}
