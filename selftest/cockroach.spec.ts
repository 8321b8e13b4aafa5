import { expect, test } from '@playwright/test';
import { ConfigError, readSettings } from '../lib/config/settings.js';
import { dialectBuildArgs, dialectSource, MISSING_DIALECT } from '../lib/cluster/cockroach-image.js';
import {
  cockroachInitArgs, cockroachKeystoneUrl, cockroachNodeName, cockroachSetupSql, cockroachStartArgs, conflictDelta, parseConflictCounters, sumCounters,
} from '../lib/cluster/cockroach-node.js';
import { cockroachSqlProxyRoutes, cockroachUnavailable } from '../lib/cluster/topology-cockroachdb.js';

// CockroachDB cannot run here (no image; licence): what the code generates is checked instead.
// Each rule gets the input it must refuse next to the one it accepts.

test('settings: KS_COCKROACH_INJECT_RETRIES, KS_WHEELS_DIR / KS_PIP_INDEX are validated with the variable named', () => {
  const s = readSettings({ KS_BACKEND: 'cockroachdb', KS_COCKROACH_IMAGE: 'mine/crdb:v23', KS_COCKROACH_INJECT_RETRIES: '1', KS_PIP_INDEX: 'http://127.0.0.1:3141/simple' });
  expect(s.cockroach).toEqual({ injectRetries: true, pipIndex: 'http://127.0.0.1:3141/simple', wheelsDir: undefined, dialectSpec: 'sqlalchemy-cockroachdb<2' });
  expect(readSettings({}).cockroach.injectRetries).toBe(false);
  expect(() => readSettings({ KS_COCKROACH_INJECT_RETRIES: '1' })).toThrow(/KS_COCKROACH_INJECT_RETRIES=1 needs KS_BACKEND=cockroachdb/);
  expect(() => readSettings({ KS_BACKEND: 'cockroachdb', KS_COCKROACH_INJECT_RETRIES: 'maybe' })).toThrow(/KS_COCKROACH_INJECT_RETRIES=maybe must be true or false/);
  expect(() => readSettings({ KS_WHEELS_DIR: '/w', KS_PIP_INDEX: 'http://x/simple' })).toThrow(/KS_WHEELS_DIR or KS_PIP_INDEX, not both/);
  expect(() => readSettings({ KS_PIP_INDEX: 'ftp://x' })).toThrow(/KS_PIP_INDEX=ftp:\/\/x must be an http\(s\) URL/);
  expect(() => readSettings({ KS_COCKROACH_DIALECT_SPEC: 'requests' })).toThrow(/KS_COCKROACH_DIALECT_SPEC=requests/);
  expect(readSettings({ KS_COCKROACH_DIALECT_SPEC: 'sqlalchemy-cockroachdb==1.4.4' }).cockroach.dialectSpec).toBe('sqlalchemy-cockroachdb==1.4.4');
  // Conflict injection by triggers is for postgres/galera; CockroachDB has its own.
  expect(() => readSettings({ KS_BACKEND: 'cockroachdb', KS_INJECT_CONFLICTS: 'on' })).toThrow(/inject_retry_errors_enabled/);
});

test('no image, or an image the engine does not have: one line naming KS_COCKROACH_IMAGE, never an error', async () => {
  expect(await cockroachUnavailable(undefined, async () => true)).toMatch(/^CockroachDB not run: KS_COCKROACH_IMAGE is not set/);
  expect(await cockroachUnavailable('mine/crdb:v23', async () => false)).toMatch(/KS_COCKROACH_IMAGE=mine\/crdb:v23 is not in the local docker engine/);
  expect(await cockroachUnavailable('mine/crdb:v23', async () => { throw new Error('engine down\nstack'); })).toMatch(/KS_COCKROACH_IMAGE=mine\/crdb:v23 could not be inspected \(engine down\)$/);
  expect(await cockroachUnavailable('mine/crdb:v23', async () => true)).toBeUndefined();
  for (const r of [await cockroachUnavailable(undefined), await cockroachUnavailable('kscr/no-such-image:0')]) expect(r?.split('\n')).toHaveLength(1);
});

test('the dialect source: wheels, index or the user\'s image; a missing one fails in one line saying what to provide', () => {
  const base = { keystoneImage: undefined, cockroach: { injectRetries: false, dialectSpec: 'sqlalchemy-cockroachdb<2' } };
  let err: unknown;
  try { dialectSource(base); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toBe(MISSING_DIALECT);
  expect(MISSING_DIALECT).not.toMatch(/\n/);
  expect(MISSING_DIALECT).toMatch(/KS_WHEELS_DIR=.*KS_PIP_INDEX=/);
  const wheels = { ...base, cockroach: { ...base.cockroach, wheelsDir: '/w' } };
  expect(() => dialectSource(wheels, () => undefined)).toThrow(/KS_WHEELS_DIR=\/w: no such directory/);
  expect(() => dialectSource(wheels, () => ['psycopg2-2.9.5-cp311.whl'])).toThrow(/holds no sqlalchemy_cockroachdb-\*\.whl/);
  expect(dialectSource(wheels, () => ['sqlalchemy_cockroachdb-1.4.4-py3-none-any.whl'])).toEqual({ kind: 'wheels', dir: '/w', wheels: ['sqlalchemy_cockroachdb-1.4.4-py3-none-any.whl'] });
  expect(dialectSource({ ...base, cockroach: { ...base.cockroach, pipIndex: 'http://i/simple' } })).toEqual({ kind: 'index', url: 'http://i/simple' });
  expect(dialectSource({ ...base, keystoneImage: 'mine/keystone:crdb' })).toEqual({ kind: 'image', image: 'mine/keystone:crdb' });
  expect(dialectBuildArgs('ks:patched', { kind: 'index', url: 'http://i/simple' }, 'sqlalchemy-cockroachdb<2')).toEqual({ BASE_IMAGE: 'ks:patched', DIALECT_SPEC: 'sqlalchemy-cockroachdb<2', PIP_INDEX: 'http://i/simple' });
  expect(dialectBuildArgs('ks:patched', { kind: 'wheels', dir: '/w', wheels: [] }, 'x').PIP_INDEX).toBe('');
  expect(() => dialectBuildArgs('ks', { kind: 'image', image: 'i' }, 'x')).toThrow(/as is/);
});

test('cockroach start / init: every node joins every node, insecure, its region as locality; bad sizes refused', () => {
  const args = cockroachStartArgs({ runId: 'r1', index: 2, size: 3, region: 'RegionTwo' });
  expect(args.slice(0, 2)).toEqual(['start', '--insecure']);
  expect(args).toContain('--join=ks-gate-r1-crdb-1:26257,ks-gate-r1-crdb-2:26257,ks-gate-r1-crdb-3:26257');
  expect(args).toContain('--advertise-addr=ks-gate-r1-crdb-2:26257');
  expect(args).toContain('--locality=region=RegionTwo');
  expect(args.some((a) => a.startsWith('--store=type=mem'))).toBe(true);
  expect(cockroachInitArgs('r1')).toEqual(['init', '--insecure', '--host=ks-gate-r1-crdb-1:26257']);
  expect(() => cockroachStartArgs({ runId: 'r1', index: 4, size: 3, region: 'RegionFour' })).toThrow(RangeError);
  expect(() => cockroachStartArgs({ runId: 'r1', index: 1, size: 0, region: 'RegionOne' })).toThrow(RangeError);
  expect(() => cockroachStartArgs({ runId: 'r1', index: 1, size: 1, region: 'Region One' })).toThrow(/locality/);
  // Keystone i reaches node i only, through its SQL proxy.
  expect(cockroachSqlProxyRoutes('r1', 3)).toEqual([{ listenPort: 26257, upstream: `${cockroachNodeName('r1', 3)}:26257` }]);
});

test('setup SQL creates the database and a password-less user that owns it (insecure clusters refuse passwords)', () => {
  const sql = cockroachSetupSql();
  expect(sql).toMatch(/CREATE DATABASE IF NOT EXISTS keystone;/);
  expect(sql).toMatch(/CREATE USER IF NOT EXISTS keystone;/);
  expect(sql).toMatch(/ALTER DATABASE keystone OWNER TO keystone;/);
  expect(sql).not.toMatch(/PASSWORD/i);
});

test('Keystone\'s URL: cockroachdb:// through the proxy; KS_COCKROACH_INJECT_RETRIES adds options=-c inject_retry_errors_enabled=true', () => {
  expect(cockroachKeystoneUrl('ks-gate-r1-sqlproxy-1:26257', false)).toBe('cockroachdb://keystone@ks-gate-r1-sqlproxy-1:26257/keystone?sslmode=disable');
  const url = cockroachKeystoneUrl('ks-gate-r1-sqlproxy-1:26257', true);
  expect(url).toBe('cockroachdb://keystone@ks-gate-r1-sqlproxy-1:26257/keystone?sslmode=disable&options=-c%20inject_retry_errors_enabled%3Dtrue');
  // What libpq receives once SQLAlchemy decodes the query string.
  expect(new URL(url.replace(/^cockroachdb:/, 'http:')).searchParams.get('options')).toBe('-c inject_retry_errors_enabled=true');
  // No `$`: oslo.config would read it as an interpolation in keystone.conf.
  expect(url).not.toMatch(/\$/);
  expect(() => cockroachKeystoneUrl('host without port', true)).toThrow(/not host:port/);
});

test('conflict counters: node_metrics CSV parsed, nodes summed, before/after delta; broken readings refused', () => {
  const before = parseConflictCounters('name,value\ntxn.aborts,4\ntxn.restarts,10\ntxn.restarts.serializable,6\ntxn.restarts.writetooold,4\n');
  expect(before).toEqual({ 'txn.aborts': 4, 'txn.restarts': 10, 'txn.restarts.serializable': 6, 'txn.restarts.writetooold': 4 });
  const after = sumCounters([
    parseConflictCounters('name,value\r\ntxn.aborts,5\r\ntxn.restarts,14\r\ntxn.restarts.serializable,9\r\ntxn.restarts.writetooold,5\r\n'),
    parseConflictCounters('name,value\ntxn.aborts,0\ntxn.restarts.asyncwritefailure,1\n'),
  ]);
  expect(conflictDelta(before, after)).toEqual({ restarts: 5, aborts: 1, byKind: { 'txn.aborts': 1, 'txn.restarts.serializable': 3, 'txn.restarts.writetooold': 1, 'txn.restarts.asyncwritefailure': 1 } });
  expect(conflictDelta(before, before)).toEqual({ restarts: 0, aborts: 0, byKind: {} });
  // An error instead of rows, a foreign metric, a non-number, no txn.aborts: never read as zero conflicts.
  expect(() => parseConflictCounters('ERROR: relation "crdb_internal.node_metrics" does not exist')).toThrow(/header/);
  expect(() => parseConflictCounters('')).toThrow(/header/);
  expect(() => parseConflictCounters('name,value\ntxn.aborts,1\nsql.conns,3\n')).toThrow(/unexpected row "sql.conns,3"/);
  expect(() => parseConflictCounters('name,value\ntxn.aborts,NULL\n')).toThrow(/unexpected row/);
  expect(() => parseConflictCounters('name,value\ntxn.restarts.serializable,1\n')).toThrow(/no txn.aborts/);
  // A node restarted in the window: counters went down, the window is not judged.
  expect(() => conflictDelta(before, { ...before, 'txn.restarts.serializable': 1 })).toThrow(/went down.*restarted/);
});
