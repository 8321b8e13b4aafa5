import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCoverageReport, writeCoverageReport, type CoverageReport, type ExercisedRequest } from '../lib/coverage/coverage-report.js';
import { JUSTIFIED_GAPS } from '../lib/coverage/gaps/index.js';
import { OPERATIONS } from '../lib/coverage/operations.js';

/** Builds reports/coverage.json from the requests every worker recorded (matched against the api-ref table). */
export async function writeRunCoverage(requestsDir: string, file = 'reports/coverage.json'): Promise<CoverageReport | undefined> {
  if (!existsSync(requestsDir)) return undefined;
  const requests: ExercisedRequest[] = [];
  for (const f of readdirSync(requestsDir).filter((x) => x.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(requestsDir, f), 'utf8').split('\n').filter(Boolean)) requests.push(JSON.parse(line) as ExercisedRequest);
  }
  if (!requests.length) return undefined;
  const report = buildCoverageReport(OPERATIONS, requests, JUSTIFIED_GAPS);
  await writeCoverageReport(report, file);
  return report;
}
