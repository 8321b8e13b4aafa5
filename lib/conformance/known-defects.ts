import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { TestInfo } from '@playwright/test';
import { parse } from 'yaml';
import { readClusterInfo } from '../cluster/cluster-info.js';
import { ConfigError, readSettings, type Backend, type Settings } from '../config/settings.js';
import { KEYSTONE_MAJOR, type KeystoneSeen } from '../keystone/release.js';

/**
 * Defects of the Keystone under test that the suite has already found and reported: the test
 * still runs and still checks, but a listed failure is reported as a known defect instead of
 * failing the gate. A listed defect that no longer reproduces fails the test, so the list can
 * only shrink by someone removing an entry. Tempest's `skip_because(bug=…)` skips instead; here
 * the check keeps running, so a fix (or a change of behaviour) is seen at once.
 */
export interface KnownDefect {
  /** Ids of the tests (their `id` annotation) in which the defect shows. */
  tests: string[];
  /**
   * Texts, one of which is found in the failing check's description (`METHOD template [shape]`).
   * Required: an entry excuses checks, never a whole test, so any other failure in the test counts.
   */
  cases: string[];
  /**
   * What Keystone does on a listed check (DEFECT_OUTCOMES). When given, a listed check that
   * fails another way fails the test: the entry describes one behaviour, not "anything but right".
   */
  outcome: DefectOutcome;
  /** What Keystone does wrong, in one line. */
  defect: string;
  /** Upstream bug or code pointer. */
  link?: string;
  /** Only on this database backend (a NUL byte is PostgreSQL's problem, not MySQL's). */
  backend?: Backend;
  /**
   * Patches (file names, as in KS_KEYSTONE_PATCH) that fix it: the entry does not apply to a
   * Keystone built with one of them, where the check must pass like any other.
   */
  fixedBy?: string[];
}

/**
 * How a check failed: no HTTP answer (connection closed), no answer in time, a server error, a
 * success where a refusal belongs (the bad input accepted, and stored if it was a write), a 4xx
 * other than the one required, a 4xx without Keystone's error body, or a wrong value in an
 * otherwise correct answer.
 */
export const DEFECT_OUTCOMES = ['no-response', 'timeout', '5xx', '2xx', '3xx', '4xx-wrong-status', '4xx-without-error-body', 'wrong-value'] as const;
export type DefectOutcome = (typeof DEFECT_OUTCOMES)[number];

const BACKENDS: readonly Backend[] = ['postgres', 'galera', 'cockroachdb'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parses and validates a known-defects file; a malformed entry fails with its position. */
export function parseKnownDefects(text: string, source: string): KnownDefect[] {
  const doc = parse(text) as unknown;
  const entries = doc === null || doc === undefined ? [] : (doc as { defects?: unknown }).defects;
  if (!Array.isArray(entries)) throw new ConfigError(`${source}: expected a top-level "defects:" list`);
  return entries.map((e: unknown, i: number) => {
    const where = `${source}: defects[${i}]`;
    if (typeof e !== 'object' || e === null) throw new ConfigError(`${where} is not a mapping`);
    const { tests, cases, defect, link, backend, fixedBy, outcome, ...rest } = e as Record<string, unknown>;
    if (Object.keys(rest).length) throw new ConfigError(`${where}: unknown keys ${Object.keys(rest).join(', ')}`);
    if (!Array.isArray(tests) || !tests.length || !tests.every((t) => typeof t === 'string' && UUID.test(t))) {
      throw new ConfigError(`${where}: "tests" must be a list of test ids (uuid)`);
    }
    if (backend !== undefined && !BACKENDS.includes(backend as Backend)) throw new ConfigError(`${where}: "backend" must be one of ${BACKENDS.join(', ')}`);
    if (typeof defect !== 'string' || !defect.trim()) throw new ConfigError(`${where}: "defect" must say what Keystone does wrong`);
    if (!Array.isArray(cases) || !cases.length || !cases.every((c) => typeof c === 'string' && c)) {
      throw new ConfigError(`${where}: "cases" must be a list of non-empty strings (the checks it excuses: no entry covers a whole test)`);
    }
    // Required: an entry describes one observed behaviour; "anything but right" would excuse a new defect on the same check.
    if (!DEFECT_OUTCOMES.includes(outcome as DefectOutcome)) throw new ConfigError(`${where}: "outcome" must be one of ${DEFECT_OUTCOMES.join(', ')} (what Keystone is seen doing on these checks)`);
    if (link !== undefined && typeof link !== 'string') throw new ConfigError(`${where}: "link" must be a string`);
    if (fixedBy !== undefined && (!Array.isArray(fixedBy) || !fixedBy.length || !fixedBy.every((f) => typeof f === 'string' && f && basename(f) === f))) {
      throw new ConfigError(`${where}: "fixedBy" must be a list of patch file names (no directories)`);
    }
    return {
      tests: tests as string[], defect: defect.trim(), cases: cases as string[], outcome: outcome as DefectOutcome, ...(link ? { link } : {}),
      ...(backend ? { backend: backend as Backend } : {}), ...(fixedBy ? { fixedBy: fixedBy as string[] } : {}),
    };
  });
}

/**
 * The release a list belongs to (its top-level `release:`): defects are facts about one
 * Keystone, so a list is loaded only when the Keystone under test is that release.
 */
export interface DefectsRelease {
  name: string;
  /** Major version of the keystone package (22 for Zed). */
  keystone: number;
  /** `version.id` of `GET /v3` on that release (shared by several releases: never enough alone). */
  api: string;
}

/** The `release:` header of a known-defects file; a list without one is refused. */
export function parseDefectsRelease(text: string, source: string): DefectsRelease {
  const r = ((parse(text) as { release?: unknown } | null)?.release ?? undefined) as Record<string, unknown> | undefined;
  const fail = (why: string) => new ConfigError(`${source}: ${why}; a list starts with "release: { name: zed, keystone: 22, api: v3.14 }" so it is loaded only for that Keystone`);
  if (typeof r !== 'object' || r === null) throw fail('no "release:" header');
  const { name, keystone, api } = r;
  if (typeof name !== 'string' || KEYSTONE_MAJOR[name.toLowerCase()] === undefined) throw fail(`"release.name" must be one of ${Object.keys(KEYSTONE_MAJOR).join(', ')}`);
  if (keystone !== KEYSTONE_MAJOR[name.toLowerCase()]) throw fail(`"release.keystone" must be ${KEYSTONE_MAJOR[name.toLowerCase()]} for ${name}`);
  if (typeof api !== 'string' || !/^v3\.\d+$/.test(api)) throw fail('"release.api" must be a v3 version id like v3.14');
  return { name: name.toLowerCase(), keystone, api };
}

/** Whether the list is loaded for the Keystone under test, and the one line that says why. */
export interface DefectsListDecision { file?: string; load: boolean; reason: string }

/**
 * The rule: the keystone package version, where the suite can read it (its own containers,
 * stock, patched or KS_KEYSTONE_IMAGE), decides. Elsewhere (an external cloud, an image without
 * Python metadata) only the operator can say the release (KS_KEYSTONE_RELEASE), and `GET /v3`
 * must agree with it; without either the list is not loaded: an unknown Keystone gets no excuses.
 */
export function decideDefectsList(file: string, list: DefectsRelease, seen: KeystoneSeen, declared: string | undefined): DefectsListDecision {
  const api = seen.apiVersion ?? 'no version';
  const it = `${file} (${list.name}: keystone ${list.keystone}.x, /v3 ${list.api})`;
  const no = (why: string): DefectsListDecision => ({ load: false, reason: `known defects: none loaded: ${it} does not apply: ${why}` });
  const yes = (why: string): DefectsListDecision => ({ file, load: true, reason: `known defects: loaded ${it}: ${why}` });
  if (seen.packageVersion) {
    const major = Number.parseInt(seen.packageVersion, 10);
    if (major !== list.keystone) return no(`the Keystone under test is keystone ${seen.packageVersion} (read in its container), /v3 ${api}`);
    return yes(`the Keystone under test is keystone ${seen.packageVersion} (read in its container), /v3 ${api}`);
  }
  if (!declared) return no(`the release of the Keystone under test is unknown (its package cannot be read from here; /v3 reports ${api}, which names no release): set KS_KEYSTONE_RELEASE=${list.name} if it is ${list.name}`);
  if (declared.toLowerCase() !== list.name) return no(`KS_KEYSTONE_RELEASE=${declared}`);
  if (seen.apiVersion !== list.api) return no(`KS_KEYSTONE_RELEASE=${declared}, but /v3 reports ${api}, not ${list.api}`);
  return yes(`KS_KEYSTONE_RELEASE=${declared} (declared; the package cannot be read from here) and /v3 reports ${api}`);
}

/** Global setup's decision for the settings' list (KS_KNOWN_DEFECTS) and what the Keystone under test said. */
export function knownDefectsDecision(settings: Pick<Settings, 'knownDefectsFile' | 'keystoneRelease'>, seen: KeystoneSeen): DefectsListDecision {
  const file = settings.knownDefectsFile;
  if (!file) return { load: false, reason: 'known defects: none (KS_KNOWN_DEFECTS=none): every failure counts' };
  const text = readDefectsFile(file);
  parseKnownDefects(text, file);
  return decideDefectsList(file, parseDefectsRelease(text, file), seen, settings.keystoneRelease);
}

function readDefectsFile(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch (e) {
    throw new ConfigError(`KS_KNOWN_DEFECTS=${file}: cannot read it (${(e as Error).message}); set KS_KNOWN_DEFECTS=none for no known defects`);
  }
}

let cached: { file: string | undefined; defects: KnownDefect[] } | undefined;

/**
 * The defects in force in this worker: the list the cluster setup decided to load (ClusterInfo
 * `knownDefects`), filtered to this backend and build. No decision, no defects.
 */
export function activeKnownDefects(): { file: string | undefined; defects: KnownDefect[] } {
  if (cached) return cached;
  const { backend, keystonePatch } = readSettings();
  const decision = process.env.KS_CLUSTER_FILE ? readClusterInfo().knownDefects : undefined;
  const file = decision?.load ? decision.file : undefined;
  const all = file ? parseKnownDefects(readDefectsFile(file), file) : [];
  cached = { file, defects: applicableDefects(all, backend, keystonePatch) };
  return cached;
}

/** The entries that apply to this backend and this Keystone build (KS_KEYSTONE_PATCH). */
export function applicableDefects(all: readonly KnownDefect[], backend: Backend, keystonePatch: string | undefined): KnownDefect[] {
  const patch = keystonePatch ? basename(keystonePatch) : undefined;
  return all.filter((d) => (!d.backend || d.backend === backend) && !(patch && d.fixedBy?.includes(patch)));
}

export const testIdOf = (testInfo: Pick<TestInfo, 'annotations'>): string | undefined =>
  testInfo.annotations.find((a) => a.type === 'id')?.description;

/** The listed defect of one check (`what`) of a test, if any. */
export function knownCaseDefect(defects: readonly KnownDefect[], testId: string | undefined, what: string): KnownDefect | undefined {
  return testId ? defects.find((d) => d.tests.includes(testId) && d.cases.some((c) => what.includes(c))) : undefined;
}

/**
 * How the list judges one check of a test: not listed (the caller judges), a listed defect that
 * reproduced as listed, a listed check that now passes (stale: remove the entry), or a listed
 * check that fails in another way than the entry's `outcome` (a different defect: it counts).
 */
export type CheckJudgement =
  | { kind: 'unlisted' }
  | { kind: 'known'; defect: KnownDefect }
  | { kind: 'stale'; defect: KnownDefect }
  | { kind: 'other-outcome'; defect: KnownDefect };

export function judgeCheck(defects: readonly KnownDefect[], testId: string | undefined, what: string, ok: boolean, observed: DefectOutcome): CheckJudgement {
  const defect = knownCaseDefect(defects, testId, what);
  if (!defect) return { kind: 'unlisted' };
  if (ok) return { kind: 'stale', defect };
  if (defect.outcome && defect.outcome !== observed) return { kind: 'other-outcome', defect };
  return { kind: 'known', defect };
}

export const describeDefect = (d: KnownDefect): string => `${d.outcome ? `${d.outcome}: ` : ''}${d.defect}${d.link ? ` (${d.link})` : ''}`;

/** The annotation the gate reporter counts: one per known defect that reproduced. */
export const KNOWN_DEFECT_ANNOTATION = 'known-defect';
