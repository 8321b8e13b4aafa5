import type { InjectedConflict } from '../cluster/conflict-injection/injection-settings.js';
import type { Operation } from '../coverage/operations.js';
import { OperationMatcher } from '../coverage/path-template.js';
import type { KeystoneLogEvent } from './keystone-log.js';

/** One request as the client's request log recorded it (fixtures/test.ts), with its time window. */
export interface TimedRequest {
  method: string;
  path: string;
  /** null: no response (dropped connection, timeout). */
  status: number | null;
  outcome?: string;
  requestId: string;
  /** ms since epoch when the request was sent, and how long until its answer (or its failure). */
  startedAt: number;
  durationMs: number;
  baseUrl?: string;
  testTitle?: string;
}

/** Per API operation: what the injected conflicts did to it. */
export interface InjectionMatrixRow {
  operation: string;
  method: string;
  path: string;
  write: boolean;
  requests: number;
  /** Conflicts the database injected into this operation's transactions. */
  conflictsInjected: number;
  /** Requests that met at least one injected conflict. */
  requestsInjected: number;
  /** oslo.db "Performing DB retry" lines of this operation's requests. */
  retries: number;
  /** Injected requests answered with success (the retry worked). */
  retriedThenOk: number;
  /** Injected requests answered with a 5xx or no response. */
  leaks: number;
  /** Injected requests answered with a 4xx without the conflict being retried: a conflict turned into a refusal is a leak too. */
  leaksAs4xx: number;
  /** Injected requests retried as often as injected, then refused or failed for another reason (not the conflict's doing). */
  failedAfterRetry: number;
  /** Requests whose Keystone log shows a conflict no injection accounts for (a real one). */
  conflictsProvoked: number;
  retriedFunctions: string[];
  leakingFunctions: string[];
  leakedRequestIds: string[];
}

export interface InjectionMatrix {
  injections: number;
  /** Injections tied to exactly one request (or to requests of one operation). */
  attributed: number;
  /** Injections inside no recorded request's window (the harness's own set-up, or a lost request log). */
  outsideRequests: number;
  /** Injections whose window held requests of several operations, none of which showed evidence. */
  ambiguous: number;
  rows: InjectionMatrixRow[];
  /** api-ref write operations (POST/PUT/PATCH/DELETE): how many met an injected conflict. */
  writes: { total: number; injected: number; reachedNotInjected: string[]; notReached: string[] };
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// A few ms either side: the database and the client read one kernel clock, but round differently.
const SLACK_MS = 20;

/**
 * Ties every injected conflict to the request whose transaction it hit, and sums per operation.
 * The database knows the time and the row, the client knows each request's window, Keystone's log
 * knows which requests retried or died of a conflict: an injection goes to the request whose
 * window holds it; when windows overlap (several workers), to the one whose log shows evidence
 * not yet accounted for. With one worker every attribution is exact.
 */
export function buildInjectionMatrix(
  requests: readonly TimedRequest[], log: readonly KeystoneLogEvent[], injections: readonly InjectedConflict[],
  operations: readonly Operation[], opts: { baseUrlOfNode?: Record<string, string> } = {},
): InjectionMatrix {
  const matcher = new OperationMatcher(operations);
  const evidence = new Map<string, KeystoneLogEvent[]>();
  for (const e of log) if (e.globalRequestId) (evidence.get(e.globalRequestId) ?? evidence.set(e.globalRequestId, []).get(e.globalRequestId)!).push(e);
  const opOf = (r: TimedRequest) => {
    const m = matcher.match(r.method, r.path);
    return m ? { id: `${m.operation.method} ${m.operation.path}`, method: m.operation.method, path: m.operation.path } : { id: `${r.method} (unmatched) ${r.path.split('?')[0]}`, method: r.method, path: r.path };
  };
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt);
  // Evidence each request can absorb: its retries, plus the conflict it died of.
  const budget = new Map<string, number>();
  for (const r of sorted) {
    const ev = evidence.get(r.requestId) ?? [];
    budget.set(r.requestId, ev.filter((e) => e.kind === 'retry').length + (ev.some((e) => e.kind !== 'retry' && e.conflict) ? 1 : 0));
  }
  const injectedInto = new Map<string, number>();
  let attributed = 0, outsideRequests = 0, ambiguous = 0;
  for (const inj of [...injections].sort((a, b) => a.at - b.at)) {
    const url = opts.baseUrlOfNode?.[inj.node];
    const candidates = sorted.filter((r) => r.startedAt - SLACK_MS <= inj.at && inj.at <= r.startedAt + r.durationMs + SLACK_MS && (!url || !r.baseUrl || r.baseUrl === url));
    if (!candidates.length) { outsideRequests++; continue; }
    const withBudget = candidates.filter((r) => (budget.get(r.requestId) ?? 0) > 0);
    let pick: TimedRequest | undefined;
    if (candidates.length === 1) pick = candidates[0];
    else if (withBudget.length) pick = withBudget[0];
    else if (new Set(candidates.map((c) => opOf(c).id)).size === 1) pick = candidates[0];
    if (!pick) { ambiguous++; continue; }
    attributed++;
    budget.set(pick.requestId, Math.max(0, (budget.get(pick.requestId) ?? 0) - 1));
    injectedInto.set(pick.requestId, (injectedInto.get(pick.requestId) ?? 0) + 1);
  }

  const rows = new Map<string, InjectionMatrixRow>();
  for (const r of sorted) {
    const op = opOf(r);
    const row = rows.get(op.id) ?? rows.set(op.id, {
      operation: op.id, method: op.method, path: op.path, write: WRITE.has(op.method), requests: 0, conflictsInjected: 0, requestsInjected: 0,
      retries: 0, retriedThenOk: 0, leaks: 0, leaksAs4xx: 0, failedAfterRetry: 0, conflictsProvoked: 0, retriedFunctions: [], leakingFunctions: [], leakedRequestIds: [],
    }).get(op.id)!;
    row.requests++;
    const ev = evidence.get(r.requestId) ?? [];
    const retries = ev.filter((e) => e.kind === 'retry');
    row.retries += retries.length;
    for (const e of retries) if (e.function && !row.retriedFunctions.includes(e.function)) row.retriedFunctions.push(e.function);
    const injected = injectedInto.get(r.requestId) ?? 0;
    const died = ev.some((e) => e.kind !== 'retry' && e.conflict);
    if (!injected) {
      if (retries.length || died) row.conflictsProvoked++;
      continue;
    }
    row.conflictsInjected += injected;
    row.requestsInjected++;
    if (r.status !== null && r.status < 400) { row.retriedThenOk++; continue; }
    // A failed answer is the conflict's doing when a conflict went unretried or killed the request.
    // A request retried as often as it was injected and then refused for its own reason (a
    // duplicate name: 409, a wrong password: 401) or killed by another error is not a leak.
    if (retries.length >= injected && !died) { row.failedAfterRetry++; continue; }
    if (r.status !== null && r.status < 500) row.leaksAs4xx++;
    else row.leaks++;
    row.leakedRequestIds.push(r.requestId);
    for (const e of ev) if (e.kind === 'unhandled' && e.function && !row.leakingFunctions.includes(e.function)) row.leakingFunctions.push(e.function);
  }
  const writeOps = operations.filter((o) => !o.extra && WRITE.has(o.method)).map((o) => `${o.method} ${o.path}`);
  const reached = new Set([...rows.values()].map((r) => r.operation));
  const injectedOps = new Set([...rows.values()].filter((r) => r.conflictsInjected > 0).map((r) => r.operation));
  return {
    injections: injections.length, attributed, outsideRequests, ambiguous,
    rows: [...rows.values()].sort((a, b) => (b.leaks + b.leaksAs4xx) - (a.leaks + a.leaksAs4xx) || a.operation.localeCompare(b.operation)),
    writes: {
      total: writeOps.length,
      injected: writeOps.filter((o) => injectedOps.has(o)).length,
      reachedNotInjected: writeOps.filter((o) => reached.has(o) && !injectedOps.has(o)),
      notReached: writeOps.filter((o) => !reached.has(o)),
    },
  };
}

/** The sentence the gate prints for an operation that leaked an injected conflict. */
export function describeInjectedLeak(r: InjectionMatrixRow): string {
  return `${r.operation}: ${r.conflictsInjected} conflicts injected, ${r.retriedThenOk} retried to success, ${r.leaks} leaked as HTTP 5xx/no response` +
    (r.leaksAs4xx ? `, ${r.leaksAs4xx} as a 4xx refusal` : '') + (r.leakingFunctions.length ? ` (driver function ${r.leakingFunctions.join(', ')})` : '');
}
