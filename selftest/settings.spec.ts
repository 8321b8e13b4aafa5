import { expect, test } from '@playwright/test';
import { ConfigError, readSettings } from '../lib/config/settings.js';

test('defaults: embedded PostgreSQL SERIALIZABLE, 32 concurrent clients', () => {
  const s = readSettings({});
  expect(s).toMatchObject({ target: 'embedded', backend: 'postgres', pgIsolation: 'serializable', concurrency: 32, passwordHashRounds: 4 });
});

test('read-committed isolation is accepted in either spelling', () => {
  expect(readSettings({ KS_PG_ISOLATION: 'read-committed' }).pgIsolation).toBe('read committed');
  expect(readSettings({ KS_PG_ISOLATION: 'read committed' }).pgIsolation).toBe('read committed');
});

test('API nodes: two by default (read-backs on the other node), one allowed, anything else refused', () => {
  expect(readSettings({}).apiNodes).toBe(2);
  expect(readSettings({ KS_API_NODES: '1' }).apiNodes).toBe(1);
  expect(() => readSettings({ KS_API_NODES: '0' })).toThrow(/KS_API_NODES=0/);
  expect(() => readSettings({ KS_API_NODES: '3' })).toThrow(/KS_API_NODES=3/);
  expect(() => readSettings({ KS_API_NODES: 'two' })).toThrow(ConfigError);
});

test('read-back of writes is on unless switched off, and a bad value is refused', () => {
  expect(readSettings({}).readBack).toBe(true);
  expect(readSettings({ KS_READ_BACK: 'off' }).readBack).toBe(false);
  expect(() => readSettings({ KS_READ_BACK: 'sometimes' })).toThrow(/KS_READ_BACK=sometimes/);
});

test('bad values fail with the variable named', () => {
  expect(() => readSettings({ KS_TARGET: 'cloudy' })).toThrow(/KS_TARGET=cloudy/);
  expect(() => readSettings({ KS_CONCURRENCY: 'many' })).toThrow(ConfigError);
  // Without KS_COCKROACH_IMAGE, CockroachDB is not a settings error: the run skips, naming it (selftest/cockroach.spec.ts).
  expect(readSettings({ KS_BACKEND: 'cockroachdb' }).cockroachImage).toBeUndefined();
  expect(() => readSettings({ KS_KEYSTONE_PATCH: 'a.diff', KS_KEYSTONE_IMAGE: 'x' })).toThrow(/not both/);
});

test('external chaos opt-in is exactly 0 or 1, as the chaos guards read it: "true" is refused at start, not taken for yes', () => {
  expect(readSettings({}).allowExternalChaos).toBe(false);
  expect(readSettings({ KS_ALLOW_EXTERNAL_CHAOS: '1' }).allowExternalChaos).toBe(true);
  expect(readSettings({ KS_ALLOW_EXTERNAL_CHAOS: '0' }).allowExternalChaos).toBe(false);
  expect(() => readSettings({ KS_ALLOW_EXTERNAL_CHAOS: 'true' })).toThrow(/KS_ALLOW_EXTERNAL_CHAOS=true/);
});
