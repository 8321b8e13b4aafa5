import { buildCoverageReport, writeCoverageReport, type CoverageReport, type ExercisedRequest } from '../lib/coverage/coverage-report.js';
import { JUSTIFIED_GAPS } from '../lib/coverage/gaps/index.js';
import { OPERATIONS } from '../lib/coverage/operations.js';
import { readJsonlDir } from './jsonl-dir.js';

/** Builds reports/coverage.json from the requests every worker recorded (matched against the api-ref table). */
export async function writeRunCoverage(requestsDir: string, file = 'reports/coverage.json'): Promise<CoverageReport | undefined> {
  const requests = readJsonlDir<ExercisedRequest>(requestsDir);
  if (!requests.length) return undefined;
  const report = buildCoverageReport(OPERATIONS, requests, JUSTIFIED_GAPS);
  await writeCoverageReport(report, file);
  return report;
}
