/**
 * How the answer to one malformed request is judged (issue #11, "Bad input"). Pure: it sees only
 * what came back, so every rule can be shown failing in selftest/bad-input-judgement.spec.ts.
 *
 * The rule: a validation failure is `400` with Keystone's error body
 * `{"error": {"code": 400, "title": "...", "message": "..."}}` whose `code` equals the status.
 * A different 4xx passes only where the api-ref says so:
 *   - 401 on authentication bodies (`/v3/auth/*`, the federated and OAuth flows that authenticate):
 *     the api-ref lists 401 for a body that names no valid identity;
 *   - 404 on unknown or malformed ids in the path (the api-ref's 404 on every `{id}` route);
 *   - 413 on a body over `[oslo_middleware] max_request_body_size` (114688 bytes by default), only
 *     for a request that is oversize on purpose: oslo.middleware's sizelimit, first in Zed's
 *     keystone/server/flask/core.py _APP_MIDDLEWARE, answers it with webob's page before Keystone's
 *     code runs, so that 413 carries no Keystone error body.
 * A 2xx (the bad input accepted), a 3xx, a 5xx, no answer, a 409/403 or any other 4xx, a 4xx
 * without Keystone's error body, or a body whose code disagrees with the status all fail.
 */
import type { DefectOutcome } from './known-defects.js';

/** Where the malformed input goes, which decides the 4xx besides 400 the api-ref allows. */
export type BadInputRoute =
  /** An ordinary write body: 400 only. */
  | 'body'
  /** An authentication body or header: 400, or 401. */
  | 'auth-body'
  /** A malformed or unknown id in the path: 400, or 404. */
  | 'path-id'
  /** A malformed id in the path of an authentication route: 400, 401 or 404. */
  | 'auth-path-id';

/** What came back for one request: a status and body, or no HTTP answer at all. */
export type BadInputAnswer =
  | { status: number; body: unknown }
  | { status: 'no-response' | 'timeout'; body?: undefined };

export interface BadInputVerdict {
  ok: boolean;
  /** One line: what was required and what came back. */
  reason: string;
  /** The failure's class for the known-defects list (meaningless when ok). */
  observed: DefectOutcome;
}

export interface BadInputOptions {
  /** The request was built over the body-size limit on purpose: 413 is then a right answer. */
  oversize?: boolean;
  /**
   * The path no longer matches any route (an encoded slash splits the id): werkzeug's router
   * answers its own 404 page, before Keystone's code, so a 404 without Keystone's body passes.
   */
  unrouted?: boolean;
  /**
   * Narrows the statuses to these (a check that knows which one is due: 401 for a wrong
   * signature). A status outside the route's own set is allowed only with `apiRef`, the api-ref
   * statement that documents it, so no exception is made silently.
   */
  only?: number[];
  apiRef?: string;
}

/** The statuses a route kind may answer a malformed request with. */
export function allowedStatuses(route: BadInputRoute, opts: BadInputOptions = {}): number[] {
  const s = [400];
  if (route === 'auth-body' || route === 'auth-path-id') s.push(401);
  if (route === 'path-id' || route === 'auth-path-id') s.push(404);
  if (opts.oversize) s.push(413);
  if (!opts.only) return s;
  const beyond = opts.only.filter((x) => !s.includes(x));
  if (beyond.length && !opts.apiRef?.trim()) {
    throw new Error(`bad-input rule: ${beyond.join('/')} is not a right answer for ${route}; name the api-ref statement that allows it (apiRef)`);
  }
  return opts.only;
}

/** Keystone's error body: `{error: {code, title, message}}`, code an integer, title and message strings. */
export function errorBodyProblem(body: unknown, status: number): string | undefined {
  const e = (body as { error?: unknown } | null | undefined)?.error;
  if (typeof e !== 'object' || e === null) return "no Keystone error body ({error: {code, title, message}})";
  const { code, title, message } = e as Record<string, unknown>;
  if (typeof code !== 'number' || !Number.isInteger(code)) return `error.code is ${JSON.stringify(code)}, not an integer`;
  if (typeof title !== 'string' || typeof message !== 'string') return 'error.title or error.message is not a string';
  if (code !== status) return `error.code ${code} disagrees with HTTP ${status}`;
  return undefined;
}

const short = (body: unknown): string => {
  const s = typeof body === 'string' ? body : JSON.stringify(body) ?? String(body);
  return s.length > 160 ? `${s.slice(0, 160)}...` : s;
};

/** Judges one answer to one malformed request. */
export function judgeBadInput(route: BadInputRoute, answer: BadInputAnswer, opts: BadInputOptions = {}): BadInputVerdict {
  const allowed = allowedStatuses(route, opts);
  const want = `${allowed.join('/')} with Keystone's error body (code = status)`;
  if (typeof answer.status !== 'number') {
    return { ok: false, observed: answer.status, reason: `expected ${want}, got no HTTP response (${answer.status})` };
  }
  const { status, body } = answer;
  const fail = (observed: DefectOutcome, why: string): BadInputVerdict => ({ ok: false, observed, reason: `expected ${want}, got HTTP ${status}${why}: ${short(body)}` });
  if (status >= 500) return fail('5xx', '');
  if (status < 300) return fail('2xx', ' (the bad input was accepted)');
  if (status < 400) return fail('3xx', '');
  if (status === 413 && opts.oversize) return { ok: true, observed: '4xx-wrong-status', reason: 'HTTP 413 from the body-size limit' };
  if (status === 404 && opts.unrouted) return { ok: true, observed: '4xx-wrong-status', reason: 'HTTP 404 from the router (no route matches the split path)' };
  if (!allowed.includes(status)) return fail('4xx-wrong-status', ` (only ${allowed.join('/')} is right for ${route === 'body' ? 'a malformed body' : `a ${route} input`})`);
  const problem = errorBodyProblem(body, status);
  if (problem) return fail('4xx-without-error-body', ` (${problem})`);
  return { ok: true, observed: '4xx-wrong-status', reason: `HTTP ${status} with Keystone's error body` };
}

/** The positive control: the valid body must be accepted (2xx), or the matrix proves nothing. */
export function judgePositiveControl(answer: BadInputAnswer): BadInputVerdict {
  if (typeof answer.status !== 'number') return { ok: false, observed: answer.status, reason: `the valid body got no HTTP response (${answer.status})` };
  if (answer.status >= 200 && answer.status < 300) return { ok: true, observed: '2xx', reason: `the valid body was accepted (HTTP ${answer.status})` };
  const observed: DefectOutcome = answer.status >= 500 ? '5xx' : answer.status >= 400 ? '4xx-wrong-status' : '3xx';
  return { ok: false, observed, reason: `the valid body was refused (HTTP ${answer.status}: ${short(answer.body)}): a route that refuses everything would pass every bad shape` };
}

/** One recorded row of a route's bad-input matrix. */
export interface MatrixRow { shape: string; verdict: BadInputVerdict }

/**
 * The matrix of one route: its positive control, then its shapes. It passes only when the control
 * was accepted and every shape passed; a refused control fails the matrix even if every shape got
 * a perfect 400, since a route that refuses everything gives exactly that.
 */
export function judgeBadInputMatrix(control: BadInputVerdict | undefined, rows: readonly MatrixRow[]): { ok: boolean; reason: string } {
  if (!control) return { ok: false, reason: 'no positive control was sent: the matrix cannot tell a validating route from one that refuses everything' };
  if (!control.ok) return { ok: false, reason: `positive control failed: ${control.reason}` };
  if (!rows.length) return { ok: false, reason: 'no bad input was sent' };
  const bad = rows.filter((r) => !r.verdict.ok);
  if (bad.length) return { ok: false, reason: `${bad.length}/${rows.length} shapes failed: ${bad.map((r) => `[${r.shape}] ${r.verdict.reason}`).join('; ')}` };
  return { ok: true, reason: `positive control accepted, ${rows.length} shapes refused as required` };
}

/** What the probe at a schema limit saw: the write's answer, the GET that read it back, the value sent. */
export interface AtLimitProbe {
  answer: BadInputAnswer;
  readBack?: { status: number; value: unknown } | undefined;
  sent: unknown;
  /** The value is a set (project tags come back sorted): compare the lists sorted. */
  unordered?: boolean;
}

/** The value at the limit: accepted (2xx) and read back unchanged. */
export function judgeAtLimit(at: AtLimitProbe): BadInputVerdict {
  const accepted = judgePositiveControl(at.answer);
  if (!accepted.ok) return { ...accepted, reason: accepted.reason.replace('the valid body', 'the value at the limit') };
  const rb = at.readBack;
  if (!rb) return { ok: false, observed: 'wrong-value', reason: 'accepted, but not read back' };
  if (rb.status !== 200) return { ok: false, observed: 'wrong-value', reason: `accepted, but the read-back GET answered HTTP ${rb.status}` };
  const norm = (v: unknown) => JSON.stringify(at.unordered && Array.isArray(v) ? [...v].map(String).sort() : v);
  if (norm(rb.value) !== norm(at.sent)) return { ok: false, observed: 'wrong-value', reason: `accepted, but read back ${short(rb.value)} instead of what was sent (${short(at.sent)})` };
  return { ok: true, observed: '2xx', reason: 'accepted and read back unchanged' };
}

/**
 * One boundary probe: the value at the schema's limit must be accepted and read back unchanged,
 * the value one past it refused as bad input (400).
 */
export function judgeBoundary(atLimit: AtLimitProbe, pastLimit: BadInputAnswer): { atLimit: BadInputVerdict; pastLimit: BadInputVerdict } {
  return { atLimit: judgeAtLimit(atLimit), pastLimit: judgeBadInput('body', pastLimit) };
}
