import { expect, test } from '@playwright/test';
import {
  compareWritten, describeMismatches, judgeCleared, judgeDeleted, judgeExists, judgeListed, listQuery, LIST_FILTERS, planReadBack, storedMatches,
} from '../lib/keystone/read-back.js';

const where = { write: 'PATCH /v3/endpoints/e1', read: 'GET /v3/endpoints/e1 on the reader' };

test.describe('read-back judgement (lib/keystone/read-back.ts)', () => {
  test('rejects a stored old value, naming method, path, field, written and stored value', () => {
    const ms = compareWritten({ url: 'http://new.example/v1' }, { id: 'e1', url: 'http://old.example/v1', interface: 'public' }, where);
    expect(ms).toHaveLength(1);
    expect(ms[0]).toMatchObject({ field: 'url', written: '"http://new.example/v1"', stored: '"http://old.example/v1"' });
    expect(describeMismatches(ms)).toContain('PATCH /v3/endpoints/e1');
    expect(describeMismatches(ms)).toContain('url = "http://old.example/v1", written "http://new.example/v1"');
  });

  test('rejects a written field missing from the stored entity, and no entity at all', () => {
    expect(compareWritten({ description: 'd', name: 'n' }, { id: 'p', name: 'n' }, where)).toMatchObject([{ field: 'description', stored: '(missing)' }]);
    expect(compareWritten({ name: 'n' }, undefined, where)).toMatchObject([{ field: '(entity)', stored: '(not found)' }]);
  });

  test('nested objects compare every written key (domain config): a stale option is named by its path', () => {
    const ms = compareWritten({ ldap: { url: 'ldap://b', user: 'cn=x' } }, { ldap: { url: 'ldap://a', user: 'cn=x', suffix: 's' }, identity: { driver: 'ldap' } }, where);
    expect(ms).toMatchObject([{ field: 'ldap.url', written: '"ldap://b"', stored: '"ldap://a"' }]);
  });

  test('accepts what Keystone adds or reformats: ids, links, defaults, microseconds, set order, dropped nulls', () => {
    const written = { name: 'p', tags: ['a', 'b'], expires_at: '2030-01-01T00:00:00Z', description: null, options: {} };
    const stored = { id: 'x', name: 'p', tags: ['b', 'a'], expires_at: '2030-01-01T00:00:00.000000Z', options: {}, links: { self: 'u' }, enabled: true };
    expect(compareWritten(written, stored, where)).toEqual([]);
  });

  test('ordered arrays stay ordered (mapping rules), sets do not, and a changed set element is caught', () => {
    expect(storedMatches([{ a: 1 }, { b: 2 }], [{ b: 2 }, { a: 1 }], 'rules')).toBe(false);
    expect(storedMatches([{ name: 'r1' }, { name: 'r2' }], [{ id: '2', name: 'r2' }, { id: '1', name: 'r1' }], 'roles')).toBe(true);
    expect(storedMatches(['a', 'b'], ['a', 'c'], 'tags')).toBe(false);
    expect(storedMatches(['a', 'b'], ['a', 'b', 'c'], 'tags')).toBe(false);
    expect(storedMatches('2030-01-01T00:00:00Z', '2030-01-01T00:00:01.000000Z', 'expires_at')).toBe(false);
    expect(storedMatches(null, 'x', 'description')).toBe(false);
    // expires_at is stored at whole seconds (trusts) or as written (application credentials): both are accepted, any other is not.
    expect(storedMatches('2026-12-03T11:36:37.704Z', '2026-12-03T11:36:37.704000', 'expires_at')).toBe(true);
    expect(storedMatches('2026-12-03T11:36:37.704Z', '2026-12-03T11:36:37.705000', 'expires_at')).toBe(false);
    expect(storedMatches('2030-01-01T00:00:27.644Z', '2030-01-01T00:00:27.000000Z', 'expires_at')).toBe(true);
    expect(storedMatches('2030-01-01T00:00:27.644Z', '2030-01-01T00:00:28.000000Z', 'expires_at')).toBe(false);
    expect(storedMatches('2030-01-01T00:00:27.644Z', '2030-01-01T00:00:27.000000Z', 'created_at')).toBe(false);
  });

  test('write-only fields are skipped, and a secret-named field is masked in the message', () => {
    expect(compareWritten({ name: 'u', password: 'pw-1' }, { id: 'u1', name: 'u' }, where)).toEqual([]);
    expect(compareWritten({ allow_redelegation: false, redelegation_count: 0 }, { redelegation_count: 0 }, where)).toEqual([]);
    expect(compareWritten({ allow_redelegation: false, redelegation_count: 0 }, { redelegation_count: 3 }, where)).toMatchObject([{ field: 'redelegation_count' }]);
    const ms = compareWritten({ blob: 'the-real-blob' }, { blob: 'another-blob' }, where);
    expect(ms).toHaveLength(1);
    expect(describeMismatches(ms)).not.toContain('the-real-blob');
    expect(describeMismatches(ms)).not.toContain('another-blob');
  });

  test('a DELETE whose resource still answers 200 is rejected; 404 is accepted', () => {
    expect(judgeDeleted('DELETE /v3/projects/p', 'GET /v3/projects/p', 200)).toMatchObject([{ field: '(existence)', stored: 'still there (GET answered 200)' }]);
    expect(judgeDeleted('DELETE /v3/projects/p', 'GET /v3/projects/p', 404)).toEqual([]);
    expect(judgeDeleted('DELETE /v3/projects/p', 'GET /v3/projects/p', 403)).toMatchObject([{ stored: 'GET answered 403, not 404' }]);
  });

  test('the filtered list must hold the entity with the written fields', () => {
    const list = { projects: [{ id: 'p1', name: 'n', description: 'old' }] };
    expect(judgeListed({ description: 'new' }, 'p1', list, 'projects', where)).toMatchObject([{ field: 'description', stored: '"old"' }]);
    expect(judgeListed({ description: 'old' }, 'p2', list, 'projects', where)).toMatchObject([{ field: '(membership)' }]);
    expect(judgeListed({ description: 'old' }, 'p1', list, 'projects', where)).toEqual([]);
    const projects = LIST_FILTERS.find((l) => l.collection === '/v3/projects')!;
    expect(listQuery(projects, { name: 'n', domain_id: 'default', parent_id: 'x' })).toEqual({ name: 'n', domain_id: 'default' });
  });
});

test.describe('read-back plan: which reads a write calls for', () => {
  test('a create is read at its id, with the filtered list where the api-ref has one', () => {
    const plan = planReadBack({ method: 'POST', path: '/v3/projects', status: 201, requestBody: { project: { name: 'n' } }, responseBody: { project: { id: 'p1', name: 'n' } } });
    expect(plan).toMatchObject({ kind: 'entity', getPath: '/v3/projects/p1', entityKey: 'project', written: { name: 'n' }, id: 'p1', list: { collection: '/v3/projects' } });
  });

  test('an update is read at its own path; a region (no list filter) gets no list', () => {
    expect(planReadBack({ method: 'PATCH', path: '/v3/endpoints/e1', status: 200, requestBody: { endpoint: { url: 'u' } }, responseBody: { endpoint: { id: 'e1' } } }))
      .toMatchObject({ kind: 'entity', getPath: '/v3/endpoints/e1', id: 'e1', list: { collection: '/v3/endpoints' } });
    const region = planReadBack({ method: 'PUT', path: '/v3/regions/r1', status: 201, requestBody: { region: { description: 'd' } }, responseBody: { region: { id: 'r1' } } });
    expect(region).toMatchObject({ kind: 'entity', getPath: '/v3/regions/r1' });
    expect((region as { list?: unknown }).list).toBeUndefined();
  });

  test('a mapping is read back on the members its driver stores (rules): a member the schema lets through and the driver ignores is not judged; the rules are', () => {
    const rules = [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'REMOTE_USER' }] }];
    const plan = planReadBack({ method: 'PUT', path: '/v3/OS-FEDERATION/mappings/m1', status: 201, requestBody: { mapping: { rules, gate_unexpected_property: 'x' } }, responseBody: { mapping: { id: 'm1', rules } } });
    expect(plan).toMatchObject({ kind: 'entity', getPath: '/v3/OS-FEDERATION/mappings/m1', written: { rules } });
    expect((plan as { written: Record<string, unknown> }).written).not.toHaveProperty('gate_unexpected_property');
    // Rules stored otherwise than written still fail.
    expect(compareWritten((plan as { written: Record<string, unknown> }).written, { id: 'm1', rules: [] }, where)).toMatchObject([{ field: 'rules' }]);
    // Other resources keep every written member (a project stores extra attributes).
    expect(planReadBack({ method: 'PATCH', path: '/v3/projects/p1', status: 200, requestBody: { project: { gate_unexpected_property: 'x' } }, responseBody: { project: { id: 'p1' } } }))
      .toMatchObject({ written: { gate_unexpected_property: 'x' } });
  });

  test('a bodiless PUT must leave a relation that a GET finds; a replaced list is read whole', () => {
    expect(planReadBack({ method: 'PUT', path: '/v3/roles/a/implies/b', status: 201 })).toEqual({ kind: 'exists', getPath: '/v3/roles/a/implies/b' });
    expect(judgeExists('PUT /v3/roles/a/implies/b', 'GET /v3/roles/a/implies/b', 404)).toMatchObject([{ field: '(existence)', stored: 'not there (GET answered 404)' }]);
    expect(judgeExists('PUT /v3/roles/a/implies/b', 'GET /v3/roles/a/implies/b', 200)).toEqual([]);
    const tags = planReadBack({ method: 'PUT', path: '/v3/projects/p/tags', status: 200, requestBody: { tags: ['x', 'y'] }, responseBody: { tags: ['x', 'y'] } });
    expect(tags).toEqual({ kind: 'entity', getPath: '/v3/projects/p/tags', entityKey: '', written: { tags: ['x', 'y'] }, id: undefined, list: undefined });
    expect(compareWritten({ tags: ['x', 'y'] }, { tags: ['x'], links: {} }, where)).toMatchObject([{ field: 'tags' }]);
    expect(compareWritten({ tags: ['x', 'y'] }, { tags: ['y', 'x'], links: {} }, where)).toEqual([]);
  });

  test('clearing a list (DELETE /v3/projects/{id}/tags) must leave it empty, not gone', () => {
    expect(planReadBack({ method: 'DELETE', path: '/v3/projects/p/tags', status: 204 })).toEqual({ kind: 'cleared', getPath: '/v3/projects/p/tags', listKey: 'tags' });
    expect(judgeCleared('DELETE /v3/projects/p/tags', 'GET', 200, { tags: [], links: {} }, 'tags')).toEqual([]);
    expect(judgeCleared('DELETE /v3/projects/p/tags', 'GET', 200, { tags: ['a'], links: {} }, 'tags')).toMatchObject([{ field: 'tags', stored: '["a"]' }]);
    expect(judgeCleared('DELETE /v3/projects/p/tags', 'GET', 404, null, 'tags')).toMatchObject([{ stored: 'GET answered 404' }]);
  });

  test('a delete is read for a 404 where the api-ref documents a GET', () => {
    expect(planReadBack({ method: 'DELETE', path: '/v3/projects/p1', status: 204 })).toEqual({ kind: 'deleted', getPath: '/v3/projects/p1' });
    expect(planReadBack({ method: 'DELETE', path: '/v3/projects/p1/tags/t', status: 204 })).toEqual({ kind: 'deleted', getPath: '/v3/projects/p1/tags/t' });
  });

  test('nothing to read: failed writes, token actions, bodiless grants, creates without an id', () => {
    expect(planReadBack({ method: 'PATCH', path: '/v3/projects/p1', status: 409, requestBody: { project: { name: 'n' } } }).kind).toBe('none');
    expect(planReadBack({ method: 'DELETE', path: '/v3/auth/tokens', status: 204 }).kind).toBe('none');
    expect(planReadBack({ method: 'DELETE', path: '/v3/users/u/access_rules/r', status: 204 })).toMatchObject({ kind: 'none', reason: expect.stringContaining('owner') });
    // OAuth1 access tokens: scope_types [project] only, so a system-scoped reader (enforce_scope) cannot read them; a project-scoped one can.
    expect(planReadBack({ method: 'DELETE', path: '/v3/users/u/OS-OAUTH1/access_tokens/t', status: 204 }, { systemScoped: true })).toMatchObject({ kind: 'none', reason: expect.stringContaining('scope_types [project]') });
    expect(planReadBack({ method: 'DELETE', path: '/v3/users/u/OS-OAUTH1/access_tokens/t', status: 204 })).toEqual({ kind: 'deleted', getPath: '/v3/users/u/OS-OAUTH1/access_tokens/t' });
    expect(planReadBack({ method: 'POST', path: '/v3/auth/tokens', status: 201, requestBody: { auth: { identity: {} } }, responseBody: { token: {} } }).kind).toBe('none');
    expect(planReadBack({ method: 'PUT', path: '/v3/groups/g/users/u', status: 204 }).kind).toBe('none');
    expect(planReadBack({ method: 'POST', path: '/v3/users/u/credentials/OS-EC2', status: 201, requestBody: { tenant_id: 'p' }, responseBody: { credential: { access: 'a' } } }).kind).toBe('none');
  });
});
