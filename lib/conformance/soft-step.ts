import { test } from '@playwright/test';

/**
 * Runs one case (a bad-input shape, a positive control) as a test.step; a failure is recorded in
 * `failures` by its first line and the remaining cases still run. The test asserts `failures` is
 * empty at its end, so one message lists every case that failed.
 */
export async function softStep(failures: string[], title: string, body: () => Promise<void>): Promise<void> {
  await test.step(title, body).catch((e: Error) => { failures.push(`${title}: ${e.message.split('\n')[0]}`); });
}
