/**
 * SVG primitives shared by the chart renderers: escaping, scales, ticks, axes, legend.
 * Output is self-contained (inline styles, no scripts, no external references) so a chart
 * survives being attached to Allure or opened from disk.
 */

// XML 1.0 forbids most control characters even when escaped; error messages can carry them.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for element content and double- or single-quoted attributes. */
export function esc(value: unknown): string {
  return String(value)
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Compact number for labels: 1234567 -> 1.23M, 0.000123 -> 0.000123, 12.5 -> 12.5. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e4) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(n: number): string {
  return String(Number(n.toPrecision(3)));
}

/** Coordinates rounded to 0.01 px keep files small without visible loss. */
export function px(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export type Scale = (v: number) => number;

export function linear([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** About `count` round tick values covering [min, max] (1, 2, 5 x 10^k steps). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Extends [min, max] to round numbers so the top tick is not cut off. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) return min === 0 ? [0, 1] : [Math.min(0, min), Math.max(0, max) * 1.1 || 1];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#d62728'];
export const ERROR_COLOR = '#d62728';

export function color(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

export interface Box {
  width: number;
  height: number;
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export function plotArea(box: Box): { x0: number; x1: number; y0: number; y1: number } {
  return { x0: box.left, x1: box.width - box.right, y0: box.height - box.bottom, y1: box.top };
}

/** The root element; `body` must already be escaped markup. */
export function svgDoc(box: Box, title: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${box.width}" height="${box.height}" viewBox="0 0 ${box.width} ${box.height}" role="img" aria-label="${esc(title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${esc(title)}</title>`,
    `<rect x="0" y="0" width="${box.width}" height="${box.height}" fill="#ffffff"/>`,
    `<text x="${px(box.width / 2)}" y="16" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    body,
    '</svg>',
  ].join('\n');
}

export interface AxesSpec {
  box: Box;
  x: Scale;
  y: Scale;
  xTicks: number[];
  yTicks: number[];
  xLabel?: string;
  yLabel?: string;
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
}

/** Gridlines, tick labels and axis titles. */
export function axes(spec: AxesSpec): string {
  const { box, x, y } = spec;
  const a = plotArea(box);
  const xf = spec.xFormat ?? fmt;
  const yf = spec.yFormat ?? fmt;
  const out: string[] = ['<g class="axes" stroke="#cccccc" stroke-width="1">'];
  for (const t of spec.yTicks) out.push(`<line x1="${px(a.x0)}" x2="${px(a.x1)}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="#eeeeee"/>`);
  out.push(`<line x1="${px(a.x0)}" x2="${px(a.x1)}" y1="${px(a.y0)}" y2="${px(a.y0)}" stroke="#444444"/>`);
  out.push(`<line x1="${px(a.x0)}" x2="${px(a.x0)}" y1="${px(a.y0)}" y2="${px(a.y1)}" stroke="#444444"/>`);
  out.push('</g>', '<g class="tick-labels" fill="#333333">');
  for (const t of spec.yTicks) out.push(`<text x="${px(a.x0 - 6)}" y="${px(y(t) + 4)}" text-anchor="end">${esc(yf(t))}</text>`);
  for (const t of spec.xTicks) out.push(`<text x="${px(x(t))}" y="${px(a.y0 + 15)}" text-anchor="middle">${esc(xf(t))}</text>`);
  out.push('</g>');
  if (spec.xLabel) out.push(`<text class="x-label" x="${px((a.x0 + a.x1) / 2)}" y="${px(box.height - 6)}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  if (spec.yLabel) {
    const cy = (a.y0 + a.y1) / 2;
    out.push(`<text class="y-label" x="14" y="${px(cy)}" text-anchor="middle" transform="rotate(-90 14 ${px(cy)})">${esc(spec.yLabel)}</text>`);
  }
  return out.join('\n');
}

/** A horizontal legend row starting at (x, y). */
export function legend(items: ReadonlyArray<{ name: string; color: string; dashed?: boolean }>, x: number, y: number, maxWidth: number): string {
  const out: string[] = ['<g class="legend">'];
  let cx = x;
  let cy = y;
  for (const it of items) {
    const w = 22 + Math.min(40, it.name.length) * 6.2 + 12;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 14;
    }
    out.push(`<rect x="${px(cx)}" y="${px(cy - 8)}" width="14" height="8" fill="${esc(it.color)}"${it.dashed ? ' fill-opacity="0.4"' : ''}/>`);
    out.push(`<text x="${px(cx + 18)}" y="${px(cy)}">${esc(it.name.length > 40 ? `${it.name.slice(0, 39)}…` : it.name)}</text>`);
    cx += w;
  }
  out.push('</g>');
  return out.join('\n');
}

/** [min, max] of the finite values ([0, 0] if none); a loop, since spreading 100k values overflows the stack. */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** Milliseconds shown in the unit that keeps labels short. */
export function timeUnit(maxMs: number): { unit: 'ms' | 's'; factor: number } {
  return maxMs >= 2000 ? { unit: 's', factor: 1 / 1000 } : { unit: 'ms', factor: 1 };
}

/** A polyline path through points, breaking at non-finite values. */
export function pathThrough(points: ReadonlyArray<readonly [number, number]>): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(x)},${px(y)}`;
    pen = true;
  }
  return d;
}
