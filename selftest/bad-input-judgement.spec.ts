import { expect, test } from '@playwright/test';
import { judgeBadInput, judgeBadInputMatrix, judgeBoundary, judgePositiveControl, type BadInputAnswer } from '../lib/conformance/bad-input-judgement.js';
import { boundaryGroups, boundaryValue, SCHEMA_LIMITS, limitsFor } from '../lib/conformance/schema-limits.js';
import { OPERATIONS } from '../lib/coverage/operations.js';

const err = (status: number, code = status): BadInputAnswer => ({ status, body: { error: { code, title: 'Bad Request', message: 'Invalid input for field' } } });

test('a malformed body passes only with 400 and Keystone\'s error body whose code is 400', () => {
  expect(judgeBadInput('body', err(400))).toMatchObject({ ok: true });
  // A route that answers a malformed body with a conflict, a forbidden or a not-found fails.
  expect(judgeBadInput('body', err(409))).toMatchObject({ ok: false, observed: '4xx-wrong-status' });
  expect(judgeBadInput('body', err(403))).toMatchObject({ ok: false, observed: '4xx-wrong-status' });
  expect(judgeBadInput('body', err(404))).toMatchObject({ ok: false, observed: '4xx-wrong-status' });
  expect(judgeBadInput('body', err(401))).toMatchObject({ ok: false, observed: '4xx-wrong-status' });
  // A 400 whose body says 404, a 400 without the body, a body missing title/message.
  expect(judgeBadInput('body', err(400, 404))).toMatchObject({ ok: false, observed: '4xx-without-error-body' });
  expect(judgeBadInput('body', err(400, 404)).reason).toMatch(/error.code 404 disagrees with HTTP 400/);
  expect(judgeBadInput('body', { status: 400, body: '<html>Bad Request</html>' })).toMatchObject({ ok: false, observed: '4xx-without-error-body' });
  expect(judgeBadInput('body', { status: 400, body: { error: { code: 400 } } })).toMatchObject({ ok: false, observed: '4xx-without-error-body' });
  expect(judgeBadInput('body', { status: 400, body: { error: { code: '400', title: 't', message: 'm' } } }).ok).toBe(false);
  // Accepted, server error, no answer, redirect.
  expect(judgeBadInput('body', { status: 201, body: { project: {} } })).toMatchObject({ ok: false, observed: '2xx' });
  expect(judgeBadInput('body', err(500))).toMatchObject({ ok: false, observed: '5xx' });
  expect(judgeBadInput('body', { status: 'no-response' })).toMatchObject({ ok: false, observed: 'no-response' });
  expect(judgeBadInput('body', { status: 'timeout' })).toMatchObject({ ok: false, observed: 'timeout' });
  expect(judgeBadInput('body', { status: 302, body: null })).toMatchObject({ ok: false, observed: '3xx' });
});

test('401 passes only on authentication bodies, 404 only on path ids, 413 only when oversize on purpose', () => {
  expect(judgeBadInput('auth-body', err(401)).ok).toBe(true);
  expect(judgeBadInput('auth-body', err(400)).ok).toBe(true);
  expect(judgeBadInput('auth-body', err(404)).ok).toBe(false);
  expect(judgeBadInput('auth-body', err(401, 400)).ok).toBe(false);
  expect(judgeBadInput('path-id', err(404)).ok).toBe(true);
  expect(judgeBadInput('path-id', err(400)).ok).toBe(true);
  expect(judgeBadInput('path-id', err(401)).ok).toBe(false);
  expect(judgeBadInput('path-id', err(409)).ok).toBe(false);
  // werkzeug's own 404 page is right only when the path matches no route.
  expect(judgeBadInput('path-id', { status: 404, body: '<html>Not Found</html>' }).ok).toBe(false);
  expect(judgeBadInput('path-id', { status: 404, body: '<html>Not Found</html>' }, { unrouted: true }).ok).toBe(true);
  expect(judgeBadInput('body', { status: 404, body: '<html>Not Found</html>' }, { unrouted: true }).ok).toBe(true);
  expect(judgeBadInput('auth-path-id', err(401)).ok && judgeBadInput('auth-path-id', err(404)).ok).toBe(true);
  expect(judgeBadInput('body', { status: 413, body: 'Request is too large.' }).ok).toBe(false);
  expect(judgeBadInput('body', { status: 413, body: 'Request is too large.' }, { oversize: true }).ok).toBe(true);
});

test('a matrix whose positive control was refused fails, even when every shape got a perfect 400', () => {
  // Recorded from a route that refuses everything: the valid body gets the same 400 as the shapes.
  const refusesAll = ['not-json', 'null-body', 'missing-required', 'wrong-type', 'too-long'].map((shape) => ({ shape, verdict: judgeBadInput('body', err(400)) }));
  const control = judgePositiveControl(err(400));
  expect(control.ok).toBe(false);
  const m = judgeBadInputMatrix(control, refusesAll);
  expect(m.ok).toBe(false);
  expect(m.reason).toMatch(/positive control failed: the valid body was refused \(HTTP 400/);
  expect(judgeBadInputMatrix(undefined, refusesAll).ok).toBe(false);
  expect(judgeBadInputMatrix(judgePositiveControl({ status: 'no-response' }), refusesAll).ok).toBe(false);
  // The same shapes behind an accepted control pass; one wrong shape fails the matrix.
  const accepted = judgePositiveControl({ status: 201, body: { project: { id: 'x' } } });
  expect(judgeBadInputMatrix(accepted, refusesAll)).toMatchObject({ ok: true });
  expect(judgeBadInputMatrix(accepted, [...refusesAll, { shape: 'array-instead-of-object', verdict: judgeBadInput('body', err(409)) }]).ok).toBe(false);
  expect(judgeBadInputMatrix(accepted, []).ok).toBe(false);
});

test('a boundary probe needs the limit accepted and read back unchanged, and one past it refused with 400', () => {
  const v64 = 'x'.repeat(64);
  const ok201 = { status: 201, body: {} };
  const good = judgeBoundary({ answer: ok201, readBack: { status: 200, value: v64 }, sent: v64 }, err(400));
  expect(good.atLimit.ok && good.pastLimit.ok).toBe(true);
  // Refused at the limit (the schema is stricter than documented).
  expect(judgeBoundary({ answer: err(400), sent: v64 }, err(400)).atLimit).toMatchObject({ ok: false, observed: '4xx-wrong-status' });
  // Accepted but stored truncated, or not readable.
  expect(judgeBoundary({ answer: ok201, readBack: { status: 200, value: v64.slice(0, 60) }, sent: v64 }, err(400)).atLimit).toMatchObject({ ok: false, observed: 'wrong-value' });
  expect(judgeBoundary({ answer: ok201, readBack: { status: 404, value: undefined }, sent: v64 }, err(400)).atLimit.ok).toBe(false);
  expect(judgeBoundary({ answer: ok201, sent: v64 }, err(400)).atLimit.ok).toBe(false);
  // A set (tags) may come back in another order, but not with a member lost.
  expect(judgeBoundary({ answer: ok201, readBack: { status: 200, value: ['b', 'a'] }, sent: ['a', 'b'], unordered: true }, err(400)).atLimit.ok).toBe(true);
  expect(judgeBoundary({ answer: ok201, readBack: { status: 200, value: ['b', 'a'] }, sent: ['a', 'b'] }, err(400)).atLimit.ok).toBe(false);
  expect(judgeBoundary({ answer: ok201, readBack: { status: 200, value: ['a'] }, sent: ['a', 'b'], unordered: true }, err(400)).atLimit.ok).toBe(false);
  // One past the limit accepted (no limit enforced), or refused with a 500 from the database.
  expect(judgeBoundary({ answer: ok201, readBack: { status: 200, value: v64 }, sent: v64 }, ok201).pastLimit).toMatchObject({ ok: false, observed: '2xx' });
  expect(judgeBoundary({ answer: ok201, readBack: { status: 200, value: v64 }, sent: v64 }, { status: 'no-response' }).pastLimit.ok).toBe(false);
});

test('the schema-limits table: every entry cites Zed\'s source, probes are exactly at and one past the limit', () => {
  expect(SCHEMA_LIMITS.length).toBeGreaterThan(10);
  for (const l of SCHEMA_LIMITS) {
    expect(l.source, `${l.routes.join(', ')} ${l.field}`).toMatch(/^keystone\/[a-z_/]+\.py/);
    expect(l.max).toBeGreaterThan(0);
    for (const r of l.routes) {
      expect(r).toMatch(/^(POST|PUT|PATCH) \/v3\//);
      // Keyed like the api-ref's operations table, so a typo cannot leave a route without its probes.
      expect(OPERATIONS.some((o) => `${o.method} ${o.path}` === r || (o.aliases ?? []).some((a) => `${o.method} ${a}` === r)), `${r} is an api-ref write`).toBe(true);
    }
  }
  const projectName = limitsFor('POST', '/v3/projects').find((l) => l.field === 'name')!;
  expect(projectName.max).toBe(64);
  const at = boundaryValue(projectName, 'ksbi-project-abc', 0) as string;
  const past = boundaryValue(projectName, 'ksbi-project-abc', 1) as string;
  expect([at.length, past.length]).toEqual([64, 65]);
  expect(at.startsWith('ksbi-project-abc')).toBe(true);
  const tags = limitsFor('PATCH', '/v3/projects/{project_id}').find((l) => l.field === 'tags' && l.unit === 'items')!;
  expect([(boundaryValue(tags, 'g', 0) as string[]).length, (boundaryValue(tags, 'g', 1) as string[]).length]).toEqual([80, 81]);
  expect(new Set(boundaryValue(tags, 'g', 0) as string[]).size).toBe(80);
  const tagLen = limitsFor('PATCH', '/v3/projects/{project_id}').find((l) => l.field === 'tags' && l.unit === 'item-chars')!;
  expect((boundaryValue(tagLen, 'g', 1) as string[])[0]!.length).toBe(256);
  expect(limitsFor('DELETE', '/v3/projects/{project_id}')).toEqual([]);
  // One write per group of distinct fields: name and tags together, the tag count apart.
  const groups = boundaryGroups(limitsFor('PATCH', '/v3/projects/{project_id}'));
  expect(groups.map((g) => g.map((l) => `${l.field}:${l.unit}`))).toEqual([['name:chars', 'tags:item-chars'], ['tags:items']]);
  expect(boundaryGroups([])).toEqual([]);
});

test('a check may narrow the statuses; one beyond the route\'s set needs the api-ref statement that allows it', () => {
  expect(judgeBadInput('auth-body', err(400), { only: [401] }).ok).toBe(false);
  expect(judgeBadInput('auth-body', err(401), { only: [401] }).ok).toBe(true);
  expect(() => judgeBadInput('auth-body', err(404), { only: [404] })).toThrow(/name the api-ref statement/);
  expect(judgeBadInput('auth-body', err(404), { only: [404], apiRef: 'OS-OAUTH1 request token: 404 Not Found' }).ok).toBe(true);
  expect(judgeBadInput('auth-body', err(409), { only: [404], apiRef: 'x' }).ok).toBe(false);
});
