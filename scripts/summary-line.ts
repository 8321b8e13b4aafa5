// Sums the JSON reporter's stats of several Playwright runs into the closing line CI reads.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) { failed++; continue; } // a run that wrote no results failed
  const { stats, errors } = JSON.parse(readFileSync(file, 'utf8'));
  passed += stats.expected;
  failed += stats.unexpected + stats.flaky + (errors?.length ?? 0);
  skipped += stats.skipped;
}
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
