// The retry-injection matrix on hand-made requests, Keystone log lines and injection records:
// every judgement it makes is shown rejecting the case it exists for.
import { expect, test } from '@playwright/test';
import { readSettings } from '../lib/config/settings.js';
import type { InjectedConflict } from '../lib/cluster/conflict-injection/injection-settings.js';
import { OPERATIONS } from '../lib/coverage/operations.js';
import { buildInjectionMatrix, describeInjectedLeak, type TimedRequest } from '../lib/workload/injected-retry-matrix.js';
import { parseKeystoneLog } from '../lib/workload/keystone-log.js';
import { verdictOf } from '../reports/retry-injection-report.js';

const T0 = Date.parse('2026-12-02T12:00:00.000Z');
const id = (n: number) => `req-${String(n).padStart(8, '0')}-0000-0000-0000-000000000000`;
const req = (n: number, method: string, path: string, status: number | null, start: number, ms: number): TimedRequest =>
  ({ method, path, status, requestId: id(n), startedAt: T0 + start, durationMs: ms });
const inj = (n: number, at: number, table = 'project', op = 'INSERT'): InjectedConflict =>
  ({ n, at: T0 + at, table, op, point: 'statement', key: `${table}:${op}:${n}`, node: 'pg' });
const stamp = (at: number) => new Date(T0 + at).toISOString().replace('T', ' ').replace('Z', '');
const retryLine = (n: number, at: number, fn = 'keystone.resource.backends.sql.Resource.create_project') =>
  `${stamp(at)} 17 DEBUG oslo_db.api [${id(n)} req-x u p - - d d] Performing DB retry for function ${fn}`;
const leakLines = (n: number, at: number) => [
  `${stamp(at)} 17 CRITICAL keystone [${id(n)} req-x u p - - d d] Unhandled error: sqlalchemy.exc.OperationalError: (psycopg2.errors.SerializationFailure) could not serialize access due to concurrent update`,
  `${stamp(at)} 17 ERROR keystone   File "/usr/lib/python3/dist-packages/keystone/resource/backends/sql.py", line 230, in create_project`,
].join('\n');

test('an injected conflict retried to success is covered, not leaked; one that dropped the request is a leak with its driver function', () => {
  const requests = [req(1, 'POST', '/v3/projects', 201, 0, 300), req(2, 'POST', '/v3/projects', null, 1000, 200)];
  const log = parseKeystoneLog([retryLine(1, 100), leakLines(2, 1100)].join('\n'));
  const m = buildInjectionMatrix(requests, log, [inj(1, 50), inj(2, 1050)], OPERATIONS);
  const row = m.rows.find((r) => r.operation === 'POST /v3/projects')!;
  expect(row).toMatchObject({ requests: 2, conflictsInjected: 2, requestsInjected: 2, retries: 1, retriedThenOk: 1, leaks: 1, leaksAs4xx: 0, leakingFunctions: ['resource.backends.sql.create_project'] });
  expect(describeInjectedLeak(row)).toBe('POST /v3/projects: 2 conflicts injected, 1 retried to success, 1 leaked as HTTP 5xx/no response (driver function resource.backends.sql.create_project)');
  expect(verdictOf(m)).toEqual({ pass: false, reasons: ['leak: POST /v3/projects'] });
});

test('a conflict answered with a 4xx refusal is a leak too (a retry patch that maps 40001 to 409)', () => {
  const m = buildInjectionMatrix([req(1, 'PATCH', '/v3/projects/abc', 409, 0, 100)], [], [inj(1, 40, 'project', 'UPDATE')], OPERATIONS);
  expect(m.rows[0]).toMatchObject({ operation: 'PATCH /v3/projects/{project_id}', leaks: 0, leaksAs4xx: 1 });
  expect(verdictOf(m).pass).toBe(false);
});

test('a request retried as often as injected and then refused for its own reason (duplicate name, bad input) is not a leak', () => {
  const requests = [req(1, 'POST', '/v3/projects', 409, 0, 300), req(2, 'POST', '/v3/users', null, 1000, 300)];
  const otherError = `${stamp(1200)} 17 CRITICAL keystone [${id(2)} req-x u p - - d d] Unhandled error: oslo_db.exception.DBInvalidUnicodeParameter: Invalid Parameter: Encoding directive wasn't provided.`;
  const m = buildInjectionMatrix(requests, parseKeystoneLog([retryLine(1, 100), retryLine(2, 1100, 'keystone.identity.backends.sql.Identity.create_user'), otherError].join('\n')), [inj(1, 50), inj(2, 1050, 'user')], OPERATIONS);
  for (const op of ['POST /v3/projects', 'POST /v3/users']) expect(m.rows.find((r) => r.operation === op)).toMatchObject({ conflictsInjected: 1, retries: 1, leaks: 0, leaksAs4xx: 0, failedAfterRetry: 1 });
  expect(verdictOf(m).pass).toBe(true);
});

test('overlapping requests: the injection goes to the one whose log shows the retry, not to its neighbour', () => {
  const requests = [req(1, 'POST', '/v3/projects', 201, 0, 500), req(2, 'PUT', '/v3/projects/p/tags/t', 201, 100, 500)];
  const log = parseKeystoneLog(retryLine(2, 300, 'keystone.resource.backends.sql.Resource.add_project_tag'));
  const m = buildInjectionMatrix(requests, log, [inj(1, 250, 'project_tag')], OPERATIONS);
  expect(m.rows.find((r) => r.operation === 'PUT /v3/projects/{project_id}/tags/{tag}')).toMatchObject({ conflictsInjected: 1, retriedThenOk: 1 });
  expect(m.rows.find((r) => r.operation === 'POST /v3/projects')).toMatchObject({ conflictsInjected: 0 });
  expect(m).toMatchObject({ attributed: 1, ambiguous: 0 });
});

test('overlapping requests of different operations with no evidence are counted ambiguous, never guessed', () => {
  const requests = [req(1, 'POST', '/v3/projects', 201, 0, 500), req(2, 'POST', '/v3/domains', 201, 100, 500)];
  const m = buildInjectionMatrix(requests, [], [inj(1, 250)], OPERATIONS);
  expect(m).toMatchObject({ injections: 1, attributed: 0, ambiguous: 1 });
  expect(m.rows.every((r) => r.conflictsInjected === 0)).toBe(true);
});

test('an injection outside every request window is reported, and a conflict with no injection counts as provoked', () => {
  const m = buildInjectionMatrix([req(1, 'POST', '/v3/projects', 201, 0, 100)], parseKeystoneLog(retryLine(1, 50)), [inj(1, 5_000)], OPERATIONS);
  expect(m).toMatchObject({ outsideRequests: 1, attributed: 0 });
  expect(m.rows[0]).toMatchObject({ conflictsInjected: 0, conflictsProvoked: 1 });
});

test('a run that injected nothing judged nothing: the verdict fails', () => {
  const m = buildInjectionMatrix([req(1, 'POST', '/v3/projects', 201, 0, 100)], [], [], OPERATIONS);
  expect(verdictOf(m)).toEqual({ pass: false, reasons: ['no conflict was injected: the retry phase judged nothing'] });
  expect(verdictOf(buildInjectionMatrix([req(1, 'POST', '/v3/projects', 201, 0, 100)], parseKeystoneLog(retryLine(1, 50)), [inj(1, 50)], OPERATIONS)).pass).toBe(true);
});

test('write coverage: api-ref writes that met an injection, writes reached without one, writes not reached', () => {
  const m = buildInjectionMatrix([req(1, 'POST', '/v3/projects', 201, 0, 100), req(2, 'POST', '/v3/auth/tokens', 201, 200, 100)], [], [inj(1, 50)], OPERATIONS);
  expect(m.writes.injected).toBe(1);
  expect(m.writes.reachedNotInjected).toEqual(['POST /v3/auth/tokens']);
  expect(m.writes.notReached).toContain('DELETE /v3/projects/{project_id}');
  expect(m.writes.total).toBe(m.writes.injected + m.writes.reachedNotInjected.length + m.writes.notReached.length);
});

test('KS_INJECT_CONFLICTS: off by default, on/first-attempt/every-N parsed, bad values and impossible combinations refused with the variable named', () => {
  expect(readSettings({}).injectConflicts).toBeUndefined();
  expect(readSettings({ KS_INJECT_CONFLICTS: 'on' }).injectConflicts).toEqual({ mode: 'first-attempt', every: 1, point: 'alternate', ttlSeconds: 30, retrySeconds: 5 });
  expect(readSettings({ KS_INJECT_CONFLICTS: 'every-5', KS_INJECT_POINT: 'commit' }).injectConflicts).toMatchObject({ mode: 'every', every: 5, point: 'commit' });
  expect(readSettings({ KS_INJECT_CONFLICTS: '1', KS_BACKEND: 'galera' }).injectConflicts).toMatchObject({ point: 'statement' });
  expect(() => readSettings({ KS_INJECT_CONFLICTS: 'sometimes' })).toThrow(/KS_INJECT_CONFLICTS=sometimes/);
  expect(() => readSettings({ KS_INJECT_CONFLICTS: 'on', KS_BACKEND: 'galera', KS_INJECT_POINT: 'commit' })).toThrow(/KS_INJECT_POINT=commit/);
  expect(() => readSettings({ KS_INJECT_CONFLICTS: 'on', KS_TARGET: 'external' })).toThrow(/needs the embedded target/);
});
