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
