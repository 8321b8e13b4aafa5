import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { TestInfo } from '@playwright/test';
import { parse } from 'yaml';
import { ConfigError, readSettings, type Backend } from '../config/settings.js';

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
   * Without any the whole test is expected to fail.
   */
  cases?: string[];
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
    const { tests, cases, defect, link, backend, fixedBy, ...rest } = e as Record<string, unknown>;
    if (Object.keys(rest).length) throw new ConfigError(`${where}: unknown keys ${Object.keys(rest).join(', ')}`);
    if (!Array.isArray(tests) || !tests.length || !tests.every((t) => typeof t === 'string' && UUID.test(t))) {
      throw new ConfigError(`${where}: "tests" must be a list of test ids (uuid)`);
    }
    if (backend !== undefined && !BACKENDS.includes(backend as Backend)) throw new ConfigError(`${where}: "backend" must be one of ${BACKENDS.join(', ')}`);
    if (typeof defect !== 'string' || !defect.trim()) throw new ConfigError(`${where}: "defect" must say what Keystone does wrong`);
    if (cases !== undefined && (!Array.isArray(cases) || !cases.length || !cases.every((c) => typeof c === 'string' && c))) {
      throw new ConfigError(`${where}: "cases" must be a list of non-empty strings`);
    }
    if (link !== undefined && typeof link !== 'string') throw new ConfigError(`${where}: "link" must be a string`);
    if (fixedBy !== undefined && (!Array.isArray(fixedBy) || !fixedBy.length || !fixedBy.every((f) => typeof f === 'string' && f && basename(f) === f))) {
      throw new ConfigError(`${where}: "fixedBy" must be a list of patch file names (no directories)`);
    }
    return {
      tests: tests as string[], defect: defect.trim(), ...(cases ? { cases: cases as string[] } : {}), ...(link ? { link } : {}),
      ...(backend ? { backend: backend as Backend } : {}), ...(fixedBy ? { fixedBy: fixedBy as string[] } : {}),
    };
  });
}

let cached: { file: string | undefined; defects: KnownDefect[] } | undefined;

/** The defects file the settings name (KS_KNOWN_DEFECTS), read once per process. */
export function activeKnownDefects(): { file: string | undefined; defects: KnownDefect[] } {
  if (cached) return cached;
  const { knownDefectsFile: file, backend, keystonePatch } = readSettings();
  let text = '';
  if (file) {
    try { text = readFileSync(file, 'utf8'); } catch (e) {
      throw new ConfigError(`KS_KNOWN_DEFECTS=${file}: cannot read it (${(e as Error).message}); set KS_KNOWN_DEFECTS=none for no known defects`);
    }
  }
  const all = file ? parseKnownDefects(text, file) : [];
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
  return testId ? defects.find((d) => d.tests.includes(testId) && d.cases !== undefined && d.cases.some((c) => what.includes(c))) : undefined;
}

/** The listed defect that makes a whole test fail, if any. */
export function knownTestDefect(defects: readonly KnownDefect[], testId: string | undefined): KnownDefect | undefined {
  return testId ? defects.find((d) => d.tests.includes(testId) && d.cases === undefined) : undefined;
}

export const describeDefect = (d: KnownDefect): string => `${d.defect}${d.link ? ` (${d.link})` : ''}`;

/** The annotation the gate reporter counts: one per known defect that reproduced. */
export const KNOWN_DEFECT_ANNOTATION = 'known-defect';
