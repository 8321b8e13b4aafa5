import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parsePostgresConflicts } from '../lib/workload/database-conflicts.js';
import { History } from '../lib/workload/history.js';
import { parseKeystoneLog } from '../lib/workload/keystone-log.js';
import { correlateRetries, describeLeak } from '../lib/workload/retry-coverage.js';

// Recorded from stock Keystone (Zed) on PostgreSQL SERIALIZABLE: 40 concurrent PUT group members.
const STOCK_LOG = readFileSync(new URL('./data/keystone-stock-serialization-leak.log', import.meta.url), 'utf8');
const LEAKED = 'req-f028479b-8099-4fb0-9670-fa0a5362100b';
const OP = 'PUT /v3/groups/{group_id}/users/{user_id}';

test('an unhandled SerializationFailure is parsed with its request id and driver function', () => {
  const events = parseKeystoneLog(STOCK_LOG);
  const leak = events.find((e) => e.globalRequestId === LEAKED);
  expect(leak).toMatchObject({ kind: 'unhandled', conflict: 'serialization-failure', function: 'identity.backends.sql.add_user_to_group', pid: '764' });
  expect(new Date(leak!.time).toISOString()).toBe('2026-11-25T22:08:38.590Z');
});

test('oslo.db retry lines are attributed to their request', () => {
  const line = '2026-11-25T22:09:00.000000000Z 2026-11-25 22:09:00.001 765 DEBUG oslo_db.api [req-11111111-2222-3333-4444-555555555555 req-aaaaaaaa-2222-3333-4444-555555555555 u p - - default default] Performing DB retry for function keystone.identity.backends.sql.Identity.add_user_to_group';
  const [e] = parseKeystoneLog(line);
  expect(e).toMatchObject({ kind: 'retry', globalRequestId: 'req-11111111-2222-3333-4444-555555555555', function: 'identity.backends.sql.Identity.add_user_to_group' });
});

test('a dropped request with a logged conflict is a leak; a retried success is not', () => {
  const h = new History();
  const a = h.invoke(0, OP); a.info({ requestId: LEAKED, error: 'no-response' });
  const b = h.invoke(1, OP); b.ok({ status: 204, requestId: 'req-11111111-2222-3333-4444-555555555555' });
  const c = h.invoke(2, OP); c.info({ requestId: 'req-99999999-2222-3333-4444-555555555555', error: 'no-response' });
  const retryLine = '2026-11-25 22:09:00.001 765 DEBUG oslo_db.api [req-11111111-2222-3333-4444-555555555555 req-a u p - - d d] Performing DB retry for function keystone.identity.backends.sql.Identity.add_user_to_group';
  const [row] = correlateRetries(h.events, parseKeystoneLog(STOCK_LOG + '\n' + retryLine + '\n' + retryLine));
  expect(row).toMatchObject({ op: OP, requests: 3, conflictsProvoked: 2, retries: 2, retriedThenOk: 1, leaks: 1, otherServerFailures: 1, maxRetriesOneRequest: 2 });
  expect(row!.leakingFunctions).toEqual(['identity.backends.sql.add_user_to_group']);
  expect(describeLeak(row!)).toContain('1 leaked');
});

test('no conflict evidence means no leak and no provoked conflict', () => {
  const h = new History();
  h.invoke(0, OP).ok({ status: 204, requestId: 'req-00000000-0000-0000-0000-000000000000' });
  const [row] = correlateRetries(h.events, parseKeystoneLog(STOCK_LOG));
  expect(row).toMatchObject({ requests: 1, conflictsProvoked: 0, leaks: 0 });
});

test('PostgreSQL serialization failures are counted from its log', () => {
  const pg = [
    '2026-11-25T22:08:34.593325201Z 2026-11-25 22:08:34.593 UTC [38] 40001 ERROR:  could not serialize access due to read/write dependencies among transactions',
    '2026-11-25T22:08:34.593400511Z 2026-11-25 22:08:34.593 UTC [38] 40001 DETAIL:  Reason code: Canceled on identification as a pivot, during write.',
    '2026-11-25T22:08:35.000000000Z 2026-11-25 22:08:35.000 UTC [39] 23505 ERROR:  duplicate key value violates unique constraint',
  ].join('\n');
  const c = parsePostgresConflicts(pg);
  expect(c).toHaveLength(1);
  expect(c[0]!.sqlstate).toBe('40001');
});

// Issue 11: a Keystone that answers a database conflict with a refusal instead of retrying must not pass with 0 leaks.
test('a 4xx whose request logged a serialization failure or deadlock is a leak (conflictsAs4xx); a duplicate-entry 409 is not', () => {
  const rid = (n: number) => `req-${String(n).padStart(8, '0')}-2222-3333-4444-555555555555`;
  const line = (n: number, message: string) => `2026-11-25 22:09:01.000 766 WARNING keystone.server.flask.application [${rid(n)} req-a u p - - d d] ${message}`;
  const log = parseKeystoneLog([
    line(1, 'Conflict occurred attempting to store group membership - (psycopg2.errors.SerializationFailure) could not serialize access due to concurrent update'),
    line(2, 'Conflict occurred attempting to store user - (pymysql.err.OperationalError) (1213, Deadlock found when trying to get lock; try restarting transaction)'),
    line(3, 'Conflict occurred attempting to store project - (psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "ixu_project_name_domain_id"'),
  ].join('\n'));
  const h = new History();
  h.invoke(0, OP).fail({ status: 409, requestId: rid(1) });
  h.invoke(1, OP).fail({ status: 400, requestId: rid(2) });
  h.invoke(2, OP).fail({ status: 409, requestId: rid(3) });
  h.invoke(3, OP).fail({ status: 404, requestId: rid(4) });
  const [row] = correlateRetries(h.events, log);
  expect(row).toMatchObject({ requests: 4, conflictsProvoked: 3, leaks: 2, conflictsAs4xx: 2, otherServerFailures: 0 });
  expect(row!.leakedRequestIds).toEqual([rid(1), rid(2)]);
  expect(describeLeak(row!)).toContain('2 of them as a 4xx refusal');
});
