import type { FailureCategory } from '../../reports/verdict.js';

/** The parts of reports/gate.json (reports/gate-reporter.ts) a mutant run is judged on. */
export interface GateFileOfRun {
  counts?: { passed: number; failed: number; skipped: number };
  failures: { category: string; test: string; project: string; file: string; message: string }[];
  globalErrors?: string[];
}

/** The parts of Playwright's JSON report used: how many tests ran, and errors outside tests. */
export interface PlaywrightJsonOfRun {
  stats?: { expected: number; unexpected: number; flaky: number; skipped: number };
  errors?: { message?: string }[];
}

export type MutantVerdict = 'killed' | 'survived' | 'survived (wrong reason)' | 'not run';

export interface MutantJudgement {
  verdict: MutantVerdict;
  /** The failure that killed it, or, when it survived for the wrong reason, the first failure. */
  failure?: { test: string; category: string; message: string };
  /** One line saying why this verdict. */
  reason: string;
}

/**
 * A mutant counts as killed only for the right reason: some test failed with the category the
 * manifest requires. Failures of other categories alone leave it "survived (wrong reason)" — the
 * gate noticed something, but not what the defect is. A run in which no test ran (the image did not
 * build, the cluster did not start, the grep matched nothing) says nothing about the gate: "not run".
 */
export function judgeMutantRun(mustFailAs: FailureCategory, gate: GateFileOfRun | undefined, results: PlaywrightJsonOfRun | undefined): MutantJudgement {
  const outsideTests = [...(gate?.globalErrors ?? []), ...(results?.errors ?? []).map((e) => e.message ?? '')].filter(Boolean);
  const firstLine = (s: string) => s.split('\n').find((l) => l.trim())?.trim() ?? '';
  // The gate's counts first: they leave out the cluster's setup and teardown tests, which
  // Playwright's stats count (a bring-up that failed ran one test, and no test of the gate).
  const ran = gate?.counts ? gate.counts.passed + gate.counts.failed
    : results?.stats ? results.stats.expected + results.stats.unexpected + results.stats.flaky : 0;
  if (!gate || ran === 0) {
    const why = outsideTests.length ? firstLine(outsideTests[0]!) : !gate ? 'the run wrote no gate file' : 'no test ran';
    return { verdict: 'not run', reason: why };
  }
  const failures = gate.failures ?? [];
  const right = failures.find((f) => f.category === mustFailAs);
  if (right) return { verdict: 'killed', failure: pick(right), reason: `${right.test} failed as ${right.category}` };
  if (failures.length) {
    const categories = [...new Set(failures.map((f) => f.category))].join(', ');
    return { verdict: 'survived (wrong reason)', failure: pick(failures[0]!), reason: `${failures.length} test(s) failed, as ${categories}, none as ${mustFailAs}` };
  }
  return { verdict: 'survived', reason: `${ran} test(s) ran, none failed${outsideTests.length ? `; outside tests: ${firstLine(outsideTests[0]!)}` : ''}` };
}

function pick(f: GateFileOfRun['failures'][number]): NonNullable<MutantJudgement['failure']> {
  return { test: f.test, category: f.category, message: f.message.split('\n').slice(0, 3).join('\n') };
}
