/**
 * When api coverage is a verdict: only a run of the whole conformance project judges it (233
 * api-ref operations, each covered or justified). A slice (`--grep @slice`, one spec file, a
 * shard) covers part of the operations by design: its coverage is shown as information, never red.
 */
export interface CoverageCounts { total: number; covered: number; justified: number; uncovered: number }

export interface CoverageJudgement {
  judged: boolean;
  /** Allure status of the "api coverage" entry: a slice's is `skipped` (not judged), never `failed`. */
  status: 'passed' | 'failed' | 'skipped';
  /** The gate failure a judged run with uncovered operations adds (category contract). */
  failure?: string;
  summary: string;
}

export function judgeCoverage(c: CoverageCounts, fullConformanceRun: boolean): CoverageJudgement {
  const summary = `${c.covered} covered, ${c.justified} justified, ${c.uncovered} uncovered of ${c.total} api-ref operations`;
  if (!fullConformanceRun) {
    return { judged: false, status: 'skipped', summary: `${summary} (informational: this run selected part of the conformance project; only a full conformance run judges coverage)` };
  }
  if (c.uncovered > 0) return { judged: true, status: 'failed', failure: `api coverage: ${c.uncovered} of ${c.total} api-ref operations neither covered nor justified (reports/coverage.json)`, summary };
  return { judged: true, status: 'passed', summary };
}
