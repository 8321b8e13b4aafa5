import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  API_REF_COUNTS, API_REF_OPERATIONS, API_REF_TOTAL, OPERATIONS, countByConcern, operationById, type Operation,
} from '../lib/coverage/operations.js';
import { OperationMatcher, compileTemplate, compareSpecificity, normalizeRequestPath } from '../lib/coverage/path-template.js';
import { buildCoverageReport, renderCoverageHtml, writeCoverageReport, type ExercisedRequest } from '../lib/coverage/coverage-report.js';

test.describe('operations table', () => {
  test('has the 233 api-ref operations, per concern as the design counts them', () => {
    expect(API_REF_OPERATIONS).toHaveLength(API_REF_TOTAL);
    expect(Object.values(API_REF_COUNTS).reduce((a, b) => a + b, 0)).toBe(API_REF_TOTAL);
    expect(countByConcern()).toEqual({ ...API_REF_COUNTS });
  });

  test('ids are unique and method+path (aliases included) is unique', () => {
    const ids = OPERATIONS.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    const routes = OPERATIONS.flatMap((o) => [o.path, ...(o.aliases ?? [])].map((p) => `${o.method} ${p.replace(/\{[^}]+\}/g, '{}')}`));
    expect(new Set(routes).size).toBe(routes.length);
    expect(operationById('projects.update')).toMatchObject({ method: 'PATCH', path: '/v3/projects/{project_id}', concern: 'projects' });
  });

  test('every template is a /v3 template that compiles', () => {
    for (const op of OPERATIONS) {
      expect(op.path, op.id).toMatch(/^\/v3\/[^?#]+$/);
      expect(() => compileTemplate(op.path), op.id).not.toThrow();
      expect(op.summary.length, op.id).toBeGreaterThan(0);
    }
  });

  test('the routes the api-ref leaves out are flagged extra and not counted', () => {
    const extras = OPERATIONS.filter((o) => o.extra).map((o) => `${o.method} ${o.path}`);
    expect(extras).toEqual(expect.arrayContaining([
      'GET /v3/users/{user_id}/credentials/OS-EC2',
      'POST /v3/users/{user_id}/credentials/OS-EC2',
      'GET /v3/users/{user_id}/credentials/OS-EC2/{credential_id}',
      'DELETE /v3/users/{user_id}/credentials/OS-EC2/{credential_id}',
      'POST /v3/ec2tokens',
      'POST /v3/s3tokens',
    ]));
    expect(API_REF_OPERATIONS.some((o) => o.extra)).toBe(false);
  });

  test('HEAD is flagged on exactly the GETs without their own HEAD row', () => {
    const explicitHead = new Set(OPERATIONS.filter((o) => o.method === 'HEAD').map((o) => o.path));
    for (const op of OPERATIONS) {
      expect(Boolean(op.head), op.id).toBe(op.method === 'GET' && !explicitHead.has(op.path));
    }
    expect(operationById('auth.tokens.validate')?.head).toBeUndefined();
    expect(operationById('project-tags.check')?.head).toBe(true);
  });
});

test.describe('path matching', () => {
  const matcher = new OperationMatcher(OPERATIONS);
  const id = (method: string, path: string) => matcher.match(method, path)?.operation.id ?? null;

  test('maps recorded requests, with query, base path or full URL', () => {
    expect(matcher.match('GET', '/v3/projects/abc123/tags/foo?x=1')).toMatchObject({
      operation: { id: 'project-tags.check' }, params: { project_id: 'abc123', tag: 'foo' }, viaHead: false,
    });
    expect(id('PUT', '/identity/v3/projects/abc/tags')).toBe('project-tags.replace');
    expect(id('get', 'https://keystone.example:5000/identity/v3/auth/tokens?nocatalog')).toBe('auth.tokens.validate');
    expect(id('GET', '/v3/projects/')).toBe('projects.list');
    expect(id('PATCH', '/v3//projects/p1')).toBe('projects.update');
    expect(matcher.match('GET', '/v3/projects/p/tags/a%20b')?.params).toEqual({ project_id: 'p', tag: 'a b' });
    expect(id('POST', '/v3/OS-OAUTH2/token')).toBe('os-oauth2.token.create');
    expect(id('POST', '/identity/v3/OS-OAUTH2/token')).toBe('os-oauth2.token.create');
  });

  test('the most specific literal template wins', () => {
    expect(id('GET', '/v3/auth/tokens')).toBe('auth.tokens.validate');
    expect(id('GET', '/v3/auth/tokens/OS-PKI/revoked')).toBe('os-pki.revoked.list');
    expect(id('GET', '/v3/roles/r1/implies/r2')).toBe('implied-roles.get');
    expect(id('GET', '/v3/roles/r1/implies')).toBe('implied-roles.list');
    expect(id('GET', '/v3/roles/implies')).toBe('roles.get');
    expect(id('GET', '/v3/role_inferences')).toBe('implied-roles.list-all');
    expect(id('GET', '/v3/domains/config/default')).toBe('domain-configs.default.get');
    expect(id('GET', '/v3/domains/config/ldap/default')).toBe('domain-configs.default-group.get');
    expect(id('GET', '/v3/domains/d1/config/ldap')).toBe('domain-configs.group.get');
    // Fits both /v3/domains/config/{group}/{option}/default and /v3/domains/{domain_id}/config/{group}/{option}.
    expect(id('GET', '/v3/domains/config/config/url/default')).toBe('domain-configs.default-option.get');
    expect(id('GET', '/v3/domains/d1/config/ldap/url')).toBe('domain-configs.option.get');
    expect(id('GET', '/v3/OS-INHERIT/domains/d/users/u/roles/inherited_to_projects')).toBe('os-inherit.domain-user.list');
    expect(id('PUT', '/v3/OS-INHERIT/domains/d/users/u/roles/r/inherited_to_projects')).toBe('os-inherit.domain-user.grant');
    expect(id('GET', '/v3/users/u1/credentials/OS-EC2')).toBe('credentials.ec2.list');
    expect(id('GET', '/v3/users/u1/application_credentials/a1')).toBe('application-credentials.get');
    expect(id('GET', '/v3/users/u1/OS-OAUTH1/access_tokens/t1/roles/r1')).toBe('os-oauth1.access-tokens.roles.get');
    expect(id('GET', '/v3/endpoints/e1/OS-ENDPOINT-POLICY/policy')).toBe('endpoint-policy.effective.get');
  });

  test('HEAD maps to its own row, else to the GET Keystone answers it for', () => {
    expect(matcher.match('HEAD', '/v3/auth/tokens')).toMatchObject({ operation: { id: 'auth.tokens.check' }, viaHead: false });
    expect(matcher.match('HEAD', '/v3/projects/p1')).toMatchObject({ operation: { id: 'projects.get' }, viaHead: true });
    expect(matcher.match('HEAD', '/v3/projects/p/tags/t')).toMatchObject({ operation: { id: 'project-tags.check' }, viaHead: true });
    expect(matcher.match('HEAD', '/v3/system/users/u/roles/r')).toMatchObject({ operation: { id: 'system-roles.user.check' }, viaHead: false });
  });

  test('aliases catch the routes Keystone serves where the api-ref has a typo', () => {
    const url = '/v3/auth/OS-FEDERATION/identity_providers/idp1/protocols/saml2/websso?origin=https%3A//h';
    expect(matcher.match('GET', url)).toMatchObject({
      operation: { id: 'os-federation.websso-idp.get' }, params: { idp_id: 'idp1', protocol_id: 'saml2' },
    });
    expect(id('GET', '/v3/auth/OS-FEDERATION/identity_providers/idp1/protocol/saml2/websso')).toBe('os-federation.websso-idp.get');
    expect(id('POST', url)).toBe('os-federation.websso-idp.post');
  });

  test('undocumented methods and unknown paths are told apart, not guessed', () => {
    expect(matcher.resolve('PUT', '/v3/auth/tokens')).toEqual({
      kind: 'method-not-documented', template: '/v3/auth/tokens', allowed: ['DELETE', 'GET', 'HEAD', 'POST'], path: '/v3/auth/tokens',
    });
    expect(matcher.resolve('GET', '/v3/nope')).toEqual({ kind: 'unknown-path', path: '/v3/nope' });
    expect(matcher.resolve('GET', '/identity/')).toEqual({ kind: 'unknown-path', path: null });
    expect(normalizeRequestPath('http://h/identity/v3/projects?x=1#f')).toBe('/v3/projects');
  });

  test('conflicts between generic and literal templates resolve path-first, like werkzeug', () => {
    const ops = [
      { id: 'generic', method: 'GET', path: '/v3/auth/{x}' },
      { id: 'generic-post', method: 'POST', path: '/v3/auth/{x}' },
      { id: 'tokens', method: 'GET', path: '/v3/auth/tokens' },
      { id: 'any-tokens', method: 'GET', path: '/v3/{a}/tokens' },
      { id: 'left', method: 'GET', path: '/v3/auth/tokens/{t}' },
      { id: 'right', method: 'GET', path: '/v3/auth/{t}/revoked' },
    ];
    const m = new OperationMatcher(ops);
    expect(m.match('GET', '/v3/auth/tokens')?.operation.id).toBe('tokens');
    expect(m.match('GET', '/v3/auth/catalog')?.operation.id).toBe('generic');
    expect(m.match('GET', '/v3/foo/tokens')?.operation.id).toBe('any-tokens');
    expect(m.match('GET', '/v3/auth/tokens/revoked')?.operation.id).toBe('left');
    // The literal /v3/auth/tokens owns the path; POST there is undocumented, not "generic-post".
    expect(m.resolve('POST', '/v3/auth/tokens').kind).toBe('method-not-documented');
    expect(compareSpecificity(compileTemplate('/v3/auth/tokens'), compileTemplate('/v3/auth/{x}'))).toBeLessThan(0);
    expect(() => new OperationMatcher([...ops, { id: 'dup', method: 'GET', path: '/v3/auth/{y}' }])).toThrow(/two operations/);
  });
});

test.describe('coverage report', () => {
  const req = (method: string, path: string, status: number | null, testTitle = 'some test'): ExercisedRequest => ({
    method, path, status, testId: testTitle.replace(/\W+/g, '-'), testTitle,
  });
  const table: Operation[] = OPERATIONS.filter((o) => o.concern === 'projects' || o.concern === 'project-tags' || o.id.startsWith('credentials.ec2.'));

  test('lists a missing operation as uncovered, a justified one as justified', () => {
    const requests = [
      req('GET', '/v3/projects', 200, 'lists projects'),
      req('POST', '/v3/projects', 201, 'creates a project'),
      req('POST', '/v3/projects', 409, 'rejects a duplicate'),
      req('GET', '/identity/v3/projects/p1?x=1', 404, 'missing project'),
      req('PATCH', '/v3/projects/p1', null, 'update timed out'),
      req('POST', '/v3/projects', 400, 'bad input on POST /v3/projects'),
      req('PUT', '/v3/projects/p1/tags', null, 'PUT tags rejects malformed bodies'),
      req('PUT', '/v3/projects/p1/tags/a', 200, 'bad input that was accepted proves no refusal'),
      req('HEAD', '/v3/projects/p1', 200, 'head project'),
      req('GET', '/v3/projects/p1/tags', 200),
      req('GET', '/v3/projects/p1/tags', 200),
      req('PUT', '/v3/projects/p1/tags/a', 201),
      req('PUT', '/v3/projects/p1/tags', 200),
      req('DELETE', '/v3/projects/p1/tags/a', 204),
      req('GET', '/v3/widgets', 404, 'stray'),
      req('PUT', '/v3/projects', 405, 'wrong method'),
      req('GET', '/v3/users/u/credentials/OS-EC2', 200, 'ec2 list'),
    ];
    const gaps = { 'project-tags.clear': 'exercised by the cleanup fixture only', 'projects.list': 'stale', 'projects.nope': 'typo' };
    const report = buildCoverageReport(table, requests, gaps, { now: new Date('2024-01-01T00:00:00Z') });

    const row = (id: string) => report.operations.find((r) => r.id === id)!;
    expect(report.total).toBe(11);
    expect(report.covered + report.justified + report.uncovered).toBe(report.total);
    expect(row('projects.delete')).toMatchObject({ state: 'uncovered', tests: [], statuses: [] });
    expect(row('projects.update')).toMatchObject({ state: 'uncovered' }); // no response, no coverage
    expect(row('project-tags.check')).toMatchObject({ state: 'uncovered' });
    expect(row('project-tags.clear')).toMatchObject({ state: 'justified', gap: 'exercised by the cleanup fixture only' });
    expect(row('projects.create')).toMatchObject({ state: 'covered', statuses: [201, 400, 409], positive: true, tests: ['bad input on POST /v3/projects', 'creates a project', 'rejects a duplicate'] });
    expect(row('projects.get')).toMatchObject({ state: 'covered', statuses: [404], positive: false, headTests: ['head project'], headStatuses: [200] });
    expect(row('project-tags.list')).toMatchObject({ state: 'covered', tests: ['some test'], statuses: [200] });
    expect(report).toMatchObject({ covered: 7, justified: 1, uncovered: 3 });
    expect(report.byConcern['projects']).toEqual({ total: 5, covered: 3, justified: 0, uncovered: 2 });
    expect(report.extras).toEqual({ total: 4, covered: 1, justified: 0, uncovered: 3 });
    expect(report.staleGaps).toEqual(['projects.list']);
    // A bad-input case exists once a bad-input test got a refusal (or no answer) from the write.
    expect(row('projects.create').badInput).toBe(true);
    expect(row('projects.get').badInput).toBeUndefined();
    expect(report.writesWithoutBadInput).toEqual(expect.arrayContaining(['projects.update']));
    expect(report.writesWithoutBadInput).not.toContain('projects.create');
    expect(report.unknownGaps).toEqual(['projects.nope']);
    expect(report.unmatched).toEqual(expect.arrayContaining([
      { method: 'GET', path: '/v3/widgets', count: 1, reason: 'unknown-path', tests: ['stray'] },
      { method: 'PUT', path: '/v3/projects', count: 1, reason: 'method-not-documented', tests: ['wrong method'] },
    ]));
    expect(report.generatedAt).toBe('2024-01-01T00:00:00.000Z');
  });

  test('the full table with no requests is all uncovered', () => {
    const report = buildCoverageReport(OPERATIONS, []);
    expect(report).toMatchObject({ total: 233, covered: 0, justified: 0, uncovered: 233 });
    expect(report.operations).toHaveLength(OPERATIONS.length);
  });

  test('writes JSON and renders self-contained, escaped HTML', async () => {
    const report = buildCoverageReport(table, [req('GET', '/v3/projects', 200, 'lists <projects> & "more"')], { 'projects.delete': 'needs <admin>' });
    const dir = await mkdtemp(join(tmpdir(), 'coverage-'));
    try {
      const file = await writeCoverageReport(report, join(dir, 'nested', 'coverage.json'));
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(report);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const html = renderCoverageHtml(report);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('projects.delete');
    expect(html).toContain('lists &lt;projects&gt; &amp; &quot;more&quot;');
    expect(html).toContain('needs &lt;admin&gt;');
    expect(html).not.toMatch(/<script|<link|src=/i);
  });
});

test.describe('tempest request log (bench:conformance)', () => {
  test('reads answered requests, skips header lines and non-request lines, and maps them to api-ref rows', async () => {
    const { parseTempestRequestLog } = await import('../lib/coverage/tempest-request-log.js');
    const log = [
      '2026-12-03 15:01:02.345 4242 INFO tempest.lib.common.rest_client [req-1 ] Request (ProjectsTestJSON:test_project_create_with_description): 201 POST http://127.0.0.1:32768/v3/projects 0.412s',
      "2026-12-03 15:01:02.346 4242 DEBUG tempest.lib.common.rest_client [req-1 ] Request - Headers: {'Content-Type': 'application/json'}",
      '2026-12-03 15:01:03.000 4242 INFO tempest.lib.common.rest_client [req-2 ] Request (ProjectsTestJSON:test_project_create_with_description): 200 GET http://127.0.0.1:32768/v3/projects/abc123?name=x 0.101s',
      '2026-12-03 15:01:04.000 4242 INFO tempest.lib.common.rest_client [req-3 ] Request (ProjectsTestJSON:tearDownClass): 204 DELETE http://127.0.0.1:32768/v3/projects/abc123 0.200s',
      '2026-12-03 15:01:05.000 4242 INFO tempest.lib.common.rest_client [req-4 ] Request (X:y): 404 GET not-a-url 0.1s',
      '2026-12-03 15:01:06.000 4242 WARNING tempest.test something else entirely',
    ].join('\n');
    const reqs = parseTempestRequestLog(log);
    expect(reqs.map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([
      '201 POST /v3/projects', '200 GET /v3/projects/abc123?name=x', '204 DELETE /v3/projects/abc123',
    ]);
    const report = buildCoverageReport(API_REF_OPERATIONS, reqs);
    expect(report.covered).toBe(3);
    expect(report.operations.filter((o) => o.state === 'covered').map((o) => o.id).sort()).toEqual(['projects.create', 'projects.delete', 'projects.get']);
    expect(parseTempestRequestLog('')).toEqual([]);
  });
});
