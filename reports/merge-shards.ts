import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgePhase, mergePhases, type GateFailure, type PhaseFacts, type PhaseGate, type PhaseVerdict, type ProjectCount, type SkippedTest } from './verdict.js';

/*
 * The gate across CI machines: `npx playwright test --shard=i/n` on each, then `npm run merge`.
 * A shard writes everything the merge needs into its own folder (reports/shards/shard-i-of-n/):
 * its gate verdict *and the facts it was judged on*, the raw request and retry rows its workers
 * recorded, its Allure results and Playwright's blob report. The merge judges the union of the
 * facts with the same rules (reports/verdict.ts judgePhase) and rebuilds coverage and retry
 * coverage from the union of the raw rows, so a merged run is judged exactly as one unsharded run
 * of the same tests would be, not as a vote of shard verdicts (a shard that drew no test is not
 * "not run" when the others ran).
 */

export interface Shard { current: number; total: number }

/** `--shard=i/n` or `--shard i/n` of a Playwright command line; undefined when not sharded. */
export function shardOf(argv: readonly string[]): Shard | undefined {
  let value: string | undefined;
  argv.forEach((a, i) => {
    if (a.startsWith('--shard=')) value = a.slice('--shard='.length);
    else if (a === '--shard') value = argv[i + 1];
  });
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new Error(`--shard=${value}: expected i/n with 1 <= i <= n`);
  return { current: Number(m[1]), total: Number(m[2]) };
}

export const SHARDS_DIR = join('reports', 'shards');
export const shardDirName = (s: Shard): string => `shard-${s.current}-of-${s.total}`;
/** A gate phase's shards (KS_GATE_PHASE, set by scripts/gate-shard.sh) get a folder of their own: retry and conformance both run --project=conformance. */
export const shardDir = (s: Shard, phase = process.env.KS_GATE_PHASE, root = SHARDS_DIR): string => join(root, ...(phase ? [phase] : []), shardDirName(s));

/**
 * What makes a shard's resources its own: the prefix every Keystone resource carries (the leak
 * check of one shard must never see another's, e.g. on a shared external target) and the run id
 * in every container and network name.
 */
export function shardResourcePrefix(prefix: string, s: Shard | undefined): string {
  // `s1of12`, not `s1`: the leak check matches by prefix, and `s1` is a prefix of `s10`.
  return s ? `${prefix}-s${s.current}of${s.total}` : prefix;
}
export function shardRunId(runId: string, s: Shard | undefined): string {
  return s ? `${runId}s${s.current}of${s.total}` : runId;
}

/** The shard's gate.json: the phase verdict plus what it was judged on. */
export interface ShardGate {
  verdict: PhaseVerdict;
  /** The gate phase the shard belongs to (KS_GATE_PHASE; else its --project names): shards are merged per phase, then phases as the gate does. */
  phase?: string;
  configuredProjects?: string[];
  status: string;
  durationSeconds: number;
  shard?: Shard;
  runId?: string;
  counts: Record<string, number>;
  facts?: Omit<PhaseFacts, 'allowNotRun'>;
  leakedOperations?: unknown[];
  knownDefects?: unknown[];
  /** The shard's command line ran the whole conformance project but for --shard: merged with every sibling, coverage is judged. */
  wholeConformanceShard?: boolean;
}

export interface ShardInput { dir: string; gate: ShardGate | undefined }

export interface MergedGate {
  verdict: PhaseVerdict;
  configuredProjects: string[];
  selectedProjects: string[];
  accepted: boolean;
  shards: { dir: string; shard?: Shard; runId?: string; verdict?: PhaseVerdict; counts?: Record<string, number>; durationSeconds?: number }[];
  counts: Record<string, number>;
  failuresByCategory: Record<string, number>;
  failures: GateFailure[];
  skipped: SkippedTest[];
  globalErrors: string[];
  leakedOperations: unknown[];
  knownDefects: unknown[];
}

const worst = (statuses: string[]): string => statuses.find((s) => s !== 'passed') ?? 'passed';

/**
 * One verdict from n shards. Fails on top of the phase rules when a shard of 1..n is missing or
 * wrote no verdict, when one appears twice, when shards disagree on n, or when a shard's file
 * carries no facts (written by another version): such a merge would judge fewer tests than ran.
 */
export function mergeShards(inputs: readonly ShardInput[], allowNotRun: readonly string[], expectedTotal?: number): MergedGate {
  const problems: string[] = [];
  const present = inputs.filter((x): x is { dir: string; gate: ShardGate } => !!x.gate);
  for (const x of inputs.filter((i) => !i.gate)) problems.push(`${x.dir}: no gate.json (the shard did not run to its end)`);
  const totals = [...new Set(present.map((x) => x.gate.shard?.total ?? 0))];
  const total = expectedTotal ?? (totals.length === 1 ? totals[0]! : Math.max(0, ...totals));
  if (present.some((x) => !x.gate.shard)) problems.push(`not a shard's verdict (no shard field): ${present.filter((x) => !x.gate.shard).map((x) => x.dir).join(', ')}`);
  if (totals.length > 1 || (expectedTotal !== undefined && totals.some((t) => t !== expectedTotal))) problems.push(`shards disagree on their number: ${present.map((x) => `${x.dir} says ${x.gate.shard?.total ?? '?'}`).join(', ')}${expectedTotal ? `; expected ${expectedTotal}` : ''}`);
  for (let i = 1; i <= total; i++) {
    const n = present.filter((x) => x.gate.shard?.current === i).length;
    if (n === 0) problems.push(`shard ${i}/${total} is missing: a merge without it would judge only part of the run`);
    if (n > 1) problems.push(`shard ${i}/${total} appears ${n} times`);
  }
  if (total === 0) problems.push('no shard to merge');
  const noFacts = present.filter((x) => !x.gate.facts);
  if (noFacts.length) problems.push(`shard verdicts without facts (cannot be re-judged): ${noFacts.map((x) => x.dir).join(', ')}`);

  const facts = present.flatMap((x) => (x.gate.facts ? [x.gate.facts] : []));
  const projects = new Map<string, ProjectCount>();
  for (const f of facts) for (const p of f.projects) {
    const c = projects.get(p.project) ?? projects.set(p.project, { project: p.project, ran: 0, skipped: 0 }).get(p.project)!;
    c.ran += p.ran; c.skipped += p.skipped;
  }
  const judged = judgePhase({
    status: worst(facts.map((f) => f.status)),
    selectedProjects: [...new Set(facts.flatMap((f) => f.selectedProjects))],
    projects: [...projects.values()],
    failures: facts.flatMap((f) => f.failures),
    skipped: facts.flatMap((f) => f.skipped),
    globalErrors: [...facts.flatMap((f) => f.globalErrors), ...problems],
    allowNotRun,
  });
  const counts: Record<string, number> = {};
  for (const x of present) for (const [k, v] of Object.entries(x.gate.counts ?? {})) counts[k] = (counts[k] ?? 0) + v;
  const failuresByCategory: Record<string, number> = {};
  for (const f of judged.failures) failuresByCategory[f.category] = (failuresByCategory[f.category] ?? 0) + 1;
  return {
    verdict: judged.verdict, accepted: judged.accepted,
    configuredProjects: [...new Set(present.flatMap((x) => x.gate.configuredProjects ?? []))],
    selectedProjects: [...new Set(facts.flatMap((f) => f.selectedProjects))],
    shards: inputs.map((x) => ({ dir: x.dir, shard: x.gate?.shard, runId: x.gate?.runId, verdict: x.gate?.verdict, counts: x.gate?.counts, durationSeconds: x.gate?.durationSeconds }))
      .sort((a, b) => (a.shard?.current ?? 0) - (b.shard?.current ?? 0)),
    counts, failuresByCategory, failures: judged.failures,
    skipped: facts.flatMap((f) => f.skipped), globalErrors: judged.globalErrors,
    leakedOperations: [...new Map(present.flatMap((x) => x.gate.leakedOperations ?? []).map((l) => [JSON.stringify(l), l])).values()],
    knownDefects: present.flatMap((x) => x.gate.knownDefects ?? []),
  };
}

/** The phase a shard's verdict belongs to. */
export const phaseOf = (g: ShardGate | undefined, dir: string): string => g?.phase ?? (g?.facts?.selectedProjects.length ? g.facts.selectedProjects.join('+') : g ? 'all' : `unknown (${dir})`);

/**
 * Shards of several gate phases (CI: a matrix of phase x shard): each phase's shards merged as one
 * run (mergeShards), then the phases as `npm run gate` merges them (reports/verdict.ts mergePhases:
 * every phase accepted, and on a full gate every configured project run by some phase).
 */
export function mergeShardedPhases(inputs: readonly ShardInput[], allowNotRun: readonly string[], opts: { expectedTotal?: number; subset: boolean }) {
  const groups = new Map<string, ShardInput[]>();
  for (const x of inputs) {
    const phase = phaseOf(x.gate, x.dir);
    groups.set(phase, [...(groups.get(phase) ?? []), x]);
  }
  const phases = [...groups].map(([phase, xs]) => ({ phase, merged: mergeShards(xs, allowNotRun, opts.expectedTotal) }));
  const asGate = (m: MergedGate): PhaseGate => ({
    verdict: m.verdict, status: m.verdict === 'fail' ? 'failed' : 'passed', durationSeconds: Math.max(0, ...m.shards.map((s) => s.durationSeconds ?? 0)),
    counts: m.counts, failuresByCategory: m.failuresByCategory, configuredProjects: m.configuredProjects, selectedProjects: m.selectedProjects,
    leakedOperations: m.leakedOperations, knownDefects: m.knownDefects, skipped: m.skipped, failures: m.failures, globalErrors: m.globalErrors,
  });
  const gate = mergePhases({ phases: phases.map((p) => ({ phase: p.phase, gate: asGate(p.merged) })), subset: opts.subset, allowNotRun });
  if (!phases.length) gate.globalErrors.push('no shard to merge');
  return { ...gate, verdict: phases.length ? gate.verdict : 'fail' as const, shards: phases.flatMap((p) => p.merged.shards.map((s) => ({ phase: p.phase, ...s }))) };
}

/** Folders under `root` that hold a shard's gate.json (CI downloads each shard's artifact into its own folder). */
export function findShardDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (/^shard-\d+-of-\d+$/.test(dir.split(/[\\/]/).at(-1)!)) { out.push(dir); return; }
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
  return out.sort();
}

/** Raw run data a shard keeps (relative to the repository root) and where it goes in the shard folder. */
export const SHARD_RAW_DIRS = ['reports/out/requests', 'reports/out/retry-coverage', 'reports/out/injections'] as const;

/** Copies the shard's raw rows into its folder (called by the gate reporter at the end of a sharded run). */
export function packShard(dir: string, root = process.cwd()): void {
  for (const d of SHARD_RAW_DIRS) {
    const from = join(root, d);
    if (existsSync(from)) cpSync(from, join(dir, 'raw', d.split('/').at(-1)!), { recursive: true });
  }
}

/**
 * Puts every shard's raw rows into one run's folders (`reports/out/requests` etc.), each file
 * prefixed with its shard so two shards' `worker-0.jsonl` never overwrite each other. Afterwards
 * the run-wide report writers (reports/run-reports.ts) see one run made of every shard.
 */
export function unpackShards(dirs: readonly string[], root = process.cwd()): number {
  let files = 0;
  for (const d of SHARD_RAW_DIRS) {
    const to = join(root, d);
    mkdirSync(to, { recursive: true });
    dirs.forEach((dir) => {
      const from = join(dir, 'raw', d.split('/').at(-1)!);
      if (!existsSync(from)) return;
      for (const f of readdirSync(from)) {
        // Two folder levels: CI puts each phase's shard-1-of-2 in a folder named after its artifact.
        writeFileSync(join(to, `${dir.split(/[\\/]/).filter(Boolean).slice(-2).join('_')}-${f}`), readFileSync(join(from, f)));
        files++;
      }
    });
  }
  return files;
}

/**
 * Allure results of every shard in one folder, without the shards' own run-level entries
 * (coverage and retry tables of a part of the run: the merge writes the whole run's).
 */
export function mergeAllureResults(dirs: readonly string[], to: string): number {
  mkdirSync(to, { recursive: true });
  let n = 0;
  for (const dir of dirs) {
    const from = join(dir, 'allure-results');
    if (!existsSync(from)) continue;
    for (const f of readdirSync(from)) {
      const body = readFileSync(join(from, f));
      if (f.endsWith('-result.json') && /"historyId":"gate-run-entry-/.test(body.toString('utf8'))) continue;
      writeFileSync(join(to, f), body);
      if (f.endsWith('-result.json')) n++;
    }
  }
  return n;
}
