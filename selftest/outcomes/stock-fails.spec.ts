import { expect, test } from '@playwright/test';
import { OUTCOME_SPECS, runGate } from './run-gate.js';

// The product working: stock Keystone on SERIALIZABLE leaks serialization failures, so the gate
// must fail and name the leaking operations and driver functions.
test('stock Keystone on PostgreSQL SERIALIZABLE fails the concurrency gate, naming the leaks @outcome', async () => {
  test.setTimeout(20 * 60_000);
  const run = await runGate(['--project=concurrency', '--grep', '@slice', ...OUTCOME_SPECS], { KS_PG_ISOLATION: 'serializable' }, 18 * 60_000);
  expect(run.gate, `gate.json was written; output:\n${run.output}`).toBeDefined();
  expect(run.code, 'the gate exits non-zero').not.toBe(0);
  expect(run.gate!.verdict).toBe('fail');
  expect(run.gate!.leakedOperations.length, `leaks named in the verdict; output:\n${run.output}`).toBeGreaterThan(0);
  for (const l of run.gate!.leakedOperations) {
    expect(l.operation).toMatch(/^(POST|PUT|PATCH|DELETE) \/v3\//);
    expect(l.leaked).toBeGreaterThan(0);
  }
  expect(run.gate!.leakedOperations.some((l) => l.driverFunctions.some((f) => /backends\.sql\./.test(f))), 'a driver function is named').toBe(true);
});
