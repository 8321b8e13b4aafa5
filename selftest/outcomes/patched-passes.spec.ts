import { expect, test } from '@playwright/test';
import { OUTCOME_SPECS, runGate } from './run-gate.js';

// What passing looks like: the reference retry patch (patches/keystone-retry.diff) retries every
// conflict, so the same slice shows no leak and every invariant holds.
test('the reference patched Keystone passes the concurrency gate with 0 leaks @outcome', async () => {
  test.setTimeout(20 * 60_000);
  const run = await runGate(['--project=concurrency', '--grep', '@slice', ...OUTCOME_SPECS], { KS_PG_ISOLATION: 'serializable', KS_KEYSTONE_PATCH: 'patches/keystone-retry.diff' }, 18 * 60_000);
  expect(run.gate, `gate.json was written; output:\n${run.output}`).toBeDefined();
  expect(run.gate!.leakedOperations, `no leak; output:\n${run.output}`).toEqual([]);
  expect(run.gate!.verdict, `verdict; output:\n${run.output}`).toBe('pass');
  expect(run.code).toBe(0);
});
