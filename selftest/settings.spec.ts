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

test('bad values fail with the variable named', () => {
  expect(() => readSettings({ KS_TARGET: 'cloudy' })).toThrow(/KS_TARGET=cloudy/);
  expect(() => readSettings({ KS_CONCURRENCY: 'many' })).toThrow(ConfigError);
  // Without KS_COCKROACH_IMAGE, CockroachDB is not a settings error: the run skips, naming it (selftest/cockroach.spec.ts).
  expect(readSettings({ KS_BACKEND: 'cockroachdb' }).cockroachImage).toBeUndefined();
  expect(() => readSettings({ KS_KEYSTONE_PATCH: 'a.diff', KS_KEYSTONE_IMAGE: 'x' })).toThrow(/not both/);
});
