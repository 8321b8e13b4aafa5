import { expect, type TestInfo } from '@playwright/test';
import { containerLog } from '../cluster/logs.js';
import { keystoneContainerIds, type ClusterInfo } from '../cluster/cluster-info.js';
import { KeystoneTransportError } from '../keystone/errors.js';
import type { KsResponse } from '../keystone/http.js';
import { maskBody, maskText } from '../keystone/mask.js';
import { judgeBadInput, type BadInputAnswer, type BadInputOptions, type BadInputRoute } from './bad-input-judgement.js';
import { activeKnownDefects, describeDefect, judgeCheck, KNOWN_DEFECT_ANNOTATION, testIdOf, type DefectOutcome } from './known-defects.js';

/** Keystone log lines of one request (by the global request id we sent), for the failure report. */
export async function keystoneLogFor(cluster: ClusterInfo, requestId: string): Promise<string> {
  const ids = keystoneContainerIds(cluster);
  if (!ids.length) return '(external target: no Keystone log available)';
  const logs = await Promise.all(ids.map((id) => containerLog(id).catch(() => '')));
  const lines = logs.join('\n').split('\n');
  const hits: string[] = [];
  lines.forEach((l, i) => {
    if (l.includes(requestId)) hits.push(...lines.slice(i, i + (/ERROR|Traceback/.test(l) ? 40 : 1)));
  });
  return maskText(hits.join('\n') || '(no log line carries this request id)');
}

/** The judgement's view of what came back: a status and body, or the transport failure. */
export function answerOf(outcome: KsResponse | KeystoneTransportError): BadInputAnswer {
  if (!(outcome instanceof KeystoneTransportError)) return { status: outcome.status, body: outcome.body };
  return { status: outcome.kind === 'timeout' ? 'timeout' : 'no-response' };
}

/**
 * Asserts a malformed request got the answer bad-input-judgement.ts requires: 400 with Keystone's
 * error body whose code is the status, or the other 4xx the route kind allows (401 on
 * authentication bodies, 404 on path ids). A 5xx or a dropped connection is a failure of the
 * service under test: the test is categorised `bad-input-5xx` and the Keystone log lines for the
 * request id are attached. A check listed in the known-defects file is reported as a known defect
 * instead, and fails when Keystone no longer shows the defect (so the entry gets removed).
 */
export async function expectClientError(
  outcome: KsResponse | KeystoneTransportError,
  ctx: { testInfo: TestInfo; cluster: ClusterInfo; what: string },
  route: BadInputRoute = 'body',
  opts: BadInputOptions = {},
): Promise<void> {
  const verdict = judgeBadInput(route, answerOf(outcome), opts);
  const requestId = outcome.requestId;
  const described = outcome instanceof KeystoneTransportError
    ? `no HTTP response (${outcome.kind})`
    : `HTTP ${outcome.status}: ${maskBody(outcome.body).slice(0, 300)}`;
  const listed = judgeKnownDefect(verdict.ok, described, { ...ctx, expected: `${verdict.reason} (request ${requestId})` }, verdict.observed);
  if (listed.kind === 'stale') throw new Error(listed.message);
  if (verdict.ok || listed.kind === 'known') return;
  if (outcome instanceof KeystoneTransportError || outcome.status >= 500) {
    ctx.testInfo.annotations.push({ type: 'gate-category', description: 'bad-input-5xx' });
    await ctx.testInfo.attach(`keystone log for ${requestId}`, { body: await keystoneLogFor(ctx.cluster, requestId), contentType: 'text/plain' });
  }
  throw new Error(`${ctx.what}: ${maskText(verdict.reason)} (request ${requestId})`);
}

/**
 * The outcome class of a failed check (known-defects.ts DEFECT_OUTCOMES) from what came back:
 * a status, or the kind of transport failure. A 4xx reaching here is the wrong one, unless it
 * lacks Keystone's error body.
 */
export function outcomeClass(got: number | KeystoneTransportError['kind'], hasErrorBody = true): DefectOutcome {
  if (got === 'timeout') return 'timeout';
  if (typeof got === 'string') return 'no-response';
  if (got >= 500) return '5xx';
  if (got >= 400) return hasErrorBody ? '4xx-wrong-status' : '4xx-without-error-body';
  return got >= 300 ? '3xx' : '2xx';
}

/** Runs a request and returns the response or the transport error, so both can be judged. */
export async function outcomeOf(p: Promise<KsResponse>): Promise<KsResponse | KeystoneTransportError> {
  try { return await p; } catch (e) { if (e instanceof KeystoneTransportError) return e; throw e; }
}

/**
 * The known-defects side of one check. Unlisted checks are the caller's to judge. A listed
 * check that fails is annotated as a known defect; a listed check that passes is stale and
 * carries the message asking for the entry's removal.
 */
function judgeKnownDefect(
  ok: boolean, got: string, ctx: { testInfo: TestInfo; what: string; expected: string }, observed: DefectOutcome,
): { kind: 'unlisted' } | { kind: 'known' } | { kind: 'stale'; message: string } {
  const { file, defects } = activeKnownDefects();
  const j = judgeCheck(defects, testIdOf(ctx.testInfo), ctx.what, ok, observed);
  if (j.kind === 'unlisted') return j;
  const known = j.defect;
  if (j.kind === 'stale') return { kind: 'stale', message: `${ctx.what}: listed in ${file} as a known defect (${known.defect}), but Keystone now gives ${ctx.expected}: remove the entry` };
  // The entry names one behaviour: failing another way is a different defect, not this one.
  if (j.kind === 'other-outcome') return { kind: 'stale', message: `${ctx.what}: listed in ${file} as a known defect with outcome ${known.outcome} (${known.defect}), but Keystone now fails it as ${observed}: got ${got}` };
  ctx.testInfo.annotations.push({ type: KNOWN_DEFECT_ANNOTATION, description: `${ctx.what}: got ${got.slice(0, 120)}; ${describeDefect(known)}` });
  return { kind: 'known' };
}

/**
 * Soft check that honours the known-defects list: a listed failure is annotated as a known
 * defect, a listed check that now passes fails softly (remove the entry), anything else is an
 * ordinary soft expectation.
 */
export function expectOrKnownDefect(ok: boolean, got: string, ctx: { testInfo: TestInfo; what: string; expected: string }, observed: DefectOutcome = 'wrong-value'): void {
  const listed = judgeKnownDefect(ok, got, ctx, observed);
  if (listed.kind === 'unlisted') expect.soft(ok, `${ctx.what}: expected ${ctx.expected}, got ${got}`).toBe(true);
  else if (listed.kind === 'stale') expect.soft(ok, listed.message).toBe(false);
}

/** `actual` is a status, or the description of a request that got no HTTP answer. */
export function expectStatusOrKnownDefect(actual: number | string, expected: number, ctx: { testInfo: TestInfo; what: string }): void {
  const observed = typeof actual === 'number' ? outcomeClass(actual) : outcomeClass(/timeout/.test(actual) ? 'timeout' : 'no-response');
  expectOrKnownDefect(actual === expected, String(actual), { ...ctx, expected: String(expected) }, observed);
}
