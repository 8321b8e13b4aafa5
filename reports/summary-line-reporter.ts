import { existsSync, readFileSync } from 'node:fs';
import type { Reporter } from '@playwright/test/reporter';

/**
 * Prints the closing line CI reads, `N passed, N failed, N skipped`, from the JSON reporter's
 * stats. onExit runs after every reporter's onEnd, so the JSON file is complete by then.
 */
export default class SummaryLineReporter implements Reporter {
  constructor(private readonly options: { jsonFile?: string } = {}) {}

  printsToStdio(): boolean { return true; }

  async onExit(): Promise<void> {
    const file = this.options.jsonFile ?? 'reports/out/results.json';
    if (!existsSync(file)) {
      process.stdout.write(`0 passed, 1 failed, 0 skipped\n`);
      return;
    }
    const { stats, errors } = JSON.parse(readFileSync(file, 'utf8')) as {
      stats: { expected: number; unexpected: number; flaky: number; skipped: number };
      errors?: unknown[];
    };
    // A global error (setup or teardown failure, leak check) is a failure even with no test failed.
    const failed = stats.unexpected + stats.flaky + (errors?.length ?? 0);
    process.stdout.write(`${stats.expected} passed, ${failed} failed, ${stats.skipped} skipped\n`);
  }
}
