// `npm run compare` (lib/load/compare.ts, reports/compare-report.ts, lib/workload/exchange-history.ts):
// the arguments it refuses before any cluster starts, how a measured workload becomes a row, the
// printed table, and the request log turned into a history the retry correlator reads.
import { test, expect } from '@playwright/test';
import { ConfigError } from '../lib/config/settings.js';
import type { Exchange } from '../lib/keystone/http.js';
import type { IterationRecord } from '../lib/load/atomic.js';
import {
  buildCompareRow, DEFAULT_LATENCIES_MS, DEFAULT_SCENARIOS, latencyPathOf, orderRows, parseCompareArgs, type CompareRow, type WorkloadMeasurement,
} from '../lib/load/compare.js';
import { galeraCountersOf, galeraWindowConflicts } from '../lib/workload/database-conflicts.js';
import { historyFromExchanges, operationKey } from '../lib/workload/exchange-history.js';
import { parseKeystoneLog } from '../lib/workload/keystone-log.js';
import { correlateRetries } from '../lib/workload/retry-coverage.js';
import { compareHtml, compareMatrices, renderCompareTable } from '../reports/compare-report.js';

test.describe('compare: arguments', () => {
  test('defaults: every backend, 0/50/150 ms, the two cheap scenarios, one round of 8', () => {
    const o = parseCompareArgs([]);
    expect(o.backends).toEqual(['postgres', 'galera', 'cockroachdb']);
    expect(o.latenciesMs).toEqual([...DEFAULT_LATENCIES_MS]);
    expect(o.latenciesMs).toEqual([0, 50, 150]);
    expect(o.scenarios).toEqual([...DEFAULT_SCENARIOS]);
    expect([o.times, o.concurrency, o.cellTimeoutS, o.out]).toEqual([8, 8, 150, 'reports/compare.json']);
  });

  test('widened: chosen order kept, Rally names accepted, all = the 21 scenarios', () => {
    const o = parseCompareArgs(['--backends=galera,postgres', '--latencies=150,0,25', '--scenarios=KeystoneBasic.create_user,get_entities', '--times=3', '--concurrency=8', '--cell-timeout=60', '--out=/tmp/x.json']);
    expect(o.backends).toEqual(['galera', 'postgres']);
    expect(o.latenciesMs).toEqual([150, 0, 25]);
    expect(o.scenarios).toEqual(['create_user', 'get_entities']);
    expect([o.times, o.concurrency, o.cellTimeoutS, o.out]).toEqual([3, 8, 60, '/tmp/x.json']);
    expect(parseCompareArgs(['--scenarios=all']).scenarios).toHaveLength(21);
  });

  const refused: Array<[string[], RegExp]> = [
    [['--backends=postgres,mysql'], /unknown backend "mysql"/],
    [['--backends=postgres,,galera'], /empty item/],
    [['--backends=galera,galera'], /galera is listed twice/],
    [['--latencies=0,fifty'], /"fifty" is not a one-way latency/],
    [['--latencies=-5'], /"-5" is not a one-way latency/],
    [['--latencies=0,2.5'], /"2.5" is not a one-way latency/],
    [['--latencies=0,1001'], /"1001" is not a one-way latency.*\[0, 1000\]/],
    [['--latencies=50,050'], /listed twice/],
    [['--latencies='], /empty item/],
    [['--latencies=0,,150'], /empty item/],
    [['--scenarios=create_user,boot_server'], /unknown KeystoneBasic scenario "boot_server"/],
    [['--scenarios=create_user,KeystoneBasic.create_user'], /listed twice/],
    [['--times=0'], /--times=0 must be an integer in \[1, 100000\]/],
    [['--concurrency=two'], /--concurrency=two must be an integer/],
    [['--out=reports/compare.txt'], /must name a \.json file/],
    [['--latency=0'], /Unknown option '--latency'.*usage: npm run compare/],
    [['postgres'], /positional argument.*usage/i],
  ];
  for (const [argv, message] of refused) {
    test(`refuses ${argv.join(' ') || '(empty)'} with one line`, () => {
      let error: unknown;
      try { parseCompareArgs(argv); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }

  test('where the latency goes: between Galera nodes, else on the Keystone-database link', () => {
    expect(latencyPathOf('galera')).toBe('between-database-nodes');
    expect(latencyPathOf('postgres')).toBe('keystone-database');
    expect(latencyPathOf('cockroachdb')).toBe('keystone-database');
  });
});

const it = (iteration: number, durationMs: number, error?: string): IterationRecord =>
  ({ iteration, start: iteration * 10, durationMs, atomics: [], ...(error ? { error: { kind: error, message: `${error} happened` } } : {}) });

const retryRow = (op: string, requests: number, retries: number, conflicts: number, leaks: number, fns: string[]) => ({
  op, requests, conflictsProvoked: conflicts, retries, retriedThenOk: retries ? 1 : 0, leaks, conflictsAs4xx: 0, otherServerFailures: 0, timeouts: 0,
  maxRetriesOneRequest: retries, retriedFunctions: fns, leakingFunctions: [], leakedRequestIds: [],
});

const measurement = (over: Partial<WorkloadMeasurement> = {}): WorkloadMeasurement => ({
  backend: 'postgres', latencyMs: 50, scenario: 'create_user', runner: { times: 6, concurrency: 2 },
  // Two failures of its own, one cut at the bound, three successes.
  iterations: [it(0, 1000), it(1, 2000), it(2, 4000), it(3, 3000, 'http-500'), it(4, 500, 'no-response'), it(5, 9000, 'deadline')],
  wallMs: 10_000,
  retryRows: [retryRow('POST /v3/users', 5, 3, 2, 1, ['identity.backends.sql.Identity.create_user']), retryRow('POST /v3/auth/tokens', 1, 0, 0, 0, [])],
  databaseConflicts: 4, databaseConflictSource: 'PostgreSQL 40001/40P01 log lines',
  ...over,
});

test.describe('compare: a row from one measured workload', () => {
  test('ok, errors and cut apart; throughput over successes; Rally percentiles over finished iterations; log figures summed', () => {
    const r = buildCompareRow(measurement());
    expect([r.iterations, r.ok, r.errors, r.cut]).toEqual([6, 3, 2, 1]);
    expect(r.throughput).toBeCloseTo(0.3, 12);
    // Finished: 1, 2, 4, 3, 0.5 s -> sorted 0.5 1 2 3 4: p50 = 2, p95 = 3 + 0.8 * 1 = 3.8 (numpy linear); the cut 9 s is not among them.
    expect(r.p50S).toBe(2);
    expect(r.p95S).toBeCloseTo(3.8, 12);
    expect([r.requests, r.keystoneRetries, r.requestsWithConflict, r.leaks, r.databaseConflicts]).toEqual([6, 3, 2, 1, 4]);
    expect(r.errorKinds).toEqual({ 'http-500': 1, 'no-response': 1, deadline: 1 });
    expect(r.retriedFunctions).toEqual(['identity.backends.sql.Identity.create_user']);
    expect(r.latencyPath).toBe('keystone-database');
  });

  test('a cell with nothing finished has no percentiles and 0 it/s; unknown database conflicts stay unknown', () => {
    const r = buildCompareRow(measurement({ iterations: [it(0, 240_000, 'deadline')], databaseConflicts: null, retryRows: [] }));
    expect([r.ok, r.errors, r.cut, r.throughput, r.p50S, r.p95S, r.databaseConflicts, r.keystoneRetries]).toEqual([0, 0, 1, 0, null, null, null, 0]);
  });

  const refused: Array<[string, Partial<WorkloadMeasurement>, RegExp]> = [
    ['a negative conflict count (a counter that went backwards)', { databaseConflicts: -3 }, /went backwards is unknown/],
    ['a fractional conflict count', { databaseConflicts: 1.5 }, /database conflicts 1.5/],
    ['a duration that is not a number', { iterations: [it(0, Number.NaN)] }, /iteration 0 has duration NaN/],
    ['a negative duration', { iterations: [it(0, -1)] }, /iteration 0 has duration -1/],
    ['one iteration recorded twice', { iterations: [it(0, 1), it(0, 2)] }, /iteration 0 recorded twice/],
    ['more iterations than the run had', { runner: { times: 1, concurrency: 1 } }, /6 iterations recorded for a run of 1/],
    ['iterations in no time', { wallMs: 0 }, /wall time of 0 ms/],
    ['an unknown backend', { backend: 'mysql' as never }, /unknown backend/],
    ['a latency out of range', { latencyMs: 5000 }, /latency must be whole ms/],
  ];
  for (const [what, over, message] of refused) {
    test(`refuses ${what}`, () => {
      expect(() => buildCompareRow(measurement(over))).toThrow(message);
    });
  }

  const row = (backend: 'postgres' | 'galera', latencyMs: number, scenario: string): CompareRow => buildCompareRow(measurement({ backend, latencyMs, scenario }));
  test('rows ordered as the options list backends, latencies, scenarios; duplicates and strays refused', () => {
    const o = { backends: ['galera', 'postgres'] as ('galera' | 'postgres')[], latenciesMs: [150, 0], scenarios: ['create_user', 'get_entities'] };
    const ordered = orderRows([row('postgres', 0, 'create_user'), row('galera', 0, 'get_entities'), row('galera', 150, 'create_user'), row('galera', 0, 'create_user')], o);
    expect(ordered.map((r) => `${r.backend} ${r.latencyMs} ${r.scenario}`)).toEqual(['galera 150 create_user', 'galera 0 create_user', 'galera 0 get_entities', 'postgres 0 create_user']);
    expect(() => orderRows([row('galera', 0, 'create_user'), row('galera', 0, 'create_user')], o)).toThrow(/two rows for galera \/ 0 \/ create_user/);
    expect(() => orderRows([row('galera', 50, 'create_user')], o)).toThrow(/outside the selected/);
  });
});

test.describe('compare: the printed table and the report', () => {
  const rows = [
    buildCompareRow(measurement({ latencyMs: 0 })),
    buildCompareRow(measurement({ backend: 'galera', latencyMs: 0, databaseConflicts: null, iterations: [it(0, 1234), it(1, 2345)] })),
  ];

  test('one line per row, aligned columns, n/a for unknowns, cut iterations shown, a line per backend not run', () => {
    const text = renderCompareTable(rows, [{ backend: 'cockroachdb', reason: 'KS_COCKROACH_IMAGE is not set' }]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^backend\s+latency\s+scenario\s+ok\/n\s+it\/s\s+p50 s\s+p95 s\s+errors\s+db conflicts\s+ks retries\s+leaks$/);
    expect(lines[1]).toMatch(/^postgres\s+0 ms\s+create_user\s+3\/6 \(1 cut\)\s+0\.300\s+2\.00\s+3\.80\s+2\s+4\s+3\s+1$/);
    expect(lines[2]).toMatch(/^galera\s+0 ms\s+create_user\s+2\/2\s+0\.200\s+1\.79\s+2\.29\s+0\s+n\/a\s+3\s+1$/);
    expect(lines[3]).toBe('cockroachdb: not run: KS_COCKROACH_IMAGE is not set');
    // Right-aligned numbers: every row's "it/s" value ends where the header's does.
    const end = lines[0]!.indexOf('it/s') + 4;
    expect(lines[1]!.slice(0, end)).toMatch(/0\.300$/);
    expect(lines[2]!.slice(0, end)).toMatch(/0\.200$/);
  });

  test('no rows: says so rather than print a bare header', () => {
    expect(renderCompareTable([], [])).toContain('(no cell was measured)');
  });

  test('charts: rows are scenario @ latency, one bar per backend; a backend with no successes has no bar', () => {
    const m = compareMatrices([...rows, buildCompareRow(measurement({ backend: 'galera', latencyMs: 50, iterations: [it(0, 5, 'http-500')] }))]);
    expect(m.throughput.rows).toEqual(['create_user @ 0 ms', 'create_user @ 50 ms']);
    expect(m.throughput.columns).toEqual(['postgres', 'galera']);
    expect(m.throughput.values).toEqual([[0.3, 0.2], [null, null]]);
    expect(m.p95.values[0]).toEqual([3.8, 2.289]);
    const { html, svgs } = compareHtml({
      generatedAt: 'now', commit: 'abc', loadAverage: { start: [1, 1, 1], end: [2, 2, 2] },
      options: { backends: ['postgres', 'galera'], latenciesMs: [0], scenarios: ['create_user'], times: 6, concurrency: 2, cellTimeoutS: 240, requestTimeoutS: 130 },
      keystone: { variant: 'patched-x', uwsgiProcesses: 4, passwordHashRounds: 4, pgIsolation: 'serializable' },
      backends: [], rows, notRun: [{ backend: 'cockroachdb', reason: 'no image <here>' }], problems: [], wallS: 1,
    });
    expect(svgs).toHaveLength(2);
    expect(html).toContain('no image &lt;here&gt;');
    expect(html).toContain('at start 1, 1, 1, at end 2, 2, 2');
  });
});

test.describe('compare: Keystone retries and database conflicts of a load run', () => {
  const exchange = (over: Partial<Exchange>): Exchange => ({
    method: 'POST', path: '/v3/users', baseUrl: 'http://127.0.0.1:1', status: 201, outcome: 'response',
    requestId: 'req-11111111-2222-3333-4444-555555555555', durationMs: 40, startedAt: '2026-12-03T18:00:00.000Z', ...over,
  });

  test('operations keyed by the api-ref template, outcomes as the correlator reads them', () => {
    expect(operationKey('PATCH', '/v3/users/0123abcd')).toBe('PATCH /v3/users/{user_id}');
    expect(operationKey('GET', '/v3/not-a-route?x=1')).toBe('GET /v3/not-a-route');
    const events = historyFromExchanges([
      exchange({}),
      exchange({ method: 'GET', path: '/v3/auth/tokens', status: 404, requestId: 'req-b' }),
      exchange({ status: 500, requestId: 'req-c' }),
      exchange({ status: null, outcome: 'no-response', requestId: 'req-d' }),
      exchange({ status: null, outcome: 'timeout', requestId: 'req-e' }),
      exchange({ status: null, outcome: 'connect', requestId: 'req-f' }),
    ]);
    const done = events.filter((e) => e.type !== 'invoke');
    expect(events).toHaveLength(12);
    expect(done.map((e) => e.type)).toEqual(['ok', 'fail', 'info', 'info', 'info', 'fail']);
    expect(done[0]).toMatchObject({ op: 'POST /v3/users', status: 201, time: Date.parse('2026-12-03T18:00:00.040Z') });
    expect(done[1]!.op).toBe('GET /v3/auth/tokens');
    expect(done[4]!.error).toMatch(/^timeout\b/);
  });

  test('joined with Keystone\'s log: a retried create is a retry, an unanswered one with a conflict a leak', () => {
    const log = [
      '2026-12-03 18:00:00.010 765 DEBUG oslo_db.api [req-11111111-2222-3333-4444-555555555555 req-a u p - - d d] Performing DB retry for function keystone.identity.backends.sql.Identity.create_user',
      '2026-12-03 18:00:00.020 766 CRITICAL keystone [req-22222222-2222-3333-4444-555555555555 req-a u p - - d d] Unhandled error: psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update',
    ].join('\n');
    const rows = correlateRetries(historyFromExchanges([
      exchange({}),
      exchange({ status: null, outcome: 'no-response', requestId: 'req-22222222-2222-3333-4444-555555555555' }),
    ]), parseKeystoneLog(log));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ op: 'POST /v3/users', requests: 2, retries: 1, retriedThenOk: 1, conflictsProvoked: 2, leaks: 1 });
  });

  test('refuses an exchange without a time', () => {
    expect(() => historyFromExchanges([exchange({ startedAt: 'yesterday' })])).toThrow(/not a time/);
  });

  test('Galera counters: read from SHOW GLOBAL STATUS, missing or non-numeric refused; a window whose counters went down is unknown', () => {
    expect(galeraCountersOf({ wsrep_local_cert_failures: '7', wsrep_local_bf_aborts: ' 2 ', wsrep_ready: 'ON' })).toEqual({ certFailures: 7, bfAborts: 2 });
    expect(() => galeraCountersOf({ wsrep_local_cert_failures: '7' })).toThrow(/wsrep_local_bf_aborts is missing/);
    expect(() => galeraCountersOf({ wsrep_local_cert_failures: 'NULL', wsrep_local_bf_aborts: '0' })).toThrow(/"NULL", not a count/);
    const before = [{ certFailures: 1, bfAborts: 0 }, { certFailures: 5, bfAborts: 2 }];
    expect(galeraWindowConflicts(before, [{ certFailures: 3, bfAborts: 1 }, { certFailures: 5, bfAborts: 4 }])).toBe(5);
    expect(galeraWindowConflicts(before, [{ certFailures: 0, bfAborts: 0 }, { certFailures: 5, bfAborts: 4 }])).toBeNull();
    expect(galeraWindowConflicts(before, [{ certFailures: 3, bfAborts: 1 }])).toBeNull();
    expect(galeraWindowConflicts([], [])).toBeNull();
  });
});
