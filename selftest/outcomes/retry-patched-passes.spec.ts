import { expect, test } from '@playwright/test';
import { runGate } from './run-gate.js';

// What passing the retry phase looks like: the reference retry patch survives a serialization
// failure injected into the first attempt of every write transaction, on the @slice test of every
// conformance spec file (each concern's main write paths), with 0 leaks and every contract holding.
test('the reference patched Keystone passes the retry phase: every injected conflict retried, 0 leaks @outcome', async () => {
  test.setTimeout(30 * 60_000);
  const run = await runGate(['--project=conformance', '--grep', '@slice'], { KS_INJECT_CONFLICTS: 'on', KS_KEYSTONE_PATCH: 'patches/keystone-retry.diff', KS_CONFORMANCE_WORKERS: '2' }, 28 * 60_000);
  expect(run.gate, `gate.json was written; output:\n${run.output}`).toBeDefined();
  expect(run.gate!.leakedOperations, `no leak; output:\n${run.output}`).toEqual([]);
  expect(run.gate!.verdict, `verdict; output:\n${run.output}`).toBe('pass');
  expect(run.code, 'exit code').toBe(0);
  // What the gate accepts it must have seen: the run injected conflicts and they were retried.
  const injected = (run.gate as { retryInjection?: { injections: number; attributed: number } }).retryInjection;
  expect(injected?.injections, 'conflicts were injected').toBeGreaterThan(0);
  expect(injected!.attributed, 'injections tied to requests').toBeGreaterThan(0);
});
