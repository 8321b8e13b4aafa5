import { expect, test } from '@playwright/test';
import { intSetting } from '../../lib/config/settings.js';
import { CONCURRENCY_PHASE_ENV, OUTCOME_SPECS, runGate } from './run-gate.js';

// What passing looks like: the reference retry patch (patches/keystone-retry.diff) retries every
// conflict, so the same slice shows no leak and every invariant holds, KS_OUTCOME_RUNS gate runs
// in a row (each on its own fresh cluster). One by default since the retry outcome
// (retry-patched-passes.spec.ts) meets a conflict on every write by injection: storm luck no longer
// decides whether retries were exercised. Three runs took 1247 s of npm test's 46 min.
const CONSECUTIVE_RUNS = intSetting('KS_OUTCOME_RUNS', 1, 1, 20);

test(`the reference patched Keystone passes the concurrency gate with 0 leaks, ${CONSECUTIVE_RUNS} run(s) in a row @outcome`, async () => {
  test.setTimeout(CONSECUTIVE_RUNS * 15 * 60_000);
  for (let i = 1; i <= CONSECUTIVE_RUNS; i++) {
    await test.step(`run ${i} of ${CONSECUTIVE_RUNS}`, async () => {
      const run = await runGate(['--project=concurrency', '--grep', '@slice', ...OUTCOME_SPECS], { ...CONCURRENCY_PHASE_ENV, KS_KEYSTONE_PATCH: 'patches/keystone-retry.diff' }, 14 * 60_000);
      expect(run.gate, `run ${i}: gate.json was written; output:\n${run.output}`).toBeDefined();
      expect(run.gate!.leakedOperations, `run ${i}: no leak; output:\n${run.output}`).toEqual([]);
      expect(run.gate!.verdict, `run ${i}: verdict; output:\n${run.output}`).toBe('pass');
      expect(run.code, `run ${i}: exit code`).toBe(0);
    });
  }
});
