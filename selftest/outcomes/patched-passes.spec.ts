import { expect, test } from '@playwright/test';
import { OUTCOME_SPECS, runGate } from './run-gate.js';

// What passing looks like: the reference retry patch (patches/keystone-retry.diff) retries every
// conflict, so the same slice shows no leak and every invariant holds, three gate runs in a row
// (each on its own fresh cluster): one lucky run proves little.
const CONSECUTIVE_RUNS = 3;

test('the reference patched Keystone passes the concurrency gate with 0 leaks, 3 runs in a row @outcome', async () => {
  test.setTimeout(CONSECUTIVE_RUNS * 15 * 60_000);
  for (let i = 1; i <= CONSECUTIVE_RUNS; i++) {
    await test.step(`run ${i} of ${CONSECUTIVE_RUNS}`, async () => {
      const run = await runGate(['--project=concurrency', '--grep', '@slice', ...OUTCOME_SPECS], { KS_PG_ISOLATION: 'serializable', KS_KEYSTONE_PATCH: 'patches/keystone-retry.diff' }, 14 * 60_000);
      expect(run.gate, `run ${i}: gate.json was written; output:\n${run.output}`).toBeDefined();
      expect(run.gate!.leakedOperations, `run ${i}: no leak; output:\n${run.output}`).toEqual([]);
      expect(run.gate!.verdict, `run ${i}: verdict; output:\n${run.output}`).toBe('pass');
      expect(run.code, `run ${i}: exit code`).toBe(0);
    });
  }
});
