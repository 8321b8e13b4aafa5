import { test, expect } from '@playwright/test';
import {
  comparisonChart, comparisonTable, durationChart, histogram, htmlPage, htmlTable, lineChart, slaTable, statsTable,
} from '../reports/charts/index.js';
import type { IterationRecord } from '../lib/load/atomic.js';
import { summarize } from '../lib/load/stats.js';
import { evaluateSlas } from '../lib/load/sla.js';

/**
 * A small XML well-formedness check (no parser in the dependencies): every `<` opens a valid tag
 * with quoted attributes, tags nest and close, one root, and `&` only starts a known entity.
 */
function assertWellFormedXml(xml: string, root = 'svg'): void {
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  while (i < xml.length) {
    const ch = xml[i];
    if (ch === '<') {
      tag.lastIndex = i;
      const m = tag.exec(xml);
      if (!m) throw new Error(`malformed tag at ${i}: ${xml.slice(i, i + 60)}`);
      const [, closing, name, attrs, selfClosing] = m;
      for (const am of attrs!.matchAll(/="([^"]*)"/g)) checkAmps(am[1]!, i);
      if (closing) {
        const open = stack.pop();
        if (open !== name) throw new Error(`</${name}> closes <${open}> at ${i}`);
      } else {
        if (stack.length === 0) roots++;
        if (!selfClosing) stack.push(name!);
      }
      i = tag.lastIndex;
    } else {
      if (stack.length === 0 && ch!.trim() !== '') throw new Error(`text outside the root at ${i}`);
      const next = xml.indexOf('<', i);
      const text = xml.slice(i, next === -1 ? xml.length : next);
      checkAmps(text, i);
      i = next === -1 ? xml.length : next;
    }
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
  expect(roots).toBe(1);
  expect(xml.startsWith(`<${root}`)).toBe(true);

  function checkAmps(s: string, at: number): void {
    for (let k = s.indexOf('&'); k !== -1; k = s.indexOf('&', k + 1)) {
      entity.lastIndex = k;
      if (!entity.test(s)) throw new Error(`bare & near ${at}: ${s.slice(k, k + 20)}`);
    }
    if (s.includes('>') && !s.includes('&gt;')) {
      // '>' is legal in XML text, but our escaper always encodes it; a raw one means unescaped input.
      throw new Error(`raw > near ${at}: ${s.slice(0, 40)}`);
    }
  }
}

const count = (s: string, needle: string): number => s.split(needle).length - 1;
const nasty = 'partition <n1|n2> & "kill" \'it\'';
const nastyEscaped = 'partition &lt;n1|n2&gt; &amp; &quot;kill&quot; &#39;it&#39;';

test.describe('the well-formedness check itself', () => {
  test('rejects broken markup', () => {
    expect(() => assertWellFormedXml('<svg><g></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg><text>a < b</text></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg><text>a & b</text></svg>')).toThrow();
    expect(() => assertWellFormedXml('<svg x=1></svg>')).toThrow();
    assertWellFormedXml('<svg a="1"><g/><text>a &amp; b</text></svg>');
  });
});

test.describe('lineChart (chaos timeline)', () => {
  const ops = Array.from({ length: 60 }, (_, t) => ({ x: t, y: t >= 20 && t < 30 ? 2 : 12 + (t % 3) }));
  const errs = Array.from({ length: 60 }, (_, t) => ({ x: t, y: t >= 20 && t < 30 ? 5 : 0 }));

  test('draws series, labelled fault windows, escaped text', () => {
    const svg = lineChart({
      title: 'Chaos <timeline>',
      xLabel: 'time (s)',
      yLabel: 'per second',
      series: [{ name: 'ops/s', points: ops }, { name: 'errors/s', points: errs, color: '#d62728' }],
      faults: [{ start: 20, end: 30, label: nasty }, { start: 45, end: 70, label: 'kill node-2' }],
    });
    assertWellFormedXml(svg);
    expect(count(svg, 'class="fault-window"')).toBe(2);
    expect(count(svg, 'class="fault-label"')).toBe(2);
    expect(svg).toContain(nastyEscaped);
    expect(svg).not.toContain(nasty);
    expect(svg).toContain('Chaos &lt;timeline&gt;');
    expect(svg).toContain('ops/s');
    expect(svg).toContain('errors/s');
    expect(svg).toContain('kill node-2');
    expect(count(svg, 'class="line"')).toBe(2);
    expect(svg).not.toContain('NaN');
    // The window past the last sample (45..70) widens the axis rather than being clipped away.
    expect(svg).toContain('>70<');
  });

  test('empty, constant and non-finite inputs still give well-formed output without NaN', () => {
    for (const series of [[], [{ name: 'flat', points: [{ x: 1, y: 0 }] }], [{ name: 'gaps', points: [{ x: 0, y: 1 }, { x: 1, y: Number.NaN }, { x: 2, y: 3 }] }]]) {
      const svg = lineChart({ title: 't', series });
      assertWellFormedXml(svg);
      expect(svg).not.toContain('NaN');
      expect(svg).not.toContain('Infinity');
    }
  });

  test('control characters in labels do not break XML', () => {
    const svg = lineChart({ title: 'bad\u0001char', series: [], faults: [{ start: 0, end: 1, label: 'x\u0000y' }] });
    assertWellFormedXml(svg);
    expect(svg).not.toMatch(/[\u0000-\u0008]/);
  });
});

test.describe('durationChart', () => {
  const records: IterationRecord[] = Array.from({ length: 30 }, (_, i) => ({
    iteration: i,
    start: i * 100,
    durationMs: 60 + (i % 5) * 4,
    atomics: [
      { name: 'keystone.create_user', durationMs: 40 + (i % 5) * 3 },
      { name: 'keystone.add_role & <grant>', durationMs: 15, ...(i === 7 ? { failed: true as const } : {}) },
    ],
    ...(i === 7 ? { error: { kind: 'http-409', message: 'Conflict <"dup">' } } : {}),
  }));

  test('stacks one area per atomic action, draws the total and marks failures', () => {
    const svg = durationChart({ title: 'KeystoneBasic.create_user_and_add_role', iterations: records });
    assertWellFormedXml(svg);
    expect(count(svg, 'class="atomic-area"')).toBe(2);
    expect(count(svg, 'class="total-line"')).toBe(1);
    expect(count(svg, 'class="failed-iteration"')).toBe(1);
    expect(svg).toContain('keystone.create_user');
    expect(svg).toContain('keystone.add_role &amp; &lt;grant&gt;');
    expect(svg).toContain('Conflict &lt;&quot;dup&quot;&gt;');
    expect(svg).toContain('duration (ms)');
    expect(svg).not.toContain('NaN');
  });

  test('lines mode and a seconds axis for long iterations', () => {
    const slow = records.map((r) => ({ ...r, durationMs: r.durationMs * 200, atomics: r.atomics.map((a) => ({ ...a, durationMs: a.durationMs * 200 })) }));
    const svg = durationChart({ title: 'slow', iterations: slow, mode: 'lines' });
    assertWellFormedXml(svg);
    expect(count(svg, 'class="atomic-line"')).toBe(2);
    expect(count(svg, 'class="atomic-area"')).toBe(0);
    expect(svg).toContain('duration (s)');
  });

  test('no iterations', () => {
    const svg = durationChart({ title: 'empty', iterations: [] });
    assertWellFormedXml(svg);
    expect(svg).toContain('no iterations');
    expect(svg).not.toContain('NaN');
  });
});

test.describe('histogram', () => {
  test('bins the distribution and labels percentile markers', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 5 + (i % 100) * 0.5);
    const svg = histogram({ title: 'create_user latency', valuesMs: values, bins: 20, markers: [{ label: 'p50', valueMs: 30 }, { label: 'p99', valueMs: 54.5 }] });
    assertWellFormedXml(svg);
    expect(count(svg, 'class="bar"')).toBe(20);
    expect(svg).toContain('p50 30 ms');
    expect(svg).toContain('p99 54.5 ms');
    expect(svg).toContain('latency (ms)');
  });

  test('empty and single-valued inputs', () => {
    for (const valuesMs of [[], [7, 7, 7]]) {
      const svg = histogram({ title: 'h', valuesMs });
      assertWellFormedXml(svg);
      expect(svg).not.toContain('NaN');
    }
  });
});

test.describe('comparison chart and table', () => {
  const matrix = {
    title: 'Backends',
    metric: 'p95 latency (ms)',
    rows: ['authenticate_user_and_validate_token', 'create_user <admin>'],
    columns: ['postgres', 'cockroach', 'yugabyte'],
    values: [[8800, 12000, null], [120, 340, 260]],
  };

  test('one bar per present cell, n/a for missing, legend per backend', () => {
    const svg = comparisonChart(matrix);
    assertWellFormedXml(svg);
    expect(count(svg, 'class="bar"')).toBe(5);
    expect(count(svg, 'class="missing"')).toBe(1);
    expect(svg).toContain('create_user &lt;admin&gt;');
    for (const b of matrix.columns) expect(svg).toContain(`>${b}<`);
    expect(svg).toContain('p95 latency (ms); bars scaled per row');
  });

  test('per-row scaling keeps small rows readable; shared scaling draws one axis', () => {
    const widths = (svg: string) => [...svg.matchAll(/class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    const row = widths(comparisonChart(matrix));
    // The slowest backend of each row spans the plot width in row mode...
    expect(row[1]).toBeCloseTo(row[3]!, 0);
    const shared = comparisonChart({ ...matrix, scale: 'shared' });
    assertWellFormedXml(shared);
    expect(shared).toContain('>15k<');
    // ...while on a shared axis the 340 ms bar is tiny next to the 12 s one.
    expect(widths(shared)[3]! * 10).toBeLessThan(widths(shared)[1]!);
  });

  test('table shows ratios to the best backend; shape is checked', () => {
    const t = comparisonTable(matrix);
    expect(t.columns).toEqual(['', 'postgres', 'cockroach', 'yugabyte']);
    expect(t.rows[0]).toEqual(['authenticate_user_and_validate_token', '8800 (1.00×)', '12k (1.36×)', 'n/a']);
    expect(t.rows[1]![2]).toBe('340 (2.83×)');
    expect(() => comparisonChart({ ...matrix, values: [[1, 2]] })).toThrow(RangeError);
  });
});

test.describe('htmlPage', () => {
  test('bundles SVGs and escaped tables into one self-contained page', () => {
    const records: IterationRecord[] = [1, 2, 3].map((i) => ({ iteration: i - 1, start: i * 10, durationMs: i * 10, atomics: [{ name: 'a<b', durationMs: i * 5 }] }));
    const svg = histogram({ title: 'h', valuesMs: [1, 2, 3] });
    const page = htmlPage('Load <report> & more', [
      { title: 'Durations', note: 'note with <html>', svgs: [svg] },
      { title: 'Tables', tables: [statsTable(summarize({ iterations: records, wallMs: 100 })), slaTable(evaluateSlas(records, { failure_rate: { max: 0 }, max_avg_duration: 0.001 }))] },
    ]);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<title>Load &lt;report&gt; &amp; more</title>');
    expect(page).toContain('note with &lt;html&gt;');
    expect(page).toContain(svg);
    expect(page).toContain('<td>a&lt;b</td>');
    expect(page).toContain('<tr class="fail">');
    expect(page).toContain('<tr class="pass">');
    expect(page).not.toMatch(/<script|src=|href=/i);
    // The page body (minus the doctype) is itself well-formed markup.
    assertWellFormedXml(page.replace('<!DOCTYPE html>\n', '').replace('<meta charset="utf-8">', '<meta charset="utf-8"/>'), 'html');
  });

  test('refuses markup that is not an SVG document', () => {
    expect(() => htmlPage('x', [{ title: 's', svgs: ['<img src=x onerror=alert(1)>'] }])).toThrow(TypeError);
  });

  test('htmlTable renders numbers right-aligned and blanks for missing cells', () => {
    const html = htmlTable({ columns: ['a', 'b'], rows: [[1.23456789, null]] });
    expect(html).toContain('<td class="num">1.23457</td><td></td>');
  });
});
