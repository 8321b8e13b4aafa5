/**
 * A history for the retry correlator (retry-coverage.ts) from the client's own request log: the
 * exchanges a KeystoneHttp observer records (lib/keystone/http.ts), one invoke and one completion
 * each, keyed by api-ref operation. For workloads that are not driven through the workload driver
 * (the load runner's KeystoneBasic scenarios), so their requests can be joined with Keystone's log
 * by request id all the same.
 */
import type { Exchange } from '../keystone/http.js';
import { API_REF_OPERATIONS } from '../coverage/operations.js';
import { OperationMatcher } from '../coverage/path-template.js';
import type { OpEvent, Outcome } from './history.js';

const matcher = new OperationMatcher(API_REF_OPERATIONS);

/** "POST /v3/users" for a create, whatever the ids in the path; the raw path when the api-ref has no such operation. */
export function operationKey(method: string, path: string): string {
  const m = matcher.match(method, path);
  return `${method.toUpperCase()} ${m ? m.template : path.split('?')[0]}`;
}

/**
 * 2xx/3xx: ok. 4xx: fail (a definite refusal). 5xx and a dropped connection: info (the write may
 * have happened). A client timeout: info with an error starting "timeout", which the correlator
 * counts apart. A refused connection: fail (nothing was sent).
 */
function outcomeOf(e: Pick<Exchange, 'status' | 'outcome'>): { type: Outcome; error?: string } {
  if (e.outcome === 'timeout') return { type: 'info', error: 'timeout: no answer within the client timeout' };
  if (e.outcome === 'no-response') return { type: 'info', error: 'no response: the connection closed without an answer' };
  if (e.outcome === 'connect') return { type: 'fail', error: 'connect: the connection was refused' };
  if (e.status === null) throw new RangeError(`exchange with outcome "${e.outcome}" and no status`);
  return { type: e.status < 400 ? 'ok' : e.status < 500 ? 'fail' : 'info' };
}

export function historyFromExchanges(exchanges: readonly Exchange[]): OpEvent[] {
  const events: OpEvent[] = [];
  exchanges.forEach((e, process) => {
    const start = Date.parse(e.startedAt);
    if (!Number.isFinite(start)) throw new RangeError(`exchange ${e.requestId}: startedAt "${e.startedAt}" is not a time`);
    const op = operationKey(e.method, e.path);
    events.push({ index: events.length, process, type: 'invoke', op, time: start, requestId: e.requestId });
    const { type, error } = outcomeOf(e);
    events.push({
      index: events.length, process, type, op, time: start + e.durationMs, requestId: e.requestId,
      ...(e.status === null ? {} : { status: e.status }), ...(error ? { error } : {}),
    });
  });
  return events;
}
