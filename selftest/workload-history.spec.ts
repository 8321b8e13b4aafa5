import { test, expect } from '@playwright/test';
import { History } from '../lib/workload/history.js';

test.describe('workload history recorder', () => {
  test('pairs invocations with completions and counts per op and type', () => {
    let now = 0;
    const h = new History(() => now);
    const a = h.invoke(0, 'POST /v3/projects', { f: 'create', value: { name: 'p' } });
    now = 1;
    const b = h.invoke(1, 'POST /v3/projects', { f: 'create', value: { name: 'p' } });
    now = 5;
    b.fail({ status: 409, requestId: 'req-b' });
    now = 7;
    a.ok({ status: 201, value: { id: 'x' } });
    now = 8;
    h.invoke(2, 'GET /v3/projects', { f: 'read' }).info({ error: 'timeout' });
    h.invoke(3, 'GET /v3/projects', { f: 'read' });

    const pairs = h.pairs();
    expect(pairs.map((p) => [p.invoke.process, p.outcome, p.start, p.end])).toEqual([
      [0, 'ok', 0, 7], [1, 'fail', 1, 5], [2, 'info', 8, Infinity], [3, 'info', 8, Infinity],
    ]);
    expect(pairs[3]!.completion).toBeUndefined();
    expect(pairs[1]!.completion).toMatchObject({ type: 'fail', f: 'create', status: 409, requestId: 'req-b' });
    expect(h.counts()).toEqual({
      'POST /v3/projects': { invoke: 2, ok: 1, fail: 1, info: 0 },
      'GET /v3/projects': { invoke: 2, ok: 0, fail: 0, info: 1 },
    });
    expect(h.pairsFor('GET /v3/projects')).toHaveLength(2);
    expect(h.opEvents('POST /v3/projects')).toHaveLength(4);
    expect(h.events.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('refuses to complete twice or to overlap ops on one process', () => {
    const h = new History();
    const a = h.invoke(0, 'op');
    expect(() => h.invoke(0, 'op')).toThrow(/outstanding/);
    a.ok();
    expect(() => a.fail()).toThrow(/completed twice/);
    expect(() => h.invoke(0, 'op')).not.toThrow();
  });

  test('records fault windows in the same timeline and serialises to JSON', () => {
    let now = 0;
    const h = new History(() => now);
    const kill = h.faultStart('kill galera-2', { node: 'galera-2' });
    now = 3;
    h.invoke(0, 'GET /v3/users', { f: 'read' }).ok({ status: 200 });
    now = 10;
    kill.end();
    kill.end(); // healing in `finally` after an explicit end must not record a second end
    h.faultStart('partition');
    const json = JSON.parse(JSON.stringify(h));
    expect(json.faults).toEqual([
      { name: 'kill galera-2', start: 0, end: 10, value: { node: 'galera-2' } },
      { name: 'partition', start: 10 },
    ]);
    expect(json.events.map((e: { type: string }) => e.type)).toEqual(['fault-start', 'invoke', 'ok', 'fault-end', 'fault-start']);
    expect(json.counts).toEqual({ 'GET /v3/users': { invoke: 1, ok: 1, fail: 0, info: 0 } });
  });
});
