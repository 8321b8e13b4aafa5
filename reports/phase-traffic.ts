import { join } from 'node:path';
import { readJsonlDir } from './jsonl-dir.js';

/**
 * What one gate phase asked of Keystone: the requests its tests' clients sent (the request log)
 * and the harness's independent read-backs, counted for this run only (a gate's phases append to
 * the same folders), and the rate over the phase's wall time. Keystone serves a few requests per
 * second on 2 cores, so requests ÷ rate is the figure that bounds a phase's time (issue #13).
 */
export interface PhaseTraffic { requests: number; readBacks: number; perSecond: number | null }

export function countPhaseTraffic(requests: readonly { runId?: string }[], readBacks: readonly { runId?: string }[], runId: string | undefined, wallSeconds: number): PhaseTraffic {
  const own = (rows: readonly { runId?: string }[]) => (runId ? rows.filter((r) => r.runId === runId).length : 0);
  const n = own(requests);
  const rb = own(readBacks);
  return { requests: n, readBacks: rb, perSecond: wallSeconds > 0 && n + rb > 0 ? Math.round(((n + rb) / wallSeconds) * 100) / 100 : null };
}

/** The same, read from reports/out/requests and reports/out/read-backs. */
export function readPhaseTraffic(outDir: string, runId: string | undefined, wallSeconds: number): PhaseTraffic {
  return countPhaseTraffic(readJsonlDir(join(outDir, 'requests')), readJsonlDir(join(outDir, 'read-backs')), runId, wallSeconds);
}

/** "9,876 requests + 4,321 read-backs, 5.3/s": one wording for the reporter's line and the merged verdict's. */
export function describeTraffic(t: PhaseTraffic): string {
  return `${t.requests.toLocaleString('en')} requests + ${t.readBacks.toLocaleString('en')} read-backs${t.perSecond !== null ? `, ${t.perSecond}/s` : ''}`;
}
