import type { HistoryEvent, OpEvent } from './history.js';
import type { KeystoneLogEvent } from './keystone-log.js';

/** One row of the retry-coverage matrix: what happened to one API operation under conflict. */
export interface RetryCoverageRow {
  op: string;
  requests: number;
  /** Requests with evidence of a database conflict in Keystone's log (retried or not). */
  conflictsProvoked: number;
  /** oslo.db "Performing DB retry" lines for these requests. */
  retries: number;
  /** Requests that were retried at least once and then succeeded. */
  retriedThenOk: number;
  /** 5xx, no response or a 4xx, with a database conflict logged for that request. */
  leaks: number;
  /**
   * Of the leaks, those answered with a 4xx: a serialization failure or deadlock turned into a
   * refusal (409 or other) instead of being retried. Counted as leaks: a refused write is not harmless.
   */
  conflictsAs4xx: number;
  /** 5xx or no response with no conflict in the log (another kind of server failure). */
  otherServerFailures: number;
  /** No answer within the client's timeout: an unknown outcome, reported apart from failures. */
  timeouts: number;
  maxRetriesOneRequest: number;
  /** Driver functions concerned: the ones retried and the ones a leak escaped from. */
  retriedFunctions: string[];
  leakingFunctions: string[];
  leakedRequestIds: string[];
}

const isTimeout = (e: OpEvent) => e.type === 'info' && e.status === undefined && /^timeout\b/.test(e.error ?? '');
const isServerFailure = (e: OpEvent) => e.type !== 'ok' && ((e.status ?? 0) >= 500 || (e.status === undefined && e.type === 'info' && !isTimeout(e)));
const isClientError = (e: OpEvent) => e.type !== 'ok' && e.status !== undefined && e.status >= 400 && e.status < 500;
/** Conflicts a retry would resolve; a duplicate entry is the legitimate cause of a same-name loser's 409. */
const RETRYABLE_CONFLICTS = new Set(['serialization-failure', 'deadlock', 'restart-transaction']);

/**
 * Joins the client's history (request ids, outcomes) with Keystone's log (by the global request
 * id we sent) into per-operation rows.
 */
export function correlateRetries(history: readonly HistoryEvent[], log: readonly KeystoneLogEvent[]): RetryCoverageRow[] {
  const byRequest = new Map<string, KeystoneLogEvent[]>();
  for (const e of log) if (e.globalRequestId) (byRequest.get(e.globalRequestId) ?? byRequest.set(e.globalRequestId, []).get(e.globalRequestId)!).push(e);
  const rows = new Map<string, RetryCoverageRow>();
  const row = (op: string) => rows.get(op) ?? rows.set(op, {
    op, requests: 0, conflictsProvoked: 0, retries: 0, retriedThenOk: 0, leaks: 0, conflictsAs4xx: 0, otherServerFailures: 0, timeouts: 0, maxRetriesOneRequest: 0,
    retriedFunctions: [], leakingFunctions: [], leakedRequestIds: [],
  }).get(op)!;
  for (const e of history) {
    if (e.type === 'invoke' || e.type === 'fault-start' || e.type === 'fault-end') continue;
    const op = e as OpEvent;
    const r = row(op.op);
    r.requests++;
    const evidence = op.requestId ? byRequest.get(op.requestId) ?? [] : [];
    const retries = evidence.filter((x) => x.kind === 'retry');
    const conflict = evidence.some((x) => x.conflict) || retries.length > 0;
    if (conflict) r.conflictsProvoked++;
    r.retries += retries.length;
    r.maxRetriesOneRequest = Math.max(r.maxRetriesOneRequest, retries.length);
    for (const x of retries) if (x.function && !r.retriedFunctions.includes(x.function)) r.retriedFunctions.push(x.function);
    if (retries.length && op.type === 'ok') r.retriedThenOk++;
    if (isTimeout(op)) r.timeouts++;
    if (isServerFailure(op)) {
      if (evidence.some((x) => x.conflict)) {
        r.leaks++;
        r.leakedRequestIds.push(op.requestId ?? '?');
        for (const x of evidence) if (x.kind === 'unhandled' && x.function && !r.leakingFunctions.includes(x.function)) r.leakingFunctions.push(x.function);
      } else r.otherServerFailures++;
    } else if (isClientError(op) && evidence.some((x) => x.conflict && RETRYABLE_CONFLICTS.has(x.conflict))) {
      r.leaks++;
      r.conflictsAs4xx++;
      r.leakedRequestIds.push(op.requestId ?? '?');
      for (const x of evidence) if (x.function && x.kind !== 'retry' && !r.leakingFunctions.includes(x.function)) r.leakingFunctions.push(x.function);
    }
  }
  return [...rows.values()];
}

/** The sentence the gate prints for a leaking operation. */
export function describeLeak(r: RetryCoverageRow): string {
  const as4xx = r.conflictsAs4xx ? ` (${r.conflictsAs4xx} of them as a 4xx refusal)` : '';
  return `${r.op}: ${r.conflictsProvoked} conflicts provoked, ${r.retriedThenOk} retried to success, ${r.leaks} leaked as HTTP 500/no response/4xx${as4xx}` +
    (r.leakingFunctions.length ? ` (driver function ${r.leakingFunctions.join(', ')})` : '');
}
