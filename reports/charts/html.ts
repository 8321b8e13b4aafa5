/**
 * Bundles charts and tables into one self-contained HTML page (inline CSS, no scripts or
 * external references), the shape Allure shows for a `text/html` attachment.
 */
import { esc } from './svg.js';

export interface Table {
  caption?: string;
  columns: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>;
  /** Per-row verdict, shaded green or red (SLA tables). */
  status?: ReadonlyArray<'pass' | 'fail' | undefined>;
}

export interface Section {
  title: string;
  note?: string;
  /** Markup from this package's renderers; anything else is rejected, since it is inserted unescaped. */
  svgs?: readonly string[];
  tables?: readonly Table[];
}

export function htmlTable(t: Table): string {
  const cell = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : esc(typeof v === 'number' ? String(Number(v.toPrecision(6))) : v));
  const out = ['<table>'];
  if (t.caption) out.push(`<caption>${esc(t.caption)}</caption>`);
  out.push(`<thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>`, '<tbody>');
  t.rows.forEach((row, i) => out.push(`<tr${t.status?.[i] ? ` class="${t.status[i]}"` : ''}>${row.map((v) => `<td${typeof v === 'number' ? ' class="num"' : ''}>${cell(v)}</td>`).join('')}</tr>`));
  out.push('</tbody></table>');
  return out.join('\n');
}

const CSS = `
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.note { color: #555; white-space: pre-wrap; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 12px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fail td { background: #fde2e2; } tr.pass td { background: #e3f5e1; }
figure { margin: 8px 0; }
`;

export function htmlPage(title: string, sections: readonly Section[]): string {
  const out = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
  ];
  for (const s of sections) {
    out.push('<section>', `<h2>${esc(s.title)}</h2>`);
    if (s.note) out.push(`<p class="note">${esc(s.note)}</p>`);
    for (const svg of s.svgs ?? []) {
      if (!/^<svg[\s>]/.test(svg) || !svg.trimEnd().endsWith('</svg>')) throw new TypeError(`section "${s.title}": svgs must be <svg> documents from reports/charts`);
      out.push(`<figure>${svg}</figure>`);
    }
    for (const t of s.tables ?? []) out.push(htmlTable(t));
    out.push('</section>');
  }
  out.push('</body></html>');
  return out.join('\n');
}
