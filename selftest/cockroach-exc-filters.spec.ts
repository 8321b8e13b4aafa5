import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { keystoneImage } from '../lib/cluster/images.js';
import { readSettings } from '../lib/config/settings.js';

// The reference patch's CockroachDB filters (patches/keystone-retry.diff, oslo_db/sqlalchemy/exc_filters.py),
// run for real: selftest/data/cockroach-exc-filters.py feeds CockroachDB's own error texts through
// oslo.db's handler inside the Keystone image (docker run, no database, no network). Stock
// Debian oslo.db must fail the same expectations: that is what makes the check able to fail.

type Row = { wrapper: string; raised: string | null; columns?: string[] };
type Results = Record<'cockroachdb' | 'postgresql', Record<string, Row>>;

const SCRIPT = readFileSync('selftest/data/cockroach-exc-filters.py');
const RETRYABLE = ['retry_serializable', 'write_too_old', 'uncertainty', 'txn_aborted', 'injected', 'retry_txn_v2', 'sqlstate_only'];

function runFilters(image: string): Results {
  const r = spawnSync('docker', ['run', '--rm', '-i', '--network', 'none', '--entrypoint', 'python3', image, '-', 'cockroachdb', 'postgresql'], { input: SCRIPT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`filter script failed in ${image}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout) as Results;
}

test.describe.configure({ timeout: 15 * 60_000 }); // a cold image build takes minutes; cached, seconds

test('patched oslo.db: every CockroachDB retry error becomes DBDeadlock (both dialects), duplicates DBDuplicateEntry, the rest are not retried', async () => {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { image } = await keystoneImage(readSettings({ KS_KEYSTONE_PATCH: 'patches/keystone-retry.diff' }));
  const out = runFilters(image);
  for (const dialect of ['cockroachdb', 'postgresql'] as const) {
    for (const name of RETRYABLE) expect(out[dialect][name], `${dialect} ${name}`).toEqual({ wrapper: 'OperationalError', raised: 'DBDeadlock' });
    // An ambiguous commit may have committed: retrying it could apply a write twice.
    expect(out[dialect].ambiguous_result!.raised, dialect).not.toBe('DBDeadlock');
    expect(out[dialect].undefined_table!.raised, dialect).toBe('DBError');
  }
  // The cockroachdb dialect's duplicate filter, both message forms; it names the constraint.
  expect(out.cockroachdb.duplicate).toEqual({ wrapper: 'IntegrityError', raised: 'DBDuplicateEntry', columns: ['ixu_project_name_domain_id'] });
  expect(out.cockroachdb.duplicate_v2).toEqual({ wrapper: 'IntegrityError', raised: 'DBDuplicateEntry', columns: ['ixu_project_name_domain_id'] });
});

test('stock oslo.db fails the same check: CockroachDB retry errors are not DBDeadlock there (nothing would retry them)', async () => {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { image } = await keystoneImage(readSettings({ KS_KEYSTONE_PATCH: 'none' }));
  const out = runFilters(image);
  for (const name of RETRYABLE) expect(out.cockroachdb[name]!.raised, name).not.toBe('DBDeadlock');
  expect(out.cockroachdb.duplicate!.raised).not.toBe('DBDuplicateEntry');
});
