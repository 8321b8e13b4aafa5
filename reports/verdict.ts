/**
 * The gate's judgement, as pure functions over what a run saw: the gate reporter feeds one
 * Playwright run (a phase) to `judgePhase`, scripts/gate-verdict.ts feeds the phases' files to
 * `mergePhases`. Kept free of Playwright and the file system so selftest/gate-verdict.spec.ts
 * can hand them the results that used to pass and must not.
 *
 * What a gate must never call a pass (issue 11):
 * - a run or phase that ran no test: every test skipped, or none selected. Its verdict is
 *   "not run", which fails unless the phase is listed in KS_GATE_ALLOW_NOT_RUN (e.g. `chaos` on an
 *   external target, whose fault tests all skip while its regions share one endpoint);
 * - a test skipped without a reason: a skip must say why (`test.skip(condition, 'why')`,
 *   `testInfo.skip(condition, 'why')`, `test.fixme(condition, 'why')`: a `skip`/`fixme` annotation
 *   with a non-empty description). Skips with a reason pass and are listed in gate.json `skipped`;
 *   a test Playwright never started (max failures, interruption) carries none and fails here too;
 * - a selected Playwright project with no test in the run (configured but empty, like `rbac` was);
 * - a phase named in the gate but without a verdict file (it died or never started);
 * - a project configured in playwright.config.ts that no phase of a full gate runs.
 */

/** Failure categories of the gate verdict (DESIGN §9); `not-run` is a test that should have run and did not. */
export type FailureCategory = 'contract' | 'bad-input-5xx' | 'rbac' | 'leaked-conflict' | 'invariant' | 'availability' | 'sla' | 'harness' | 'not-run'
  // Concurrency judging: a write the scenario needed acknowledged was refused; a storm provoked no conflict.
  | 'refused-write' | 'not-judged';

export interface GateFailure { category: FailureCategory; test: string; project: string; file: string; message: string }

/** A skipped test and the reason it gave, if any. */
export interface SkippedTest { test: string; project: string; file: string; reason?: string }

/** Tests of one project in the run: `ran` were executed (any outcome), `skipped` were not. */
export interface ProjectCount { project: string; ran: number; skipped: number }

export type PhaseVerdict = 'pass' | 'fail' | 'not run';

/** Everything one Playwright run saw, as the gate reporter collected it. */
export interface PhaseFacts {
  /** Playwright's overall status (`passed`, `failed`, `timedout`, `interrupted`). */
  status: string;
  /**
   * Projects the command line named with --project. Without any, Playwright runs every project
   * and a file or --grep filter may leave some empty on purpose: then no project is required to
   * have tests (the full gate always names its projects).
   */
  selectedProjects: readonly string[];
  /** Per project that had at least one test; a selected project missing here had none. */
  projects: readonly ProjectCount[];
  failures: readonly GateFailure[];
  skipped: readonly SkippedTest[];
  globalErrors: readonly string[];
  /** Phases (project names) allowed to be "not run" (KS_GATE_ALLOW_NOT_RUN). */
  allowNotRun: readonly string[];
}

export interface PhaseJudgement {
  verdict: PhaseVerdict;
  /** Pass, or "not run" of projects that KS_GATE_ALLOW_NOT_RUN lists. */
  accepted: boolean;
  failures: GateFailure[];
  globalErrors: string[];
}

export const ALLOW_NOT_RUN_ENV = 'KS_GATE_ALLOW_NOT_RUN';

/** The phases KS_GATE_ALLOW_NOT_RUN lists (comma- or space-separated). */
export function allowedNotRun(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

const skipMessage = 'skipped without a reason: a skip must say why (test.skip(condition, \'reason\'))';

/** One run's verdict: the rules above, applied to what the run saw. */
export function judgePhase(f: PhaseFacts): PhaseJudgement {
  const failures = [...f.failures];
  const globalErrors = [...f.globalErrors];
  for (const s of f.skipped) {
    if (!s.reason?.trim()) failures.push({ category: 'not-run', test: s.test, project: s.project, file: s.file, message: skipMessage });
  }
  for (const p of f.selectedProjects) {
    const c = f.projects.find((x) => x.project === p);
    if (!c || c.ran + c.skipped === 0) globalErrors.push(`project "${p}" was selected but has no test in this run (configured without tests, or every test filtered out)`);
  }
  const ran = f.projects.reduce((n, c) => n + c.ran, 0);
  if (failures.length || globalErrors.length || f.status !== 'passed') return { verdict: 'fail', accepted: false, failures, globalErrors };
  if (ran > 0) return { verdict: 'pass', accepted: true, failures, globalErrors };
  // Nothing ran, nothing failed: not a pass. Reported as "not run", which fails unless allowed.
  const names = f.selectedProjects.length ? f.selectedProjects : f.projects.map((c) => c.project);
  const accepted = names.length > 0 && names.every((p) => f.allowNotRun.includes(p));
  if (!accepted) globalErrors.push(`${notRunText(names, f.skipped)}; ${ALLOW_NOT_RUN_ENV}=${names.join(',') || '<project>'} accepts that`);
  return { verdict: 'not run', accepted, failures, globalErrors };
}

function notRunText(projects: readonly string[], skipped: readonly SkippedTest[]): string {
  const reasons = [...new Set(skipped.map((s) => s.reason?.trim()).filter(Boolean))];
  return `${projects.join(', ') || 'the run'}: not run, no test was executed (${skipped.length} skipped${reasons.length ? `: ${reasons.slice(0, 3).join('; ')}` : ''})`;
}

/** What a phase's gate reporter wrote (reports/out/gate-phases/<phase>.gate.json). */
export interface PhaseGate {
  verdict: PhaseVerdict; status: string; durationSeconds: number;
  /** The database isolation the phase ran under (from the cluster summary), when it had a cluster. */
  isolation?: string;
  /** Requests of the phase's tests and read-backs, and their rate (reports/phase-traffic.ts). */
  traffic?: { requests: number; readBacks: number; perSecond: number | null };
  counts: Record<string, number>; failuresByCategory: Record<string, number>;
  configuredProjects?: string[]; selectedProjects?: string[];
  leakedOperations?: unknown[]; knownDefects?: unknown[]; coverage?: unknown; skipped?: SkippedTest[]; retryInjection?: unknown;
  /** The rbac phase's matrix figures and mismatches (reports/rbac.json). */
  rbac?: unknown;
  failures?: GateFailure[]; globalErrors?: string[];
}

export interface MergeInput {
  /** The phases the gate named, in order, each with its file's content (undefined: no file). */
  phases: readonly { phase: string; gate: PhaseGate | undefined }[];
  /** True when the user picked some phases (KS_GATE_PHASES): projects outside them are not selected, not missing. */
  subset: boolean;
  allowNotRun: readonly string[];
}

/**
 * Projects that are never a gate phase (the harness's own tests). The cluster's setup and teardown
 * projects never get here: the gate reporter leaves support projects out of configuredProjects.
 */
const NOT_GATED = new Set(['selftest']);

/**
 * One verdict from the phases: pass only if every named phase wrote a verdict and passed (or was
 * "not run" and allowed), and, on a full gate, every configured project was run by some phase.
 * Coverage comes from the last phase, whose reporter read the rows every phase added up; leaked
 * operations from every phase.
 */
export function mergePhases(m: MergeInput) {
  const problems: string[] = [];
  const accepted: boolean[] = [];
  const phaseRows = m.phases.map(({ phase, gate }) => {
    if (!gate) {
      problems.push(`phase ${phase} was named but wrote no verdict (did not run to its end)`);
      accepted.push(false);
      return { phase, verdict: 'not run' as PhaseVerdict, reason: 'wrote no verdict', durationSeconds: null, counts: null };
    }
    const allowed = gate.verdict === 'not run' && m.allowNotRun.includes(phase);
    if (gate.verdict === 'not run' && !allowed) problems.push(`phase ${phase}: not run (no test executed); ${ALLOW_NOT_RUN_ENV}=${phase} accepts that`);
    accepted.push(gate.verdict === 'pass' || allowed);
    const reason = gate.verdict !== 'not run' ? undefined : allowed ? `no test executed, allowed by ${ALLOW_NOT_RUN_ENV}` : 'no test executed';
    return { phase, verdict: gate.verdict, ...(reason ? { reason } : {}), ...(gate.isolation ? { isolation: gate.isolation } : {}), ...(gate.traffic ? { traffic: gate.traffic } : {}), durationSeconds: gate.durationSeconds, counts: gate.counts };
  });
  const gates = m.phases.flatMap((p) => (p.gate ? [p.gate] : []));
  const configured = [...new Set(gates.flatMap((g) => g.configuredProjects ?? []))].filter((p) => !NOT_GATED.has(p));
  const selected = new Set(gates.flatMap((g) => g.selectedProjects ?? []));
  const unrun = configured.filter((p) => !selected.has(p));
  if (!m.subset) for (const p of unrun) problems.push(`project "${p}" is configured in playwright.config.ts but no gate phase runs it`);
  const verdict: 'pass' | 'fail' = problems.length === 0 && accepted.every(Boolean) ? 'pass' : 'fail';
  const sum = (key: 'counts' | 'failuresByCategory') => {
    const total: Record<string, number> = {};
    for (const g of gates) for (const [k, v] of Object.entries(g[key] ?? {})) total[k] = (total[k] ?? 0) + v;
    return total;
  };
  const last = m.phases.at(-1)?.gate;
  return {
    verdict,
    phases: phaseRows,
    ...(m.subset ? { notSelected: unrun } : {}),
    counts: sum('counts'),
    failuresByCategory: sum('failuresByCategory'),
    // Every phase's leaks: the retry phase's injected ones are only in its own file (later phases
    // do not judge another run's injections); concurrency rows repeat in later phases, hence the dedupe.
    leakedOperations: [...new Map(gates.flatMap((g) => g.leakedOperations ?? []).map((l) => [JSON.stringify(l), l])).values()],
    retryInjection: gates.find((g) => g.retryInjection)?.retryInjection,
    rbac: gates.find((g) => g.rbac)?.rbac,
    knownDefects: gates.flatMap((g) => g.knownDefects ?? []),
    coverage: last?.coverage,
    skipped: gates.flatMap((g) => g.skipped ?? []),
    failures: gates.flatMap((g) => g.failures ?? []),
    globalErrors: [...gates.flatMap((g) => g.globalErrors ?? []), ...problems],
  };
}
