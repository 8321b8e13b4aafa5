import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_CANARY_LENGTH } from '../lib/keystone/run-secrets.js';

/**
 * The end-of-run canary: every secret the run created (lib/keystone/run-secrets.ts) is looked
 * for in everything the run wrote; one hit fails the run, naming the file, never the secret.
 * Masking is a rule applied at each place a body leaves the process; this checks the result, so
 * a place that forgot the rule is found.
 *
 * One pass per file whatever the number of secrets (a run creates thousands of passwords, and
 * its results weigh hundreds of MB): a rolling hash of the first MIN_CANARY_LENGTH bytes finds
 * the positions where a secret may start, and only those are compared.
 */

const W = MIN_CANARY_LENGTH;
const BASE = 257;
// BASE^(W-1) mod 2^32, to drop the byte leaving the window.
const DROP = Array.from({ length: W - 1 }).reduce<number>((p) => Math.imul(p, BASE) >>> 0, 1);

function windowHash(buf: Uint8Array, at: number): number {
  let h = 0;
  for (let k = 0; k < W; k++) h = (Math.imul(h, BASE) + buf[at + k]!) >>> 0;
  return h;
}

/** Secrets by the hash of their first W bytes; `seen` is a cheap filter on the hash's low bits before the Map. */
export interface SecretIndex { byPrefix: Map<number, Buffer[]>; seen: Uint8Array }
const FILTER_MASK = (1 << 20) - 1;

/** Indexes secrets (shorter ones are left out, see MIN_CANARY_LENGTH). */
export function secretIndex(secrets: readonly string[]): SecretIndex {
  const byPrefix = new Map<number, Buffer[]>();
  const seen = new Uint8Array(FILTER_MASK + 1);
  for (const s of secrets) {
    const b = Buffer.from(s, 'utf8');
    if (b.length < W) continue;
    const h = windowHash(b, 0);
    byPrefix.set(h, [...(byPrefix.get(h) ?? []), b]);
    seen[h & FILTER_MASK] = 1;
  }
  return { byPrefix, seen };
}

/** True when any indexed secret occurs in `data`. */
export function containsSecret(data: Uint8Array, index: SecretIndex): boolean {
  if (!index.byPrefix.size || data.length < W) return false;
  let h = windowHash(data, 0);
  for (let i = 0; ; i++) {
    const candidates = index.seen[h & FILTER_MASK] ? index.byPrefix.get(h) : undefined;
    if (candidates) for (const s of candidates) if (i + s.length <= data.length && Buffer.compare(s, data.subarray(i, i + s.length)) === 0) return true;
    if (i + W >= data.length) return false;
    h = (Math.imul((h - Math.imul(data[i]!, DROP)) >>> 0, BASE) + data[i + W]!) >>> 0;
  }
}

function* filesUnder(path: string): Generator<string> {
  let entries;
  try { entries = readdirSync(path, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else if (e.isFile()) yield p;
  }
}

/** Files under `dirs` (missing ones are skipped) that hold a secret; `skip` leaves out e.g. source files. */
export function filesWithSecrets(dirs: readonly string[], index: SecretIndex, skip: (file: string) => boolean = () => false): string[] {
  if (!index.byPrefix.size) return [];
  const hits: string[] = [];
  for (const dir of dirs) for (const f of filesUnder(dir)) if (!skip(f) && containsSecret(readFileSync(f), index)) hits.push(f);
  return hits;
}

/**
 * The canary of one run: `secrets` looked for in every file under `dirs` and in `texts` (what is
 * about to be written, e.g. the gate's own failure messages). One line for `globalErrors`, or
 * undefined when clean.
 */
export function secretCanary(secrets: readonly string[], dirs: readonly string[], texts: readonly { name: string; text: string }[] = [], skip?: (file: string) => boolean): string | undefined {
  const index = secretIndex(secrets);
  const hits = [
    ...filesWithSecrets(dirs, index, skip),
    ...texts.filter((t) => containsSecret(Buffer.from(t.text, 'utf8'), index)).map((t) => t.name),
  ];
  if (!hits.length) return undefined;
  return `secret canary: a secret this run created appears in ${hits.length} file(s): ${hits.slice(0, 10).join(', ')}${hits.length > 10 ? ', ...' : ''} (${secrets.length} secrets checked; mask it where it is written, lib/keystone/mask.ts)`;
}
