import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { KeystoneStatusError, KeystoneTransportError } from '../lib/keystone/errors.js';
import { parseKeystoneLog } from '../lib/workload/keystone-log.js';
import { classifySetupFailure } from '../lib/workload/setup-failure.js';

// Issue 11: a concurrency test whose setup call failed was judged a broken invariant. Under conflict
// injection that is where stock Keystone fails, and the failure is a leaked conflict of that call.
// Recorded from stock Keystone (Zed) on PostgreSQL SERIALIZABLE: an unhandled SerializationFailure.
const STOCK_LOG = readFileSync(new URL('./data/keystone-stock-serialization-leak.log', import.meta.url), 'utf8');
const LEAKED = 'req-f028479b-8099-4fb0-9670-fa0a5362100b';
const OTHER = 'req-99999999-2222-3333-4444-555555555555';
const log = parseKeystoneLog(STOCK_LOG);
const statusError = (status: number, requestId: string) => new KeystoneStatusError('POST', '/v3/domains', status, [201], requestId, '{"error":{"code":' + status + '}}').message;

test('a setup call answered 500 whose request the log ties to a serialization failure is a leaked conflict, naming the call', () => {
  const f = classifySetupFailure(`Error: ${statusError(500, LEAKED)}\n    at ...`, log);
  expect(f).toMatchObject({ category: 'leaked-conflict', requestId: LEAKED });
  expect(f!.description).toContain('POST /v3/domains: HTTP 500');
  expect(f!.description).toContain('serialization-failure in identity.backends.sql.add_user_to_group');
});

test('a conflict surfaced as a 4xx (a sloppy retry patch answering 409) is a leaked conflict too', () => {
  expect(classifySetupFailure(statusError(409, LEAKED), log)?.category).toBe('leaked-conflict');
});

test('a 500 with no conflict logged for its request is availability, not a leak and not an invariant', () => {
  expect(classifySetupFailure(statusError(500, OTHER), log)?.category).toBe('availability');
});

test('no response or a timeout without a logged conflict is availability; one with a logged conflict is a leak', () => {
  const dropped = (id: string) => new KeystoneTransportError('no-response', 'PUT', '/v3/groups/g/users/u', id, 1234, Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })).message;
  expect(classifySetupFailure(dropped(OTHER), log)?.category).toBe('availability');
  expect(classifySetupFailure(dropped(LEAKED), log)?.category).toBe('leaked-conflict');
  const timeout = new KeystoneTransportError('timeout', 'PUT', '/v3/groups/g/users/u', OTHER, 30000, new Error('t')).message;
  expect(classifySetupFailure(timeout, log)?.category).toBe('availability');
});

test('a cleanup call that failed is judged the same way (the factory prefixes what it was removing)', () => {
  const timeout = new KeystoneTransportError('timeout', 'DELETE', '/v3/domains/d1', OTHER, 60373, new Error('t')).message;
  expect(classifySetupFailure(`Error: cleanup failed: domain d1: ${timeout}`, log)?.category).toBe('availability');
  expect(classifySetupFailure(`cleanup failed: domain d1: ${statusError(500, LEAKED)}`, log)?.category).toBe('leaked-conflict');
});

test('a 4xx of the suite\'s own call with no conflict is harness, and an oslo.db retry line is no leak evidence', () => {
  expect(classifySetupFailure(statusError(400, OTHER), log)?.category).toBe('harness');
  const retried = '2026-11-25 22:09:00.001 765 DEBUG oslo_db.api [req-99999999-2222-3333-4444-555555555555 req-a u p - - d d] Performing DB retry for function keystone.identity.backends.sql.Identity.add_user_to_group';
  expect(classifySetupFailure(statusError(500, OTHER), parseKeystoneLog(retried))?.category).toBe('availability');
});

test('an error that is not a Keystone call\'s (an assertion, a checker) keeps the test\'s own category', () => {
  expect(classifySetupFailure('expect(received).toBe(expected)\nExpected: 3\nReceived: 2', log)).toBeUndefined();
  expect(classifySetupFailure('storm:\n  invariant set-semantics violated: lost add of x', log)).toBeUndefined();
});
