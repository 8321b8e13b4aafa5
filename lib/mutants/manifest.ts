import { parse } from 'yaml';
import { ConfigError } from '../config/settings.js';
import type { FailureCategory } from '../../reports/verdict.js';

/** The gate's failure categories a mutant may be required to cause (reports/gate-reporter.ts). */
export const FAILURE_CATEGORIES = ['contract', 'bad-input-5xx', 'rbac', 'leaked-conflict', 'invariant', 'availability', 'sla', 'harness', 'refused-write', 'not-judged'] as const satisfies readonly FailureCategory[];

/** The Playwright projects of a gate run, with the folder each one's specs live in (playwright.config.ts). */
export const GATE_PROJECT_DIRS: Readonly<Record<string, string>> = {
  conformance: 'suites/conformance', rbac: 'suites/rbac', concurrency: 'suites/concurrency', chaos: 'suites/chaos', load: 'suites/load',
};

/** One seeded Keystone defect, as mutants/mutants.yaml describes it. */
export interface Mutant {
  id: string;
  /** One line: what the defect does. */
  breaks: string;
  concern: string;
  projects: string[];
  specs: string[];
  grep?: string;
  /** The category a failing test must carry for the mutant to count as killed. */
  mustFailAs: FailureCategory;
  /** Part of the cheap CI subset (`--ci`). */
  ci: boolean;
  /**
   * The gate phase whose environment the run gets: `retry` turns on conflict injection
   * (KS_INJECT_CONFLICTS=on, as scripts/gate.sh's retry phase), so a defect in how conflicts are
   * retried meets a conflict on every write instead of whenever a storm happens to provoke one.
   */
  phase: MutantPhase;
  /** mutants/<id>.diff, relative to the repository. */
  diff: string;
}

export const MUTANT_PHASES = ['default', 'retry'] as const;
export type MutantPhase = (typeof MUTANT_PHASES)[number];

/** The environment a phase adds to the mutant's Playwright run. */
export function phaseEnvironment(phase: MutantPhase): Record<string, string> {
  return phase === 'retry' ? { KS_INJECT_CONFLICTS: 'on' } : {};
}

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const KEYS = ['id', 'breaks', 'concern', 'projects', 'specs', 'grep', 'mustFailAs', 'ci', 'phase'];

/**
 * Parses and validates the mutants manifest. `fileExists` answers for paths relative to the
 * repository, so a spec or diff that is not there fails here, naming the entry, instead of as a
 * Playwright run that found no tests (which would read as a surviving mutant).
 */
export function parseMutantManifest(text: string, source: string, fileExists: (path: string) => boolean): Mutant[] {
  const doc = parse(text) as unknown;
  const entries = (doc as { mutants?: unknown } | null)?.mutants;
  if (!Array.isArray(entries) || !entries.length) throw new ConfigError(`${source}: expected a non-empty top-level "mutants:" list`);
  const seen = new Set<string>();
  return entries.map((e: unknown, i: number) => {
    let where = `${source}: mutants[${i}]`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new ConfigError(`${where} is not a mapping`);
    const m = e as Record<string, unknown>;
    const unknown = Object.keys(m).filter((k) => !KEYS.includes(k));
    if (unknown.length) throw new ConfigError(`${where}: unknown keys ${unknown.join(', ')}`);
    if (typeof m.id !== 'string' || !ID.test(m.id)) throw new ConfigError(`${where}: "id" must be lower-case words joined by dashes`);
    where = `${source}: mutant ${m.id}`;
    if (seen.has(m.id)) throw new ConfigError(`${where}: duplicate id`);
    seen.add(m.id);
    for (const k of ['breaks', 'concern'] as const) {
      if (typeof m[k] !== 'string' || !(m[k] as string).trim()) throw new ConfigError(`${where}: "${k}" must be a non-empty string`);
    }
    if ((m.breaks as string).includes('\n')) throw new ConfigError(`${where}: "breaks" must be one line`);
    const projects = stringList(m.projects, `${where}: "projects"`);
    const badProject = projects.find((p) => !(p in GATE_PROJECT_DIRS));
    if (badProject) throw new ConfigError(`${where}: unknown project ${badProject} (one of ${Object.keys(GATE_PROJECT_DIRS).join(', ')})`);
    const specs = stringList(m.specs, `${where}: "specs"`);
    for (const s of specs) {
      // A spec outside its projects' folders would make Playwright run nothing for it.
      if (!projects.some((p) => s.startsWith(`${GATE_PROJECT_DIRS[p]}/`))) throw new ConfigError(`${where}: spec ${s} is in none of the folders of ${projects.join(', ')}`);
      if (!s.endsWith('.spec.ts')) throw new ConfigError(`${where}: spec ${s} is not a .spec.ts file`);
      if (!fileExists(s)) throw new ConfigError(`${where}: spec ${s} does not exist`);
    }
    if (m.grep !== undefined) {
      if (typeof m.grep !== 'string' || !m.grep) throw new ConfigError(`${where}: "grep" must be a non-empty string`);
      try { new RegExp(m.grep); } catch (err) { throw new ConfigError(`${where}: "grep" is not a regular expression: ${(err as Error).message}`); }
    }
    if (!FAILURE_CATEGORIES.includes(m.mustFailAs as (typeof FAILURE_CATEGORIES)[number])) throw new ConfigError(`${where}: "mustFailAs" must be one of ${FAILURE_CATEGORIES.join(', ')}`);
    if (m.ci !== undefined && typeof m.ci !== 'boolean') throw new ConfigError(`${where}: "ci" must be true or false`);
    if (m.phase !== undefined && !MUTANT_PHASES.includes(m.phase as MutantPhase)) throw new ConfigError(`${where}: "phase" must be one of ${MUTANT_PHASES.join(', ')}`);
    const diff = `mutants/${m.id}.diff`;
    if (!fileExists(diff)) throw new ConfigError(`${where}: ${diff} does not exist`);
    return {
      id: m.id, breaks: (m.breaks as string).trim(), concern: (m.concern as string).trim(), projects, specs,
      ...(m.grep !== undefined ? { grep: m.grep as string } : {}), mustFailAs: m.mustFailAs as FailureCategory, ci: m.ci === true, phase: (m.phase as MutantPhase | undefined) ?? 'default', diff,
    };
  });
}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.length || !v.every((x) => typeof x === 'string' && x)) throw new ConfigError(`${what} must be a non-empty list of strings`);
  return v as string[];
}

/**
 * Checks a mutant's diff is a Keystone patch in the form the image build applies
 * (`patch -p1` in dist-packages): every file a/keystone/... -> b/keystone/..., at least one hunk.
 * Returns the files it touches.
 */
export function validateMutantDiff(text: string, id: string): string[] {
  const files: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.startsWith('--- ')) return;
    const from = line.slice(4).split('\t')[0]!.trim();
    const to = (lines[i + 1] ?? '').startsWith('+++ ') ? lines[i + 1]!.slice(4).split('\t')[0]!.trim() : undefined;
    if (!to) throw new ConfigError(`mutant ${id}: "${line}" is not followed by a "+++" line`);
    if (!from.startsWith('a/keystone/') || !to.startsWith('b/keystone/') || from.slice(2) !== to.slice(2)) {
      throw new ConfigError(`mutant ${id}: the diff must change a/keystone/... into b/keystone/... (the same file), got ${from} -> ${to}`);
    }
    files.push(from.slice(2));
  });
  if (!files.length || !lines.some((l) => l.startsWith('@@ '))) throw new ConfigError(`mutant ${id}: the diff changes no file`);
  return files;
}

/** The mutants a run covers: `only` by id (each must exist), else the CI subset, else all. */
export function selectMutants(all: readonly Mutant[], pick: { only?: string[]; ci?: boolean }): Mutant[] {
  if (pick.only?.length) {
    const missing = pick.only.filter((id) => !all.some((m) => m.id === id));
    if (missing.length) throw new ConfigError(`--only: no mutant ${missing.join(', ')} (known: ${all.map((m) => m.id).join(', ')})`);
    return all.filter((m) => pick.only!.includes(m.id));
  }
  if (pick.ci) {
    const ci = all.filter((m) => m.ci);
    if (!ci.length) throw new ConfigError('--ci: no mutant is marked "ci: true"');
    return ci;
  }
  return [...all];
}
