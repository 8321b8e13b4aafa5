import type { FailureCategory } from '../../reports/verdict.js';
import type { KeystoneLogEvent } from './keystone-log.js';

/**
 * A concurrency test can fail before its storm is judged: a setup or cleanup call of the admin
 * (create the hot row, the group, the domain) answered with a status it did not require, or not at
 * all. Judged as a broken invariant by default, that named the wrong thing: under conflict
 * injection, stock Keystone fails right there, and the failure is a leaked conflict of that
 * operation. This names it from the request id the client error carries and Keystone's own log.
 */
export interface SetupFailure {
  category: FailureCategory;
  /** The operation and what happened to it, for the report (no body: the message has it, masked). */
  description: string;
  requestId: string;
}

// The client's errors (lib/keystone/errors.ts): "<METHOD> <path>: HTTP <status>, expected ... (request <id>)"
// and "<METHOD> <path>: <what> after <n> ms (request <id>)", as Playwright reports them ("Error: ..." or bare),
// alone or as the first failure of the factory's cleanup ("cleanup failed: domain <id>: <error>").
const STATUS = /(?:^(?:\w*Error: )?|^(?:\w*Error: )?cleanup failed: .*?: )(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+): HTTP (\d{3}), expected [^(]*\(request (req-[0-9a-f-]{36})\)/m;
const TRANSPORT = /(?:^(?:\w*Error: )?|^(?:\w*Error: )?cleanup failed: .*?: )(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+): (connection closed with no response|no response within the timeout|could not connect) after \d+ ms \(request (req-[0-9a-f-]{36})\)/m;

/**
 * Classifies a failed test's first error by the call that raised it, or undefined when the error
 * is not a Keystone call's (an assertion, a checker: the test's own category stands).
 * - the request id is tied to a database conflict in Keystone's log (whatever its status: a 5xx, a
 *   4xx a sloppy retry patch answers, or none): `leaked-conflict`;
 * - otherwise a 5xx, no response or a timeout: `availability` (Keystone failed a plain call);
 * - otherwise a 4xx (or a refused connection): `harness` (the suite's own call was refused).
 */
export function classifySetupFailure(message: string, log: readonly KeystoneLogEvent[]): SetupFailure | undefined {
  const s = STATUS.exec(message);
  const t = s ? undefined : TRANSPORT.exec(message);
  if (!s && !t) return undefined;
  const [method, path, requestId] = s ? [s[1]!, s[2]!, s[4]!] : [t![1]!, t![2]!, t![4]!];
  const what = s ? `HTTP ${s[3]}` : t![3]!;
  const conflict = log.find((e) => e.globalRequestId === requestId && e.conflict && e.kind !== 'retry');
  if (conflict) {
    const where = conflict.function ? ` in ${conflict.function}` : '';
    return { category: 'leaked-conflict', requestId, description: `${method} ${path}: ${what}, and Keystone's log ties a ${conflict.conflict}${where} to request ${requestId} (not retried to success)` };
  }
  const unavailable = s ? Number(s[3]) >= 500 : t![3] !== 'could not connect';
  return unavailable
    ? { category: 'availability', requestId, description: `${method} ${path}: ${what} (request ${requestId}), no database conflict logged for it` }
    : { category: 'harness', requestId, description: `${method} ${path}: ${what} (request ${requestId}): the suite's own call was refused` };
}
